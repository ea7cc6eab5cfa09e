package io.tornadoj.testing;

import io.tornadoj.httpserver.HTTPServer;
import io.tornadoj.web.Application;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.tornadoj.web.Web.url;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** getHttpServerOptions() is what the test server runs with. */
@SuppressWarnings("try") // ExpectLog blocks often only need to be open
class HttpServerOptionsTest extends AsyncHTTPTestCase {
    @Override
    protected Application getApp() {
        return new Application(List.of(url("/echo", AsyncHTTPTestCaseTest.Echo.class)));
    }

    @Override
    protected HTTPServer.Options getHttpServerOptions() {
        return HTTPServer.Options.builder().maxBodySize(1024).build();
    }

    @Test
    void aBodyOverTheServersLimitIs413() throws Exception {
        assertEquals(200, fetch("/echo", b -> b.method("POST").body("x".repeat(1024))).code());
        try (ExpectLog log = new ExpectLog("tornado.general", "Malformed HTTP request", false)) {
            assertEquals(413, fetch("/echo", b -> b.method("POST").body("x".repeat(2048))).code());
        }
    }
}
