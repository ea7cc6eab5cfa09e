package io.tornadoj.web;

import io.tornadoj.testsupport.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

import static io.tornadoj.web.Web.url;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * XSRF protection over real HTTP: {@code xsrfToken()} (Tornado's masked version-2 token and the {@code _xsrf}
 * cookie), {@code xsrfFormHtml()}, and {@code checkXsrfCookie()} before {@code prepare()} for unsafe methods —
 * with the token as form field, {@code X-Xsrftoken} or {@code X-Csrftoken}, version-1 tokens, and each attack
 * (missing, forged, malformed token; token without cookie) answered 403. Tornado's XSRFTest.
 */
@Timeout(60)
class XsrfTest {
    static final AtomicInteger PREPARED = new AtomicInteger();
    private static final String TOKEN_V2 = "2\\|[0-9a-f]{8}\\|[0-9a-f]{32}\\|[0-9]+";

    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void serve(Settings.Builder settings) {
        PREPARED.set(0);
        server = TestServer.start(new Application(List.of(
                url("/form", Form.class),
                url("/html", Html.class),
                url("/user", LoggedIn.class),
                url("/manual", Manual.class)), settings.xsrfCookies(true).build()));
    }

    private void serve() {
        serve(Settings.builder());
    }

    // ------------------------------------------------------------------ handlers

    public static class Form extends RequestHandler {
        @Override
        public CompletionStage<?> prepare() {
            PREPARED.incrementAndGet();
            return null;
        }

        public void get() {
            String first = xsrfToken();
            assertEquals(first, xsrfToken(), "one token per request");
            write(first);
        }

        public void head() {
        }

        public void options() {
            write("options");
        }

        public void post() {
            write("posted");
        }

        public void put() {
            write("put");
        }

        public void delete() {
            write("deleted");
        }

        public void patch() {
            write("patched");
        }
    }

    public static class Html extends RequestHandler {
        public void get() {
            write(xsrfFormHtml());
        }
    }

    public static class LoggedIn extends RequestHandler {
        @Override
        public Object getCurrentUser() {
            return "bob";
        }

        public void get() {
            write(xsrfToken());
        }
    }

    /** With xsrf_cookies off, a handler may check by hand. */
    public static class Manual extends RequestHandler {
        public void post() {
            checkXsrfCookie();
            write("checked");
        }
    }

    // ------------------------------------------------------------------ helpers

    private RawHttp.Response request(String method, String path, String body, String... headerLines) {
        StringBuilder sb = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: x\r\n");
        for (String h : headerLines) {
            sb.append(h).append("\r\n");
        }
        if (body != null) {
            sb.append("Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ").append(body.length())
                    .append("\r\n\r\n").append(body);
        } else {
            sb.append("\r\n");
        }
        return server.rawRequest(sb.toString());
    }

    /** A fresh token and the cookie that carries it. */
    private String[] tokenAndCookie() {
        RawHttp.Response r = request("GET", "/form", null);
        assertEquals(200, r.code);
        String setCookie = r.header("Set-Cookie");
        return new String[] {r.text(), setCookie.substring(0, setCookie.indexOf(';'))};
    }

    /** The raw token inside a version-2 token. */
    private static byte[] unmask(String token) {
        String[] p = token.split("\\|");
        byte[] mask = HexFormat.of().parseHex(p[1]);
        byte[] t = HexFormat.of().parseHex(p[2]);
        for (int i = 0; i < t.length; i++) {
            t[i] ^= mask[i % 4];
        }
        return t;
    }

    private static String form(String token) {
        return "_xsrf=" + io.tornadoj.escape.Escape.urlEscape(token) + "&x=1";
    }

    private void assertForbidden(RawHttp.Response r, LogCapture log, String message) {
        assertEquals(403, r.code, r.toString());
        assertEquals(0, PREPARED.get(), "the check runs before prepare()");
        assertTrue(log.messages().stream().anyMatch(m -> m.endsWith(": " + message)), log.messages().toString());
    }

    // ------------------------------------------------------------------ tests

    @Test
    void xsrfTokenIsAMaskedVersion2TokenSetAsTheXsrfCookie() {
        serve();
        RawHttp.Response r = request("GET", "/form", null);
        String token = r.text();
        assertTrue(token.matches(TOKEN_V2), token);
        List<String> cookies = r.headers.get("set-cookie");
        assertEquals(List.of("_xsrf=" + token + "; Path=/"), cookies);
        long ts = Long.parseLong(token.split("\\|")[3]);
        assertTrue(Math.abs(ts - System.currentTimeMillis() / 1000) < 60, token);
    }

