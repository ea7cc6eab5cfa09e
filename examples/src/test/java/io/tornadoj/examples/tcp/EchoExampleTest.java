package io.tornadoj.examples.tcp;

import io.tornadoj.ioloop.IOLoop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;

@Timeout(30)
class EchoExampleTest {
    @Test
    void theLineClientGetsEveryLineBackFromTheEchoServer() throws Exception {
        try (IOLoop serverLoop = IOLoop.create()) {
            EchoServer server = new EchoServer();
            serverLoop.runSync(() -> {
                server.listen(0, "127.0.0.1");
                return CompletableFuture.completedFuture(null);
            });
            int port = server.boundAddresses().get(0).getPort();
            List<String> lines = List.of("hello", "tornado-j", "\u00e9t\u00e9", "");
            assertEquals(lines, LineClient.run("127.0.0.1", port, lines));
            // a second client on the same server
            assertEquals(List.of("again"), LineClient.run("localhost", port, List.of("again")));
            server.stop().join();
        }
    }
}
