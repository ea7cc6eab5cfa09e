package io.tornadoj.tcpclient;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.ioloop.Transport;
import io.tornadoj.iostream.IOStream;
import io.tornadoj.netutil.DefaultResolver;
import io.tornadoj.netutil.Family;
import io.tornadoj.netutil.NetUtil;
import io.tornadoj.netutil.OverrideResolver;
import io.tornadoj.netutil.Resolver;
import io.tornadoj.tcpserver.TCPServer;
import io.tornadoj.testsupport.LeakDetector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import static io.tornadoj.iostream.LoopStreams.echo;
import static io.tornadoj.iostream.LoopStreams.roundTrip;
import static io.tornadoj.iostream.LoopStreams.run;
import static io.tornadoj.iostream.LoopStreams.sync;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * TCPClient over real loopback sockets on every transport (connect, refused, Happy Eyeballs with a
 * loopback black hole, timeout, source address, pipeline, family), and Tornado's {@code _Connector}
 * state machine with fake connection attempts.
 */
@org.junit.jupiter.api.Timeout(60)
@ExtendWith(LeakDetector.class) // fails the class on a ByteBuf leak (also when not auto-detected)
class TCPClientTest {
    private static final String TRANSPORTS = "io.tornadoj.testsupport.Transports#available";
    private static final InetAddress V4;
    private static final InetAddress V6;

