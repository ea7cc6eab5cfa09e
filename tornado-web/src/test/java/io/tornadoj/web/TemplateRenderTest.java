package io.tornadoj.web;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.tornadoj.template.DictLoader;
import io.tornadoj.template.TemplateError;
import io.tornadoj.template.TemplateFunction;
import io.tornadoj.testsupport.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import static io.tornadoj.web.Web.url;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code render}/{@code renderString}/{@code getTemplateNamespace} over real HTTP: templates from
 * {@code template_path} (extends, include, static files), the handler namespace ({@code static_url},
 * {@code xsrf_form_html}, {@code current_user}, {@code reverse_url}, {@code request}, UI modules and methods),
 * the {@code autoescape}, {@code template_loader} and {@code debug} settings, and template errors as 500s.
 */
@Timeout(60)
class TemplateRenderTest {
    @TempDir
    Path dir;
    private Path templates;
    private TestServer server;

    @BeforeEach
    void writeTemplates() throws IOException {
        templates = Files.createDirectories(dir.resolve("templates"));
        Path statics = Files.createDirectories(dir.resolve("static"));
        Files.writeString(statics.resolve("app.css"), "body {}");
        write("base.html", "<title>{% block title %}base{% end %}</title>{% block body %}{% end %}");
        write("page.html", "{% extends \"base.html\" %}{% block title %}{{ title }}{% end %}"
                + "{% block body %}<p>{{ text }}</p>{% include \"footer.html\" %}{% end %}");
        write("footer.html", "<footer>{{ request.method }} {{ request.path }}</footer>");
        write("namespace.html", "user={{ current_user }}|css={{ static_url('app.css') }}|"
                + "form={% raw xsrf_form_html() %}|link={{ reverse_url('item', 42) }}|handler={{ handler.getArgument('q', '-') }}");
        write("modules.html", "{% module Entry(entry) %}|{% module Template('footer.html') %}|{{ shout('hi') }}|"
                + "{% module linkify('http://a.b') %}|{% module xsrf_form_html() %}");
        write("entry.html", "<b>{{ title }}</b> by {{ current_user }}");
        write("bad.html", "ok\n{{ 1 / zero }}");
        write("forbidden.html", "{{ deny() }}");
        write("syntax.html", "ok\n\n{% if %}");
    }

