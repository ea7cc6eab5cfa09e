package io.tornadoj.web;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.tornadoj.template.BaseLoader;
import io.tornadoj.template.DictLoader;
import io.tornadoj.testsupport.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

import static io.tornadoj.web.Web.url;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Application}: reverse URLs, host routing with {@code addHandlers} and {@code default_host},
 * the default handler, {@link Settings}, and the access log. Tornado's test_reverse_url,
 * HostMatchingTest, DefaultHostMatchingTest, Default404Test, Custom404Test, DefaultHandlerArgumentsTest.
 */
@Timeout(60)
class ApplicationTest {
    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Writes its {@code reply} init argument. */
    public static class Reply extends RequestHandler {
        private String reply;

        @Override
        public void initialize(Map<String, Object> initArgs) {
            reply = (String) initArgs.get("reply");
        }

        public void get() {
            write(reply);
        }
    }

    /** Reverses a URL from inside a handler. */
    public static class Reverser extends RequestHandler {
        public void get(String arg) {
            write(reverseUrl("reverser", "x y") + " " + arg);
        }
    }

    public static class Custom404 extends RequestHandler {
        @Override
        public CompletionStage<?> prepare() {
            setStatus(404);
            finish("custom 404 response");
            return null;
        }
    }

    public static class Ok extends RequestHandler {
        public void get() {
            write("ok");
        }

        public void post() {
            throw new IllegalStateException("boom");
        }
    }

    /** Reads settings. */
    public static class SettingsReader extends RequestHandler {
        public void get() {
            write(settings().get("app_name") + " " + (settings() == application().settings()));
            requireSetting("app_name", "this handler");
        }

        public void post() {
            requireSetting("cookie_secret", "secure cookies");
        }
    }

    /** Writes its constructor's tag and its {@code reply} init argument. */
    public static class Tagged extends RequestHandler {
        private final String tag;
        private Object reply;

        public Tagged() {
            this("class");
        }

        Tagged(String tag) {
            this.tag = tag;
        }

        @Override
        public void initialize(Map<String, Object> initArgs) {
            reply = initArgs.get("reply");
        }

        public void get() {
            write(tag + " " + reply);
        }
    }

    // ------------------------------------------------------------------ Web.url overloads

    /** Each form of {@code url} compiles (lambda, constructor reference, class, router) and routes to its target. */
    @Test
    void urlAcceptsClassesLambdasConstructorReferencesAndRouters() {
        Application router = new Application(List.of(url("/router", Reply.class, Map.of("reply", "routed"))));
        List<URLSpec> rules = List.of(
                url("/class", Tagged.class, Map.of("reply", "c")),
                url("/lambda", () -> new Tagged("lambda"), Map.of("reply", "l")),
                url("/ref", Tagged::new, null, "ref"),
                url("/named-lambda", () -> new Tagged("named"), Map.of("reply", "n"), "named"),
                url("/router", router, Map.of()),
                new URLSpec("/spec", () -> new Tagged("spec"), null, null),
                new URLSpec("/spec-class", Tagged.class, Map.of("reply", "s"), null));
        assertSame(Tagged.class, rules.get(0).handler());
        assertSame(router, rules.get(4).handler());
        server = TestServer.start(new Application(rules));
        assertEquals("class c", server.get("/class").body());
        assertEquals("lambda l", server.get("/lambda").body());
        assertEquals("class null", server.get("/ref").body());
        assertEquals("named n", server.get("/named-lambda").body());
        assertEquals("routed", server.get("/router").body());
        assertEquals("spec null", server.get("/spec").body());
        assertEquals("class s", server.get("/spec-class").body());
    }

    // ------------------------------------------------------------------ reverseUrl