    @Test
    void theTokenIsMaskedAnewOnEveryRequestButStaysTheSame() {
        serve();
        String[] tc = tokenAndCookie();
        RawHttp.Response again = request("GET", "/form", null, "Cookie: " + tc[1]);
        assertNull(again.header("Set-Cookie"), "an existing cookie is not set again");
        assertNotEquals(tc[0], again.text(), "a new mask");
        assertArrayEquals(unmask(tc[0]), unmask(again.text()));
        assertEquals(tc[0].split("\\|")[3], again.text().split("\\|")[3], "the cookie's timestamp is kept");
    }

    @Test
    void xsrfFormHtmlIsAHiddenInput() {
        serve();
        String html = request("GET", "/html", null).text();
        assertTrue(html.matches("<input type=\"hidden\" name=\"_xsrf\" value=\"" + TOKEN_V2 + "\"/>"), html);
    }

    @Test
    void postWithTheFormTokenAndCookieIsAccepted() {
        serve();
        String[] tc = tokenAndCookie();
        PREPARED.set(0);
        RawHttp.Response r = request("POST", "/form", form(tc[0]), "Cookie: " + tc[1]);
        assertEquals(200, r.code, r.toString());
        assertEquals("posted", r.text());
        assertEquals(1, PREPARED.get());
    }

    @Test
    void anotherMaskingOfTheSameTokenIsAccepted() {
        serve();
        String[] tc = tokenAndCookie();
        String other = request("GET", "/form", null, "Cookie: " + tc[1]).text();
        assertEquals(200, request("POST", "/form", form(other), "Cookie: " + tc[1]).code);
    }

    @Test
    void theTokenMayComeInXsrfOrCsrfHeaders() {
        serve();
        String[] tc = tokenAndCookie();
        assertEquals(200, request("POST", "/form", "", "Cookie: " + tc[1], "X-Xsrftoken: " + tc[0]).code);
        assertEquals(200, request("POST", "/form", "", "Cookie: " + tc[1], "X-CSRFToken: " + tc[0]).code);
        assertEquals("put", request("PUT", "/form", "", "Cookie: " + tc[1], "X-XSRFToken: " + tc[0]).text());
    }

    @Test
    void version1TokensAreAccepted() {
        serve();
        String hex = "0123456789abcdef0123456789abcdef";
        // a version-1 cookie with the same token, plain or masked
        assertEquals(200, request("POST", "/form", form(hex), "Cookie: _xsrf=" + hex).code);
        String masked = request("GET", "/form", null, "Cookie: _xsrf=" + hex).text();
        assertTrue(masked.matches(TOKEN_V2), masked);
        assertEquals(hex, HexFormat.of().formatHex(unmask(masked)));
        assertEquals(200, request("POST", "/form", form(masked), "Cookie: _xsrf=" + hex).code);
        // a non-hex version-1 token is its own text
        assertEquals(200, request("POST", "/form", form("plain-token"), "Cookie: _xsrf=plain-token").code);
    }

    @Test
    void missingTokenIs403() {
        serve();
        String[] tc = tokenAndCookie();
        PREPARED.set(0);
        try (LogCapture log = new LogCapture("tornado.general")) {
            assertForbidden(request("POST", "/form", "x=1", "Cookie: " + tc[1]), log,
                    "'_xsrf' argument missing from POST");
            assertForbidden(request("POST", "/form", "_xsrf=&x=1", "Cookie: " + tc[1]), log,
                    "'_xsrf' argument missing from POST");
            assertForbidden(request("POST", "/form", null), log, "'_xsrf' argument missing from POST");
        }
    }

    @Test
    void forgedTokenIs403() {
        serve();
        String[] tc = tokenAndCookie();
        String[] other = tokenAndCookie(); // a token of another session
        PREPARED.set(0);
        try (LogCapture log = new LogCapture("tornado.general")) {
            assertForbidden(request("POST", "/form", form(other[0]), "Cookie: " + tc[1]), log,
                    "XSRF cookie does not match POST argument");
            assertForbidden(request("POST", "/form", form("2|00000000|" + "ab".repeat(16) + "|1"), "Cookie: " + tc[1]),
                    log, "XSRF cookie does not match POST argument");
            assertForbidden(request("POST", "/form", form("0123456789abcdef0123456789abcdef"), "Cookie: " + tc[1]),
                    log, "XSRF cookie does not match POST argument");
        }
    }

