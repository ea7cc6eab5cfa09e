package io.tornadoj.examples.web;

import io.tornadoj.httpserver.HTTPServer;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.web.Application;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class WebExamplesTest {
    private static HttpResponse<String> get(int port, String path) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int serve(IOLoop loop, Application app, HTTPServer[] out) throws Exception {
        out[0] = loop.runSync(() -> CompletableFuture.completedFuture(app.listen(0, "127.0.0.1")));
        return out[0].boundAddresses().get(0).getPort();
    }

    @Test
    void helloWorldAnswersLikeTornadosFrontPage() throws Exception {
        try (IOLoop loop = IOLoop.create()) {
            HTTPServer[] server = new HTTPServer[1];
            int port = serve(loop, HelloWorld.makeApp(), server);
            HttpResponse<String> r = get(port, "/");
            assertEquals(200, r.statusCode());
            assertEquals("Hello, world", r.body());
            assertEquals("text/html; charset=UTF-8", r.headers().firstValue("Content-Type").orElse(""));
            server[0].stop().join();
        }
    }

    @Test
    void asyncHandlersAwaitATimeoutAndStream() throws Exception {
        try (IOLoop loop = IOLoop.create()) {
            HTTPServer[] server = new HTTPServer[1];
            int port = serve(loop, AsyncHandlers.makeApp(), server);
            long start = System.nanoTime();
            HttpResponse<String> r = get(port, "/sleep/200");
            assertTrue(System.nanoTime() - start >= 200_000_000L);
            assertEquals(200, r.statusCode());
            assertTrue(r.body().replace(" ", "").contains("\"slept_ms\":200"), r.body());
            HttpResponse<String> s = get(port, "/stream");
            assertEquals("chunk 1\nchunk 2\nchunk 3\n", s.body());
            assertTrue(s.headers().firstValue("Content-Length").isEmpty(), "streamed: chunked, no Content-Length");
            server[0].stop().join();
        }
    }
}
