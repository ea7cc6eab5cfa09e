package io.tornadoj.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.web.Application;
import io.tornadoj.web.TestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.tornadoj.web.Web.url;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Live interoperability with Python Tornado's WebSocket client and server (permessage-deflate, subprotocols,
 * the close handshake with codes and reasons). Skipped unless {@code /usr/bin/python3} (or the system property
 * {@code tornado.interop.python}) imports tornado.
 */
@Timeout(90)
class WebSocketInteropTest {
    private static final String PYTHON = System.getProperty("tornado.interop.python", "/usr/bin/python3");
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static String script;

    /** Echo with compression; picks "chat"; reports its close. */
    static class Echo extends WebSocketTest.Echo {
        @Override
        public Map<String, Object> getCompressionOptions() {
            return Map.of();
        }

        @Override
        public String selectSubprotocol(List<String> offered) {
            return offered.contains("chat") ? "chat" : null;
        }
    }

    @BeforeAll
    static void loadScript() throws Exception {
        try (InputStream in = WebSocketInteropTest.class.getResourceAsStream("/tornado_websocket_interop.py")) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @BeforeEach
    void needsTornado() throws Exception {
        boolean available;
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import tornado.websocket").redirectErrorStream(true).start();
            available = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (java.io.IOException e) {
            available = false;
        }
        assumeTrue(available, PYTHON + " cannot import tornado");
        WebSocketTest.EVENTS.startTest("interop");
    }

    private static Process python(String... args) throws Exception {
        String[] cmd = new String[args.length + 3];
        cmd[0] = PYTHON;
        cmd[1] = "-c";
        cmd[2] = script;
        System.arraycopy(args, 0, cmd, 3, args.length);
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    @Test
    void tornadosClientTalksToOurServer() throws Exception {
        try (TestServer server = TestServer.start(new Application(List.of(url("/echo", Echo.class))))) {
            Process p = python("client", "ws://127.0.0.1:" + server.port() + WebSocketTest.EVENTS.path("/echo"));
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            JsonNode r = new ObjectMapper().readTree(out);
            assertEquals("chat", r.get("subprotocol").asText());
            assertTrue(r.get("extensions").asText().startsWith("permessage-deflate"), out);
            assertEquals("h\u00e9llo ".repeat(100), r.get("text").asText());
            assertEquals(20, r.get("binary").size());
            assertEquals(0xff, r.get("binary").get(1).asInt());
            assertTrue(r.get("after_close").isNull());
            assertEquals(4000, r.get("close_code").asInt()); // our echo of its close
            assertEquals("close 4000 py bye", WebSocketTest.EVENTS.next());
        }
    }

    @Test
    void ourClientTalksToTornadosServer() throws Exception {
        Process p = python("server");
        try (IOLoop client = IOLoop.create()) {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            int port = Integer.parseInt(out.readLine().trim());
            WebSocketClientConnection c = client.runSync(() -> WebSocket.connect("ws://127.0.0.1:" + port + "/echo",
                    WebSocketClientConnection.Options.builder().compressionOptions(Map.of()).build()), WAIT);
            assertTrue(c.channel().pipeline().names().stream().anyMatch(n -> n.contains("PerMessageDeflate")));
            String text = "\u65e5\u672c\u8a9e ".repeat(200);
            client.runSync(() -> c.writeMessage(text), WAIT);
            assertEquals(text, client.runSync(c::readMessage, WAIT));
            byte[] bytes = {1, 2, 3, (byte) 0x80};
            client.runSync(() -> c.writeMessage(bytes), WAIT);
            assertArrayEquals(bytes, (byte[]) client.runSync(c::readMessage, WAIT));
            client.runSync(() -> {
                c.close(4001, "java bye");
                return CompletableFuture.completedFuture(null);
            }, WAIT);
            assertEquals(null, client.runSync(c::readMessage, WAIT));
            assertEquals(4001, client.runSync(() -> CompletableFuture.completedFuture(c.closeCode()), WAIT));
            assertEquals("closed 4001 java bye", out.readLine());
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        } finally {
            p.destroy();
        }
    }
}
