package io.tornadoj.httpserver;

import io.tornadoj.httpserver.ServerFixture.HelloHandler;
import io.tornadoj.httpserver.ServerFixture.RawClient;
import io.tornadoj.httpserver.ServerFixture.Response;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.ioloop.Transport;
import io.tornadoj.web.Application;
import io.tornadoj.web.RequestHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.tornadoj.httpserver.ServerFixture.infoAndAbove;
import static io.tornadoj.web.Web.url;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTPServer's lifecycle over real sockets: graceful {@code stop()} (in-flight requests finish, idle
 * connections close at once, streamed responses are not cut), {@code closeAllConnections()}, and
 * {@code start(2)} serving on two loops.
 */
@Timeout(60)
class ServerLifecycleTest extends LoggedServerTest {
    private static final String TRANSPORTS = "io.tornadoj.testsupport.Transports#available";

    private final CountDownLatch started = new CountDownLatch(1);
    /** Completed by the test to let /gate and /stream go on. */
    private final CompletableFuture<Void> gate = new CompletableFuture<>();
    private final AtomicInteger connectionClosed = new AtomicInteger();
    /** What stop() returned when a handler called it. */
    private final CompletableFuture<CompletableFuture<Void>> stopped = new CompletableFuture<>();

    /** Waits for the test's gate, then answers; tells the test when it started. */
    public static class GateHandler extends RequestHandler {
        private final ServerLifecycleTest test;

        public GateHandler(ServerLifecycleTest test) {
            this.test = test;
        }

        public CompletableFuture<Void> get() {
            test.started.countDown();
            IOLoop loop = IOLoop.current();
            CompletableFuture<Void> done = new CompletableFuture<>();
            test.gate.thenRun(() -> loop.addCallback(() -> {
                write("gated");
                done.complete(null);
            }));
            return done;
        }

        @Override
        public void onConnectionClose() {
            test.connectionClosed.incrementAndGet();
        }
    }

    /** Streams "abc" at once and "defg" once the gate opens. */
    public static class StreamHandler extends RequestHandler {
        private final ServerLifecycleTest test;

        public StreamHandler(ServerLifecycleTest test) {
            this.test = test;
        }

        public CompletableFuture<Void> get() {
            write("abc");
            flush();
            test.started.countDown();
            IOLoop loop = IOLoop.current();
            CompletableFuture<Void> done = new CompletableFuture<>();
            test.gate.thenRun(() -> loop.addCallback(() -> {
                write("defg");
                done.complete(null);
            }));
            return done;
        }
    }

    /** Finishes its response, then stops the server from the loop thread (a "shutdown" endpoint). */
    public static class ShutdownHandler extends RequestHandler {
        private final ServerLifecycleTest test;

        public ShutdownHandler(ServerLifecycleTest test) {
            this.test = test;
        }

        public void get() {
            finish("bye ".repeat(20_000));
            test.stopped.complete(test.fx.server.stop());
        }
    }

    /** Writes the name of the loop thread it runs on. */
    public static class ThreadHandler extends RequestHandler {
        static final Map<IOLoop, AtomicInteger> LOOPS = new ConcurrentHashMap<>();

        public void get() {
            LOOPS.computeIfAbsent(IOLoop.current(), l -> new AtomicInteger()).incrementAndGet();
            write(Thread.currentThread().getName());
        }
    }

    @AfterEach
    void openGate() {
        gate.complete(null);
    }

    private Application application() {
        return new Application(List.of(
                url("/hello", HelloHandler.class),
                url("/gate", () -> new GateHandler(this)),
                url("/stream", () -> new StreamHandler(this)),
                url("/shutdown", () -> new ShutdownHandler(this)),
                url("/thread", ThreadHandler.class)));
    }

    private void start(Transport t) throws Exception {
        fx = ServerFixture.start(t, application(), ServerFixture.options().build());
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    }

