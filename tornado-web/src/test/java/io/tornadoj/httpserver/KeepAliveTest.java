package io.tornadoj.httpserver;

import io.tornadoj.httpserver.ServerFixture.EchoHandler;
import io.tornadoj.httpserver.ServerFixture.HelloHandler;
import io.tornadoj.httpserver.ServerFixture.RawClient;
import io.tornadoj.httpserver.ServerFixture.Response;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.ioloop.Transport;
import io.tornadoj.web.Application;
import io.tornadoj.web.RequestHandler;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.tornadoj.httpserver.ServerFixture.assertLoggedOnce;
import static io.tornadoj.httpserver.ServerFixture.infoAndAbove;
import static io.tornadoj.web.Web.url;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tornado's connection rules over raw sockets: HTTP/1.1 and 1.0 keep-alive, {@code noKeepAlive},
 * pipelining (in order, async handlers and streamed responses make later requests wait),
 * {@code Expect: 100-continue}, chunked request bodies, bodiless responses (HEAD, 204, 304), chunked and
 * close-delimited streamed responses, and the idle, header and body timeouts.
 */
@Timeout(60)
class KeepAliveTest extends LoggedServerTest {
    private static final String TRANSPORTS = "io.tornadoj.testsupport.Transports#available";

    /** What handlers did, in order ("start /x", "end /x"). */
    private final List<String> events = new CopyOnWriteArrayList<>();

    /** Writes its path argument. */
    public static class NumberHandler extends RequestHandler {
        private final List<String> events;

        public NumberHandler(List<String> events) {
            this.events = events;
        }

        public void get(String n) {
            events.add("start " + n);
            write("n=" + n);
            events.add("end " + n);
        }
    }

    /** Answers later (100 ms by default), from the loop. */
    public static class SlowHandler extends RequestHandler {
        private final List<String> events;
        private final double delay;

        public SlowHandler(List<String> events, double delay) {
            this.events = events;
            this.delay = delay;
        }

        public CompletableFuture<Void> get() {
            events.add("start slow");
            CompletableFuture<Void> done = new CompletableFuture<>();
            IOLoop.current().callLater(delay, () -> {
                write("slow");
                events.add("end slow");
                done.complete(null);
            });
            return done;
        }
    }

    /** Streams "abc", then 100 ms later "defg": the response is in flight while the delay runs. */
    public static class StreamHandler extends RequestHandler {
        private final List<String> events;

        public StreamHandler(List<String> events) {
            this.events = events;
        }

        public CompletableFuture<Void> get() {
            events.add("start stream");
            write("abc");
            flush();
            CompletableFuture<Void> done = new CompletableFuture<>();
            IOLoop.current().callLater(0.1, () -> {
                write("defg");
                events.add("end stream");
                done.complete(null);
            });
            return done;
        }
    }

    /** Writes, flushes, writes: no Content-Length is known when the headers go out. */
    public static class FlushHandler extends RequestHandler {
        public void get() {
            write("abc");
            flush();
            write("defg");
        }
    }

    /** HEAD with a body written: only the headers (with Content-Length) may go out. */
    public static class HeadHandler extends RequestHandler {
        public void head() {
            write("Hello world");
        }

        public void get() {
            write("Hello world");
        }
    }

    /** HEAD that flushes before finishing (Tornado's keepalive_chunked_head_no_body). */
    public static class FlushingHeadHandler extends RequestHandler {
        public void head() {
            write("Hello world");
            flush();
        }
    }

    /** Sets the status from the path and tries to write a body. */
    public static class StatusHandler extends RequestHandler {
        public void get(String code) {
            setStatus(Integer.parseInt(code));
            write("this body must not be sent");
        }
    }

    private Application application() {
        return new Application(List.of(
                url("/hello", HelloHandler.class),
                url("/echo", EchoHandler.class),
                url("/n/(\\d+)", () -> new NumberHandler(events)),
                url("/slow", () -> new SlowHandler(events, 0.1)),
                url("/slower", () -> new SlowHandler(events, 0.4)),
                url("/stream", () -> new StreamHandler(events)),
                url("/flush", FlushHandler.class),
                url("/head", HeadHandler.class),
                url("/flushing-head", FlushingHeadHandler.class),
                url("/status/(\\d+)", StatusHandler.class)));
    }

