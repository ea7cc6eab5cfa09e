package io.tornadoj.web;

import io.tornadoj.httputil.HTTPUtil;
import io.tornadoj.testsupport.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.tornadoj.web.Web.url;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Plain cookies over real HTTP: {@code getCookie}, {@code setCookie} with {@link CookieOptions} (headers byte
 * for byte as Python Tornado 6.2 writes them), {@code clearCookie}, {@code clearAllCookies}, {@code cookies()},
 * and cookie injection attempts (each rejected: 500, logged, nothing sent). Tornado's CookieTest.
 */
@Timeout(60)
class CookieTest {
    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start(new Application(List.of(
                url("/get", GetCookie.class),
                url("/all", AllCookies.class),
                url("/set", SetCookies.class),
                url("/options", Options.class),
                url("/expires_days", ExpiresDays.class),
                url("/twice", Twice.class),
                url("/clear", Clear.class),
                url("/clear_all", ClearAll.class),
                url("/inject/(\\w+)", Inject.class),
                url("/error_after_cookie", ErrorAfterCookie.class),
                url("/after_flush", AfterFlush.class))));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    // ------------------------------------------------------------------ handlers

    public static class GetCookie extends RequestHandler {
        public void get() {
            write(getCookie(getArgument("name"), "(default)") + "|" + getCookie(getArgument("name")));
        }
    }

    public static class AllCookies extends RequestHandler {
        public void get() {
            assertEquals(request().cookies(), cookies());
            writeJson(cookies());
        }
    }

    public static class SetCookies extends RequestHandler {
        public void get() {
            setCookie("plain", "abc");
            setCookie("q", "a\"b,c\\dé€🔑=/");
            setCookie("empty", "");
            setCookie("nopath", "v", CookieOptions.builder().path(null).build());
        }
    }

    public static class Options extends RequestHandler {
        public void get() {
            setCookie("all", "v", CookieOptions.builder()
                    .domain("example.com")
                    .expires(ZonedDateTime.of(2030, 1, 2, 3, 4, 5, 0, ZoneOffset.UTC).toInstant())
                    .path("/p").httpOnly(true).secure(true).sameSite("Lax").maxAge(3600).build());
            setCookie("kw", "v", CookieOptions.fromKwargs(Map.of("httponly", true, "secure", false,
                    "max_age", 60, "samesite", "Strict")));
        }
    }

    public static class ExpiresDays extends RequestHandler {
        public void get() {
            setCookie("d", "1", CookieOptions.builder().expiresDays(10).build());
            // an explicit expiry wins over expiresDays, as in Tornado
            setCookie("e", "1", CookieOptions.builder().expiresDays(10)
                    .expires(Instant.parse("2031-05-06T07:08:09Z")).build());
        }
    }

    public static class Twice extends RequestHandler {
        public void get() {
            setCookie("twice", "1");
            setCookie("other", "x");
            setCookie("twice", "2");
        }
    }

    public static class Clear extends RequestHandler {
        public void get() {
            clearCookie("foo");
            clearCookie("bar", "/foo", "example.com");
        }
    }

    public static class ClearAll extends RequestHandler {
        public void get() {
            if (getArgument("path", null) != null) {
                clearAllCookies(getArgument("path"), getArgument("domain", null));
            } else {
                clearAllCookies();
            }
        }
    }

    /** Each kind is one injection attempt; none may reach the wire. */
    public static class Inject extends RequestHandler {
        public void get(String kind) {
            setCookie("ok", "fine");
            switch (kind) {
                case "semicolon" -> setCookie("a", "b; Domain=evil.example");
                case "crlf" -> setCookie("a", "b\r\nX-Injected: 1");
                case "lf" -> setCookie("a", "b\nX-Injected: 1");
                case "space" -> setCookie("a", "b c");
                case "control" -> setCookie("a", "b\u0001c");
                case "del" -> setCookie("a", "b\u007fc");
                case "name_semicolon" -> setCookie("a;b", "v");
                case "name_crlf" -> setCookie("a\r\nX-Injected: 1", "v");
                case "name_equals" -> setCookie("a=b", "v");
                case "name_reserved" -> setCookie("Path", "v");
                case "name_empty" -> setCookie("", "v");
                case "domain" -> setCookie("a", "v", CookieOptions.builder().domain("x.example; Secure").build());
                case "path_crlf" -> setCookie("a", "v", CookieOptions.builder().path("/\r\nX-Injected: 1").build());
                case "samesite" -> setCookie("a", "v", CookieOptions.builder().sameSite("Lax; Domain=evil").build());
                default -> throw new IllegalStateException(kind);
            }
            write("not sent");
        }
    }

    public static class ErrorAfterCookie extends RequestHandler {
        public void get() {
            setCookie("kept", "1");
            throw new HTTPError(400);
        }
    }