    static {
        try {
            V4 = InetAddress.getByName("127.0.0.1");
            V6 = InetAddress.getByName("::1");
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Echoes lines; remembers each accepted stream and peer address. */
    static final class EchoServer extends TCPServer {
        final List<IOStream> streams = new CopyOnWriteArrayList<>();
        final LinkedBlockingQueue<InetSocketAddress> peers = new LinkedBlockingQueue<>();

        @Override
        protected CompletionStage<?> handleStream(IOStream stream, InetSocketAddress address) {
            streams.add(stream);
            peers.add(address);
            echo(stream);
            return null;
        }

        InetSocketAddress nextPeer() throws InterruptedException {
            InetSocketAddress a = peers.poll(10, TimeUnit.SECONDS);
            if (a == null) {
                fail("no connection reached the server");
            }
            return a;
        }
    }

    /** A loopback listener that never accepts, its backlog filled so further SYNs are dropped. */
    static final class BlackHole implements AutoCloseable {
        final ServerSocket listener = new ServerSocket();
        final List<Socket> fillers = new ArrayList<>();
        final InetSocketAddress address;
        final boolean blackHoles;

        BlackHole(InetAddress loopback) throws IOException {
            listener.bind(new InetSocketAddress(loopback, 0), 1);
            address = (InetSocketAddress) listener.getLocalSocketAddress();
            boolean blocked = false;
            // Fill the accept queue; the first connect that times out proves that SYNs are now dropped.
            for (int i = 0; i < 6 && !blocked; i++) {
                Socket s = new Socket();
                try {
                    s.connect(address, 300);
                    fillers.add(s);
                } catch (SocketTimeoutException e) {
                    s.close();
                    blocked = true;
                }
            }
            blackHoles = blocked;
        }

        @Override
        public void close() throws IOException {
            for (Socket s : fillers) {
                s.close();
            }
            listener.close();
        }
    }

    // ------------------------------------------------------------------ helpers

    static int listen(IOLoop loop, TCPServer server, String address) throws Exception {
        run(loop, () -> server.listen(0, address));
        return server.boundAddresses().get(0).getPort();
    }

    static IOStream keep(List<IOStream> opened, IOStream stream) {
        opened.add(stream);
        return stream;
    }

    /**
     * Closes streams and waits until their channels are closed, so nothing is left open for
     * IOLoop.close() (which does not reliably close channels still open).
     */
    static void closeStreams(List<IOStream> streams) throws InterruptedException {
        for (IOStream s : streams) {
            s.close();
        }
        for (IOStream s : streams) {
            assertTrue(s.channel().closeFuture().await(5, TimeUnit.SECONDS), s + " did not close");
        }
    }

    static void cleanUp(List<IOStream> opened, EchoServer server) throws Exception {
        closeStreams(opened);
        if (server != null) {
            closeStreams(server.streams);
            server.stop().get(10, TimeUnit.SECONDS);
        }
    }

    static Resolver fixed(InetSocketAddress... addresses) {
        return (host, port, family) -> CompletableFuture.completedFuture(List.of(addresses));
    }

    static TCPClient.ConnectOptions recordAttempts(List<Channel> attempts) {
        return TCPClient.ConnectOptions.builder().pipeline(p -> attempts.add(p.channel())).build();
    }

    static void assertClosedSoon(Channel ch) throws InterruptedException {
        assertTrue(ch.closeFuture().await(5, TimeUnit.SECONDS), ch + " should have been closed");
        assertFalse(ch.isOpen());
    }

    static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

    // ------------------------------------------------------------------ connect

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void connectAndEchoRoundTrip(Transport t) throws Exception {
        IOLoop loop = IOLoop.create(t);
        List<IOStream> opened = new ArrayList<>();
        EchoServer server = new EchoServer();
        TCPClient client = new TCPClient();
        try {
            int port = listen(loop, server, "127.0.0.1");
            IOStream stream = keep(opened, sync(loop, () -> client.connect("127.0.0.1", port)));
            assertSame(loop, stream.ioLoop(), "the connection runs on IOLoop.current()");
            assertEquals(new InetSocketAddress(V4, port), stream.remoteAddress());
            assertEquals("hello\n", roundTrip(loop, stream, "hello"));
            InetSocketAddress peer = server.nextPeer();
            assertEquals(((InetSocketAddress) stream.channel().localAddress()).getPort(), peer.getPort());
            stream.close();

            // by name (the hosts file maps localhost to a loopback address; family IPV4 keeps 127.0.0.1)
            IOStream byName = keep(opened, sync(loop, () -> client.connect("localhost", port,
                    TCPClient.ConnectOptions.builder().family(Family.IPV4).build())));
            assertEquals("by name\n", roundTrip(loop, byName, "by name"));
            byName.close();
        } finally {
            client.close();
            cleanUp(opened, server);
            loop.close();
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void connectionRefusedFailsWithConnectException(Transport t) throws Exception {
        IOLoop loop = IOLoop.create(t);
        List<IOStream> opened = new ArrayList<>();
        TCPClient client = new TCPClient();
        try {
            int port = NetUtil.bindUnusedPort(); // nothing listens there now
            Exception e = assertThrows(Exception.class, () -> sync(loop, () -> client.connect("127.0.0.1", port)));
            assertInstanceOf(IOException.class, e);
            assertInstanceOf(ConnectException.class, e, e.toString());

            // every address of both families refused: the last error is reported
            List<Channel> attempts = new CopyOnWriteArrayList<>();
            TCPClient both = new TCPClient(fixed(new InetSocketAddress(V6, port), new InetSocketAddress(V4, port)));
            Exception e2 = assertThrows(Exception.class, () -> sync(loop, () -> both.connect("refused.test", 80,
                    recordAttempts(attempts))));
            assertInstanceOf(ConnectException.class, e2, e2.toString());
            assertEquals(2, attempts.size(), "both families were tried");
            for (Channel ch : attempts) {
                assertClosedSoon(ch);
            }
        } finally {
            client.close();
            cleanUp(opened, null);
            loop.close();
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void overrideResolverRedirectsNamesAndPorts(Transport t) throws Exception {
        IOLoop loop = IOLoop.create(t);
        List<IOStream> opened = new ArrayList<>();
        EchoServer server = new EchoServer();
        try {
            int port = listen(loop, server, "127.0.0.1");
            TCPClient client = new TCPClient(new OverrideResolver(new DefaultResolver(),
                    Map.of("service.test", "127.0.0.1", "api.test:443", "127.0.0.1:" + port)));
            IOStream a = keep(opened, sync(loop, () -> client.connect("service.test", port)));
            assertEquals("a\n", roundTrip(loop, a, "a"));
            IOStream b = keep(opened, sync(loop, () -> client.connect("api.test", 443)));
            assertEquals(new InetSocketAddress(V4, port), b.remoteAddress());
            assertEquals("b\n", roundTrip(loop, b, "b"));
            a.close();
            b.close();
            client.close();
        } finally {
            cleanUp(opened, server);
            loop.close();
        }
    }

    // ------------------------------------------------------------------ Happy Eyeballs

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void happyEyeballsFallsBackToIpv4WhenIpv6BlackHoles(Transport t) throws Exception {
        assertFallsBackWhenThePrimaryBlackHoles(t, V6, V4);
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void happyEyeballsFallsBackToIpv6WhenIpv4BlackHoles(Transport t) throws Exception {
        assertFallsBackWhenThePrimaryBlackHoles(t, V4, V6);
    }

    /**
     * The primary address ({@code blackHoled}'s family) never answers: the secondary family is tried after
     * the 0.3 s delay, wins, and the pending primary attempt is given up.
     */
    private void assertFallsBackWhenThePrimaryBlackHoles(Transport t, InetAddress blackHoled, InetAddress serving)
            throws Exception {
        IOLoop loop = IOLoop.create(t);
        List<IOStream> opened = new ArrayList<>();
        EchoServer server = new EchoServer();
        try (BlackHole hole = new BlackHole(blackHoled)) {
            assumeTrue(hole.blackHoles, "a full accept queue on " + blackHoled.getHostAddress()
                    + " does not drop SYNs on this kernel");
            int port = listen(loop, server, serving.getHostAddress());
            InetSocketAddress working = new InetSocketAddress(serving, port);
            TCPClient client = new TCPClient(fixed(hole.address, working));
            List<Channel> attempts = new CopyOnWriteArrayList<>();

            long start = System.nanoTime();
            IOStream stream = keep(opened, sync(loop, () -> client.connect("dual.test", 80, recordAttempts(attempts))));
            double elapsed = seconds(start);

            assertTrue(elapsed >= 0.29, "the secondary starts only after the 0.3 s delay, took " + elapsed);
            assertEquals(working, stream.remoteAddress());
            assertEquals(2, attempts.size(), "one attempt per family");
            assertNotSame(stream.channel(), attempts.get(0), "the black-holed attempt did not win");
            assertSame(stream.channel(), attempts.get(1));
            assertClosedSoon(attempts.get(0)); // the pending primary attempt is given up
            assertEquals("fallback\n", roundTrip(loop, stream, "fallback"));
            stream.close();
        } finally {
            cleanUp(opened, server);
            loop.close();
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void happyEyeballsUsesThePrimaryFamilyWhenItWorks(Transport t) throws Exception {
        IOLoop loop = IOLoop.create(t);
        List<IOStream> opened = new ArrayList<>();
        EchoServer server = new EchoServer();
        try (BlackHole hole = new BlackHole(V6)) {
            int port = listen(loop, server, "127.0.0.1");
            InetSocketAddress working = new InetSocketAddress(V4, port);
            TCPClient client = new TCPClient(fixed(working, hole.address));
            List<Channel> attempts = new CopyOnWriteArrayList<>();
            IOStream stream = keep(opened, sync(loop, () -> client.connect("dual.test", 80, recordAttempts(attempts))));
            assertEquals(working, stream.remoteAddress());
            assertSame(stream.channel(), attempts.get(0), "the first (primary) address won");
            Thread.sleep(400); // past the secondary delay
            for (Channel ch : attempts) {
                if (ch != stream.channel()) {
                    assertClosedSoon(ch); // had the secondary started, it would have lost and been closed
                }
            }
            assertTrue(stream.channel().isActive());
            assertEquals("primary\n", roundTrip(loop, stream, "primary"));
            stream.close();
        } finally {
            cleanUp(opened, server);
            loop.close();
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void aRefusedPrimaryFamilyFallsBackToTheSecondary(Transport t) throws Exception {
        IOLoop loop = IOLoop.create(t);
        List<IOStream> opened = new ArrayList<>();
        EchoServer server = new EchoServer();
        try {
            int port = listen(loop, server, "127.0.0.1");
            int refused = NetUtil.bindUnusedPort();
            TCPClient client = new TCPClient(fixed(new InetSocketAddress(V6, refused), new InetSocketAddress(V6, refused),
                    new InetSocketAddress(V4, port)));
            List<Channel> attempts = new CopyOnWriteArrayList<>();
            IOStream stream = keep(opened, sync(loop, () -> client.connect("dual.test", 80, recordAttempts(attempts))));
            assertEquals(new InetSocketAddress(V4, port), stream.remoteAddress());
            assertEquals(3, attempts.size(), "both IPv6 addresses, then IPv4");
            assertSame(stream.channel(), attempts.get(2));
            assertEquals("ok\n", roundTrip(loop, stream, "ok"));
            stream.close();
        } finally {
            cleanUp(opened, server);
            loop.close();
        }
    }

    // ------------------------------------------------------------------ timeout

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void timeoutFailsWithTimeoutExceptionAndClosesThePendingAttempt(Transport t) throws Exception {
        IOLoop loop = IOLoop.create(t);
        List<IOStream> opened = new ArrayList<>();
        try (BlackHole hole = new BlackHole(V4)) {
            // a resolver that never answers (Tornado's test_connect_timeout)
            TCPClient stuck = new TCPClient((host, port, family) -> new CompletableFuture<>());
            TCPClient.ConnectOptions quick = TCPClient.ConnectOptions.builder().timeout(0.1).build(); // Tornado's float
            assertEquals(Duration.ofMillis(100), quick.timeout());
            long start = System.nanoTime();
            TimeoutException e = assertThrows(TimeoutException.class, () -> sync(loop, () -> stuck.connect("1.2.3.4", 12345, quick)));
            assertTrue(seconds(start) >= 0.09, "took " + seconds(start));
            assertTrue(e.getMessage().contains("connect to 1.2.3.4:12345"), e.getMessage());

            // a connect that never completes
            assumeTrue(hole.blackHoles, "a full accept queue on 127.0.0.1 does not drop SYNs on this kernel");
            List<Channel> attempts = new CopyOnWriteArrayList<>();
            TCPClient client = new TCPClient(fixed(hole.address));
            TCPClient.ConnectOptions options = TCPClient.ConnectOptions.builder().timeout(Duration.ofMillis(200))
                    .pipeline(p -> attempts.add(p.channel())).build();
            long start2 = System.nanoTime();
            TimeoutException e2 = assertThrows(TimeoutException.class, () -> sync(loop, () -> client.connect("hole.test", 80, options)));
            assertTrue(seconds(start2) >= 0.19, "took " + seconds(start2));
            assertTrue(e2.getMessage().contains("hole.test"), e2.getMessage());
            assertEquals(1, attempts.size());
            assertClosedSoon(attempts.get(0));
        } finally {
            cleanUp(opened, null);
            loop.close();
        }
    }

    // ------------------------------------------------------------------ source address, pipeline, family

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void sourceIpAndSourcePort(Transport t) throws Exception {
        IOLoop loop = IOLoop.create(t);
        List<IOStream> opened = new ArrayList<>();
        EchoServer server = new EchoServer();
        TCPClient client = new TCPClient();
        try {
            int port = listen(loop, server, "127.0.0.1");
            int sourcePort = NetUtil.bindUnusedPort();
            TCPClient.ConnectOptions options = TCPClient.ConnectOptions.builder().sourceIp("127.0.0.1").sourcePort(sourcePort).build();
            IOStream stream = keep(opened, sync(loop, () -> client.connect("127.0.0.1", port, options)));
            assertEquals(new InetSocketAddress(V4, sourcePort), stream.channel().localAddress());
            assertEquals(new InetSocketAddress(V4, sourcePort), server.nextPeer(), "the server sees that source port");
            assertEquals("from " + sourcePort + "\n", roundTrip(loop, stream, "from " + sourcePort));
            stream.close();

            // source ip alone
            IOStream s2 = keep(opened, sync(loop, () -> client.connect("127.0.0.1", port,
                    TCPClient.ConnectOptions.builder().sourceIp("127.0.0.1").build())));
            assertEquals(V4, server.nextPeer().getAddress());
            s2.close();

            // a source address of the other family cannot reach the destination
            assertThrows(IOException.class, () -> sync(loop, () -> client.connect("127.0.0.1", port,
                    TCPClient.ConnectOptions.builder().sourceIp("::1").build())));
        } finally {
            client.close();
            cleanUp(opened, server);
            loop.close();
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void pipelineOptionPlacesLineBasedFrameDecoderBeforeTheStream(Transport t) throws Exception {
        IOLoop loop = IOLoop.create(t);
        List<IOStream> opened = new ArrayList<>();
        EchoServer server = new EchoServer();
        TCPClient client = new TCPClient();
        try {
            int port = listen(loop, server, "127.0.0.1");
            List<Boolean> onLoop = new CopyOnWriteArrayList<>();
            Consumer<ChannelPipeline> pipeline = p -> {
                onLoop.add(loop.inLoop());
                p.addLast("lines", new LineBasedFrameDecoder(1024)); // strips the delimiter
            };
            TCPClient.ConnectOptions options = TCPClient.ConnectOptions.builder().pipeline(pipeline).build();
            assertSame(pipeline, options.pipeline());
            IOStream stream = keep(opened, sync(loop, () -> client.connect("127.0.0.1", port, options)));
            List<String> names = stream.channel().pipeline().names();
            assertTrue(names.indexOf("lines") >= 0 && names.indexOf("lines") < names.indexOf("tornado.iostream"), names.toString());
            // the server echoes the lines; the decoder strips each "\n" before the stream sees the bytes
            byte[] got = sync(loop, () -> stream.write("one\ntwo\n").thenCompose(v -> stream.readBytes(6)));
            assertEquals("onetwo", new String(got, StandardCharsets.US_ASCII));
            assertEquals(List.of(true), onLoop, "run once, on the loop");
            stream.close();
        } finally {
            client.close();
            cleanUp(opened, server);
            loop.close();
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void familyFiltersTheResolvedAddresses(Transport t) throws Exception {
        IOLoop loop = IOLoop.create(t);
        List<IOStream> opened = new ArrayList<>();
        EchoServer server = new EchoServer();
        TCPClient client = new TCPClient();
        try {
            int port = listen(loop, server, "127.0.0.1");
            run(loop, () -> server.listen(port, "::1")); // the same port on both loopbacks
            TCPClient.ConnectOptions v4 = TCPClient.ConnectOptions.builder().family(Family.IPV4).build();
            TCPClient.ConnectOptions v6 = TCPClient.ConnectOptions.builder().family(Family.IPV6).build();
            assertEquals(Family.ANY, TCPClient.ConnectOptions.builder().build().family());

            IOStream a = keep(opened, sync(loop, () -> client.connect("localhost", port, v4)));
            assertInstanceOf(Inet4Address.class, ((InetSocketAddress) a.remoteAddress()).getAddress());
            IOStream b = keep(opened, sync(loop, () -> client.connect("::1", port, v6)));
            assertInstanceOf(Inet6Address.class, ((InetSocketAddress) b.remoteAddress()).getAddress());
            assertEquals("v6\n", roundTrip(loop, b, "v6"));
            IOStream c = keep(opened, sync(loop, () -> client.connect("127.0.0.1", port, TCPClient.ConnectOptions.builder().family(Family.ANY).build())));
            assertEquals("any\n", roundTrip(loop, c, "any"));

            assertThrows(UnknownHostException.class, () -> sync(loop, () -> client.connect("::1", port, v4)));
            assertThrows(UnknownHostException.class, () -> sync(loop, () -> client.connect("127.0.0.1", port, v6)));
            a.close();
            b.close();
            c.close();
        } finally {
            client.close();
            cleanUp(opened, server);
            loop.close();
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void aResolverWithNoAddressesFailsTheConnect(Transport t) throws Exception {
        IOLoop loop = IOLoop.create(t);
        List<IOStream> opened = new ArrayList<>();
        try {
            TCPClient empty = new TCPClient((host, port, family) -> CompletableFuture.completedFuture(List.of()));
            assertThrows(IOException.class, () -> sync(loop, () -> empty.connect("nothing.test", 80)));
            TCPClient failing = new TCPClient((host, port, family) -> CompletableFuture.failedFuture(new UnknownHostException(host)));
            assertThrows(UnknownHostException.class, () -> sync(loop, () -> failing.connect("nothing.test", 80)));
        } finally {
            cleanUp(opened, null);
            loop.close();
        }
    }

    @Test
    void closeClosesOnlyTheResolverTheClientMade() {
        List<String> closed = new ArrayList<>();
        Resolver mine = new Resolver() {
            @Override
            public CompletableFuture<List<InetSocketAddress>> resolve(String host, int port, Family family) {
                return new CompletableFuture<>();
            }

            @Override
            public void close() {
                closed.add("mine");
            }
        };
        new TCPClient(mine).close();
        assertEquals(List.of(), closed, "a resolver passed in belongs to the caller");
        new TCPClient().close(); // closes its own DefaultResolver
    }

    // ------------------------------------------------------------------ the connector (Tornado's ConnectorTest)

    /** Fake connection attempts keyed by port, completed by the test on the loop. */
    static final class FakeConnect {
        final Map<Integer, CompletableFuture<Channel>> pending = new LinkedHashMap<>();
        final Map<Integer, CompletableFuture<Channel>> all = new LinkedHashMap<>();
        final Map<Integer, EmbeddedChannel> channels = new LinkedHashMap<>();

        CompletableFuture<Channel> connect(InetSocketAddress a) {
            CompletableFuture<Channel> f = new CompletableFuture<>();
            pending.put(a.getPort(), f);
            all.put(a.getPort(), f);
            return f;
        }

        void resolve(int port, boolean success) {
            CompletableFuture<Channel> f = pending.remove(port);
            assertTrue(f != null, "no pending attempt for " + port + ", pending: " + pending.keySet());
            if (success) {
                EmbeddedChannel ch = new EmbeddedChannel();
                channels.put(port, ch);
                f.complete(ch);
            } else {
                f.completeExceptionally(new ConnectException("fake refusal of " + port));
            }
        }
    }

    // AF1 = IPv4 (ports 1, 2), AF2 = IPv6 (ports 3, 4), as Tornado's a, b, c, d
    private static final List<InetSocketAddress> ADDRS = List.of(new InetSocketAddress(V4, 1),
            new InetSocketAddress(V4, 2), new InetSocketAddress(V6, 3), new InetSocketAddress(V6, 4));

    private static List<Integer> pending(IOLoop loop, FakeConnect fake) throws Exception {
        // attempts not completed yet (a cancelled attempt is done)
        return sync(loop, () -> {
            List<Integer> out = new ArrayList<>();
            fake.pending.forEach((port, f) -> {
                if (!f.isDone()) {
                    out.add(port);
                }
            });
            return CompletableFuture.completedFuture(out);
        });
    }

    private static void waitForPending(IOLoop loop, FakeConnect fake, List<Integer> expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!pending(loop, fake).equals(expected)) {
            if (System.nanoTime() > deadline) {
                fail("pending " + pending(loop, fake) + ", expected " + expected);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void connectorImmediateSuccessNeverStartsTheSecondary() throws Exception {
        IOLoop loop = IOLoop.create(Transport.NIO);
        try {
            FakeConnect fake = new FakeConnect();
            Connector[] c = new Connector[1];
            CompletableFuture<Channel> f = sync(loop, () -> {
                c[0] = new Connector(loop, ADDRS, fake::connect);
                return CompletableFuture.completedFuture(c[0].start());
            });
            assertEquals(List.of(1), pending(loop, fake));
            run(loop, () -> fake.resolve(1, true));
            assertSame(fake.channels.get(1), f.getNow(null));
            Thread.sleep(400); // past the secondary delay: it was cancelled
            assertEquals(List.of(), pending(loop, fake));
            assertTrue(fake.channels.get(1).isOpen(), "the winner stays open");
        } finally {
            loop.close();
        }
    }

    @Test
    void connectorTriesTheNextAddressOfAFamilyAndFailsWhenAllFail() throws Exception {
        IOLoop loop = IOLoop.create(Transport.NIO);
        try {
            FakeConnect fake = new FakeConnect();
            CompletableFuture<Channel> f = sync(loop, () -> CompletableFuture.completedFuture(
                    new Connector(loop, ADDRS.subList(0, 2), fake::connect).start()));
            assertEquals(List.of(1), pending(loop, fake));
            run(loop, () -> fake.resolve(1, false));
            assertEquals(List.of(2), pending(loop, fake));
            assertFalse(f.isDone());
            run(loop, () -> fake.resolve(2, false));
            Exception e = assertThrows(Exception.class, () -> f.get(5, TimeUnit.SECONDS));
            assertInstanceOf(ConnectException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("2"), "the last error: " + e.getCause());
        } finally {
            loop.close();
        }
    }

    @Test
    void connectorStartsTheSecondaryAtOnceWhenThePrimaryFails() throws Exception {
        IOLoop loop = IOLoop.create(Transport.NIO);
        try {
            FakeConnect fake = new FakeConnect();
            CompletableFuture<Channel> f = sync(loop, () -> CompletableFuture.completedFuture(
                    new Connector(loop, ADDRS, fake::connect).start()));
            run(loop, () -> fake.resolve(1, false));
            assertEquals(List.of(2, 3), pending(loop, fake), "b and c in flight, no waiting for the timer");
            run(loop, () -> fake.resolve(2, false));
            run(loop, () -> fake.resolve(3, true));
            assertSame(fake.channels.get(3), f.getNow(null));
            assertEquals(List.of(), pending(loop, fake));
        } finally {
            loop.close();
        }
    }

    @Test
    void connectorSecondaryAfterTheDelayAndLosersAreCancelled() throws Exception {
        IOLoop loop = IOLoop.create(Transport.NIO);
        try {
            FakeConnect fake = new FakeConnect();
            long start = System.nanoTime();
            CompletableFuture<Channel> f = sync(loop, () -> CompletableFuture.completedFuture(
                    new Connector(loop, ADDRS, fake::connect).start()));
            waitForPending(loop, fake, List.of(1, 3));
            assertTrue(seconds(start) >= 0.29, "the secondary waits " + Connector.SECONDARY_DELAY_SECONDS + " s");
            // the primary wins after all: the secondary attempt is given up
            run(loop, () -> fake.resolve(1, true));
            assertSame(fake.channels.get(1), f.getNow(null));
            assertTrue(fake.all.get(3).isCancelled(), "the losing attempt is cancelled (its channel closed)");
            assertEquals(List.of(), pending(loop, fake));
        } finally {
            loop.close();
        }
    }

    @Test
    void connectorAllFail() throws Exception {
        IOLoop loop = IOLoop.create(Transport.NIO);
        try {
            FakeConnect fake = new FakeConnect();
            CompletableFuture<Channel> f = sync(loop, () -> CompletableFuture.completedFuture(
                    new Connector(loop, ADDRS, fake::connect).start()));
            waitForPending(loop, fake, List.of(1, 3));
            run(loop, () -> fake.resolve(3, false));
            assertEquals(List.of(1, 4), pending(loop, fake));
            run(loop, () -> fake.resolve(4, false));
            assertEquals(List.of(1), pending(loop, fake));
            run(loop, () -> fake.resolve(1, false));
            assertEquals(List.of(2), pending(loop, fake));
            assertFalse(f.isDone());
            run(loop, () -> fake.resolve(2, false));
            assertTrue(f.isCompletedExceptionally());
        } finally {
            loop.close();
        }
    }

    @Test
    void connectorSecondaryWinsAndALaterFailIsANoOp() throws Exception {
        IOLoop loop = IOLoop.create(Transport.NIO);
        try {
            FakeConnect fake = new FakeConnect();
            Connector[] c = new Connector[1];
            CompletableFuture<Channel> f = sync(loop, () -> {
                c[0] = new Connector(loop, ADDRS, fake::connect);
                return CompletableFuture.completedFuture(c[0].start());
            });
            waitForPending(loop, fake, List.of(1, 3));
            run(loop, () -> fake.resolve(3, true));
            assertSame(fake.channels.get(3), f.getNow(null));
            assertTrue(fake.all.get(1).isCancelled(), "the pending primary attempt is given up");
            // the cancelled 'a' does not start 'b'
            assertEquals(List.of(), pending(loop, fake));
            assertFalse(fake.all.containsKey(2));
            // the overall timeout firing after success changes nothing
            run(loop, () -> c[0].fail(new TimeoutException("late")));
            assertSame(fake.channels.get(3), f.getNow(null));
            assertTrue(fake.channels.get(3).isOpen());
        } finally {
            loop.close();
        }
    }

    @Test
    void connectorFailClosesEveryPendingAttemptAndStopsTheTimer() throws Exception {
        IOLoop loop = IOLoop.create(Transport.NIO);
        try {
            FakeConnect fake = new FakeConnect();
            Connector[] c = new Connector[1];
            CompletableFuture<Channel> f = sync(loop, () -> {
                c[0] = new Connector(loop, ADDRS, fake::connect);
                return CompletableFuture.completedFuture(c[0].start());
            });
            TimeoutException timeout = new TimeoutException("overall timeout");
            run(loop, () -> c[0].fail(timeout));
            Exception e = assertThrows(Exception.class, () -> f.get(5, TimeUnit.SECONDS));
            assertSame(timeout, e.getCause());
            assertTrue(fake.all.get(1).isCancelled());
            Thread.sleep(400);
            assertEquals(List.of(1), new ArrayList<>(fake.all.keySet()), "the secondary never started");
        } finally {
            loop.close();
        }
    }
}
