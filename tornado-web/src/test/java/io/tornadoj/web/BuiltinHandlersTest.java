package io.tornadoj.web;

import io.tornadoj.httputil.HTTPConnection;
import io.tornadoj.httputil.HTTPHeaders;
import io.tornadoj.httputil.HTTPMessageDelegate;
import io.tornadoj.httputil.HTTPServerConnectionDelegate;
import io.tornadoj.httputil.RequestStartLine;
import io.tornadoj.httputil.ResponseStartLine;
import io.tornadoj.testsupport.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

import static io.tornadoj.web.Web.url;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link RedirectHandler}, {@link ErrorHandler}, {@link FallbackHandler} (Tornado's RedirectHandlerTest...). */
@Timeout(60)
class BuiltinHandlersTest {
    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Answers with the request line and body it was handed. */
    static final class PlainDelegate implements HTTPServerConnectionDelegate {
        @Override
        public HTTPMessageDelegate startRequest(Object serverConnection, HTTPConnection conn) {
            return new HTTPMessageDelegate() {
                private final ByteArrayOutputStream body = new ByteArrayOutputStream();
                private RequestStartLine start;

                @Override
                public CompletionStage<?> headersReceived(RequestStartLine startLine, HTTPHeaders headers) {
                    start = startLine;
                    return null;
                }

                @Override
                public CompletionStage<?> dataReceived(byte[] chunk) {
                    body.writeBytes(chunk);
                    return null;
                }

                @Override
                public void finish() {
                    byte[] out = ("plain " + start.method() + " " + start.path() + " "
                            + body.toString(StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
                    HTTPHeaders h = new HTTPHeaders();
                    h.set("Content-Length", Integer.toString(out.length));
                    h.set("X-Plain", "1");
                    conn.writeHeaders(new ResponseStartLine("HTTP/1.1", 200, "OK"), h, out);
                    conn.finish();
                }

                @Override
                public void onConnectionClose() {
                }
            };
        }
    }

    public static class Inner extends RequestHandler {
        public void get() {
            write("inner get " + request().path() + " " + getArgument("q", "-"));
        }

        public void post() {
            write("inner post " + getBodyArgument("field"));
        }
    }

    public static class Outer extends RequestHandler {
        public void get() {
            write("outer");
        }
    }

    // ------------------------------------------------------------------ RedirectHandler

    @Test
    void redirectHandler() {
        server = TestServer.start(new Application(List.of(
                url("/src", RedirectHandler.class, Map.of("url", "/dst")),
                url("/src2", RedirectHandler.class, Map.of("url", "/dst2?foo=bar")),
                url("/temporary", RedirectHandler.class, Map.of("url", "/dst", "permanent", false)),
                url("/with_status", RedirectHandler.class, Map.of("url", "/dst", "status", 308)),
                url("/named/(?P<id>\\d+)", RedirectHandler.class, Map.of("url", "/items/{id}?n={0}")),
                url("//double_slash", RedirectHandler.class, Map.of("url", "/dst")),
                url("/(.*?)/(.*?)/(.*)", RedirectHandler.class, Map.of("url", "/{1}/{0}/{2}")))));

        HttpResponse<String> r = server.get("/src");
        assertEquals(301, r.statusCode());
        assertEquals("/dst", r.headers().firstValue("Location").orElseThrow());
        // the query is kept
        r = server.get("/src?foo=bar");
        assertEquals(301, r.statusCode());
        assertEquals("/dst?foo=bar", r.headers().firstValue("Location").orElseThrow());
        r = server.get("/src2?foo2=bar2");
        assertEquals("/dst2?foo=bar&foo2=bar2", r.headers().firstValue("Location").orElseThrow());
        // permanent=false → 302; an explicit status
        r = server.get("/temporary");
        assertEquals(302, r.statusCode());
        assertEquals("/dst", r.headers().firstValue("Location").orElseThrow());
        assertEquals(308, server.get("/with_status").statusCode());
        // groups replace {0}, {1}...
        r = server.get("/a/b/c");
        assertEquals(301, r.statusCode());
        assertEquals("/b/a/c", r.headers().firstValue("Location").orElseThrow());
        // named groups by name (and by position)
        assertEquals("/items/42?n=42", server.get("/named/42").headers().firstValue("Location").orElseThrow());
        RawHttp.Response raw = server.rawRequest("GET //double_slash HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertEquals(301, raw.code);
        assertEquals("/dst", raw.header("Location"));
        // only GET
        assertEquals(405, server.fetch("POST", "/src", "").statusCode());
    }

    @Test
    void redirectHandlerNeedsAUrl() {
        server = TestServer.start(new Application(List.of(url("/src", RedirectHandler.class))));
        try (LogCapture app = new LogCapture("tornado.application")) {
            assertEquals(500, server.get("/src").statusCode());
        }
    }

    // ------------------------------------------------------------------ ErrorHandler

    @Test
    void errorHandler() {
        server = TestServer.start(new Application(List.of(
                url("/error", ErrorHandler.class, Map.of("status_code", 417)),
                url("/gone", ErrorHandler.class, Map.of("status_code", 410)),
                url("/default", ErrorHandler.class))));
        assertEquals(417, server.get("/error").statusCode());
        assertEquals(417, server.fetch("POST", "/error", "").statusCode());
        assertEquals(417, server.fetch("DELETE", "/error", null).statusCode());
        HttpResponse<String> r = server.get("/gone");
        assertEquals(410, r.statusCode());
        assertEquals("<html><title>410: Gone</title><body>410: Gone</body></html>", r.body());
        assertEquals(404, server.get("/default").statusCode());
    }

    // ------------------------------------------------------------------ FallbackHandler

    @Test
    void fallbackToAnotherApplication() {
        Application inner = new Application(List.of(url("/inner/hello", Inner.class)));
        server = TestServer.start(new Application(List.of(
                url("/outer", Outer.class),
                url("/inner/.*", FallbackHandler.class, Map.of("fallback", inner)))));
        try (LogCapture access = new LogCapture("tornado.access")) {
            assertEquals("outer", server.get("/outer").body());
            assertEquals("inner get /inner/hello x", server.get("/inner/hello?q=x").body());
            HttpResponse<String> post = server.postForm("/inner/hello", "field=v%C3%A9");
            assertEquals(200, post.statusCode());
            assertEquals("inner post v\u00e9", post.body());
            // the inner application's own 404
            assertEquals(404, server.get("/inner/missing").statusCode());
            // each request is logged once, with the status the client saw
            List<String> lines = access.messages();
            assertEquals(4, lines.size(), lines.toString());
            assertTrue(lines.get(0).startsWith("200 GET /outer "), lines.toString());
            assertTrue(lines.get(1).startsWith("200 GET /inner/hello?q=x "), lines.toString());
            assertTrue(lines.get(2).startsWith("200 POST /inner/hello "), lines.toString());
            assertTrue(lines.get(3).startsWith("404 GET /inner/missing "), lines.toString());
        }
    }

    @Test
    void fallbackToAPlainConnectionDelegate() {
        server = TestServer.start(new Application(List.of(
                url("/outer", Outer.class),
                url("/plain.*", FallbackHandler.class, Map.of("fallback", new PlainDelegate())))));
        HttpResponse<String> r = server.get("/plain/x?y=1");
        assertEquals(200, r.statusCode());
        assertEquals("plain GET /plain/x?y=1 ", r.body());
        assertEquals("1", r.headers().firstValue("X-Plain").orElseThrow());
        r = server.fetch("PUT", "/plain", "the body");
        assertEquals("plain PUT /plain the body", r.body());
        // keep-alive still works after a fallback response
        try (RawHttp c = server.raw()) {
            c.send("GET /plain/1 HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("plain GET /plain/1 ", c.readResponse(false).text());
            c.send("GET /outer HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("outer", c.readResponse(false).text());
        }
    }

    @Test
    void fallbackNeedsADelegate() {
        server = TestServer.start(new Application(List.of(url("/f", FallbackHandler.class))));
        try (LogCapture app = new LogCapture("tornado.application")) {
            assertEquals(500, server.get("/f").statusCode());
        }
    }
}