    /** New connections are refused once the listener's (asynchronous) close is through. */
    private void assertRefused() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                new Socket("127.0.0.1", fx.port).close();
            } catch (ConnectException refused) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the listener still accepts connections after stop()");
            }
            Thread.sleep(10);
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void gracefulStopLetsAnInFlightRequestFinish(Transport t) throws Exception {
        start(t);
        RawClient idle = fx.connect();
        idle.send(get("/hello"));
        assertEquals("Hello world", idle.readResponse().bodyText());
        RawClient busy = fx.connect();
        busy.send(get("/gate"));
        assertTrue(started.await(10, TimeUnit.SECONDS));

        CompletableFuture<Void> stopped = fx.server.stop();
        idle.assertClosed(); // idle connections close at once
        assertRefused();
        Thread.sleep(50);
        assertFalse(stopped.isDone(), "stop() waits for the in-flight request");

        gate.complete(null);
        Response r = busy.readResponse();
        assertEquals(200, r.code);
        assertEquals("gated", r.bodyText());
        assertEquals("close", r.header("Connection"), "the last response announces the close");
        busy.assertClosed();
        stopped.get(10, TimeUnit.SECONDS);
        assertEquals(0, connectionClosed.get(), "the request finished normally");
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void gracefulStopDoesNotCutAStreamingResponse(Transport t) throws Exception {
        start(t);
        RawClient c = fx.connect();
        c.send(get("/stream"));
        assertEquals("HTTP/1.1 200 OK", c.readLine());
        String line;
        boolean chunked = false;
        while (!(line = c.readLine()).isEmpty()) {
            chunked |= line.equalsIgnoreCase("Transfer-Encoding: chunked");
        }
        assertTrue(chunked, "streamed with chunks");
        assertEquals("3", c.readLine());
        assertEquals("abc", c.readLine());
        assertTrue(started.await(10, TimeUnit.SECONDS));

        CompletableFuture<Void> stopped = fx.server.stop();
        c.assertQuietFor(Duration.ofMillis(50)); // still open, mid-response
        assertFalse(stopped.isDone());

        gate.complete(null);
        assertEquals("4", c.readLine());
        assertEquals("defg", c.readLine());
        assertEquals("0", c.readLine());
        assertEquals("", c.readLine());
        c.assertClosed();
        stopped.get(10, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void stopCalledOnTheLoopRightAfterAResponseStillSendsIt(Transport t) throws Exception {
        start(t);
        try (RawClient c = fx.connect()) {
            c.send(get("/shutdown"));
            Response r = c.readResponse();
            assertEquals(200, r.code);
            assertEquals("bye ".repeat(20_000), r.bodyText());
            c.assertClosed();
        }
        stopped.get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
        assertRefused();
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void stopWithoutConnectionsCompletesAtOnce(Transport t) throws Exception {
        start(t);
        fx.server.stop().get(10, TimeUnit.SECONDS);
        assertRefused();
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void closeAllConnectionsClosesIdleAndBusyConnectionsNow(Transport t) throws Exception {
        start(t);
        RawClient idle = fx.connect();
        idle.send(get("/hello"));
        assertEquals("Hello world", idle.readResponse().bodyText());
        RawClient fresh = fx.connect();
        RawClient busy = fx.connect();
        busy.send(get("/gate"));
        assertTrue(started.await(10, TimeUnit.SECONDS));

        fx.server.closeAllConnections().get(10, TimeUnit.SECONDS);
        idle.assertClosed();
        fresh.assertClosed();
        busy.assertClosed();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (connectionClosed.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(1, connectionClosed.get(), "the busy handler hears of the close");
        // the listener stays open
        fx.assertServing();
        assertTrue(infoAndAbove(gen).isEmpty(), gen.messages().toString());
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void startTwoServesOnTwoLoops(Transport t) throws Exception {
        ThreadHandler.LOOPS.clear();
        HTTPServer server = new HTTPServer(application());
        IOLoop.configure(t); // start(n) makes its loops with IOLoop.create()
        try {
            server.bind(0, "127.0.0.1");
            server.start(2);
            int port = server.boundAddresses().get(0).getPort();
            Set<String> threads = ConcurrentHashMap.newKeySet();
            int n = 0;
            // with SO_REUSEPORT the kernel spreads connections by hash: go on until both loops served
            while (n < 20 || (ThreadHandler.LOOPS.size() < 2 && n < 300)) {
                try (RawClient c = new RawClient(port)) {
                    c.send("GET /thread HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
                    Response r = c.readResponse();
                    assertEquals(200, r.code);
                    threads.add(r.bodyText());
                }
                n++;
            }
            assertEquals(2, ThreadHandler.LOOPS.size(), "requests served on " + threads + " after " + n);
            for (IOLoop l : ThreadHandler.LOOPS.keySet()) {
                assertEquals(t, l.transport());
            }
            assertEquals(2, threads.size(), threads.toString());
        } finally {
            restoreConfiguredTransport();
            server.stop().get(10, TimeUnit.SECONDS);
            for (IOLoop l : ThreadHandler.LOOPS.keySet()) {
                l.close(); // the loops start(2) made
            }
            ThreadHandler.LOOPS.clear();
        }
    }

    private static void restoreConfiguredTransport() {
        String prop = System.getProperty("tornado.transport");
        IOLoop.configure(prop == null || prop.isBlank() ? Transport.AUTO
                : Transport.valueOf(prop.trim().toUpperCase(Locale.ROOT).replace('-', '_')));
    }
}