    @Test
    void reverseUrl() {
        Application app = new Application(List.of(
                url("/decode_arg/(.*)", DispatchTest.Echo.class, null, "decode_arg"),
                url("/favicon\\.ico", Reply.class, null, "favicon"),
                url("^/api\\.v1/(\\d+)/(\\w+)$", DispatchTest.Echo.class, null, "api"),
                url("/named/(?P<id>\\d+)", Reverser.class, null, "named")));
        assertEquals("/decode_arg/foo", app.reverseUrl("decode_arg", "foo"));
        assertEquals("/decode_arg/42", app.reverseUrl("decode_arg", 42));
        assertEquals("/decode_arg/%C3%A9", app.reverseUrl("decode_arg", "\u00e9"));
        assertEquals("/decode_arg/1%20%2B%201", app.reverseUrl("decode_arg", "1 + 1"));
        assertEquals("/decode_arg/a/b%3Fc", app.reverseUrl("decode_arg", "a/b?c"));
        assertEquals("/favicon.ico", app.reverseUrl("favicon"));
        assertEquals("/api.v1/5/x", app.reverseUrl("api", 5, "x"));
        assertEquals("/named/7", app.reverseUrl("named", 7));
    }

    @Test
    void reverseUrlErrors() {
        Application app = new Application(List.of(
                url("/a/(\\d+)", Reverser.class, null, "a"),
                url("/v\\d+/(\\w+)", Reverser.class, null, "complex")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> app.reverseUrl("nope"));
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> app.reverseUrl("a"));
        assertThrows(IllegalArgumentException.class, () -> app.reverseUrl("a", 1, 2));
        assertThrows(IllegalArgumentException.class, () -> app.reverseUrl("complex", "x"));
    }

    @Test
    void reverseUrlFromAHandlerAndInHostRules() {
        Application app = new Application(List.of(url("/r/(.*)", Reverser.class, null, "reverser")));
        app.addHandlers("www\\.example\\.com", List.of(url("/host/(\\d+)", Reverser.class, null, "host_rule")));
        assertEquals("/host/3", app.reverseUrl("host_rule", 3));
        server = TestServer.start(app);
        assertEquals("/r/x%20y abc", server.get("/r/abc").body());
    }

    // ------------------------------------------------------------------ host routing

    @Test
    void hostMatching() {
        Application app = new Application(List.of(url("/foo", Reply.class, Map.of("reply", "wildcard"))));
        app.addHandlers("www.example.com", List.of(url("/foo", Reply.class, Map.of("reply", "[0]"))));
        app.addHandlers("www\\.example\\.com", List.of(url("/bar", Reply.class, Map.of("reply", "[1]"))));
        app.addHandlers("www.example.com", List.of(url("/baz", Reply.class, Map.of("reply", "[2]"))));
        app.addHandlers("www.e.*e.com", List.of(url("/baz", Reply.class, Map.of("reply", "[3]"))));
        server = TestServer.start(app);

        assertEquals("wildcard", server.get("/foo").body());
        assertEquals(404, server.get("/bar").statusCode());
        assertEquals(404, server.get("/baz").statusCode());
        assertEquals("[0]", hostGet("/foo", "www.example.com").text());
        assertEquals("[1]", hostGet("/bar", "www.example.com").text());
        assertEquals("[2]", hostGet("/baz", "www.example.com").text());
        assertEquals("[3]", hostGet("/baz", "www.exe.com").text());
        // host names are matched without the port and case-insensitively
        assertEquals("[1]", hostGet("/bar", "WWW.Example.COM:8080").text());
        // anchored at both ends
        assertEquals(404, hostGet("/bar", "www.example.com.evil.org").code);
        assertEquals(404, hostGet("/bar", "evil-www.example.com").code);
        // a host rule that does not match the path falls through to the wildcard rules
        assertEquals("wildcard", hostGet("/foo", "www.exe.com").text());
    }

