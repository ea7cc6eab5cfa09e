package io.tornadoj.httpclient;

import io.tornadoj.httpserver.HTTPServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static io.tornadoj.httpclient.Fixture.await;
import static io.tornadoj.httpclient.Fixture.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redirects (Tornado's test_follow_redirect, test_max_redirects, test_redirect_without_location,
 * test_method_after_redirect, test_redirect_put_with/without_body): following, limits, method rewriting,
 * effectiveUrl, Host across hosts.
 */
@org.junit.jupiter.api.Timeout(60)
class RedirectTest {
    private Fixture fx;
    private HTTPServer server;
    private AsyncHTTPClient client;

    @BeforeEach
    void setUp() throws Exception {
        fx = new Fixture();
        server = fx.serve(TestApp.app());
        client = fx.client();
    }

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    private String url(String path) {
        return Fixture.url(server, path);
    }

    private static String redirect(String to, int status) {
        return "/redirect?url=" + URLEncoder.encode(to, StandardCharsets.UTF_8) + "&status=" + status;
    }

    @Test
    void followsRedirects() throws Exception {
        HTTPResponse r = await(client.fetch(url("/countdown/2")));
        assertEquals(200, r.code());
        assertEquals("Zero", r.bodyAsString());
        assertEquals(url("/countdown/0"), r.effectiveUrl());
        // the response keeps the request as made
        assertEquals(url("/countdown/2"), r.request().url());
    }

    @Test
    void notFollowed() throws Exception {
        HTTPRequest req = HTTPRequest.builder(url("/countdown/2")).followRedirects(false).build();
        HTTPClientError e = failure(HTTPClientError.class, client.fetch(req));
        assertEquals(302, e.code());
        assertEquals("/countdown/1", e.response().headers().get("Location"));
        HTTPResponse r = await(client.fetch(req, false));
        assertEquals(302, r.code());
        assertEquals(url("/countdown/2"), r.effectiveUrl());
        assertNotNull(r.error());
    }

    @Test
    void maxRedirectsExceededReturnsTheLastRedirect() throws Exception {
        HTTPRequest req = HTTPRequest.builder(url("/countdown/5")).maxRedirects(3).build();
        HTTPResponse r = await(client.fetch(req, false));
        assertEquals(302, r.code());
        assertEquals(url("/countdown/2"), r.effectiveUrl());
        assertEquals("/countdown/1", r.headers().get("Location"));
        HTTPClientError e = failure(HTTPClientError.class, client.fetch(req));
        assertEquals(302, e.code());
        assertEquals(url("/countdown/2"), e.response().effectiveUrl());
        // exactly enough redirects is fine
        HTTPResponse ok = await(client.fetch(HTTPRequest.builder(url("/countdown/3")).maxRedirects(3).build()));
        assertEquals("Zero", ok.bodyAsString());
        // and the default is 5
        assertEquals("Zero", await(client.fetch(url("/countdown/5"))).bodyAsString());
        assertEquals(302, await(client.fetch(new HTTPRequest(url("/countdown/6")), false)).code());
        assertEquals(302, await(client.fetch(HTTPRequest.builder(url("/countdown/1")).maxRedirects(0).build(), false)).code());
    }