    public static class AfterFlush extends RequestHandler {
        public java.util.concurrent.CompletionStage<?> get() {
            setCookie("early", "1");
            return flush().thenRun(() -> {
                setCookie("late", "1"); // headers are gone: as in Tornado, it is not sent
                write("body");
            });
        }
    }

    // ------------------------------------------------------------------ helpers

    private RawHttp.Response raw(String path, String... headerLines) {
        StringBuilder sb = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: x\r\n");
        for (String h : headerLines) {
            sb.append(h).append("\r\n");
        }
        return server.rawRequest(sb.append("\r\n").toString());
    }

    /** The Set-Cookie headers as the bytes on the wire (decoded as UTF-8 for comparison). */
    private static List<String> setCookies(RawHttp.Response r) {
        return r.headers.getOrDefault("set-cookie", List.of()).stream()
                .map(s -> new String(s.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8)).toList();
    }

    private static Instant expiresOf(String setCookie) {
        int i = setCookie.indexOf("expires=");
        String date = setCookie.substring(i + 8, setCookie.indexOf(" GMT", i) + 4);
        return ZonedDateTime.parse(date, DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
                .withZone(ZoneOffset.UTC)).toInstant();
    }

    // ------------------------------------------------------------------ tests

    @Test
    void getCookieReadsTheRequestCookiesWithADefault() {
        HttpResponse<String> r = server.get("/get?name=foo", "Cookie", "foo=bar; baz=\"quoted\"");
        assertEquals("bar|bar", r.body());
        assertEquals("quoted|quoted", server.get("/get?name=baz", "Cookie", "foo=bar; baz=\"quoted\"").body());
        assertEquals("(default)|null", server.get("/get?name=nope", "Cookie", "foo=bar").body());
        assertEquals("(default)|null", server.get("/get?name=foo").body());
    }

    @Test
    void cookiesIsTheRequestsCookies() {
        assertEquals(Map.of("a", "1", "b", "two"), io.tornadoj.escape.Escape.jsonDecode(
                server.get("/all", "Cookie", "a=1; b=two").body()));
        assertEquals(Map.of(), io.tornadoj.escape.Escape.jsonDecode(server.get("/all").body()));
    }

    @Test
    void setCookieWritesOneHeaderPerCookieAsTornado() {
        List<String> got = setCookies(raw("/set"));
        // the exact headers Python Tornado 6.2 writes for the same calls
        assertEquals(List.of(
                "plain=abc; Path=/",
                "q=\"a\\\"b\\054c\\\\d\\351€🔑=/\"; Path=/",
                "empty=\"\"; Path=/",
                "nopath=v"), got);
    }

    @Test
    void quotedValuesComeBackAsSet() {
        RawHttp.Response r = raw("/set");
        String q = r.headers.get("set-cookie").get(1); // the bytes as ISO-8859-1 chars, as a browser echoes them
        String value = q.substring(2, q.indexOf("; Path"));
        RawHttp.Response back = raw("/get?name=q", "Cookie: q=" + value); // sent as those very bytes
        // \351 is é; the raw UTF-8 of € and 🔑 reads back as ISO-8859-1 characters (as in Tornado)
        String expected = "a\"b,c\\dé" + new String("€🔑".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1)
                + "=/";
        assertEquals(expected + "|" + expected, back.text());
    }

    @Test
    void cookieOptionsBecomeAttributesInTornadosOrder() {
        List<String> got = setCookies(raw("/options"));
        assertEquals(List.of(
                "all=v; Domain=example.com; expires=Wed, 02 Jan 2030 03:04:05 GMT; HttpOnly; Max-Age=3600; Path=/p; "
                        + "SameSite=Lax; Secure",
                "kw=v; HttpOnly; Max-Age=60; Path=/; SameSite=Strict"), got);
    }

    @Test
    void expiresDaysCountsFromNowAndExplicitExpiresWins() {
        Instant before = Instant.now().minusSeconds(2);
        List<String> got = setCookies(raw("/expires_days"));
        Instant after = Instant.now().plusSeconds(2);
        Instant d = expiresOf(got.get(0));
        assertTrue(!d.isBefore(before.plus(Duration.ofDays(10))) && !d.isAfter(after.plus(Duration.ofDays(10))),
                got.get(0));
        assertEquals("e=1; expires=Tue, 06 May 2031 07:08:09 GMT; Path=/", got.get(1));
    }

    @Test
    void settingACookieTwiceSendsTheLastValueOnce() {
        assertEquals(List.of("other=x; Path=/", "twice=2; Path=/"), setCookies(raw("/twice")));
    }

    @Test
    void clearCookieExpiresItAYearAgo() {
        List<String> got = setCookies(raw("/clear"));
        assertEquals(2, got.size(), got.toString());
        assertTrue(got.get(0).matches("foo=\"\"; expires=[^;]+ GMT; Path=/"), got.get(0));
        assertTrue(got.get(1).matches("bar=\"\"; Domain=example.com; expires=[^;]+ GMT; Path=/foo"), got.get(1));
        Instant expires = expiresOf(got.get(0));
        Instant yearAgo = Instant.now().minus(Duration.ofDays(365));
        assertTrue(Math.abs(Duration.between(expires, yearAgo).getSeconds()) < 60, got.get(0));
    }

