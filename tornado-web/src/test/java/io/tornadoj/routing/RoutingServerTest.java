package io.tornadoj.routing;

import io.tornadoj.httputil.HTTPConnection;
import io.tornadoj.httputil.HTTPHeaders;
import io.tornadoj.httputil.HTTPMessageDelegate;
import io.tornadoj.httputil.HTTPServerConnectionDelegate;
import io.tornadoj.httputil.HTTPServerRequest;
import io.tornadoj.httputil.RequestStartLine;
import io.tornadoj.httputil.ResponseStartLine;
import io.tornadoj.web.Application;
import io.tornadoj.web.HTTPError;
import io.tornadoj.web.RawHttp;
import io.tornadoj.web.RequestHandler;
import io.tornadoj.web.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

import static io.tornadoj.web.Web.url;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Routers served by an {@code HTTPServer} over loopback: Tornado's routing_test.py (BasicRouterTestCase,
 * RuleRouterTest, WSGIContainerTestCase-style nesting of an Application in a RuleRouter).
 */
@Timeout(60)
class RoutingServerTest {
    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Answers every request with a fixed body (Tornado's ConnectionDelegate). */
    static final class ConnectionDelegate implements HTTPServerConnectionDelegate {
        private final String body;

        ConnectionDelegate(String body) {
            this.body = body;
        }

        @Override
        public HTTPMessageDelegate startRequest(Object serverConnection, HTTPConnection conn) {
            return new Respond(conn, body);
        }
    }

    static final class Respond implements HTTPMessageDelegate {
        private final HTTPConnection conn;
        private final String body;

        Respond(HTTPConnection conn, String body) {
            this.conn = conn;
            this.body = body;
        }

        @Override
        public CompletionStage<?> headersReceived(RequestStartLine startLine, HTTPHeaders headers) {
            return null;
        }

        @Override
        public CompletionStage<?> dataReceived(byte[] chunk) {
            return null;
        }

        @Override
        public void finish() {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            HTTPHeaders h = new HTTPHeaders();
            h.set("Content-Length", Integer.toString(b.length));
            conn.writeHeaders(new ResponseStartLine("HTTP/1.1", 200, "OK"), h, null);
            conn.write(b);
            conn.finish();
        }

        @Override
        public void onConnectionClose() {
        }
    }

    /** Tornado's BasicRouter: one delegate for any request. */
    static final class BasicRouter implements Router {
        @Override
        public HTTPMessageDelegate findHandler(HTTPServerRequest request, Map<String, Object> kwargs) {
            return new Respond(request.connection(), "OK " + request.path());
        }
    }

    /** Tornado's CustomRouter: a ReversibleRouter by path. */
    static final class CustomRouter implements ReversibleRouter {
        private final Map<String, HTTPServerConnectionDelegate> routes;

        CustomRouter(Map<String, HTTPServerConnectionDelegate> routes) {
            this.routes = routes;
        }

        @Override
        public HTTPMessageDelegate findHandler(HTTPServerRequest request, Map<String, Object> kwargs) {
            HTTPServerConnectionDelegate d = routes.get(request.path());
            return d == null ? null : d.startRequest(request.connection(), request.connection());
        }

        @Override
        public String reverseUrl(String name, Object... args) {
            String path = "/" + name;
            return routes.containsKey(path) ? path : null;
        }
    }

    /** Writes "first_handler: " and its reversed URL. */
    public static class FirstHandler extends RequestHandler {
        public void get() {
            write("first_handler: " + reverseUrl("first_handler"));
        }
    }

    public static class SecondHandler extends RequestHandler {
        public void get() {
            write("second_handler: " + reverseUrl("second_handler"));
        }
    }

    public static class Reverser extends RequestHandler {
        public void get() {
            write(reverseUrl("tornado"));
        }
    }

    public static class NotFound extends RequestHandler {
        public void get() {
            throw new HTTPError(404);
        }
    }

    @Test
    void basicRouter() {
        server = TestServer.startDelegate(new BasicRouter());
        HttpResponse<String> r = server.get("/any_request");
        assertEquals(200, r.statusCode());
        assertEquals("OK /any_request", r.body());
    }

    @Test
    void ruleRouterWithConnectionDelegateTargets() {
        server = TestServer.startDelegate(new RuleRouter(List.of(
                new Rule(new PathMatches("/a"), new ConnectionDelegate("A")),
                new Rule(new PathMatches("/nested/.*"), List.of(
                        new Rule(new PathMatches("/nested/b"), new ConnectionDelegate("B")))))));
        assertEquals("A", server.get("/a").body());
        assertEquals("B", server.get("/nested/b").body());
        // a POST body is read and dropped by the delegate; keep-alive goes on
        try (RawHttp c = server.raw()) {
            c.send("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
            assertEquals("A", c.readResponse(false).text());
            c.send("GET /nested/b HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("B", c.readResponse(false).text());
        }
    }

    @Test
    void bareRouterAnswers404WhenNothingMatches() {
        server = TestServer.startDelegate(new RuleRouter(List.of(
                new Rule(new PathMatches("/a"), new ConnectionDelegate("A")),
                new Rule(new PathMatches("/nested/.*"), List.of(
                        new Rule(new PathMatches("/nested/b"), new ConnectionDelegate("B")))))));
        try (RawHttp c = server.raw()) {
            c.send("GET /404 HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Response r = c.readResponse(false);
            assertEquals(404, r.code);
            assertEquals("Not Found", r.reason);
            assertEquals("0", r.header("Content-Length"));
            // the body of an unmatched request is skipped and the connection serves the next one
            c.send("POST /nested/zzz HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
            assertEquals(404, c.readResponse(false).code);
            c.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("A", c.readResponse(false).text());
        }
    }

    @Test
    void applicationNestedInARuleRouter() {
        server = TestServer.startDelegate(new RuleRouter(List.of(
                new Rule(new PathMatches("/tornado.*"),
                        new Application(List.of(url("/tornado/test", Reverser.class, null, "tornado")))),
                new Rule(new PathMatches("/other"), new ConnectionDelegate("other")))));
        assertEquals("/tornado/test", server.get("/tornado/test").body());
        assertEquals("other", server.get("/other").body());
        // the application answers its own 404 for paths its rule took
        assertEquals(404, server.get("/tornado/missing").statusCode());
        // and nothing answers the rest
        assertEquals(404, server.get("/404").statusCode());
    }

    @Test
    void applicationWithRulesOfEveryKind() {
        // Tornado's RuleRouterTest
        Application app = new Application(List.of());
        Application nested = new Application(List.of());
        CustomRouter router = new CustomRouter(Map.of("/nested_handler", new ConnectionDelegate("nested_handler")));
        app.addHandlers(".*", List.of(
                new Rule(new HostMatches("www.example.com"), List.of(
                        new Rule(new PathMatches("/first_handler"), SecondHandler.class, null, "second_handler"))),
                new Rule(new PathMatches("/.*handler"), router),
                new Rule(new PathMatches("/first_handler"), FirstHandler.class, null, "first_handler"),
                new Rule(new PathMatches("/connection_delegate"), new ConnectionDelegate("OK")),
                new Rule(new PathMatches("/supplied"), (java.util.function.Supplier<RequestHandler>) FirstHandler::new),
                new Rule(new PathMatches("/nested_app.*"), nested)));
        server = TestServer.start(app);

        assertEquals("first_handler: /first_handler", server.get("/first_handler").body());
        RawHttp.Response r = server.rawRequest(
                "GET /first_handler HTTP/1.1\r\nHost: www.example.com\r\nConnection: close\r\n\r\n");
        assertEquals("second_handler: /first_handler", r.text());
        assertEquals("nested_handler", server.get("/nested_handler").body());
        assertEquals(404, server.get("/nested_not_found_handler").statusCode());
        assertEquals("OK", server.get("/connection_delegate").body());
        assertEquals("first_handler: /first_handler", server.get("/supplied").body());
        assertEquals(404, server.get("/nested_app/x").statusCode());
        assertEquals(404, server.get("/404").statusCode());
        assertEquals("/first_handler", app.reverseUrl("second_handler"));
    }
}
