package io.tornadoj.websocket;

import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.ioloop.Transport;
import io.tornadoj.web.Application;
import io.tornadoj.web.TestServer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static io.tornadoj.web.Web.url;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The upgrade and the flow control (reading paused while a message's stage is pending, on both ends) on
 * every transport: a burst of messages to a handler that takes a loop turn over each comes back whole and in
 * order, and a large binary message survives.
 */
@Timeout(60)
class WebSocketTransportsTest {
    private static final String TRANSPORTS = "io.tornadoj.testsupport.Transports#available";
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** Echoes each message after a 1 ms timeout. */
    static class Deferred extends WebSocketHandler {
        @Override
        public CompletionStage<?> onMessage(String message) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            IOLoop.current().callLater(0.001, () -> writeMessage(message).thenRun(() -> f.complete(null)));
            return f;
        }

        @Override
        public CompletionStage<?> onMessage(byte[] message) {
            return writeMessage(message);
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void burstsComeBackInOrder(Transport t) throws Exception {
        try (TestServer server = TestServer.start(new Application(List.of(url("/ws", Deferred.class))), t);
             IOLoop client = IOLoop.create(t)) {
            WebSocketClientConnection c = client.runSync(
                    () -> WebSocket.connect("ws://127.0.0.1:" + server.port() + "/ws"), WAIT);
            int n = 200;
            List<Object> received = client.runSync(() -> {
                for (int i = 0; i < n; i++) {
                    c.writeMessage("message " + i);
                }
                List<Object> out = new ArrayList<>();
                CompletableFuture<List<Object>> all = new CompletableFuture<>();
                readInto(c, out, n, all);
                return all;
            }, WAIT);
            for (int i = 0; i < n; i++) {
                assertEquals("message " + i, received.get(i));
            }
            byte[] big = new byte[1024 * 1024];
            for (int i = 0; i < big.length; i++) {
                big[i] = (byte) i;
            }
            client.runSync(() -> c.writeMessage(big), WAIT);
            assertArrayEquals(big, (byte[]) client.runSync(c::readMessage, WAIT));
            client.runSync(() -> {
                c.close();
                return CompletableFuture.completedFuture(null);
            }, WAIT);
            assertNull(client.runSync(c::readMessage, WAIT));
        }
    }

    private static void readInto(WebSocketClientConnection c, List<Object> out, int n,
                                 CompletableFuture<List<Object>> all) {
        c.readMessage().whenComplete((m, e) -> {
            if (e != null) {
                all.completeExceptionally(e);
            } else if (out.add(m) && out.size() == n) {
                all.complete(out);
            } else {
                readInto(c, out, n, all);
            }
        });
    }
}
