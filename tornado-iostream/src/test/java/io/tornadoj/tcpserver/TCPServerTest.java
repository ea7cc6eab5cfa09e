package io.tornadoj.tcpserver;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.ioloop.Transport;
import io.tornadoj.iostream.IOStream;
import io.tornadoj.iostream.StreamBufferFullError;
import io.tornadoj.iostream.StreamClosedError;
import io.tornadoj.testsupport.LogCapture;
import io.tornadoj.testsupport.LeakDetector;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static io.tornadoj.iostream.LoopStreams.echo;
import static io.tornadoj.iostream.LoopStreams.run;
import static io.tornadoj.iostream.LoopStreams.sync;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * TCPServer over real loopback sockets on every transport: binding and {@code boundAddresses()},
 * {@code start(2)} on two loops, {@code stop()}, bind errors, failing {@code handleStream}, the
 * {@code pipeline} option. Peers are plain blocking {@link Socket}s so only the server is under test.
 */
@org.junit.jupiter.api.Timeout(60)
@ExtendWith(LeakDetector.class) // fails the class on a ByteBuf leak (also when not auto-detected)
class TCPServerTest {
    private static final String TRANSPORTS = "io.tornadoj.testsupport.Transports#available";

    /** Echoes every line back and records each stream and the loop it runs on. */
    static class EchoServer extends TCPServer {
        final LinkedBlockingQueue<IOStream> streams = new LinkedBlockingQueue<>();
        final List<IOStream> all = new CopyOnWriteArrayList<>();
        final List<InetSocketAddress> peers = new CopyOnWriteArrayList<>();

        EchoServer() {
        }

        EchoServer(Options options) {
            super(options);
        }

        @Override
        protected CompletionStage<?> handleStream(IOStream stream, InetSocketAddress address) {
            record(stream);
            peers.add(address);
            echo(stream);
            return null;
        }

        void record(IOStream stream) {
            streams.add(stream);
            all.add(stream);
        }

        IOStream nextStream() throws InterruptedException {
            IOStream s = streams.poll(10, TimeUnit.SECONDS);
            if (s == null) {
                fail("no connection reached handleStream");
            }
            return s;
        }
    }

    // ------------------------------------------------------------------ helpers

    static Socket connect(InetAddress host, int port, List<Socket> toClose) throws IOException {
        Socket s = new Socket(host, port);
        toClose.add(s);
        s.setTcpNoDelay(true);
        s.setSoTimeout(10_000);
        return s;
    }

