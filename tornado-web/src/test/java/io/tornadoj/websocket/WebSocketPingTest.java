package io.tornadoj.websocket;

import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.web.Application;
import io.tornadoj.web.Settings;
import io.tornadoj.web.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

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
    static final LinkedBlockingQueue<String> EVENTS = new LinkedBlockingQueue<>();

    private static TestServer server;
    private static IOLoop client;

    /** Records pongs, pings and the close. */
    static class Recorder extends WebSocketHandler {
        @Override
        public void onPong(byte[] data) {
            EVENTS.add("pong");
        }

        @Override
        public void onPing(byte[] data) {
            EVENTS.add("ping");
        }

        @Override
        public void onClose() {
            EVENTS.add("close " + closeCode());
        }
    }

    @BeforeAll
    static void start() {
        server = TestServer.start(new Application(List.of(url("/ws", Recorder.class)), Settings.builder()
                .websocketPingInterval(Duration.ofMillis(100))
                .websocketPingTimeout(Duration.ofMillis(500))
                .build()));
        client = IOLoop.create();
    }

    @AfterAll
    static void stop() {
        server.close();
        client.close();
    }

    @BeforeEach
    void reset() {
        EVENTS.clear();
    }

    @Test
    void theServerPingsAndTheClientAnswers() throws Exception {
        WebSocketClientConnection c = client.runSync(() -> WebSocket.connect("ws://127.0.0.1:" + server.port() + "/ws"),
                WAIT);
        for (int i = 0; i < 3; i++) {
            assertEquals("pong", EVENTS.poll(10, TimeUnit.SECONDS));
        }
        Thread.sleep(700); // longer than the timeout: answered pings keep the connection open
        assertNull(client.runSync(() -> CompletableFuture.completedFuture(c.closeCode()), WAIT));
        assertTrue(EVENTS.stream().allMatch("pong"::equals), EVENTS.toString());
        client.runSync(() -> {
            c.close();
            return CompletableFuture.completedFuture(null);
        }, WAIT);
        assertNull(client.runSync(c::readMessage, WAIT));
    }

    @Test
    void aPeerThatNeverPongsIsClosed() throws Exception {
        try (RawWebSocket raw = new RawWebSocket(server, "/ws")) {
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
        String close = EVENTS.poll(10, TimeUnit.SECONDS);
        assertEquals("close null", close);
    }

    @Test
    void theClientPingsWhenAsked() throws Exception {
        WebSocketClientConnection c = client.runSync(() -> WebSocket.connect("ws://127.0.0.1:" + server.port() + "/ws",
                WebSocketClientConnection.Options.builder().pingInterval(0.05).build()), WAIT);
        String e;
        do {
            e = EVENTS.poll(10, TimeUnit.SECONDS);
            assertNotNull(e);
        } while (!e.equals("ping"));
        client.runSync(() -> {
            c.close();
            return CompletableFuture.completedFuture(null);
        }, WAIT);
    }
}
