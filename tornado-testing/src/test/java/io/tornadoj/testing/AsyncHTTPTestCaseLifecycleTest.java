package io.tornadoj.testing;

import io.tornadoj.httpclient.AsyncHTTPClient;
import io.tornadoj.httpclient.HTTPResponse;
import io.tornadoj.httpserver.HTTPServer;
import io.tornadoj.httputil.HTTPConnection;
import io.tornadoj.httputil.HTTPMessageDelegate;
import io.tornadoj.httputil.HTTPServerConnectionDelegate;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.web.Application;
import io.tornadoj.web.RequestHandler;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.tornadoj.web.Web.url;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * AsyncHTTPTestCase's set-up and tear-down, observed from outside the sample tests: after each test the
 * server no longer listens, its connections (the test client's keep-alive one and a raw one, idle or with
 * a request in flight) are closed, and the loop is shut down.
 */
class AsyncHTTPTestCaseLifecycleTest {
    @Test
    void serverConnectionsAndLoopAreClosedAfterEachTest() throws Exception {
        KeepAliveSample.reset();
        SampleRunner.assertAllPassed(SampleRunner.run(KeepAliveSample.class), 1);
        assertTrue(KeepAliveSample.OPENED.get() >= 2, "the client's and the raw connection were seen");
        assertEquals(Set.of(), KeepAliveSample.OPEN, "connections left open after tearDown");
        assertEquals(KeepAliveSample.OPENED.get(), KeepAliveSample.CLOSED.get());
        assertTrue(KeepAliveSample.LOOP.eventLoop().isTerminated(), "the loop is closed");
        assertTrue(KeepAliveSample.SERVER.boundAddresses().isEmpty(), "the server stopped listening");
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", KeepAliveSample.PORT).close());
        assertClosedByPeer(KeepAliveSample.RAW);
        CompletableFuture<HTTPResponse> late = KeepAliveSample.CLIENT.fetch("http://127.0.0.1:" + KeepAliveSample.PORT + "/hello");
        ExecutionException e = assertThrows(ExecutionException.class, () -> late.get(5, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, e.getCause(), "the client is closed");
    }

    @Test
    void aRequestInFlightDoesNotHoldUpTearDown() throws Exception {
        InFlightSample.reset();
        long t0 = System.nanoTime();
        SampleRunner.assertAllPassed(SampleRunner.run(InFlightSample.class), 2);
        long elapsed = System.nanoTime() - t0;
        assertTrue(elapsed < 4_000_000_000L, "tearDown waited " + elapsed + " ns for the pending response");
        assertEquals(Set.of(), InFlightSample.OPEN);
        assertClosedByPeer(InFlightSample.RAW);
        assertTrue(InFlightSample.LOOP.eventLoop().isTerminated());
    }

    @Test
    void aFailingTestStillClosesItsServer() throws Exception {
        KeepAliveSample.reset();
        Throwable t = SampleRunner.onlyFailure(SampleRunner.run(FailingBodySample.class));
        assertEquals("the body failed", t.getMessage());
        assertEquals(0, t.getSuppressed().length, "tearDown itself went well");
        assertEquals(Set.of(), KeepAliveSample.OPEN);
        assertTrue(KeepAliveSample.CLOSED.get() >= 1);
        assertTrue(KeepAliveSample.LOOP.eventLoop().isTerminated());
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", KeepAliveSample.PORT).close());
    }

    @Test
    void fetchIsBoundedByTheTestTimeoutWhileTheLoopIsBusy() {
        long t0 = System.nanoTime();
        Throwable t = SampleRunner.onlyFailure(SampleRunner.run(BusyLoopFetchSample.class));
        long elapsed = System.nanoTime() - t0;
        assertEquals(AssertionError.class, t.getClass(), () -> SampleRunner.stack(t));
        assertEquals("Async operation timed out after 0.3 seconds", t.getMessage());
        assertTrue(BusyLoopFetchSample.fetchFailedAfterNanos < 1_000_000_000L,
                "fetch waited " + BusyLoopFetchSample.fetchFailedAfterNanos + " ns");
        assertTrue(elapsed < 8_000_000_000L);
    }

    /** Reads from a socket the server should have closed: end of stream (or a reset), never a timeout. */
    private static void assertClosedByPeer(Socket raw) throws IOException {
        try (Socket s = raw) {
            s.setSoTimeout(3_000);
            InputStream in = s.getInputStream();
            try {
                assertEquals(-1, in.read(), "unexpected data on the closed connection");
            } catch (SocketTimeoutException e) {
                fail("the server did not close the connection");
            } catch (SocketException e) {
                // connection reset: closed too
            }
        }
    }

    /** Opens a raw keep-alive connection, sends one request and reads until {@code until} was seen. */
    static Socket rawRequest(int port, String path, String until) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(5_000);
        s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        if (until != null) {
            StringBuilder seen = new StringBuilder();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[1024];
            while (!seen.toString().contains(until)) {
                int n = in.read(buf);
                if (n < 0) {
                    throw new IOException("closed before " + until + ": " + seen);
                }
                seen.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
            }
        }
        return s;
    }

