package io.tornadoj.httpclient;

import io.tornadoj.httpserver.HTTPServer;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.web.Application;
import io.tornadoj.web.RequestHandler;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.tornadoj.web.Web.url;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

@org.junit.jupiter.api.Timeout(30)
class SmokeTest {
    public static class Hello extends RequestHandler {
        public void get() {
            write("Hello, world");
        }

        public void post() {
            write("got " + request().body().length);
        }
    }

    public static class Moved extends RequestHandler {
        public void get() {
            redirect("/hello");
        }
    }

    @Test
    void basics() throws Exception {
        try (IOLoop loop = IOLoop.create(); HTTPClient client = new HTTPClient()) {
            Application app = new Application(List.of(url("/hello", Hello.class), url("/moved", Moved.class)));
            HTTPServer server = loop.runSync(() -> CompletableFuture.completedFuture(app.listen(0, "127.0.0.1")));
            String base = "http://127.0.0.1:" + server.boundAddresses().get(0).getPort();
            for (int i = 0; i < 3; i++) {
                assertEquals("Hello, world", client.fetch(base + "/hello").bodyAsString());
            }
            HTTPResponse moved = client.fetch(base + "/moved");
            assertEquals(200, moved.code());
            assertEquals(base + "/hello", moved.effectiveUrl());
            HTTPClientError e = assertThrows(HTTPClientError.class, () -> client.fetch(base + "/nope"));
            assertEquals(404, e.code());
            assertEquals(404, client.fetch(new HTTPRequest(base + "/nope"), false).code());
            assertEquals("got 5", client.fetch(HTTPRequest.builder(base + "/hello").method("POST").body("abcde").build()).bodyAsString());
            server.stop().join();
        }
    }
}
