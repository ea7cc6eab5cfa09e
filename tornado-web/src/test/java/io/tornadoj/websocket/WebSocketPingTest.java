package io.tornadoj.websocket;

import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.web.Application;
import io.tornadoj.web.Settings;
import io.tornadoj.web.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.tornadoj.web.Web.url;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Periodic pings ({@code websocketPingInterval}), the pong timeout ({@code websocketPingTimeout}) and the
 * client's {@code pingInterval}, over loopback. Tornado's PingTest/ClientPeriodicPingTest.
 */
@Timeout(60)
class WebSocketPingTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    static final Events EVENTS = new Events();

    private static TestServer server;
    private static IOLoop client;

    /** Records pongs, pings and the close. */
    static class Recorder extends WebSocketHandler {
        @Override
        public void onPong(byte[] data) {
            EVENTS.record(this, "pong");
        }

        @Override
        public void onPing(byte[] data) {
            EVENTS.record(this, "ping");
        }

        @Override
        public void onClose() {
            EVENTS.record(this, "close " + closeCode());
        }
    }

    @BeforeAll
    static void start() {
        server = TestServer.start(new Application(List.of(url("/ws", Recorder.class)), Settings.builder()
                .websocketPingInterval(0.1) // Tornado's float seconds
                .websocketPingTimeout(1.0)
                .build()));
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

    private static String ws() {
        return "ws://127.0.0.1:" + server.port() + EVENTS.path("/ws");
    }

    @Test
    void theServerPingsAndTheClientAnswers() throws Exception {
        WebSocketClientConnection c = client.runSync(() -> WebSocket.connect(ws()), WAIT);
        for (int i = 0; i < 3; i++) {
            assertEquals("pong", EVENTS.next());
        }
        Thread.sleep(1300); // longer than the timeout: answered pings keep the connection open
        assertNull(client.runSync(() -> CompletableFuture.completedFuture(c.closeCode()), WAIT));
        assertTrue(EVENTS.pending().stream().allMatch("pong"::equals), EVENTS.pending().toString());
        client.runSync(() -> {
            c.close();
            return CompletableFuture.completedFuture(null);
        }, WAIT);
        assertNull(client.runSync(c::readMessage, WAIT));
    }

    @Test
    void aPeerThatNeverPongsIsClosed() throws Exception {
        try (RawWebSocket raw = new RawWebSocket(server, EVENTS.path("/ws"))) {
            RawWebSocket.Frame f;
            int pings = 0;
            while ((f = raw.read()).opcode() == RawWebSocket.PING) {
                pings++;
            }
            assertEquals(RawWebSocket.CLOSE, f.opcode());
            assertTrue(pings >= 3, "pings before the timeout: " + pings);
            raw.send(RawWebSocket.CLOSE, new byte[0]); // completes the close handshake
            assertTrue(raw.raw.closedByServer());
        }
        String close = EVENTS.next();
        assertEquals("close null", close);
    }

    @Test
    void theClientPingsWhenAsked() throws Exception {
        WebSocketClientConnection c = client.runSync(() -> WebSocket.connect(ws(),
                WebSocketClientConnection.Options.builder().pingInterval(0.05).build()), WAIT);
        String e;
        do {
            e = EVENTS.next();
            assertNotNull(e);
        } while (!e.equals("ping"));
        client.runSync(() -> {
            c.close();
            return CompletableFuture.completedFuture(null);
        }, WAIT);
    }
}