    private void write(String name, String content) throws IOException {
        Files.writeString(templates.resolve(name), content);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void serve(Settings.Builder settings) {
        server = TestServer.start(new Application(List.of(
                url("/render/(.*)", Render.class),
                url("/string", RenderStringAsJson.class),
                url("/twice", RenderTwice.class),
                url("/plain", RenderPlain.class),
                url("/item/([0-9]+)", Render.class, Map.of(), "item")), settings.build()));
    }

    private Settings.Builder withTemplates() {
        return Settings.builder().templatePath(templates).staticPath(dir.resolve("static")).cookieSecret("secret");
    }

    /** Renders the template named by the path with {@code title}, {@code text} and a user from {@code ?user=}. */
    public static class Render extends RequestHandler {
        @Override
        public Object getCurrentUser() {
            return getArgument("user", null);
        }

        public void get(String name) {
            render(name, Map.of("title", "T<1>", "text", "a & b", "zero", 0,
                    "entry", Map.of("title", "<Entry>")));
        }
    }

    /** renderString gives the text; the handler decides what to do with it. */
    public static class RenderStringAsJson extends RequestHandler {
        public void get() {
            writeJson(Map.of("html", renderString("entry.html", Map.of("title", "x"))));
        }
    }

    /** render and renderString without variables (only the handler namespace). */
    public static class RenderPlain extends RequestHandler {
        public void get() {
            if (getArgument("string", null) != null) {
                write("[" + renderString("footer.html") + "]");
            } else {
                render("footer.html");
            }
        }
    }

    /** A second render after the first finished is an error. */
    public static class RenderTwice extends RequestHandler {
        public void get() {
            render("entry.html", Map.of("title", "once"));
            render("entry.html", Map.of("title", "twice"));
        }
    }

    /** A UI module: one instance per handler; {@code render} found by arity. */
    public static class EntryModule extends UIModule {
        public String render(Map<String, Object> entry) {
            return renderString("entry.html", Map.of("title", entry.get("title")));
        }
    }

    @Test
    void renderAndRenderStringWithoutVariables() {
        serve(withTemplates());
        assertEquals("<footer>GET /plain</footer>", server.get("/plain").body());
        assertEquals("[<footer>GET /plain</footer>]", server.get("/plain?string=1").body());
    }

    @Test
    void rendersExtendsAndIncludeWithAutoescape() {
        serve(withTemplates());
        HttpResponse<String> r = server.get("/render/page.html");
        assertEquals(200, r.statusCode());
        assertEquals("text/html; charset=UTF-8", r.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("<title>T&lt;1&gt;</title><p>a &amp; b</p><footer>GET /render/page.html</footer>", r.body());
    }

    @Test
    void autoescapeSettingNullTurnsEscapingOff() {
        serve(withTemplates().autoescape(null));
        assertEquals("<title>T<1></title><p>a & b</p><footer>GET /render/page.html</footer>",
                server.get("/render/page.html").body());
    }

    @Test
    void handlerNamespace() {
        serve(withTemplates());
        HttpResponse<String> r = server.get("/render/namespace.html?user=ann&q=v");
        assertEquals(200, r.statusCode());
        String body = r.body();
        assertTrue(body.startsWith("user=ann|css=/static/app.css?v="), body);
        assertTrue(body.contains("|form=<input type=\"hidden\" name=\"_xsrf\" value=\""), body);
        assertTrue(body.endsWith("|link=/item/42|handler=v"), body);
        String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cookie.startsWith("_xsrf="), "xsrf_form_html sets the cookie: " + cookie);
        assertTrue(server.get("/render/namespace.html").body().startsWith("user=None|"));
    }

    @Test
    void uiModulesAndMethods() {
        BiFunction<RequestHandler, String, String> shout = (handler, s) -> s.toUpperCase() + " " + handler.request().method();
        serve(withTemplates().uiModules(Map.of("Entry", EntryModule.class)).uiMethods(Map.of("shout", shout)));
        HttpResponse<String> r = server.get("/render/modules.html?user=bob");
        assertEquals(200, r.statusCode());
        assertTrue(r.body().startsWith("<b>&lt;Entry&gt;</b> by bob|<footer>GET /render/modules.html</footer>|HI GET|"
                + "<a href=\"http://a.b\">http://a.b</a>|<input type=\"hidden\" name=\"_xsrf\" value=\""), r.body());
    }

    @Test
    void renderStringReturnsTheText() {
        serve(withTemplates());
        HttpResponse<String> r = server.get("/string");
        assertEquals("{\"html\": \"<b>x<\\/b> by None\"}", r.body(), "JSON as Escape.jsonEncode writes it");
        assertEquals("application/json; charset=UTF-8", r.headers().firstValue("Content-Type").orElseThrow());
    }

    @Test
    void renderEndsTheRequest() {
        serve(withTemplates());
        try (LogCapture app = new LogCapture("tornado.application")) {
            HttpResponse<String> r = server.get("/twice");
            assertEquals(200, r.statusCode());
            assertEquals("<b>once</b> by None", r.body());
            assertTrue(app.events().stream().anyMatch(e -> String.valueOf(LogCapture.thrown(e))
                    .contains("Cannot render() after finish()")), app.messages().toString());
        }
    }

    @Test
    void templateLoaderSetting() {
        DictLoader loader = new DictLoader(Map.of("page.html", "dict {{ title }}"));
        serve(Settings.builder().templateLoader(loader));
        assertEquals("dict T&lt;1&gt;", server.get("/render/page.html").body());
    }

    @Test
    void templateErrorIsA500WithoutDetails() {
        serve(withTemplates());
        try (LogCapture app = new LogCapture("tornado.application")) {
            HttpResponse<String> r = server.get("/render/bad.html");
            assertEquals(500, r.statusCode());
            assertEquals("<html><title>500: Internal Server Error</title><body>500: Internal Server Error</body></html>",
                    r.body());
            assertEquals(1, app.events().size(), app.messages().toString());
            ILoggingEvent e = app.events().get(0);
            TemplateError error = assertInstanceOf(TemplateError.class, LogCapture.thrown(e));
            assertEquals("ZeroDivisionError: division by zero at bad.html:2", error.getMessage());
            // the server keeps serving
            assertEquals(200, server.get("/render/page.html").statusCode());
        }
    }

    @Test
    void templateErrorWithServeTracebackShowsWhere() {
        serve(withTemplates().debug(true));
        try (LogCapture app = new LogCapture("tornado.application")) {
            HttpResponse<String> r = server.get("/render/bad.html");
            assertEquals(500, r.statusCode());
            assertTrue(r.body().contains("ZeroDivisionError: division by zero at bad.html:2"), r.body());
        }
    }

    @Test
    void syntaxErrorIsA500ShowingWhereWithServeTraceback() {
        serve(withTemplates().serveTraceback(true));
        try (LogCapture app = new LogCapture("tornado.application")) {
            HttpResponse<String> r = server.get("/render/syntax.html");
            assertEquals(500, r.statusCode());
            assertTrue(r.body().contains("ParseError: Missing {% end %} block for if at syntax.html:3"), r.body());
        }
    }

    @Test
    void missingTemplateAndMissingTemplatePath() {
        serve(withTemplates());
        try (LogCapture app = new LogCapture("tornado.application")) {
            assertEquals(500, server.get("/render/nope.html").statusCode());
            assertEquals(500, server.get("/render/..%2Fsecret.html").statusCode());
        }
        server.close();
        serve(Settings.builder());
        try (LogCapture app = new LogCapture("tornado.application")) {
            assertEquals(500, server.get("/render/page.html").statusCode());
            assertTrue(String.valueOf(LogCapture.thrown(app.events().get(0))).contains(
                    "You must define the 'template_path' setting in your application to use render"), app.messages().toString());
        }
    }

    @Test
    void httpErrorFromTemplateCodeKeepsItsStatus() {
        TemplateFunction deny = (a, kw) -> {
            throw new HTTPError(403);
        };
        serve(withTemplates().uiMethods(Map.of("deny", deny)));
        assertEquals(403, server.get("/render/forbidden.html").statusCode());
    }

    @Test
    void compiledTemplatesAreCachedUnlessDebug() throws IOException {
        serve(withTemplates());
        assertEquals("<b>T&lt;1&gt;</b> by None", server.get("/render/entry.html").body());
        write("entry.html", "changed");
        assertFalse(server.get("/render/entry.html").body().contains("changed"), "cached per application");
        server.close();
        serve(withTemplates().debug(true));
        assertEquals("changed", server.get("/render/entry.html").body());
        write("entry.html", "changed again");
        assertEquals("changed again", server.get("/render/entry.html").body());
    }
}
