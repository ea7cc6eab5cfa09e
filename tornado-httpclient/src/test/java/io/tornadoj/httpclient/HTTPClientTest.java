package io.tornadoj.httpclient;

import io.tornadoj.httpserver.HTTPServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The blocking {@link HTTPClient} (Tornado's SyncHTTPClientTest): its own loop, blocking fetches, errors. */
@org.junit.jupiter.api.Timeout(60)
class HTTPClientTest {
    private Fixture fx;
    private HTTPServer server;
    private HTTPClient client;

    @BeforeEach
    void setUp() throws Exception {
        fx = new Fixture();
        server = fx.serve(TestApp.app());
        client = fx.closeLater(new HTTPClient());
    }

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    private String url(String path) {
        return Fixture.url(server, path);
    }

    @Test
    void fetches() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertEquals("Hello world!", client.fetch(url("/hello")).bodyAsString());
        }
        assertEquals("POST:abc", client.fetch(HTTPRequest.builder(url("/echo")).method("POST").body("abc").build()).bodyAsString());
        HTTPResponse moved = client.fetch(url("/countdown/1"));
        assertEquals(url("/countdown/0"), moved.effectiveUrl());
    }

    @Test
    void errors() throws Exception {
        HTTPClientError e = assertThrows(HTTPClientError.class, () -> client.fetch(url("/status/404")));
        assertEquals(404, e.code());
        assertNotNull(e.response());
        HTTPResponse r = client.fetch(new HTTPRequest(url("/status/404")), false);
        assertEquals(404, r.code());
        assertThrows(HTTPClientError.class, r::rethrow);

        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        HTTPClientError refused = assertThrows(HTTPClientError.class, () -> client.fetch("http://127.0.0.1:" + port + "/"));
        assertEquals(599, refused.code());
        assertEquals(599, client.fetch(new HTTPRequest("http://127.0.0.1:" + port + "/"), false).code());

        HTTPTimeoutError timeout = assertThrows(HTTPTimeoutError.class,
                () -> client.fetch(HTTPRequest.builder(url("/slow?delay=5")).requestTimeout(0.05).build()));
        assertEquals(599, timeout.code());

        assertThrows(IllegalArgumentException.class,
                () -> client.fetch(HTTPRequest.builder(url("/echo")).method("POST").build()));
        assertThrows(IllegalArgumentException.class, () -> client.fetch("gopher://127.0.0.1/"));
    }

    @Test
    void options() throws Exception {
        try (HTTPClient custom = new HTTPClient(AsyncHTTPClient.Options.builder()
                .defaults(java.util.Map.of("user_agent", "Blocking/1")).build())) {
            assertEquals("Blocking/1", custom.fetch(url("/header/User-Agent")).bodyAsString());
        }
    }

    @Test
    void manyThreadsShareOneClient() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> fs = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                int n = i;
                fs.add(pool.submit(() -> client.fetch(url("/hello?name=" + n)).bodyAsString()));
            }
            for (int i = 0; i < 12; i++) {
                assertEquals("Hello " + i + "!", fs.get(i).get(15, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void closedClientRefusesFetches() throws Exception {
        HTTPClient c = new HTTPClient();
        assertEquals(200, c.fetch(url("/hello")).code());
        c.close();
        RuntimeException e = assertThrows(RuntimeException.class, () -> c.fetch(url("/hello")));
        assertTrue(e instanceof IllegalStateException, e.toString());
    }
}