    /** Records every server connection opened and closed. */
    static HTTPServerConnectionDelegate counting(HTTPServerConnectionDelegate app, Set<Object> open,
                                                AtomicInteger opened, AtomicInteger closed) {
        return new HTTPServerConnectionDelegate() {
            @Override
            public HTTPMessageDelegate startRequest(Object serverConnection, HTTPConnection requestConnection) {
                if (open.add(serverConnection)) {
                    opened.incrementAndGet();
                }
                return app.startRequest(serverConnection, requestConnection);
            }

            @Override
            public void onClose(Object serverConnection) {
                if (open.remove(serverConnection)) {
                    closed.incrementAndGet();
                }
                app.onClose(serverConnection);
            }
        };
    }

    /** Says hello. */
    public static class Hello extends RequestHandler {
        /** Writes the greeting. */
        public void get() {
            write("Hello");
        }
    }

    /** Never answers; tells the sample when a request arrived. */
    public static class Never extends RequestHandler {
        /** @return a stage that never completes */
        public CompletableFuture<Void> get() {
            InFlightSample.ARRIVED.complete(null);
            return new CompletableFuture<>();
        }
    }

    // ------------------------------------------------------------------ samples (run only by EngineTestKit)

    static class KeepAliveSample extends AsyncHTTPTestCase {
        static final Set<Object> OPEN = ConcurrentHashMap.newKeySet();
        static final AtomicInteger OPENED = new AtomicInteger();
        static final AtomicInteger CLOSED = new AtomicInteger();
        static volatile IOLoop LOOP;
        static volatile HTTPServer SERVER;
        static volatile AsyncHTTPClient CLIENT;
        static volatile int PORT;
        static volatile Socket RAW;

        static void reset() {
            OPEN.clear();
            OPENED.set(0);
            CLOSED.set(0);
        }

        @Override
        protected HTTPServerConnectionDelegate getApp() {
            return counting(new Application(List.of(url("/hello", Hello.class))), OPEN, OPENED, CLOSED);
        }

        @BeforeEach
        void remember() {
            LOOP = ioLoop;
            SERVER = httpServer;
            CLIENT = httpClient;
            PORT = getHttpPort();
        }

        @Test
        void leavesKeepAliveConnectionsOpen() throws Exception {
            assertEquals(200, fetch("/hello").code());
            assertEquals(200, fetch("/hello").code());
            assertEquals(1, OPENED.get(), "the client reused its keep-alive connection");
            RAW = rawRequest(PORT, "/hello", "Hello");
            // both connections are open and idle when the test ends
            ioLoop.runSync(() -> CompletableFuture.completedFuture(null));
            assertEquals(2, OPEN.size());
        }
    }

    static class InFlightSample extends AsyncHTTPTestCase {
        static final Set<Object> OPEN = ConcurrentHashMap.newKeySet();
        static volatile CompletableFuture<Void> ARRIVED = new CompletableFuture<>();
        static volatile IOLoop LOOP;
        static volatile Socket RAW;

        static void reset() {
            OPEN.clear();
        }

        @BeforeEach
        void notArrivedYet() {
            ARRIVED = new CompletableFuture<>();
        }

        @Override
        protected HTTPServerConnectionDelegate getApp() {
            return counting(new Application(List.of(url("/never", Never.class), url("/hello", Hello.class))), OPEN, new AtomicInteger(),
                    new AtomicInteger());
        }

        @Test
        void endsWithAResponsePending() throws Exception {
            LOOP = ioLoop;
            RAW = rawRequest(getHttpPort(), "/never", null);
            await(ARRIVED, Duration.ofSeconds(5));
            assertFalse(OPEN.isEmpty());
        }

        @Test
        void endsWithTheClientsFetchPending() throws Exception {
            LOOP = ioLoop;
            RAW = rawRequest(getHttpPort(), "/hello", "Hello"); // an idle connection to check as well
            CompletableFuture<HTTPResponse> pending = ioLoop.runSync(
                    () -> CompletableFuture.completedFuture(httpClient.fetch(getUrl("/never"))));
            await(ARRIVED, Duration.ofSeconds(5));
            assertFalse(pending.isDone());
        }
    }

    static class FailingBodySample extends AsyncHTTPTestCase {
        @Override
        protected HTTPServerConnectionDelegate getApp() {
            return counting(new Application(List.of(url("/hello", Hello.class))), KeepAliveSample.OPEN,
                    KeepAliveSample.OPENED, KeepAliveSample.CLOSED);
        }

        @Test
        void fails() throws Exception {
            KeepAliveSample.LOOP = ioLoop;
            KeepAliveSample.PORT = getHttpPort();
            assertEquals(200, fetch("/hello").code());
            throw new AssertionError("the body failed");
        }
    }

    static class BusyLoopFetchSample extends AsyncHTTPTestCase {
        static volatile long fetchFailedAfterNanos = Long.MAX_VALUE;

        @Override
        protected Application getApp() {
            return new Application(List.of(url("/hello", Hello.class)));
        }

        @Override
        protected Duration defaultTimeout() {
            return Duration.ofMillis(300);
        }

        @Test
        void fetchWhileTheLoopSleeps() throws Exception {
            ioLoop.addCallback(() -> {
                try {
                    Thread.sleep(2_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            long t0 = System.nanoTime();
            try {
                fetch("/hello");
            } finally {
                fetchFailedAfterNanos = System.nanoTime() - t0;
            }
        }
    }
}