    private RawHttp.Response hostGet(String path, String host) {
        return server.rawRequest("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
    }

    @Test
    void defaultHostMatching() {
        Application app = new Application(List.of(), Settings.builder().defaultHost("www.example.com").build());
        app.addHandlers("www.example.com", List.of(url("/foo", Reply.class, Map.of("reply", "[0]"))));
        app.addHandlers("www\\.example\\.com", List.of(url("/bar", Reply.class, Map.of("reply", "[1]"))));
        app.addHandlers("www.test.com", List.of(url("/baz", Reply.class, Map.of("reply", "[2]"))));
        server = TestServer.start(app);

        assertEquals("[0]", server.get("/foo").body());
        assertEquals("[1]", server.get("/bar").body());
        assertEquals(404, server.get("/baz").statusCode());
        assertEquals("[2]", hostGet("/baz", "www.test.com").text());
        // not behind a proxy only
        assertEquals(404, server.get("/foo", "X-Real-Ip", "127.0.0.1").statusCode());
    }

    // ------------------------------------------------------------------ default handler

    @Test
    void default404() {
        server = TestServer.start(new Application(List.of(url("/ok", Ok.class))));
        try (LogCapture access = new LogCapture("tornado.access")) {
            HttpResponse<String> r = server.get("/nope");
            assertEquals(404, r.statusCode());
            assertEquals("<html><title>404: Not Found</title><body>404: Not Found</body></html>", r.body());
            assertEquals(Level.WARN, access.events().get(0).getLevel());
            assertEquals(404, server.fetch("POST", "/nope", "x").statusCode());
        }
    }

    @Test
    void emptyApplicationAnswers404() {
        server = TestServer.start(new Application(List.of()));
        assertEquals(404, server.get("/").statusCode());
    }

    @Test
    void customDefaultHandlerClass() {
        server = TestServer.start(new Application(List.of(url("/ok", Ok.class)),
                Settings.builder().defaultHandlerClass(Custom404.class).build()));
        HttpResponse<String> r = server.get("/nope");
        assertEquals(404, r.statusCode());
        assertEquals("custom 404 response", r.body());
        assertEquals("ok", server.get("/ok").body());
    }

    @Test
    void defaultHandlerArguments() {
        server = TestServer.start(new Application(List.of(), Settings.builder()
                .defaultHandlerClass(ErrorHandler.class)
                .defaultHandlerArgs(Map.of("status_code", 403))
                .build()));
        assertEquals(403, server.get("/").statusCode());
        assertEquals(403, server.get("/any/path").statusCode());
    }

    // ------------------------------------------------------------------ settings

    @Test
    void settingsTypedSettersAndTornadoKeys() {
        Path statics = Path.of("static");
        Path templates = Path.of("templates");
        BaseLoader loader = new DictLoader(Map.of());
        Settings s = Settings.builder()
                .debug(true)
                .compressResponse(true)
                .cookieSecret("secret")
                .loginUrl("/login")
                .xsrfCookies(true)
                .xsrfCookieKwargs(Map.of("httponly", true))
                .staticPath(statics)
                .staticUrlPrefix("/assets/")
                .staticHandlerClass(Ok.class)
                .templatePath(templates)
                .templateLoader(loader)
                .autoescape("my_escape")
                .defaultHandlerClass(Custom404.class)
                .defaultHandlerArgs(Map.of("a", 1))
                .defaultHost("example.com")
                .uiModules(Map.of("Entry", "x"))
                .uiMethods(Map.of("m", "y"))
                .websocketPingInterval(Duration.ofSeconds(10))
                .websocketPingTimeout(Duration.ofSeconds(30))
                .websocketMaxMessageSize(1024)
                .set("app_name", "demo")
                .build();
        assertTrue(s.debug());
        assertTrue(s.compressResponse());
        assertEquals("secret", s.cookieSecret());
        assertEquals("/login", s.loginUrl());
        assertTrue(s.xsrfCookies());
        assertEquals(Map.of("httponly", true), s.xsrfCookieKwargs());
        assertEquals(statics, s.staticPath());
        assertEquals("/assets/", s.staticUrlPrefix());
        Class<? extends RequestHandler> staticHandler = s.staticHandlerClass(); // typed as its setter
        assertEquals(Ok.class, staticHandler);
        assertEquals(templates, s.templatePath());
        assertSame(loader, s.templateLoader());
        assertEquals("my_escape", s.autoescape());
        assertEquals(Custom404.class, s.defaultHandlerClass());
        assertEquals(Map.of("a", 1), s.defaultHandlerArgs());
        assertEquals("example.com", s.defaultHost());
        assertTrue(s.serveTraceback(), "debug turns on serve_traceback");
        assertEquals(Map.of("Entry", "x"), s.uiModules());
        assertEquals(Map.of("m", "y"), s.uiMethods());
        assertEquals(Duration.ofSeconds(10), s.websocketPingInterval());
        assertEquals(Duration.ofSeconds(30), s.websocketPingTimeout());
        assertEquals(1024, s.websocketMaxMessageSize());

        // Tornado's own keys
        assertEquals(true, s.get("debug"));
        assertEquals(true, s.get("compress_response"));
        assertEquals("secret", s.get("cookie_secret"));
        assertEquals("/login", s.get("login_url"));
        assertEquals(true, s.get("xsrf_cookies"));
        assertEquals(Map.of("httponly", true), s.get("xsrf_cookie_kwargs"));
        assertEquals(statics, s.get("static_path"));
        assertEquals("/assets/", s.get("static_url_prefix"));
        assertEquals(Ok.class, s.get("static_handler_class"));
        assertEquals(templates, s.get("template_path"));
        assertSame(loader, s.get("template_loader"));
        assertEquals("my_escape", s.get("autoescape"));
        assertEquals(Custom404.class, s.get("default_handler_class"));
        assertEquals(Map.of("a", 1), s.get("default_handler_args"));
        assertEquals("example.com", s.get("default_host"));
        assertEquals(Map.of("Entry", "x"), s.get("ui_modules"));
        assertEquals(Map.of("m", "y"), s.get("ui_methods"));
        assertEquals(Duration.ofSeconds(10), s.get("websocket_ping_interval"));
        assertEquals(Duration.ofSeconds(30), s.get("websocket_ping_timeout"));
        assertEquals(1024, s.get("websocket_max_message_size"));
        assertEquals("demo", s.get("app_name"));
        assertEquals("demo", s.get("app_name", "other"));
        assertEquals("fallback", s.get("missing", "fallback"));
        assertNull(s.get("missing"));
        assertThrows(UnsupportedOperationException.class, () -> s.asMap().put("x", 1));
    }

    @Test
    void settingsDefaults() {
        Settings s = Settings.empty();
        assertFalse(s.debug());
        assertFalse(s.compressResponse());
        assertFalse(s.serveTraceback());
        assertFalse(s.xsrfCookies());
        assertNull(s.cookieSecret());
        assertNull(s.loginUrl());
        assertNull(s.staticPath());
        assertEquals("/static/", s.staticUrlPrefix());
        assertEquals("xhtml_escape", s.autoescape());
        assertNull(s.defaultHandlerClass());
        assertEquals(Map.of(), s.defaultHandlerArgs());
        assertEquals(Map.of(), s.xsrfCookieKwargs());
        assertEquals(10 * 1024 * 1024, s.websocketMaxMessageSize());
        assertTrue(s.asMap().isEmpty());
    }

    @Test
    void settingsVersionedSecretsNullsAndOverrides() {
        Settings s = Settings.builder()
                .cookieSecret(Map.of(1, "old", 2, "new"))
                .keyVersion(2)
                .set("debug", true)
                .debug(false)
                .set("gone", "x")
                .set("gone", null)
                .autoescape(null)
                .build();
        assertEquals(Map.of(1, "old", 2, "new"), s.cookieSecret());
        assertEquals(Map.of(1, "old", 2, "new"), s.get("cookie_secret"));
        assertEquals(2, s.keyVersion());
        assertEquals(2, s.get("key_version"));
        assertFalse(s.debug());
        assertNull(s.get("gone"));
        assertFalse(s.asMap().containsKey("gone"));
        // Tornado's autoescape=None: no autoescaping (not the default)
        assertNull(s.autoescape());
        assertTrue(s.asMap().containsKey("autoescape"));
        assertThrows(NullPointerException.class, () -> Settings.builder().set(null, 1));
    }

    /** Tornado-style values given to {@code set} work with the typed getters (and over a socket). */
    @Test
    void settingsSetConvertsTornadoStyleValues(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("hello.txt"), "static hello");
        Settings s = Settings.builder()
                .set("static_path", dir.toString())
                .set("template_path", "templates")
                .set("websocket_ping_interval", 10)
                .set("websocket_ping_timeout", 0.5)
                .build();
        assertEquals(dir, s.staticPath());
        assertEquals(Path.of("templates"), s.templatePath());
        assertEquals(Duration.ofSeconds(10), s.websocketPingInterval());
        assertEquals(Duration.ofMillis(500), s.websocketPingTimeout());
        // typed values are kept as they are
        assertEquals(Duration.ofSeconds(3),
                Settings.builder().set("websocket_ping_interval", Duration.ofSeconds(3)).build().websocketPingInterval());
        server = TestServer.start(new Application(List.of(), s));
        assertEquals("static hello", server.get("/static/hello.txt").body());
    }

