package io.tornadoj.testing;

import io.tornadoj.httpclient.HTTPResponse;
import io.tornadoj.httpserver.HTTPServer;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.web.Application;
import io.tornadoj.web.RequestHandler;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.tornadoj.web.Web.url;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** AsyncHTTPTestCase: a server on a free port per test, fetch() that never raises on a status, URLs. */
@SuppressWarnings("try") // ExpectLog blocks often only need to be open
class AsyncHTTPTestCaseTest extends AsyncHTTPTestCase {
    /** Says hello. */
    public static class Hello extends RequestHandler {
        /** Writes the greeting. */
        public void get() {
            write("Hello");
        }
    }

    /** Raises. */
    public static class Fail extends RequestHandler {
        /** Always fails. */
        public void get() {
            throw new IllegalStateException("handler failed");
        }
    }

    /** Echoes the body, method and one header. */
    public static class Echo extends RequestHandler {
        /** Echoes. */
        public void post() {
            setHeader("X-Method", request().method());
            setHeader("X-Seen", String.valueOf(request().headers().get("X-Test")));
            write(request().body());
        }

        /** Echoes. */
        public void put() {
            post();
        }
    }

    /** Answers the status in the path. */
    public static class Status extends RequestHandler {
        /** @param code the status */
        public void get(String code) {
            setStatus(Integer.parseInt(code));
        }
    }

    private boolean serverReadyInSetUp;

    @Override
    protected Application getApp() {
        return new Application(List.of(url("/hello", Hello.class), url("/fail", Fail.class),
                url("/echo", Echo.class), url("/status/(\\d+)", Status.class)));
    }

    @BeforeEach
    void subclassSetUp() {
        serverReadyInSetUp = httpServer != null && httpClient != null && !httpServer.boundAddresses().isEmpty();
    }

    @Test
    void fetchGetsAPathFromTheTestServer() throws Exception {
        assertTrue(serverReadyInSetUp, "server and client are ready in a subclass @BeforeEach");
        HTTPResponse r = fetch("/hello");
        assertEquals(200, r.code());
        assertEquals("Hello", r.bodyAsString());
        // Tornado's test_fetch_segment
        assertEquals(getUrl("/hello"), r.request().url());
    }

    @Test
    void fetchDoesNotRaiseOn404() throws Exception {
        try (ExpectLog log = new ExpectLog("tornado.access", "404 GET /missing")) {
            HTTPResponse r = fetch("/missing");
            assertEquals(404, r.code());
            assertNotNull(r.error());
        }
    }

    @Test
    void fetchDoesNotRaiseOn500() throws Exception {
        try (ExpectLog app = new ExpectLog("tornado.application", "Uncaught exception");
             ExpectLog access = new ExpectLog("tornado.access", "500 GET /fail")) {
            assertEquals(500, fetch("/fail").code());
        }
    }

    /** fetch declares no checked exception: this method has no throws clause. */
    @Test
    void fetchDoesNotRaiseOnAnyStatus() {
        try (ExpectLog access = new ExpectLog("tornado.access", "(503|418) GET", false)) {
            assertEquals(503, fetch("/status/503").code());
            assertEquals(418, fetch("/status/418").code());
        }
        assertEquals(204, fetch("/status/204").code());
    }

    @Test
    void fetchWithRequestOptions() throws Exception {
        HTTPResponse r = fetch("/echo", b -> b.method("POST").body("payload").header("X-Test", "yes"));
        assertEquals(200, r.code());
        assertEquals("payload", r.bodyAsString());
        assertEquals("POST", r.headers().get("X-Method"));
        assertEquals("yes", r.headers().get("X-Seen"));
        assertEquals("PUT", fetch("/echo", b -> b.method("PUT").body("x")).headers().get("X-Method"));
    }

    /** An invalid request raises the client's unchecked exception as it is; a refused connection is a 599. */
    @Test
    void fetchRaisesOnlyUncheckedExceptionsForRequestsThatCannotBeMade() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fetch("/echo", b -> b.method("POST")));
        assertTrue(e.getMessage().contains("Body must not be null"), e.getMessage());
        HTTPResponse refused = fetch("http://127.0.0.1:" + bindUnusedPort() + "/");
        assertEquals(599, refused.code());
        assertNotNull(refused.error());
    }

    @Test
    void fetchWithOptionsDoesNotRaiseOnAStatusEither() {
        try (ExpectLog access = new ExpectLog("tornado.access", "405 DELETE /hello")) {
            assertEquals(405, fetch("/hello", b -> b.method("DELETE")).code());
        }
    }

    /** Tornado's test_fetch_full_http_url: an absolute URL is fetched as it is. */
    @Test
    void fetchTakesAnAbsoluteUrlAsItIs() throws Exception {
        HTTPServer second = ioLoop.runSync(() -> {
            HTTPServer s = new HTTPServer(getApp());
            s.listen(0, "127.0.0.1");
            return CompletableFuture.completedFuture(s);
        });
        try {
            String url = "http://127.0.0.1:" + second.boundAddresses().get(0).getPort() + "/hello";
            HTTPResponse r = fetch(url);
            assertEquals(200, r.code());
            assertEquals(url, r.request().url());
        } finally {
            ioLoop.runSync(() -> second.stop().thenCompose(v -> second.closeAllConnections()));
        }
    }

    @Test
    void urlsPortAndProtocol() throws Exception {
        int port = getHttpPort();
        assertEquals(httpServer.boundAddresses().get(0).getPort(), port);
        assertTrue(port > 0);
        assertEquals("http", getProtocol());
        assertEquals("http://127.0.0.1:" + port + "/a/b?c=d", getUrl("/a/b?c=d"));
        try (Socket s = new Socket("127.0.0.1", port)) {
            assertTrue(s.isConnected());
        }
    }

    @Test
    void theServerAndClientRunOnTheTestLoop() throws Exception {
        assertSame(ioLoop, IOLoop.current());
        assertEquals(200, fetch("/hello").code());
        assertEquals(200, await(ioLoop.runSync(() -> CompletableFuture.completedFuture(httpClient.fetch(getUrl("/hello")))))
                .code());
    }
}