    private void start(Transport t) throws Exception {
        start(t, ServerFixture.options().build());
    }

    private void start(Transport t, HTTPServer.Options options) throws Exception {
        fx = ServerFixture.start(t, application(), options);
    }

    /** Nothing at INFO or above went to "tornado.general": the server took the client's behaviour as normal. */
    private void assertNothingLogged() {
        assertTrue(infoAndAbove(gen).isEmpty(), gen.messages().toString());
    }

    private static String get(String path, String version, String... extraHeaders) {
        StringBuilder sb = new StringBuilder("GET " + path + " " + version + "\r\n");
        if (version.equals("HTTP/1.1")) {
            sb.append("Host: 127.0.0.1\r\n");
        }
        for (String h : extraHeaders) {
            sb.append(h).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }

    // ------------------------------------------------------------------ keep-alive rules

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void http11KeepsAliveByDefault(Transport t) throws Exception {
        start(t);
        try (RawClient c = fx.connect()) {
            for (int i = 0; i < 3; i++) {
                c.send(get("/hello", "HTTP/1.1"));
                Response r = c.readResponse();
                assertEquals("HTTP/1.1", r.version);
                assertEquals("Hello world", r.bodyText());
                assertEquals("11", r.header("Content-Length"));
                assertNull(r.header("Connection"), r.toString());
            }
            c.assertQuietFor(Duration.ofMillis(50));
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void connectionCloseIsHonoured(Transport t) throws Exception {
        start(t);
        try (RawClient c = fx.connect()) {
            c.send(get("/hello", "HTTP/1.1", "Connection: close"));
            Response r = c.readResponse();
            assertEquals("Hello world", r.bodyText());
            assertEquals("close", r.header("Connection"));
            c.assertClosed();
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void requestsPipelinedAfterConnectionCloseAreNotAnswered(Transport t) throws Exception {
        start(t);
        try (RawClient c = fx.connect()) {
            c.send(get("/n/1", "HTTP/1.1", "Connection: close") + get("/n/2", "HTTP/1.1"));
            Response r = c.readResponse();
            assertEquals("n=1", r.bodyText());
            assertEquals("close", r.header("Connection"));
            c.assertClosed();
        }
        assertEquals(List.of("start 1", "end 1"), events, "the request after the close never runs");
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void http10ClosesWithoutKeepAlive(Transport t) throws Exception {
        start(t);
        try (RawClient c = fx.connect()) {
            c.send(get("/hello", "HTTP/1.0"));
            Response r = c.readResponse();
            assertEquals("HTTP/1.0", r.version);
            assertEquals("Hello world", r.bodyText());
            assertNull(r.header("Connection"), r.toString());
            c.assertClosed();
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void http10KeepAliveWhenAsked(Transport t) throws Exception {
        start(t);
        try (RawClient c = fx.connect()) {
            for (int i = 0; i < 2; i++) {
                c.send(get("/hello", "HTTP/1.0", "Connection: keep-alive"));
                Response r = c.readResponse();
                assertEquals("Hello world", r.bodyText());
                assertEquals("Keep-Alive", r.header("Connection"));
            }
            // a POST with a Content-Length also keeps the connection
            c.send("POST /echo HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 3\r\n\r\nabc");
            Response r = c.readResponse();
            assertEquals("abc", r.bodyText());
            assertEquals("Keep-Alive", r.header("Connection"));
            // and a last request without keep-alive closes it
            c.send(get("/hello", "HTTP/1.0"));
            assertEquals("Hello world", c.readResponse().bodyText());
            c.assertClosed();
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void http10KeepAliveWithExtraCrlf(Transport t) throws Exception {
        start(t);
        try (RawClient c = fx.connect()) {
            c.send(get("/hello", "HTTP/1.0", "Connection: keep-alive") + "\r\n");
            assertEquals("Keep-Alive", c.readResponse().header("Connection"));
            c.send(get("/hello", "HTTP/1.0", "Connection: keep-alive"));
            Response r = c.readResponse();
            assertEquals("Hello world", r.bodyText());
            assertEquals("Keep-Alive", r.header("Connection"));
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void noKeepAliveOptionClosesEveryConnection(Transport t) throws Exception {
        start(t, ServerFixture.options().noKeepAlive(true).build());
        try (RawClient c = fx.connect()) {
            c.send(get("/hello", "HTTP/1.1"));
            Response r = c.readResponse();
            assertEquals("Hello world", r.bodyText());
            assertEquals("close", r.header("Connection"));
            c.assertClosed();
        }
        try (RawClient c = fx.connect()) {
            c.send(get("/hello", "HTTP/1.0", "Connection: keep-alive"));
            Response r = c.readResponse();
            assertEquals("Hello world", r.bodyText());
            assertNull(r.header("Connection"), "no Keep-Alive promised: " + r);
            c.assertClosed();
        }
    }

    // ------------------------------------------------------------------ pipelining

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void pipelinedRequestsAreAnsweredInOrder(Transport t) throws Exception {
        start(t);
        try (RawClient c = fx.connect()) {
            c.send(get("/n/1", "HTTP/1.1") + get("/n/2", "HTTP/1.1") + get("/n/3", "HTTP/1.1"));
            for (int i = 1; i <= 3; i++) {
                assertEquals("n=" + i, c.readResponse().bodyText());
            }
            c.send(get("/n/4", "HTTP/1.1"));
            assertEquals("n=4", c.readResponse().bodyText());
        }
        assertEquals(List.of("start 1", "end 1", "start 2", "end 2", "start 3", "end 3", "start 4", "end 4"), events);
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void pipelinedRequestWaitsForAnAsyncHandler(Transport t) throws Exception {
        start(t);
        try (RawClient c = fx.connect()) {
            c.send(get("/slow", "HTTP/1.1") + get("/n/2", "HTTP/1.1") + get("/n/3", "HTTP/1.1"));
            assertEquals("slow", c.readResponse().bodyText());
            assertEquals("n=2", c.readResponse().bodyText());
            assertEquals("n=3", c.readResponse().bodyText());
        }
        assertEquals(List.of("start slow", "end slow", "start 2", "end 2", "start 3", "end 3"), events);
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void pipelinedRequestWaitsWhileAResponseIsStreaming(Transport t) throws Exception {
        start(t);
        try (RawClient c = fx.connect()) {
            c.send(get("/stream", "HTTP/1.1") + get("/n/2", "HTTP/1.1"));
            Response first = c.readResponse();
            assertEquals("chunked", first.header("Transfer-Encoding"));
            assertEquals("abcdefg", first.bodyText());
            assertEquals("n=2", c.readResponse().bodyText());
        }
        assertEquals(List.of("start stream", "end stream", "start 2", "end 2"), events);
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void requestArrivingWhileAResponseStreamsWaitsItsTurn(Transport t) throws Exception {
        start(t);
        try (RawClient c = fx.connect()) {
            c.send(get("/stream", "HTTP/1.1"));
            assertEquals("HTTP/1.1 200 OK", c.readLine());
            while (!c.readLine().isEmpty()) {
                // headers
            }
            assertEquals("3", c.readLine());
            assertEquals("abc", c.readLine());
            // the response is now streaming: the next request comes in the middle of it
            c.send(get("/n/2", "HTTP/1.1"));
            assertEquals("4", c.readLine());
            assertEquals("defg", c.readLine());
            assertEquals("0", c.readLine());
            assertEquals("", c.readLine());
            assertEquals("n=2", c.readResponse().bodyText());
        }
        assertEquals(List.of("start stream", "end stream", "start 2", "end 2"), events);
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void clientLeavingWithPipelinedRequestsUnreadIsHarmless(Transport t) throws Exception {
        start(t);
        try (RawClient c = fx.connect()) {
            c.send(get("/slow", "HTTP/1.1") + get("/n/2", "HTTP/1.1"));
        }
        Thread.sleep(200);
        fx.assertServing();
        assertNothingLogged();
    }

    /**
     * Like {@code printf 'GET / HTTP/1.0\r\n\r\n' | nc -N}: the request, then a half-close. A request answered
     * at once still gets its response; one still being worked on when the end of input arrives is treated
     * as Tornado does — the client went away: no response, the connection closes (on native transports,
     * which report the peer's FIN while the connection is not reading).
     */
    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void clientHalfClosingAfterItsRequestStillGetsAnImmediateResponse(Transport t) throws Exception {
        start(t);
        for (String version : new String[] {"HTTP/1.0", "HTTP/1.1"}) {
            try (RawClient c = fx.connect()) {
                c.send(get("/hello", version));
                c.socket.shutdownOutput();
                Response r = c.readResponse();
                assertEquals(200, r.code, version + ": " + r);
                assertEquals("Hello world", r.bodyText());
                c.assertClosed();
            }
            try (RawClient c = fx.connect()) {
                c.send(get("/slow", version));
                c.socket.shutdownOutput();
                if (t == Transport.NIO) {
                    // NIO sees an end of input only by reading, and the connection does not read while a
                    // request is in flight: the client's exit is noticed after the response.
                    assertEquals("slow", c.readResponse().bodyText());
                }
                c.assertClosed();
            }
        }
        assertNothingLogged();
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void pipelinedRequestsBeforeAHalfCloseAreAnsweredWhileTheyAreImmediate(Transport t) throws Exception {
        start(t);
        try (RawClient c = fx.connect()) {
            c.send(get("/hello", "HTTP/1.1") + get("/n/2", "HTTP/1.1") + get("/n/3", "HTTP/1.1"));
            c.socket.shutdownOutput();
            assertEquals("Hello world", c.readResponse().bodyText());
            assertEquals("n=2", c.readResponse().bodyText());
            assertEquals("n=3", c.readResponse().bodyText());
            c.assertClosed();
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void partialRequestBeforeAHalfCloseDoesNotCutTheResponseBeforeIt(Transport t) throws Exception {
        start(t);
        try (RawClient c = fx.connect()) {
            c.send(get("/n/1", "HTTP/1.1") + "GET /n/2 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Partial: ");
            c.socket.shutdownOutput();
            assertEquals("n=1", c.readResponse().bodyText());
            c.assertClosed();
        }
        assertNothingLogged();
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void clientHalfClosingMidBodyIsClosedAtOnce(Transport t) throws Exception {
        start(t);
        try (RawClient c = fx.connect()) {
            c.send("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n" + "x".repeat(10));
            c.socket.shutdownOutput();
            c.assertClosed(); // the body can never complete; no timeout is configured
        }
        assertNothingLogged();
        fx.assertServing();
    }

    // ------------------------------------------------------------------ request bodies

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void expect100ContinueGetsContinueBeforeTheBody(Transport t) throws Exception {
        start(t);
        try (RawClient c = fx.connect()) {
            c.send("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1024\r\nExpect: 100-continue\r\n\r\n");
            Response cont = c.readResponse();
            assertEquals(100, cont.code, cont.toString());
            assertEquals("HTTP/1.1", cont.version);
            c.send("a".repeat(1024));
            Response r = c.readResponse();
            assertEquals(200, r.code);
            assertEquals("a".repeat(1024), r.bodyText());
            // still keep-alive
            c.send(get("/hello", "HTTP/1.1"));
            assertEquals("Hello world", c.readResponse().bodyText());
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void expect100ContinueOverMaxBodySizeGets413Instead(Transport t) throws Exception {
        start(t, ServerFixture.options().maxBodySize(1000).build());
        try (RawClient c = fx.connect()) {
            c.send("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1024\r\nExpect: 100-continue\r\n\r\n");
            Response r = c.readResponse();
            assertEquals(413, r.code, r.toString());
            c.assertClosed();
        }
        assertLoggedOnce(gen, "Content Length Too Long");
        fx.assertServing();
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void chunkedRequestBodyArrivesWhole(Transport t) throws Exception {
        start(t);
        try (RawClient c = fx.connect()) {
            c.send("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "4\r\nfoo=\r\n3\r\nbar\r\n");
            Thread.sleep(20); // the rest in a later packet
            c.send("a\r\n0123456789\r\n0\r\n\r\n");
            Response r = c.readResponse();
            assertEquals("foo=bar0123456789", r.bodyText());
            // upper case "Chunked" too, with a chunk extension and a trailer
            c.send("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: Chunked\r\n\r\n"
                    + "5;ext=1\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n");
            assertEquals("hello", c.readResponse().bodyText());
        }
    }

    // ------------------------------------------------------------------ bodiless and streamed responses

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void headGetsHeadersWithContentLengthButNoBody(Transport t) throws Exception {
        start(t);
        try (RawClient c = fx.connect()) {
            c.send("HEAD /head HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            Response r = c.readResponse(true);
            assertEquals(200, r.code);
            assertEquals("11", r.header("Content-Length"));
            assertNull(r.header("Transfer-Encoding"));
            // the next response follows the header block directly: no body bytes were sent
            c.send(get("/head", "HTTP/1.1"));
            Response g = c.readResponse();
            assertEquals(200, g.code, g.toString());
            assertEquals("Hello world", g.bodyText());
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void headThatFlushesKeepsTheConnection(Transport t) throws Exception {
        start(t);
        try (RawClient c = fx.connect()) {
            for (int i = 0; i < 2; i++) {
                c.send("HEAD /flushing-head HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                Response r = c.readResponse(true);
                assertEquals(200, r.code);
                assertNull(r.header("Connection"), r.toString());
            }
            c.send(get("/hello", "HTTP/1.1"));
            assertEquals("Hello world", c.readResponse().bodyText());
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void status204And304HaveNoBody(Transport t) throws Exception {
        start(t);
        try (RawClient c = fx.connect()) {
            for (String code : new String[] {"204", "304"}) {
                c.send(get("/status/" + code, "HTTP/1.1"));
                Response r = c.readResponse();
                assertEquals(Integer.parseInt(code), r.code);
                assertNull(r.header("Transfer-Encoding"), r.toString());
                assertNull(r.header("Content-Length"), r.toString());
                assertNull(r.header("Connection"), r.toString());
            }
            // nothing stray before the next response
            c.send(get("/hello", "HTTP/1.1"));
            assertEquals("Hello world", c.readResponse().bodyText());
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void flushedResponseIsChunkedOnHttp11(Transport t) throws Exception {
        start(t);
        try (RawClient c = fx.connect()) {
            c.send(get("/flush", "HTTP/1.1"));
            Response r = c.readResponse();
            assertEquals("chunked", r.header("Transfer-Encoding"));
            assertNull(r.header("Content-Length"));
            assertNull(r.header("Connection"));
            assertEquals(List.of(3, 4, 0), r.chunks);
            assertEquals("abcdefg", r.bodyText());
            c.send(get("/hello", "HTTP/1.1"));
            assertEquals("Hello world", c.readResponse().bodyText());
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void flushedResponseIsCloseDelimitedOnHttp10(Transport t) throws Exception {
        start(t);
        for (String[] extra : new String[][] {{}, {"Connection: keep-alive"}}) {
            try (RawClient c = fx.connect()) {
                c.send(get("/flush", "HTTP/1.0", extra));
                Response r = c.readResponse();
                assertEquals("HTTP/1.0", r.version);
                assertNull(r.header("Transfer-Encoding"));
                assertNull(r.header("Content-Length"));
                assertNull(r.header("Connection"), "keep-alive is impossible without a length: " + r);
                assertTrue(r.closeDelimited);
                assertEquals("abcdefg", r.bodyText());
            }
        }
    }

    // ------------------------------------------------------------------ timeouts

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void idleConnectionTimeoutClosesAnUnusedConnection(Transport t) throws Exception {
        start(t, ServerFixture.options().idleConnectionTimeout(0.2).build()); // Tornado's float seconds
        long t0 = System.nanoTime();
        try (RawClient c = fx.connect()) {
            c.assertClosed();
            assertTrue(elapsedMs(t0) >= 150, "closed after " + elapsedMs(t0) + " ms");
        }
        fx.assertServing();
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void idleConnectionTimeoutClosesAnIdleKeepAliveConnection(Transport t) throws Exception {
        start(t, ServerFixture.options().idleConnectionTimeout(Duration.ofMillis(200)).build());
        try (RawClient c = fx.connect()) {
            long t0 = 0;
            for (int i = 0; i < 2; i++) {
                t0 = System.nanoTime(); // the idle time starts after this request is answered
                c.send(get("/hello", "HTTP/1.1"));
                assertEquals("Hello world", c.readResponse().bodyText());
            }
            c.assertClosed();
            assertTrue(elapsedMs(t0) >= 150, "closed after " + elapsedMs(t0) + " ms");
        }
        fx.assertServing();
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void slowAsyncHandlerIsNotCutByHeaderOrIdleTimeout(Transport t) throws Exception {
        start(t, ServerFixture.options().idleConnectionTimeout(Duration.ofMillis(200))
                .headerTimeout(Duration.ofMillis(200)).bodyTimeout(Duration.ofMillis(200)).build());
        try (RawClient c = fx.connect()) {
            c.send(get("/slower", "HTTP/1.1")); // answers after 400 ms
            assertEquals("slow", c.readResponse().bodyText());
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void clientStoppingMidHeadersIsClosedAfterHeaderTimeout(Transport t) throws Exception {
        start(t, ServerFixture.options().headerTimeout(0.2).build()); // Tornado's float seconds
        long t0 = System.nanoTime();
        try (RawClient c = fx.connect()) {
            c.send("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Partial: ");
            c.assertClosed();
            assertTrue(elapsedMs(t0) >= 150, "closed after " + elapsedMs(t0) + " ms");
        }
        assertLoggedOnce(gen, "timeout");
        fx.assertServing();
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void clientStoppingMidBodyIsClosedAfterBodyTimeout(Transport t) throws Exception {
        start(t, ServerFixture.options().bodyTimeout(0.2).build()); // Tornado's float seconds
        try (RawClient c = fx.connect()) {
            long t0 = System.nanoTime();
            c.send("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n" + "x".repeat(10));
            c.assertClosed();
            assertTrue(elapsedMs(t0) >= 150, "closed after " + elapsedMs(t0) + " ms");
        }
        assertLoggedOnce(gen, "body timeout");
        fx.assertServing();
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void clientStoppingMidChunkedBodyIsClosedAfterBodyTimeout(Transport t) throws Exception {
        start(t, ServerFixture.options().bodyTimeout(Duration.ofMillis(200)).build());
        try (RawClient c = fx.connect()) {
            long t0 = System.nanoTime();
            c.send("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel");
            c.assertClosed();
            assertTrue(elapsedMs(t0) >= 150, "closed after " + elapsedMs(t0) + " ms");
        }
        assertLoggedOnce(gen, "body timeout");
        fx.assertServing();
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void bodyTimeoutAppliesPerBody(Transport t) throws Exception {
        start(t, ServerFixture.options().bodyTimeout(Duration.ofMillis(200)).build());
        try (RawClient c = fx.connect()) {
            // each body arrives within the limit, though the connection lives longer than it
            for (int i = 0; i < 3; i++) {
                c.send("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4\r\n\r\nab");
                Thread.sleep(40);
                c.send("cd");
                assertEquals("abcd", c.readResponse().bodyText());
                Thread.sleep(100);
            }
        }
        assertNothingLogged();
    }

    private static long elapsedMs(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

}