    @Test
    void clearAllCookiesClearsEveryRequestCookie() {
        List<String> got = setCookies(raw("/clear_all", "Cookie: foo=1; bar=2"));
        assertEquals(2, got.size(), got.toString());
        assertTrue(got.get(0).startsWith("foo=\"\"; expires="), got.get(0));
        assertTrue(got.get(1).startsWith("bar=\"\"; expires="), got.get(1));
        assertTrue(got.get(1).endsWith("; Path=/"), got.get(1));

        got = setCookies(raw("/clear_all?path=/x&domain=example.com", "Cookie: foo=1"));
        assertEquals(1, got.size(), got.toString());
        assertTrue(got.get(0).matches("foo=\"\"; Domain=example.com; expires=[^;]+ GMT; Path=/x"), got.get(0));

        // names no Set-Cookie can carry are skipped rather than failing the request
        RawHttp.Response r = raw("/clear_all", "Cookie: a@b=1; ok=2; =x");
        assertEquals(200, r.code);
        got = setCookies(r);
        assertEquals(1, got.size(), got.toString());
        assertTrue(got.get(0).startsWith("ok=\"\""), got.get(0));
    }

    @Test
    void cookiesSurviveAnErrorPageAsInTornado() {
        RawHttp.Response r = raw("/error_after_cookie");
        assertEquals(400, r.code);
        assertEquals(List.of("kept=1; Path=/"), setCookies(r));
    }

    @Test
    void cookiesSetAfterTheHeadersAreNotSent() {
        RawHttp.Response r = raw("/after_flush");
        assertEquals(200, r.code);
        assertEquals(List.of("early=1; Path=/"), setCookies(r));
        assertEquals("body", r.text());
    }

    private void assertInjectionRefused(String kind) {
        try (LogCapture app = new LogCapture("tornado.application")) {
            RawHttp.Response r = raw("/inject/" + kind);
            assertEquals(500, r.code, kind);
            assertEquals(List.of("ok=fine; Path=/"), setCookies(r), kind + ": only the valid cookie is sent");
            assertNull(r.header("X-Injected"), kind);
            assertTrue(!r.text().contains("not sent"), kind);
            assertEquals(1, app.events().size(), kind + " " + app.messages());
            assertInstanceOf(IllegalArgumentException.class, LogCapture.thrown(app.events().get(0)), kind);
        }
    }

    @Test
    void semicolonInAValueIsRefused() {
        assertInjectionRefused("semicolon");
    }

    @Test
    void crlfInAValueIsRefused() {
        assertInjectionRefused("crlf");
        assertInjectionRefused("lf");
    }

    @Test
    void spacesAndControlCharactersInAValueAreRefused() {
        assertInjectionRefused("space");
        assertInjectionRefused("control");
        assertInjectionRefused("del");
    }

    @Test
    void invalidNamesAreRefused() {
        assertInjectionRefused("name_semicolon");
        assertInjectionRefused("name_crlf");
        assertInjectionRefused("name_equals");
        assertInjectionRefused("name_reserved");
        assertInjectionRefused("name_empty");
    }

    @Test
    void injectionThroughAttributesIsRefused() {
        assertInjectionRefused("domain");
        assertInjectionRefused("path_crlf");
        assertInjectionRefused("samesite");
    }

    @Test
    void cookieOptionsBuilderAndKwargs() {
        CookieOptions d = CookieOptions.defaults();
        assertEquals("/", d.path());
        assertNull(d.domain());
        assertNull(d.expires());
        assertNull(d.expiresDays());
        assertNull(d.maxAge());
        assertTrue(!d.httpOnly() && !d.secure());
        assertNull(d.sameSite());
        CookieOptions o = CookieOptions.builder().domain("a").maxAge(Duration.ofMinutes(2)).expiresDays(1.5)
                .httpOnly(true).build();
        assertEquals(120L, o.maxAge());
        assertEquals(1.5, o.expiresDays());
        assertEquals(o, o.toBuilder().build());
        assertEquals(o.hashCode(), o.toBuilder().build().hashCode());
        assertEquals(CookieOptions.builder().expires(Instant.ofEpochSecond(10)).path("/x").secure(true).build(),
                CookieOptions.fromKwargs(Map.of("expires", 10, "path", "/x", "secure", 1)));
        assertThrows(IllegalArgumentException.class, () -> CookieOptions.fromKwargs(Map.of("colour", "red")));
        assertThrows(IllegalArgumentException.class, () -> CookieOptions.fromKwargs(Map.of("path", 3)));
        assertEquals("Wed, 02 Jan 2030 03:04:05 GMT",
                HTTPUtil.formatTimestamp(Instant.parse("2030-01-02T03:04:05.999Z")));
    }
}
