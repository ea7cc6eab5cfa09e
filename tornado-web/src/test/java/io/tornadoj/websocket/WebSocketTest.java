package io.tornadoj.websocket;

import io.tornadoj.httputil.HTTPHeaders;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.web.Application;
import io.tornadoj.web.RawHttp;
import io.tornadoj.web.Settings;
import io.tornadoj.web.TestServer;
import io.tornadoj.testsupport.LogCapture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static io.tornadoj.web.Web.url;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link WebSocketHandler} with {@link WebSocket#connect} over loopback: echo, open with path arguments, one
 * message at a time, the close handshake from either side, abrupt disconnects, pings, limits, protocol
 * errors, subprotocols and permessage-deflate. Tornado's websocket_test.
 */
@Timeout(60)
class WebSocketTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** What the handlers saw, in order. */
    static final Events EVENTS = new Events();

    private static TestServer server;
    private static IOLoop client;

    /** Echoes text and binary messages; records onClose. */
    static class Echo extends WebSocketHandler {
        @Override
        public CompletionStage<?> onMessage(String message) {
            return writeMessage(message);
        }

        @Override
        public CompletionStage<?> onMessage(byte[] message) {
            return writeMessage(message);
        }

        @Override
        public void onClose() {
            EVENTS.record(this, "close " + closeCode() + " " + closeReason());
        }
    }

    /** Sends its path arguments on open. */
    static class PathArgs extends WebSocketHandler {
        public void open(String a, String b) {
            writeMessage(a + "," + b);
        }
    }

    /** Takes 100 ms over each message; an open that takes 200 ms. */
    static class Slow extends WebSocketHandler {
        private boolean opened;

        public CompletionStage<?> open() {
            CompletableFuture<Void> f = new CompletableFuture<>();
            IOLoop.current().callLater(0.2, () -> {
                opened = true;
                f.complete(null);
            });
            return f;
        }

        @Override
        public CompletionStage<?> onMessage(String message) {
            EVENTS.record(this, "start " + message + " opened=" + opened);
            CompletableFuture<Void> f = new CompletableFuture<>();
            IOLoop.current().callLater(0.1, () -> {
                EVENTS.record(Slow.this, "end " + message);
                writeMessage(message).thenRun(() -> f.complete(null));
            });
            return f;
        }
    }

    /** "close" → close(4001, "bye"); "ping" → ping; reports pings and pongs. */
    static class Control extends Echo {
        @Override
        public CompletionStage<?> onMessage(String message) {
            if (message.equals("close")) {
                close(4001, "bye");
                return null;
            }
            if (message.equals("ping")) {
                return ping("hi".getBytes(StandardCharsets.UTF_8));
            }
            return super.onMessage(message);
        }

        @Override
        public void onPing(byte[] data) {
            writeMessage("ping " + new String(data, StandardCharsets.UTF_8));
        }

        @Override
        public void onPong(byte[] data) {
            writeMessage("pong " + new String(data, StandardCharsets.UTF_8));
        }
    }

    /** Closes as soon as it opens, then tries to write. */
    static class CloseOnOpen extends WebSocketHandler {
        public void open() {
            close(1000, "done");
            writeMessage("too late").whenComplete((v, t) -> EVENTS.record(CloseOnOpen.this, "write after close: " + t));
        }
    }

    /** Picks "b" when offered. */
    static class Subprotocol extends WebSocketHandler {
        @Override
        public String selectSubprotocol(List<String> offered) {
            EVENTS.record(this, "offered " + offered);
            return offered.contains("b") ? "b" : null;
        }
    }

    /** Echo with permessage-deflate. */
    static class Compressed extends Echo {
        @Override
        public Map<String, Object> getCompressionOptions() {
            return Map.of("compression_level", 9);
        }
    }

    /** A handler whose onMessage fails: the connection is dropped, logged once. */
    static class Failing extends WebSocketHandler {
        @Override
        public CompletionStage<?> onMessage(String message) {
            throw new IllegalStateException("boom");
        }

        @Override
        public void onClose() {
            EVENTS.record(this, "failing closed " + closeCode());
        }
    }

    /**
     * An open whose stage is completed by another thread, which then reports whether completing it gave
     * that thread an IOLoop; answers each message with whether it runs on the thread and loop that ran open.
     */
    static class AsyncOpen extends WebSocketHandler {
        private Thread openThread;
        private IOLoop openLoop;

        public CompletionStage<?> open() {
            openThread = Thread.currentThread();
            openLoop = IOLoop.current();
            CompletableFuture<Void> opening = new CompletableFuture<>();
            Thread completer = new Thread(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (opening.getNumberOfDependents() == 0 && System.nanoTime() < deadline) {
                    Thread.onSpinWait(); // until the handler waits for the stage
                }
                opening.complete(null); // runs the handler's callback on this thread
                IOLoop made = IOLoop.currentOrNull();
                EVENTS.record(AsyncOpen.this, "completer got a loop: " + (made != null));
                if (made != null) {
                    made.close();
                }
            });
            completer.start();
            return opening;
        }

        @Override
        public CompletionStage<?> onMessage(String message) {
            return writeMessage(Thread.currentThread() == openThread && IOLoop.currentOrNull() == openLoop
                    && openLoop.inLoop() ? "on the loop" : "elsewhere: " + Thread.currentThread().getName());
        }
    }

    /**
     * Echo; "flood" writes 16 MB at once, more than the socket buffers hold while the client does not read:
     * whatever the server writes next (a close frame) cannot be written.
     */
    static class Flood extends Echo {
        @Override
        public CompletionStage<?> onMessage(String message) {
            if (message.equals("flood")) {
                for (int i = 0; i < 256; i++) {
                    writeMessage(new byte[64 * 1024]);
                }
                return null;
            }
            return super.onMessage(message);
        }
    }

    /** Sets a cookie before the upgrade. */
    static class CookieBeforeUpgrade extends Echo {
        @Override
        public CompletionStage<?> prepare() {
            setCookie("flavor", "oatmeal");
            return null;
        }
    }

    /** Upgrades 200 ms after the request arrived; records open and onClose. */
    static class LateUpgrade extends WebSocketHandler {
        @Override
        public CompletionStage<?> prepare() {
            CompletableFuture<Void> f = new CompletableFuture<>();
            IOLoop.current().callLater(0.2, () -> f.complete(null));
            return f;
        }

        public void open() {
            EVENTS.record(this, "open");
        }

        @Override
        public void onClose() {
            EVENTS.record(this, "close");
        }
    }

    @BeforeAll
    static void start() {
        server = TestServer.start(new Application(List.of(
                url("/echo", Echo.class),
                url("/path/([^/]+)/([^/]+)", PathArgs.class),
                url("/slow", Slow.class),
                url("/control", Control.class),
                url("/close-on-open", CloseOnOpen.class),
                url("/sub", Subprotocol.class),
                url("/compressed", Compressed.class),
                url("/failing", Failing.class),
                url("/async-open", AsyncOpen.class),
                url("/cookie", CookieBeforeUpgrade.class),
                url("/late", LateUpgrade.class),
                url("/flood", Flood.class)),
                Settings.builder().websocketMaxMessageSize(64 * 1024).build()));
        client = IOLoop.create();
    }

    @AfterAll
    static void stop() {
        server.close();
        client.close();
    }

    @BeforeEach
    void reset(TestInfo test) {
        EVENTS.startTest(test.getTestMethod().orElseThrow().getName());
    }

    private static String ws(String path) {
        return "ws://127.0.0.1:" + server.port() + EVENTS.path(path);
    }

    static WebSocketClientConnection connect(String url, WebSocketClientConnection.Options options) throws Exception {
        return client.runSync(() -> WebSocket.connect(url, options), WAIT);
    }

    static WebSocketClientConnection connect(String path) throws Exception {
        return connect(ws(path), WebSocketClientConnection.Options.defaults());
    }

    static Object read(WebSocketClientConnection c) throws Exception {
        return client.runSync(c::readMessage, WAIT);
    }

    static void write(WebSocketClientConnection c, Object message) throws Exception {
        client.runSync(() -> message instanceof String ? c.writeMessage((String) message)
                : c.writeMessage((byte[]) message), WAIT);
    }

    static void close(WebSocketClientConnection c) throws Exception {
        client.runSync(() -> {
            c.close();
            return CompletableFuture.completedFuture(null);
        }, WAIT);
    }

    static String event() throws InterruptedException {
        return EVENTS.next();
    }

    /** Waits a little, then checks that the event did not happen (again). */
    static void assertNoMore(String event) throws InterruptedException {
        Thread.sleep(200);
        assertFalse(EVENTS.pending().contains(event), EVENTS.pending().toString());
    }

    @Test
    void echoesTextAndBinary() throws Exception {
        WebSocketClientConnection c = connect("/echo");
        write(c, "héllo");
        assertEquals("héllo", read(c));
        byte[] bytes = {0, 1, 2, (byte) 0xff};
        write(c, bytes);
        assertArrayEquals(bytes, (byte[]) read(c));
        byte[] big = new byte[40_000]; // several reads, one message
        Arrays.fill(big, (byte) 'x');
        write(c, new String(big, StandardCharsets.US_ASCII));
        assertEquals(new String(big, StandardCharsets.US_ASCII), read(c));
        close(c);
        assertNull(read(c));
        assertEquals("close null null", event()); // closed by the client without a status
    }

    @Test
    void openGetsThePathArguments() throws Exception {
        WebSocketClientConnection c = connect("/path/a%20b/c");
        assertEquals("a b,c", read(c));
        close(c);
    }

    @Test
    void openIsCheckedAgainstThePatternWhenTheApplicationIsBuilt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Application(List.of(url("/slow/([^/]+)", Slow.class))));
        assertTrue(e.getMessage().contains("open"), e.getMessage());
    }

    @Test
    void messagesWaitForOpenAndForEachOther() throws Exception {
        WebSocketClientConnection c = connect("/slow");
        write(c, "1");
        write(c, "2");
        write(c, "3");
        assertEquals("1", read(c));
        assertEquals("2", read(c));
        assertEquals("3", read(c));
        assertEquals(List.of("start 1 opened=true", "end 1", "start 2 opened=true", "end 2", "start 3 opened=true",
                "end 3"), EVENTS.pending());
        close(c);
    }

    @Test
    void serverCloseIsSeenByBothSidesOnce() throws Exception {
        WebSocketClientConnection c = connect("/control");
        write(c, "close");
        assertNull(read(c));
        assertEquals(4001, client.runSync(() -> CompletableFuture.completedFuture(c.closeCode()), WAIT));
        assertEquals("bye", client.runSync(() -> CompletableFuture.completedFuture(c.closeReason()), WAIT));
        assertEquals("close 4001 null", event()); // the client echoes the status only, as Tornado
        assertNull(read(c)); // still null
        assertNoMore("close 4001 null");
    }

    @Test
    void clientCloseWithStatusAndReason() throws Exception {
        WebSocketClientConnection c = connect("/echo");
        client.runSync(() -> {
            c.close(4002, "client done");
            return CompletableFuture.completedFuture(null);
        }, WAIT);
        assertNull(read(c));
        assertEquals("close 4002 client done", event());
        assertEquals(4002, client.runSync(() -> CompletableFuture.completedFuture(c.closeCode()), WAIT));
        assertNoMore("close 4002 client done");
    }

    @Test
    void abruptDisconnectCallsOnCloseWithoutStatus() throws Exception {
        try (RawWebSocket raw = new RawWebSocket(server, EVENTS.path("/echo"))) {
            raw.send(RawWebSocket.TEXT, "x".getBytes(StandardCharsets.UTF_8));
            assertEquals("x", raw.read().text());
        }
        assertEquals("close null null", event());
        assertNoMore("close null null");
    }

    @Test
    void writeAfterCloseFails() throws Exception {
        WebSocketClientConnection c = connect("/close-on-open");
        assertNull(read(c));
        assertEquals(1000, client.runSync(() -> CompletableFuture.completedFuture(c.closeCode()), WAIT));
        assertEquals("done", client.runSync(() -> CompletableFuture.completedFuture(c.closeReason()), WAIT));
        assertTrue(event().startsWith("write after close: " + WebSocketClosedError.class.getName()));
        assertThrows(WebSocketClosedError.class, () -> client.runSync(() -> c.writeMessage("x"), WAIT));
    }

    @Test
    void pingsAndPongs() throws Exception {
        try (RawWebSocket raw = new RawWebSocket(server, EVENTS.path("/control"))) {
            raw.send(RawWebSocket.PING, "abc".getBytes(StandardCharsets.UTF_8));
            RawWebSocket.Frame pong = raw.read();
            assertEquals(RawWebSocket.PONG, pong.opcode());
            assertEquals("abc", pong.text());
            assertEquals("ping abc", raw.read().text());
            raw.send(RawWebSocket.TEXT, "ping".getBytes(StandardCharsets.UTF_8));
            RawWebSocket.Frame ping = raw.read();
            assertEquals(RawWebSocket.PING, ping.opcode());
            assertEquals("hi", ping.text());
            raw.send(RawWebSocket.PONG, ping.payload());
            assertEquals("pong hi", raw.read().text());
        }
    }

    @Test
    void clientAnswersServerPings() throws Exception {
        WebSocketClientConnection c = connect("/control");
        write(c, "ping");
        assertEquals("pong hi", read(c));
        close(c);
    }

    /** A new connection still echoes: one client's bad input did not stop the server. */
    static void assertServerStillServes() throws Exception {
        WebSocketClientConnection c = connect("/echo");
        write(c, "still here");
        assertEquals("still here", read(c));
        close(c);
    }

    /** Waits (up to 5 s) for a message containing the fragment; fails unless it was logged exactly once. */
    static void assertLoggedOnce(LogCapture log, String fragment) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (log.messages().stream().noneMatch(m -> m.contains(fragment)) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(100);
        assertEquals(1, log.messages().stream().filter(m -> m.contains(fragment)).count(), log.messages().toString());
    }

    @Test
    void tooBigMessageClosesWith1009() throws Exception {
        try (LogCapture log = new LogCapture("tornado.general")) {
            WebSocketClientConnection c = connect("/echo");
            write(c, new byte[100 * 1024]);
            assertNull(read(c));
            assertEquals(1009, client.runSync(() -> CompletableFuture.completedFuture(c.closeCode()), WAIT));
            assertEquals("close null null", event());
            assertLoggedOnce(log, "Max frame length of 65536 has been exceeded");
            // fragmented: the aggregator's limit
            try (RawWebSocket raw = new RawWebSocket(server, EVENTS.path("/echo"))) {
                byte[] part = new byte[40 * 1024];
                raw.raw.send(frame(0x02, false, part));
                raw.raw.send(frame(0x00, true, part));
                RawWebSocket.Frame close = raw.read();
                assertEquals(RawWebSocket.CLOSE, close.opcode());
                assertEquals(1009, close.closeCode());
                assertTrue(raw.raw.closedByServer());
            }
            assertLoggedOnce(log, "too big");
        }
        assertServerStillServes();
    }

    /** A masked frame with an all-zero mask. */
    private static byte[] frame(int opcode, boolean fin, byte[] payload) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + payload.length);
        b.put((byte) ((fin ? 0x80 : 0) | opcode)).put((byte) (0x80 | 126)).putShort((short) payload.length);
        b.putInt(0).put(payload);
        return b.array();
    }

    @Test
    void invalidUtf8ClosesWith1007() throws Exception {
        try (LogCapture log = new LogCapture("tornado.general");
             RawWebSocket raw = new RawWebSocket(server, EVENTS.path("/echo"))) {
            raw.send(RawWebSocket.TEXT, new byte[] {(byte) 0xc3, (byte) 0x28});
            RawWebSocket.Frame close = raw.read();
            assertEquals(RawWebSocket.CLOSE, close.opcode());
            assertEquals(1007, close.closeCode());
            assertTrue(raw.raw.closedByServer());
            assertLoggedOnce(log, "WebSocket protocol error");
        }
        assertEquals("close null null", event());
        assertServerStillServes();
    }

    @Test
    void failingOnMessageDropsTheConnection() throws Exception {
        try (LogCapture log = new LogCapture("tornado.application")) {
            WebSocketClientConnection c = connect("/failing");
            write(c, "x");
            assertNull(read(c));
            assertEquals("failing closed null", event());
            assertLoggedOnce(log, "Uncaught exception in WebSocket connection");
        }
        assertServerStillServes();
    }

    @Test
    void badHandshakesGetTornadosStatuses() throws Exception {
        String base = "GET /echo HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\n";
        String key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
        RawHttp.Response r = server.rawRequest(base + "Connection: Upgrade\r\n" + key
                + "Sec-WebSocket-Version: 13\r\n\r\n");
        assertEquals(400, r.code);
        assertEquals("Can \"Upgrade\" only to \"WebSocket\".", r.text());
        r = server.rawRequest(base + "Upgrade: websocket\r\nConnection: keep-alive\r\n" + key
                + "Sec-WebSocket-Version: 13\r\n\r\n");
        assertEquals(400, r.code);
        assertEquals("\"Connection\" must be \"Upgrade\".", r.text());
        r = server.rawRequest(base + "Upgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n" + key
                + "Origin: http://evil.example\r\nSec-WebSocket-Version: 13\r\n\r\n");
        assertEquals(403, r.code);
        r = server.rawRequest(base + "Upgrade: websocket\r\nConnection: Upgrade\r\n" + key
                + "Sec-WebSocket-Version: 12\r\n\r\n");
        assertEquals(426, r.code);
        assertEquals("7, 8, 13", r.header("Sec-WebSocket-Version"));
        r = server.rawRequest(base + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n");
        assertEquals(400, r.code);
        r = server.rawRequest("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
        assertEquals(405, r.code);
        // same origin is accepted
        try (RawHttp raw = server.raw()) {
            raw.send(base + "Upgrade: websocket\r\nConnection: Upgrade\r\n" + key + "Origin: http://127.0.0.1:"
                    + server.port() + "\r\nSec-WebSocket-Version: 13\r\n\r\n");
            assertEquals(101, raw.readHead().code);
        }
        assertServerStillServes();
    }

    @Test
    void subprotocolSelection() throws Exception {
        WebSocketClientConnection c = connect(ws("/sub"), WebSocketClientConnection.Options.builder()
                .subprotocols(List.of("a", "b")).build());
        assertEquals("b", c.selectedSubprotocol());
        assertEquals("offered [a, b]", event());
        close(c);
        WebSocketClientConnection d = connect("/sub");
        assertNull(d.selectedSubprotocol());
        assertEquals("offered []", event());
        close(d);
    }

    @Test
    void permessageDeflateIsNegotiatedAndWorks() throws Exception {
        WebSocketClientConnection c = connect(ws("/compressed"), WebSocketClientConnection.Options.builder()
                .compressionOptions(Map.of()).build());
        assertTrue(c.channel().pipeline().names().stream().anyMatch(n -> n.contains("PerMessageDeflateDecoder")),
                c.channel().pipeline().names().toString());
        String text = "compress me ".repeat(1000);
        write(c, text);
        assertEquals(text, read(c));
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        write(c, bytes);
        assertArrayEquals(bytes, (byte[]) read(c));
        close(c);
        // without an offer, no compression
        WebSocketClientConnection d = connect("/compressed");
        assertFalse(d.channel().pipeline().names().stream().anyMatch(n -> n.contains("Deflate")));
        write(d, text);
        assertEquals(text, read(d));
        close(d);
    }

    @Test
    void aCompressedMessageThatInflatesBeyondTheLimitClosesWith1009() throws Exception {
        try (LogCapture log = new LogCapture("tornado.general")) {
            WebSocketClientConnection c = connect(ws("/compressed"), WebSocketClientConnection.Options.builder()
                    .compressionOptions(Map.of()).build());
            write(c, "x".repeat(100 * 1024)); // a few hundred bytes on the wire
            assertNull(read(c));
            assertEquals(1009, client.runSync(() -> CompletableFuture.completedFuture(c.closeCode()), WAIT));
            assertLoggedOnce(log, "too big");
        }
        assertServerStillServes();
    }

    @Test
    void anUnansweredServerCloseDropsTheConnectionAfterFiveSeconds() throws Exception {
        try (RawWebSocket raw = new RawWebSocket(server, EVENTS.path("/control"))) {
            raw.send(RawWebSocket.TEXT, "close".getBytes(StandardCharsets.UTF_8));
            RawWebSocket.Frame close = raw.read();
            assertEquals(4001, close.closeCode());
            long start = System.nanoTime();
            assertTrue(raw.raw.closedByServer()); // never answered
            double waited = (System.nanoTime() - start) / 1e9;
            assertTrue(waited > 4 && waited < 8, "closed after " + waited + " s");
        }
        assertEquals("close null null", event());
    }

    @Test
    void connectFailuresFailTheFuture() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        assertThrows(IOException.class, () -> client.runSync(() -> WebSocket.connect("ws://127.0.0.1:" + port + "/"),
                WAIT)); // refused
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread hangUp = new Thread(() -> {
                try (Socket accepted = s.accept()) {
                    accepted.getInputStream().read(); // the upgrade request has started to arrive
                } catch (IOException e) {
                    // the test fails on its own
                }
            });
            hangUp.start();
            WebSocketError e = assertThrows(WebSocketError.class, () -> client.runSync(
                    () -> WebSocket.connect("ws://127.0.0.1:" + s.getLocalPort() + "/"), WAIT));
            assertTrue(e.getMessage().contains("closed during the WebSocket handshake"), e.getMessage());
            hangUp.join(10_000);
        }
        assertThrows(IllegalArgumentException.class, () -> WebSocket.connect("http://127.0.0.1/"));
    }

    @Test
    void clientHandshakeFailureCarriesTheStatus() throws Exception {
        WebSocketHandshakeError e = assertThrows(WebSocketHandshakeError.class,
                () -> client.runSync(() -> WebSocket.connect(ws("/nowhere")), WAIT));
        assertEquals(404, e.code());
        HTTPHeaders origin = new HTTPHeaders();
        origin.add("Origin", "http://evil.example");
        e = assertThrows(WebSocketHandshakeError.class, () -> client.runSync(() -> WebSocket.connect(ws("/echo"),
                WebSocketClientConnection.Options.builder().headers(origin).build()), WAIT));
        assertEquals(403, e.code());
    }

    @Test
    void anOpenCompletingOnAnotherThreadDeliversMessagesOnTheLoop() throws Exception {
        WebSocketClientConnection c = connect("/async-open");
        write(c, "which thread?");
        assertEquals("on the loop", read(c));
        write(c, "again");
        assertEquals("on the loop", read(c));
        assertEquals("completer got a loop: false", event());
        close(c);
    }

    @Test
    void cookiesSetBeforeTheUpgradeAreInThe101() {
        try (RawHttp raw = server.raw()) {
            raw.send("GET " + EVENTS.path("/cookie") + " HTTP/1.1\r\nHost: 127.0.0.1:" + server.port()
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n");
            RawHttp.Head head = raw.readHead();
            assertEquals(101, head.code);
            assertEquals("flavor=oatmeal; Path=/", head.header("Set-Cookie"));
        }
    }

    @Test
    void reservedBitsWithoutANegotiatedExtensionCloseWith1002() throws Exception {
        try (LogCapture log = new LogCapture("tornado.general");
             RawWebSocket raw = new RawWebSocket(server, EVENTS.path("/compressed"))) { // deflate not offered
            raw.send(0x40 | RawWebSocket.BINARY, new byte[] {1, 2, 3}); // RSV1
            RawWebSocket.Frame close = raw.read();
            assertEquals(RawWebSocket.CLOSE, close.opcode());
            assertEquals(1002, close.closeCode());
            assertTrue(raw.raw.closedByServer());
            assertLoggedOnce(log, "reserved bits");
        }
        assertEquals("close null null", event());
        assertServerStillServes();
    }

    /** Waits for the handler's onClose (up to 10 s); fails unless it came after the 5 s close wait. */
    private static void assertDroppedAfterTheCloseWait(String event) throws InterruptedException {
        long start = System.nanoTime();
        assertEquals(event, event());
        double waited = (System.nanoTime() - start) / 1e9;
        assertTrue(waited > 4, "closed after " + waited + " s");
    }

    @Test
    void aPeerThatStopsReadingAfterItsCloseIsDroppedAfterTheCloseWait() throws Exception {
        try (RawWebSocket raw = new RawWebSocket(server, EVENTS.path("/flood"))) {
            raw.send(RawWebSocket.TEXT, "flood".getBytes(StandardCharsets.UTF_8));
            raw.send(RawWebSocket.CLOSE, new byte[] {0x03, (byte) 0xe8}); // 1000: answered, but never read
            assertDroppedAfterTheCloseWait("close 1000 null");
        }
        assertServerStillServes();
    }

    @Test
    void aPeerThatStopsReadingAfterAProtocolErrorIsDroppedAfterTheCloseWait() throws Exception {
        try (RawWebSocket raw = new RawWebSocket(server, EVENTS.path("/flood"))) {
            raw.send(RawWebSocket.TEXT, "flood".getBytes(StandardCharsets.UTF_8));
            raw.raw.send(new byte[] {(byte) 0x81, 0x01, 'x'}); // not masked: Netty's 1002 is never read
            assertDroppedAfterTheCloseWait("close null null");
        }
        assertServerStillServes();
    }

    @Test
    void onCloseFollowsOnlyAnOpen() throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.getOutputStream().write(("GET " + EVENTS.path("/late") + " HTTP/1.1\r\nHost: 127.0.0.1:" + server.port()
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            s.setSoLinger(true, 0); // gone before the 101 is written
        }
        try (LogCapture log = new LogCapture("tornado.application")) {
            Thread.sleep(500); // the upgrade was due after 200 ms
            assertEquals(List.of(), EVENTS.pending());
            assertEquals(List.of(), log.messages());
        }
        assertServerStillServes();
    }

    @Test
    void aServerThatNeverAnswersTheHandshakeTimesOut() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Integer> received = new CompletableFuture<>();
            Thread silent = new Thread(() -> {
                try (Socket accepted = s.accept()) {
                    accepted.setSoTimeout(10_000);
                    int n = 0;
                    while (accepted.getInputStream().read() >= 0) { // the upgrade request, then the close
                        n++;
                    }
                    received.complete(n);
                } catch (IOException e) {
                    received.completeExceptionally(e);
                }
            });
            silent.start();
            long start = System.nanoTime();
            java.util.concurrent.TimeoutException e = assertThrows(java.util.concurrent.TimeoutException.class,
                    () -> connect("ws://127.0.0.1:" + s.getLocalPort() + "/",
                            WebSocketClientConnection.Options.builder().requestTimeout(0.5).build()));
            double waited = (System.nanoTime() - start) / 1e9;
            assertTrue(waited > 0.4 && waited < 5, "failed after " + waited + " s");
            assertTrue(e.getMessage().contains("WebSocket handshake"), e.getMessage());
            assertTrue(received.get(5, TimeUnit.SECONDS) > 0); // the request came, then the client closed
            silent.join(5_000);
        }
    }

    @Test
    void theRequestTimeoutDefaultsToTornados() {
        assertEquals(Duration.ofSeconds(20), WebSocketClientConnection.Options.defaults().requestTimeout());
        assertNull(WebSocketClientConnection.Options.builder().requestTimeout((Duration) null).build().requestTimeout());
    }
}