    @Test
    void tokenWithoutCookieIs403() {
        serve();
        String[] tc = tokenAndCookie();
        PREPARED.set(0);
        try (LogCapture log = new LogCapture("tornado.general")) {
            RawHttp.Response r = request("POST", "/form", form(tc[0]));
            assertForbidden(r, log, "XSRF cookie does not match POST argument");
            assertNull(r.header("Set-Cookie"), "checking sets no cookie");
        }
    }

    @Test
    void malformedTokenIs403() {
        serve();
        String[] tc = tokenAndCookie();
        PREPARED.set(0);
        try (LogCapture log = new LogCapture("tornado.general")) {
            for (String bad : List.of("2|zz|" + "ab".repeat(16) + "|1", "2|0000|abab|1", "2|a|b", "3|x|y|z",
                    "2|00000000|" + "ab".repeat(16) + "|notanumber")) {
                assertForbidden(request("POST", "/form", form(bad), "Cookie: " + tc[1]), log,
                        "'_xsrf' argument has invalid format");
            }
        }
    }

    @Test
    void everyUnsafeMethodIsCheckedAndSafeOnesAreNot() {
        serve();
        for (String m : List.of("POST", "PUT", "DELETE", "PATCH")) {
            try (LogCapture log = new LogCapture("tornado.general")) {
                assertEquals(403, request(m, "/form", "").code, m);
            }
        }
        assertEquals(200, request("GET", "/form", null).code);
        assertEquals(200, server.rawRequest("HEAD /form HTTP/1.1\r\nHost: x\r\n\r\n").code);
        assertEquals("options", request("OPTIONS", "/form", null).text());
    }

    @Test
    void xsrfCookieKwargsApply() {
        serve(Settings.builder().xsrfCookieKwargs(Map.of("httponly", true, "secure", true, "samesite", "Strict")));
        String h = request("GET", "/form", null).header("Set-Cookie");
        assertTrue(h.matches("_xsrf=" + TOKEN_V2 + "; HttpOnly; Path=/; SameSite=Strict; Secure"), h);
    }

    @Test
    void aLoggedInUsersCookieLasts30Days() {
        serve();
        String h = request("GET", "/user", null).header("Set-Cookie");
        assertTrue(h.matches("_xsrf=" + TOKEN_V2 + "; expires=[^;]+ GMT; Path=/"), h);
        int i = h.indexOf("expires=") + 8;
        Instant expires = ZonedDateTime.parse(h.substring(i, h.indexOf(';', i)),
                DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC))
                .toInstant();
        assertTrue(Math.abs(Duration.between(Instant.now().plus(Duration.ofDays(30)), expires).getSeconds()) < 60, h);
    }

    @Test
    void xsrfCookieVersion1GivesThePlainHexToken() {
        serve(Settings.builder().set("xsrf_cookie_version", 1));
        RawHttp.Response r = request("GET", "/form", null);
        assertTrue(r.text().matches("[0-9a-f]{32}"), r.text());
        assertEquals("_xsrf=" + r.text() + "; Path=/", r.header("Set-Cookie"));
        assertEquals(200, request("POST", "/form", form(r.text()), "Cookie: _xsrf=" + r.text()).code);
    }

    @Test
    void checkXsrfCookieCanBeCalledByHand() {
        server = TestServer.start(new Application(List.of(url("/manual", Manual.class), url("/form", Form.class))));
        try (LogCapture log = new LogCapture("tornado.general")) {
            assertEquals(403, request("POST", "/manual", "x=1").code);
        }
        assertEquals("posted", request("POST", "/form", "x=1").text(), "xsrf_cookies is off");
        String hex = "00112233445566778899aabbccddeeff";
        assertEquals("checked", request("POST", "/manual", form(hex), "Cookie: _xsrf=" + hex).text());
        try (LogCapture log = new LogCapture("tornado.general")) {
            assertFalse(request("POST", "/manual", form(hex), "Cookie: _xsrf=" + hex.replace('0', '1')).code == 200);
        }
    }
}