    @Test
    void handlersSeeTheSettings() {
        server = TestServer.start(new Application(List.of(url("/", SettingsReader.class)),
                Settings.builder().set("app_name", "demo").build()));
        assertEquals("demo true", server.get("/").body());
        try (LogCapture app = new LogCapture("tornado.application")) {
            assertEquals(500, server.fetch("POST", "/", "").statusCode());
            Throwable t = LogCapture.thrown(app.events().get(0));
            assertEquals("You must define the 'cookie_secret' setting in your application to use secure cookies",
                    t.getMessage());
        }
    }

    // ------------------------------------------------------------------ access log

    @Test
    void accessLogLineAndLevels() {
        server = TestServer.start(new Application(List.of(url("/ok", Ok.class),
                url("/redirect", RedirectHandler.class, Map.of("url", "/ok")))));
        Pattern line = Pattern.compile("(\\d{3}) (\\S+) (\\S+) \\(127\\.0\\.0\\.1\\) \\d+\\.\\d{2}ms");
        try (LogCapture access = new LogCapture("tornado.access");
             LogCapture app = new LogCapture("tornado.application")) {
            server.get("/ok?x=1");
            server.get("/redirect");
            server.get("/missing");
            server.fetch("POST", "/ok", "");
            List<ILoggingEvent> events = access.events();
            assertEquals(4, events.size(), access.messages().toString());
            String[][] expected = {
                    {"200", "GET", "/ok?x=1", "INFO"},
                    {"301", "GET", "/redirect", "INFO"},
                    {"404", "GET", "/missing", "WARN"},
                    {"500", "POST", "/ok", "ERROR"}};
            for (int i = 0; i < expected.length; i++) {
                java.util.regex.Matcher m = line.matcher(events.get(i).getFormattedMessage());
                assertTrue(m.matches(), events.get(i).getFormattedMessage());
                assertEquals(expected[i][0], m.group(1));
                assertEquals(expected[i][1], m.group(2));
                assertEquals(expected[i][2], m.group(3));
                assertEquals(expected[i][3], events.get(i).getLevel().toString());
            }
        }
    }

    @Test
    void logRequestCanBeOverridden() {
        List<String> lines = new ArrayList<>();
        Application app = new Application(List.of(url("/ok", Ok.class))) {
            @Override
            public void logRequest(RequestHandler handler) {
                synchronized (lines) {
                    lines.add(handler.getStatus() + " " + handler.request().method() + " " + handler.request().path());
                }
            }
        };
        server = TestServer.start(app);
        try (LogCapture access = new LogCapture("tornado.access")) {
            server.get("/ok");
            server.get("/nope");
            assertTrue(access.events().isEmpty());
        }
        synchronized (lines) {
            assertEquals(List.of("200 GET /ok", "404 GET /nope"), lines);
        }
    }
}