    @Test
    void redirectWithoutLocationIsReturned() throws Exception {
        RawServer raw = fx.raw((c, i) -> {
            while (c.readRequest() != null) {
                c.write("HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n");
            }
        });
        HTTPResponse r = await(client.fetch(new HTTPRequest(raw.url("/")), false));
        assertEquals(302, r.code());
        assertNull(r.headers().get("Location"));
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
            "POST, 301, GET",
            "POST, 302, GET",
            "POST, 303, GET",
            "POST, 307, POST",
            "POST, 308, POST",
            "PUT, 301, PUT",
            "PUT, 302, PUT",
            "PUT, 303, GET",
            "PUT, 307, PUT",
            "PATCH, 303, GET",
            "PATCH, 308, PATCH",
            "DELETE, 303, GET",
            "DELETE, 302, DELETE",
            "GET, 303, GET",
            "GET, 307, GET"})
    void methodAfterRedirect(String method, int status, String expected) throws Exception {
        boolean hasBody = method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
        HTTPRequest.Builder b = HTTPRequest.builder(url(redirect("/echo", status))).method(method);
        if (hasBody) {
            b.body("the body");
        }
        HTTPResponse r = await(client.fetch(b.build()));
        assertEquals(200, r.code());
        assertEquals(url("/echo"), r.effectiveUrl());
        boolean keepsBody = hasBody && expected.equals(method);
        assertEquals(expected + ":" + (keepsBody ? "the body" : ""), r.bodyAsString());
    }

    @Test
    void headStaysHeadOn303() throws Exception {
        HTTPResponse r = await(client.fetch(HTTPRequest.builder(url(redirect("/echo", 303))).method("HEAD").build()));
        assertEquals(200, r.code());
        assertEquals("HEAD", r.headers().get("X-Method"));
    }

    @Test
    void rewriteToGetDropsBodyHeaders() throws Exception {
        RawServer raw = fx.raw((c, i) -> {
            RawServer.Request req;
            while ((req = c.readRequest()) != null) {
                if (req.target().equals("/start")) {
                    c.write("HTTP/1.1 302 Found\r\nLocation: /next\r\nContent-Length: 0\r\n\r\n");
                } else {
                    c.respond("ok");
                }
            }
        });
        HTTPRequest req = HTTPRequest.builder(raw.url("/start")).method("POST").body("payload")
                .header("Content-Type", "application/x-www-form-urlencoded").header("X-Keep", "kept").build();
        assertEquals("ok", await(client.fetch(req)).bodyAsString());
        RawServer.Request second = raw.requests.get(1);
        assertEquals("GET /next HTTP/1.1", second.requestLine);
        assertNull(second.header("Content-Length"));
        assertNull(second.header("Content-Type"));
        assertNull(second.header("Transfer-Encoding"));
        assertEquals("kept", second.header("X-Keep"));
        assertEquals(0, second.body.length);
        assertEquals("payload", raw.requests.get(0).bodyAsString());
        // and the redirect went over the same kept-alive connection
        assertEquals(1, raw.accepted.get());
    }

    @Test
    void redirectKeepsBodyProducerFor307() throws Exception {
        AtomicInteger produced = new AtomicInteger();
        HTTPRequest req = HTTPRequest.builder(url(redirect("/echo", 307))).method("POST").bodyProducer(write -> {
            produced.incrementAndGet();
            return write.apply("stream".getBytes(StandardCharsets.UTF_8)).thenCompose(v -> write.apply("ed".getBytes(StandardCharsets.UTF_8)));
        }).build();
        assertEquals("POST:streamed", await(client.fetch(req)).bodyAsString());
        assertEquals(2, produced.get(), "the producer runs once per request sent");
    }

    @Test
    void redirectToAnotherServerUpdatesHost() throws Exception {
        HTTPServer other = fx.serve(TestApp.app());
        String target = "http://localhost:" + Fixture.port(other) + "/header/Host";
        AsyncHTTPClient c = fx.client(AsyncHTTPClient.Options.builder()
                .hostnameMapping(java.util.Map.of("localhost", "127.0.0.1")).build());
        HTTPResponse r = await(c.fetch(HTTPRequest.builder(url(redirect(target, 302))).build()));
        assertEquals("localhost:" + Fixture.port(other), r.bodyAsString());
        assertEquals(target, r.effectiveUrl());
    }

    @Test
    void relativeAndAbsoluteLocations() throws Exception {
        RawServer raw = fx.raw((c, i) -> {
            RawServer.Request req;
            while ((req = c.readRequest()) != null) {
                switch (req.target()) {
                    case "/a/b":
                        c.write("HTTP/1.1 301 Moved Permanently\r\nLocation: c?x=1\r\nContent-Length: 0\r\n\r\n");
                        break;
                    case "/a/c?x=1":
                        c.write("HTTP/1.1 302 Found\r\nLocation: ../d\r\nContent-Length: 0\r\n\r\n");
                        break;
                    default:
                        c.respond(req.target());
                }
            }
        });
        HTTPResponse r = await(client.fetch(raw.url("/a/b")));
        assertEquals("/d", r.bodyAsString());
        assertEquals(raw.url("/d"), r.effectiveUrl());
    }

    @Test
    void badLocationFails() throws Exception {
        RawServer raw = fx.raw((c, i) -> {
            while (c.readRequest() != null) {
                c.write("HTTP/1.1 302 Found\r\nLocation: ftp://elsewhere/x\r\nContent-Length: 0\r\n\r\n");
            }
        });
        HTTPClientError e = failure(HTTPClientError.class, client.fetch(raw.url("/")));
        assertEquals(599, e.code());
        assertTrue(e.getMessage().contains("Unsupported url scheme"), e.getMessage());
    }

    @Test
    void redirectLoopStopsAtTheLimit() throws Exception {
        HTTPResponse r = await(client.fetch(HTTPRequest.builder(url(redirect("/redirect?url=/countdown/9", 302)))
                .maxRedirects(2).build(), false));
        assertEquals(302, r.code());
        assertFalse(r.effectiveUrl().endsWith("/countdown/0"));
    }

    @Test
    void callbacksSeeOnlyTheFinalResponse() throws Exception {
        // Tornado skips header_callback and streaming_callback for a redirect it follows
        RawServer raw = fx.raw((c, i) -> {
            RawServer.Request req;
            while ((req = c.readRequest()) != null) {
                if (req.target().equals("/from")) {
                    c.write("HTTP/1.1 302 Found\r\nLocation: /to\r\nX-Hop: first\r\nContent-Length: 14\r\n\r\nredirect body!");
                } else {
                    c.write("HTTP/1.1 200 OK\r\nX-Hop: final\r\nContent-Length: 10\r\n\r\nfinal body");
                }
            }
        });
        java.util.List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        StringBuilder streamed = new StringBuilder();
        HTTPResponse r = await(client.fetch(HTTPRequest.builder(raw.url("/from")).headerCallback(lines::add)
                .streamingCallback(b -> streamed.append(new String(b, StandardCharsets.UTF_8))).build()));
        assertEquals(200, r.code());
        assertEquals("final body", streamed.toString());
        assertEquals("HTTP/1.1 200 OK\r\n", lines.get(0));
        assertTrue(lines.contains("X-Hop: final\r\n"), lines.toString());
        assertFalse(lines.contains("X-Hop: first\r\n"), lines.toString());
        assertEquals(1, lines.stream().filter("\r\n"::equals).count(), lines.toString());
        // not followed: the 3xx is the final response and the callbacks get it
        lines.clear();
        streamed.setLength(0);
        HTTPResponse r302 = await(client.fetch(HTTPRequest.builder(raw.url("/from")).followRedirects(false).headerCallback(lines::add)
                .streamingCallback(b -> streamed.append(new String(b, StandardCharsets.UTF_8))).build(), false));
        assertEquals(302, r302.code());
        assertEquals("redirect body!", streamed.toString());
        assertEquals("HTTP/1.1 302 Found\r\n", lines.get(0));
    }

    @Test
    void redirectsInParallelWithMaxClientsOne() throws Exception {
        // Tornado's test_redirect_connection_limit: a redirect must not deadlock waiting for its own slot
        AsyncHTTPClient one = fx.client(AsyncHTTPClient.Options.builder().maxClients(1).build());
        CompletableFuture<HTTPResponse> a = one.fetch(url("/countdown/3"));
        CompletableFuture<HTTPResponse> b = one.fetch(url("/countdown/3"));
        assertEquals("Zero", await(a).bodyAsString());
        assertEquals("Zero", await(b).bodyAsString());
    }
}