    static Socket connect(int port, List<Socket> toClose) throws IOException {
        return connect(InetAddress.getByName("127.0.0.1"), port, toClose);
    }

    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            out.write(b);
            if (b == '\n') {
                break;
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    static String echoOver(Socket s, String line) throws IOException {
        s.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        return readLine(s.getInputStream());
    }

    /** The peer sees the connection end: EOF, or a reset when unread bytes were discarded. */
    static void assertPeerClosed(Socket s) throws IOException {
        try {
            assertEquals(-1, s.getInputStream().read(), "the server should have closed the connection");
        } catch (SocketException reset) {
            // a reset also means closed
        }
    }

    static void closeAll(List<Socket> sockets) {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    /**
     * Closes the server-side streams and waits until their channels are closed, so nothing is left for
     * IOLoop.close() (which does not reliably close channels still open).
     */
    static void closeStreams(EchoServer... servers) throws InterruptedException {
        for (EchoServer server : servers) {
            for (IOStream s : server.all) {
                s.close();
            }
            for (IOStream s : server.all) {
                assertTrue(s.channel().closeFuture().await(5, TimeUnit.SECONDS), s + " did not close");
            }
        }
    }

    /** Closes the client sockets and the servers' streams, stops the servers, then closes the loop. */
    static void cleanUp(IOLoop loop, List<Socket> sockets, EchoServer... servers) throws Exception {
        closeAll(sockets);
        closeStreams(servers);
        for (EchoServer server : servers) {
            server.stop().get(10, TimeUnit.SECONDS);
        }
        loop.close();
    }

    static int port(TCPServer server) {
        return server.boundAddresses().get(0).getPort();
    }

    static void waitFor(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    static boolean closedOnLoop(IOStream s) throws Exception {
        return sync(s.ioLoop(), () -> CompletableFuture.completedFuture(s.closed()));
    }

    static boolean causedBy(Throwable t, Throwable expected) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c == expected) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ binding

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void listenOnPortZeroReportsTheRealPortInBoundAddresses(Transport t) throws Exception {
        List<Socket> sockets = new ArrayList<>();
        EchoServer server = new EchoServer();
        EchoServer loopbackServer = new EchoServer();
        IOLoop loop = IOLoop.create(t);
        try {
            // listen(0): every interface, a port picked by the kernel (connections below go to 127.0.0.1 only)
            run(loop, () -> server.listen(0));
            List<InetSocketAddress> bound = server.boundAddresses();
            assertEquals(1, bound.size(), bound.toString());
            assertTrue(bound.get(0).getAddress().isAnyLocalAddress(), bound.toString());
            assertTrue(bound.get(0).getPort() > 0, bound.toString());
            assertEquals("hello\n", echoOver(connect(bound.get(0).getPort(), sockets), "hello"));
            IOStream accepted = server.nextStream();
            assertSame(loop, accepted.ioLoop(), "listen() serves on IOLoop.current()");

            // listen(0, address) binds just that address
            run(loop, () -> loopbackServer.listen(0, "127.0.0.1"));
            List<InetSocketAddress> lb = loopbackServer.boundAddresses();
            assertEquals(1, lb.size(), lb.toString());
            assertEquals(InetAddress.getByName("127.0.0.1"), lb.get(0).getAddress());
            assertNotEquals(0, lb.get(0).getPort());
            assertNotEquals(bound.get(0).getPort(), lb.get(0).getPort());
            Socket s = connect(lb.get(0).getPort(), sockets);
            assertEquals("world\n", echoOver(s, "world"));
            loopbackServer.nextStream();
            assertEquals(s.getLocalPort(), loopbackServer.peers.get(0).getPort(), "handleStream gets the peer's address");
            assertEquals(InetAddress.getByName("127.0.0.1"), loopbackServer.peers.get(0).getAddress());
        } finally {
            cleanUp(loop, sockets, server, loopbackServer);
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void bindSeveralAddressesThenStartListensOnAll(Transport t) throws Exception {
        List<Socket> sockets = new ArrayList<>();
        EchoServer server = new EchoServer();
        IOLoop loop = IOLoop.create(t);
        try {
            assertThrows(IllegalStateException.class, server::start, "start() without bind()");
            server.bind(0, "127.0.0.1");
            server.bind(0, "::1");
            run(loop, server::start);
            List<InetSocketAddress> bound = server.boundAddresses();
            assertEquals(2, bound.size(), bound.toString());
            assertEquals(InetAddress.getByName("127.0.0.1"), bound.get(0).getAddress());
            assertInstanceOf(Inet6Address.class, bound.get(1).getAddress());
            assertTrue(bound.get(1).getAddress().isLoopbackAddress());
            for (InetSocketAddress a : bound) {
                assertTrue(a.getPort() > 0);
                Socket s = connect(a.getAddress(), a.getPort(), sockets);
                assertEquals("via " + a + "\n", echoOver(s, "via " + a));
            }
        } finally {
            cleanUp(loop, sockets, server);
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void bindingAPortAlreadyInUseThrowsUncheckedIOException(Transport t) throws Exception {
        List<Socket> sockets = new ArrayList<>();
        EchoServer first = new EchoServer();
        EchoServer second = new EchoServer();
        IOLoop loop = IOLoop.create(t);
        try {
            run(loop, () -> first.listen(0, "127.0.0.1"));
            int port = port(first);
            UncheckedIOException e = assertThrows(UncheckedIOException.class,
                    () -> run(loop, () -> second.listen(port, "127.0.0.1")));
            assertInstanceOf(IOException.class, e.getCause());
            assertTrue(second.boundAddresses().isEmpty(), second.boundAddresses().toString());

            // the same through bind() + start()
            EchoServer third = new EchoServer();
            third.bind(port, "127.0.0.1");
            assertThrows(UncheckedIOException.class, () -> run(loop, third::start));

            // the first server is unaffected
            assertEquals("still here\n", echoOver(connect(port, sockets), "still here"));
        } finally {
            cleanUp(loop, sockets, first, second);
        }
    }

    // ------------------------------------------------------------------ start(n)

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void startTwoAcceptsOnTwoLoops(Transport t) throws Exception {
        List<Socket> sockets = new ArrayList<>();
        Map<IOLoop, AtomicInteger> perLoop = new ConcurrentHashMap<>();
        List<Boolean> onLoopThread = new CopyOnWriteArrayList<>();
        EchoServer server = new EchoServer() {
            @Override
            protected CompletionStage<?> handleStream(IOStream stream, InetSocketAddress address) {
                perLoop.computeIfAbsent(stream.ioLoop(), l -> new AtomicInteger()).incrementAndGet();
                onLoopThread.add(stream.ioLoop().inLoop());
                return super.handleStream(stream, address);
            }
        };
        // start(n) makes its loops with IOLoop.create(), i.e. on the configured transport
        IOLoop.configure(t);
        try {
            server.bind(0, "127.0.0.1");
            server.start(2);
            List<InetSocketAddress> bound = server.boundAddresses();
            assertEquals(1, bound.size(), "each address once, even with one listener per loop: " + bound);
            int port = bound.get(0).getPort();
            // With SO_REUSEPORT the kernel hashes each connection's 4-tuple onto a listener: keep connecting
            // (at least 20, at most 200) until both loops got some.
            int n = 0;
            while (n < 20 || (perLoop.size() < 2 && n < 200)) {
                Socket s = connect(port, sockets);
                assertEquals("conn " + n + "\n", echoOver(s, "conn " + n));
                n++;
            }
            assertEquals(n, server.peers.size());
            assertEquals(2, perLoop.size(), "connections landed on " + perLoop.size() + " loop(s) after " + n);
            for (IOLoop l : perLoop.keySet()) {
                assertEquals(t, l.transport());
            }
            assertTrue(onLoopThread.stream().allMatch(b -> b), "handleStream runs on the stream's loop thread");
            if (t == Transport.NIO) {
                // one acceptor handing connections to the loops in turn
                List<Integer> counts = new ArrayList<>();
                perLoop.values().forEach(c -> counts.add(c.get()));
                assertTrue(Math.abs(counts.get(0) - counts.get(1)) <= 1, "round-robin: " + counts);
            }
            // every accepted stream still works
            for (Socket s : sockets) {
                assertEquals("again\n", echoOver(s, "again"));
            }
        } finally {
            restoreConfiguredTransport();
            closeAll(sockets);
            closeStreams(server);
            server.stop().get(10, TimeUnit.SECONDS);
            for (IOLoop l : perLoop.keySet()) {
                l.close(); // the loops start(2) made
            }
        }
    }

    private static void restoreConfiguredTransport() {
        String prop = System.getProperty("tornado.transport");
        IOLoop.configure(prop == null || prop.isBlank() ? Transport.AUTO
                : Transport.valueOf(prop.trim().toUpperCase(Locale.ROOT).replace('-', '_')));
    }

    // ------------------------------------------------------------------ stop

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void stopStopsAcceptingWhileOpenStreamsKeepWorking(Transport t) throws Exception {
        List<Socket> sockets = new ArrayList<>();
        EchoServer server = new EchoServer();
        IOLoop loop = IOLoop.create(t);
        try {
            run(loop, () -> server.listen(0, "127.0.0.1"));
            int port = port(server);
            Socket open = connect(port, sockets);
            assertEquals("before\n", echoOver(open, "before"));
            IOStream serverSide = server.nextStream();

            server.stop().get(10, TimeUnit.SECONDS);
            assertTrue(server.boundAddresses().isEmpty());
            assertThrows(ConnectException.class, () -> connect(port, sockets), "a new connection is refused");
            server.stop().get(10, TimeUnit.SECONDS); // stopping twice is harmless (Tornado's test_stop_twice)

            // the connection accepted before stop() is untouched
            assertEquals("after\n", echoOver(open, "after"));
            assertFalse(closedOnLoop(serverSide));
            assertTrue(server.streams.isEmpty(), "nothing else was accepted");

            // again a few times: refused as soon as stop() has completed
            for (int i = 0; i < 5; i++) {
                EchoServer again = new EchoServer();
                run(loop, () -> again.listen(0, "127.0.0.1"));
                int p = port(again);
                assertEquals("x\n", echoOver(connect(p, sockets), "x"));
                again.stop().get(10, TimeUnit.SECONDS);
                assertThrows(ConnectException.class, () -> connect(p, sockets), "round " + i);
                closeStreams(again);
            }
        } finally {
            cleanUp(loop, sockets, server);
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void theStoppedPortCanBeListenedOnAgainAtOnce(Transport t) throws Exception {
        List<Socket> sockets = new ArrayList<>();
        EchoServer first = new EchoServer();
        EchoServer second = new EchoServer();
        IOLoop loop = IOLoop.create(t);
        try {
            for (int i = 0; i < 5; i++) {
                EchoServer a = new EchoServer();
                run(loop, () -> a.listen(0, "127.0.0.1"));
                int p = port(a);
                a.stop().get(10, TimeUnit.SECONDS);
                // stop() completed: the port is free again
                EchoServer b = new EchoServer();
                run(loop, () -> b.listen(p, "127.0.0.1"));
                b.stop().get(10, TimeUnit.SECONDS);
            }
            run(loop, () -> first.listen(0, "127.0.0.1"));
            int port = port(first);
            first.stop().get(10, TimeUnit.SECONDS);
            run(loop, () -> second.listen(port, "127.0.0.1"));
            assertEquals("reborn\n", echoOver(connect(port, sockets), "reborn"));
            assertTrue(first.all.isEmpty());
        } finally {
            cleanUp(loop, sockets, first, second);
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void stopFromHandleStreamOnTheLoop(Transport t) throws Exception {
        // Tornado's test_stop_in_callback: stop() from inside handle_stream while more connections arrive
        List<Socket> sockets = new ArrayList<>();
        AtomicReference<CompletableFuture<Void>> stopped = new AtomicReference<>();
        EchoServer server = new EchoServer() {
            @Override
            protected CompletionStage<?> handleStream(IOStream stream, InetSocketAddress address) {
                stopped.compareAndSet(null, stop());
                return super.handleStream(stream, address);
            }
        };
        IOLoop loop = IOLoop.create(t);
        try {
            run(loop, () -> server.listen(0, "127.0.0.1"));
            int port = port(server);
            Socket first = connect(port, sockets);
            assertEquals("one\n", echoOver(first, "one"));
            waitFor("stop() to complete", () -> stopped.get() != null && stopped.get().isDone());
            assertThrows(ConnectException.class, () -> connect(port, sockets));
            assertEquals("two\n", echoOver(first, "two"));
        } finally {
            cleanUp(loop, sockets, server);
        }
    }

    // ------------------------------------------------------------------ errors in handleStream

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void aFailingHandleStreamIsLoggedOnceAndClosesOnlyThatStream(Transport t) throws Exception {
        List<Socket> sockets = new ArrayList<>();
        AtomicReference<String> mode = new AtomicReference<>("echo");
        RuntimeException syncBoom = new IllegalStateException("sync boom");
        IOException failedBoom = new IOException("failed-stage boom");
        IllegalArgumentException laterBoom = new IllegalArgumentException("later boom");
        EchoServer server = new EchoServer() {
            @Override
            protected CompletionStage<?> handleStream(IOStream stream, InetSocketAddress address) {
                record(stream);
                switch (mode.get()) {
                    case "throw":
                        throw syncBoom;
                    case "failed":
                        return CompletableFuture.failedFuture(failedBoom);
                    case "later":
                        // a coroutine that fails after some I/O
                        return stream.readUntil("\n").thenCompose(line -> {
                            throw laterBoom;
                        });
                    default:
                        echo(stream);
                        return null;
                }
            }
        };
        IOLoop loop = IOLoop.create(t);
        try (LogCapture log = new LogCapture("tornado.application")) {
            run(loop, () -> server.listen(0, "127.0.0.1"));
            int port = port(server);
            List<Throwable> expected = List.of(syncBoom, failedBoom, laterBoom);
            String[] modes = {"throw", "failed", "later"};
            for (int i = 0; i < modes.length; i++) {
                mode.set(modes[i]);
                Socket s = connect(port, sockets);
                IOStream stream = server.nextStream();
                if (modes[i].equals("later")) {
                    s.getOutputStream().write("trigger\n".getBytes(StandardCharsets.UTF_8));
                }
                assertPeerClosed(s);
                int logged = i + 1;
                waitFor("the error to be logged", () -> log.events().size() >= logged);
                waitFor("the stream to close", () -> closedOnLoop(stream));
                assertTrue(causedBy(stream.error(), expected.get(i)), "stream.error() = " + stream.error());
            }
            // the server keeps serving others
            mode.set("echo");
            Socket good = connect(port, sockets);
            assertEquals("fine\n", echoOver(good, "fine"));
            good.close();
            Thread.sleep(100); // give any duplicate log a chance to show up

            List<ILoggingEvent> events = log.events();
            assertEquals(3, events.size(), "each failure logged exactly once: " + log.messages());
            for (int i = 0; i < 3; i++) {
                assertEquals(Level.ERROR, events.get(i).getLevel());
                assertTrue(causedBy(LogCapture.thrown(events.get(i)), expected.get(i)),
                        "logged " + LogCapture.thrown(events.get(i)) + ", expected " + expected.get(i));
            }
        } finally {
            cleanUp(loop, sockets, server);
        }
    }

    // ------------------------------------------------------------------ options

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void pipelineOptionPlacesNettyHandlersBeforeTheStream(Transport t) throws Exception {
        List<Socket> sockets = new ArrayList<>();
        List<Boolean> customizerOnLoop = new CopyOnWriteArrayList<>();
        AtomicReference<IOLoop> loopRef = new AtomicReference<>();
        Consumer<ChannelPipeline> pipeline = p -> {
            customizerOnLoop.add(loopRef.get().inLoop());
            p.addLast("lines", new LineBasedFrameDecoder(16, true, true)); // strips the "\n"
        };
        EchoServer server = new EchoServer(TCPServer.Options.builder().pipeline(pipeline).build()) {
            @Override
            protected CompletionStage<?> handleStream(IOStream stream, InetSocketAddress address) {
                record(stream); // no echo: the test reads
                return null;
            }
        };
        IOLoop loop = IOLoop.create(t);
        loopRef.set(loop);
        try {
            run(loop, () -> server.listen(0, "127.0.0.1"));
            assertSame(pipeline, TCPServer.Options.builder().pipeline(pipeline).build().pipeline());
            Socket s = connect(port(server), sockets);
            IOStream stream = server.nextStream();
            List<String> names = stream.channel().pipeline().names();
            assertTrue(names.indexOf("lines") >= 0 && names.indexOf("lines") < names.indexOf("tornado.iostream"),
                    "the decoder sits before the stream: " + names);

            s.getOutputStream().write("hello\nworld\n".getBytes(StandardCharsets.US_ASCII));
            // the decoder framed and stripped the lines before the stream buffered them
            assertEquals("helloworld", new String(sync(loop, () -> stream.readBytes(10)), StandardCharsets.US_ASCII));

            // a line longer than the decoder allows: its exception reaches the stream, which closes with it
            s.getOutputStream().write("this line is much too long for the decoder\n".getBytes(StandardCharsets.US_ASCII));
            StreamClosedError closed = assertThrows(StreamClosedError.class, () -> sync(loop, () -> stream.readUntil("\n")));
            assertInstanceOf(TooLongFrameException.class, closed.realError());
            assertInstanceOf(TooLongFrameException.class, stream.error());
            assertEquals(List.of(true), customizerOnLoop, "the customizer runs once, on the connection's loop");
        } finally {
            cleanUp(loop, sockets, server);
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void bufferOptionsReachTheStreams(Transport t) throws Exception {
        List<Socket> sockets = new ArrayList<>();
        TCPServer.Options options = TCPServer.Options.builder().maxBufferSize(1024).readChunkSize(256).build();
        assertEquals(1024, options.maxBufferSize());
        assertEquals(256, options.readChunkSize());
        assertEquals(null, options.sslContext());
        EchoServer server = new EchoServer(options) {
            @Override
            protected CompletionStage<?> handleStream(IOStream stream, InetSocketAddress address) {
                record(stream);
                return null;
            }
        };
        IOLoop loop = IOLoop.create(t);
        try {
            run(loop, () -> server.listen(0, "127.0.0.1"));
            connect(port(server), sockets);
            IOStream stream = server.nextStream();
            assertThrows(StreamBufferFullError.class, () -> sync(loop, () -> stream.readBytes(2048)));
            assertTrue(closedOnLoop(stream));
            assertPeerClosed(sockets.get(0));

            // within the limit is fine
            Socket s2 = connect(port(server), sockets);
            IOStream stream2 = server.nextStream();
            byte[] data = new byte[1000];
            java.util.Arrays.fill(data, (byte) 'x');
            s2.getOutputStream().write(data);
            assertEquals(1000, sync(loop, () -> stream2.readBytes(1000)).length);
        } finally {
            cleanUp(loop, sockets, server);
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void aStageThatCompletesNormallyLogsNothing(Transport t) throws Exception {
        // handleStream as a coroutine: write, read, close; the peer sees the close
        List<Socket> sockets = new ArrayList<>();
        AtomicBoolean done = new AtomicBoolean();
        EchoServer server = new EchoServer() {
            @Override
            protected CompletionStage<?> handleStream(IOStream stream, InetSocketAddress address) {
                record(stream);
                return stream.write("greeting\n").thenCompose(v -> stream.readUntil("\n")).thenAccept(line -> {
                    stream.close();
                    done.set(true);
                });
            }
        };
        IOLoop loop = IOLoop.create(t);
        try (LogCapture log = new LogCapture("tornado.application")) {
            run(loop, () -> server.listen(0, "127.0.0.1"));
            Socket s = connect(port(server), sockets);
            assertEquals("greeting\n", readLine(s.getInputStream()));
            s.getOutputStream().write("bye\n".getBytes(StandardCharsets.US_ASCII));
            assertPeerClosed(s);
            waitFor("the coroutine to finish", done::get);
            Thread.sleep(50);
            assertTrue(log.events().isEmpty(), "a stage that completes normally logs nothing: " + log.messages());
        } finally {
            cleanUp(loop, sockets, server);
        }
    }
}
