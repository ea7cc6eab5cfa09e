package io.tornadoj.web;

import io.tornadoj.testsupport.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Signed cookies over real HTTP: {@code setSignedCookie}/{@code getSignedCookie}/{@code createSignedValue},
 * key versions, and each attack as its own test — tampered, expired, bound to another name, signed with
 * another secret or key version. Tornado's SecureCookieV2Test and CookieTest.
 */
@Timeout(60)
class SignedCookieTest {
    /** Python Tornado 6.2: {@code create_signed_value("secret", "user", "bob", clock=lambda: 1700000000.75)}. */
    static final String PYTHON_SIGNED =
            "2|1:0|10:1700000000|4:user|4:Ym9i|3c92fc54559ebf47864d4a8ef7991dc56a41591b9c0de1026766768f9a4edf7e";

    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void serve(Settings settings) {
        server = TestServer.start(new Application(List.of(
                url("/set", SetSigned.class),
                url("/get", GetSigned.class),
                url("/create", Create.class)), settings));
    }

    private void serve() {
        serve(Settings.builder().cookieSecret("secret").build());
    }

    // ------------------------------------------------------------------ handlers

    /** {@code ?name=&value=} and optionally {@code &days=} or {@code &session=1}. */
    public static class SetSigned extends RequestHandler {
        public void get() {
            String name = getArgument("name");
            String value = getArgument("value");
            if (getArgument("days", null) != null) {
                setSignedCookie(name, value, Double.parseDouble(getArgument("days")));
            } else if (getArgument("session", null) != null) {
                setSignedCookie(name, value, CookieOptions.builder().httpOnly(true).build());
            } else {
                setSignedCookie(name, value);
            }
        }
    }

    /** {@code ?name=} and optionally {@code &max_age=} days: the value or "(none)", then the key version. */
    public static class GetSigned extends RequestHandler {
        public void get() {
            String name = getArgument("name");
            String maxAge = getArgument("max_age", null);
            String v = maxAge == null ? getSignedCookie(name) : getSignedCookie(name, Double.parseDouble(maxAge));
            write((v == null ? "(none)" : v) + "|" + getSignedCookieKeyVersion(name));
        }
    }

    /** Signs {@code ?value=} for the name {@code n}, and verifies it again through the value form. */
    public static class Create extends RequestHandler {
        public void get() {
            String signed = createSignedValue("n", getArgument("value"));
            write(signed + "\n" + getSignedCookie("n", signed, 31) + "\n" + getSignedCookie("m", signed, 31));
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

    /** {@code name=value} of the first Set-Cookie header, as a browser sends it back. */
    private static String cookiePair(RawHttp.Response r) {
        String h = r.header("Set-Cookie");
        return h.substring(0, h.indexOf(';'));
    }

    private String get(String name, String cookieValue, String query) {
        return raw("/get?name=" + name + query, "Cookie: " + name + "=\"" + cookieValue + "\"").text();
    }

    private static String signedNow(Object secret, Integer keyVersion, String name, String value, double ageSeconds) {
        double now = System.currentTimeMillis() / 1000.0 - ageSeconds;
        return SignedValue.create(secret, keyVersion, name, value.getBytes(StandardCharsets.UTF_8), () -> now);
    }

    // ------------------------------------------------------------------ tests

    @Test
    void aSignedCookieRoundTrips() {
        serve();
        for (String value : List.of("bob", "héllo wörld € ✓", "a;b,c=\"d\" e")) {
            RawHttp.Response set = raw("/set?name=user&value=" + io.tornadoj.escape.Escape.urlEscape(value));
            assertEquals(200, set.code);
            String pair = cookiePair(set);
            // quoted as Tornado does when the base64 has '=' or '/'
            assertTrue(pair.startsWith("user=2|1:0|") || pair.startsWith("user=\"2|1:0|") && pair.endsWith("\""), pair);
            assertEquals(value + "|0", raw("/get?name=user", "Cookie: " + pair).text());
        }
    }

    @Test
    void setSignedCookieExpiresIn30DaysByDefault() {
        serve();
        Instant now = Instant.now();
        String h = raw("/set?name=a&value=b").header("Set-Cookie");
        assertTrue(h.matches("a=\"2\\|[^;\"]+\"; expires=[^;]+; Path=/"), h);
        assertTrue(Math.abs(Duration.between(now.plus(Duration.ofDays(30)), expires(h)).getSeconds()) < 60, h);
        h = raw("/set?name=a&value=b&days=7").header("Set-Cookie");
        assertTrue(Math.abs(Duration.between(now.plus(Duration.ofDays(7)), expires(h)).getSeconds()) < 60, h);
        h = raw("/set?name=a&value=b&session=1").header("Set-Cookie");
        assertTrue(h.matches("a=\"2\\|[^;\"]+\"; HttpOnly; Path=/"), h);
    }

    private static Instant expires(String h) {
        int i = h.indexOf("expires=") + 8;
        return ZonedDateTime.parse(h.substring(i, h.indexOf(';', i)),
                DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC))
                .toInstant();
    }

    @Test
    void aCookieSignedByPythonTornadoIsAccepted() {
        serve();
        // signed in November 2023: too old for the default 31 days, fine within 100 years
        assertEquals("(none)|0", get("user", PYTHON_SIGNED, ""));
        assertEquals("bob|0", get("user", PYTHON_SIGNED, "&max_age=36500"));
    }

    @Test
    void createSignedValueVerifiesForItsNameOnly() {
        serve();
        String[] lines = server.get("/create?value=v%C3%A9").body().split("\n");
        assertTrue(lines[0].startsWith("2|1:0|10:"), lines[0]);
        assertEquals("vé", lines[1]);
        assertEquals("null", lines[2]);
        assertEquals("vé", new String(SignedValue.decode("secret", "n", lines[0], 1, SignedValue.WALL_CLOCK),
                StandardCharsets.UTF_8));
    }

    @Test
    void tamperedSignatureIsRejected() {
        serve();
        String good = signedNow("secret", null, "user", "bob", 0);
        assertEquals("bob|0", get("user", good, ""));
        char last = good.charAt(good.length() - 1);
        String forged = good.substring(0, good.length() - 1) + (last == '0' ? '1' : '0');
        assertEquals("(none)|0", get("user", forged, ""));
        assertEquals("(none)|0", get("user", good.substring(0, good.length() - 1), ""));
    }

    @Test
    void tamperedValueIsRejected() {
        serve();
        String good = signedNow("secret", null, "user", "bob", 0);
        String forged = good.replace("4:Ym9i", "4:YWRt"); // "adm"
        assertNotEquals(good, forged);
        assertEquals("(none)|0", get("user", forged, ""));
        // a longer value with the original signature
        assertEquals("(none)|0", get("user", good.replace("4:Ym9i", "8:YWRtaW4="), ""));
    }

    @Test
    void tamperedTimestampIsRejected() {
        serve();
        String old = signedNow("secret", null, "user", "bob", 40 * 86400);
        String ts = old.split("\\|")[2].substring(3);
        String refreshed = old.replace(ts, Long.toString(System.currentTimeMillis() / 1000));
        assertEquals("(none)|0", get("user", refreshed, ""));
    }

    @Test
    void expiredSignedCookieIsRejected() {
        serve();
        String old = signedNow("secret", null, "user", "bob", 32 * 86400);
        assertEquals("(none)|0", get("user", old, ""));
        assertEquals("bob|0", get("user", old, "&max_age=33"));
        String recent = signedNow("secret", null, "user", "bob", 2 * 86400);
        assertEquals("bob|0", get("user", recent, ""));
        assertEquals("(none)|0", get("user", recent, "&max_age=1"));
    }

    @Test
    void valueSignedForAnotherNameIsRejected() {
        serve();
        String forAdmin = signedNow("secret", null, "admin", "bob", 0);
        assertEquals("(none)|0", get("user", forAdmin, ""));
        assertEquals("bob|0", get("admin", forAdmin, ""));
    }

    @Test
    void valueSignedWithAnotherSecretIsRejected() {
        serve();
        assertEquals("(none)|0", get("user", signedNow("guessed", null, "user", "bob", 0), ""));
        assertEquals("(none)|null", get("user", "bob", ""));
    }

    @Test
    void keyVersionsSignWithTheCurrentKeyAndVerifyOlderOnes() {
        serve(Settings.builder().cookieSecret(Map.of(0, "old key", 1, "current key")).keyVersion(1).build());
        RawHttp.Response set = raw("/set?name=user&value=bob");
        String pair = cookiePair(set);
        assertTrue(pair.startsWith("user=2|1:1|"), pair);
        assertEquals("bob|1", raw("/get?name=user", "Cookie: " + pair).text());
        // a cookie from before the key rotation still verifies with its key
        assertEquals("bob|0", get("user", signedNow(Map.of(0, "old key"), 0, "user", "bob", 0), ""));
    }

    @Test
    void valueSignedWithAnotherKeyVersionIsRejected() {
        serve(Settings.builder().cookieSecret(Map.of(0, "old key", 1, "current key")).keyVersion(1).build());
        // a key version the application does not have
        assertEquals("(none)|2", get("user", signedNow(Map.of(2, "current key"), 2, "user", "bob", 0), ""));
        // signed with key 0 but claiming key 1
        String withOld = signedNow(Map.of(1, "old key"), 1, "user", "bob", 0);
        assertEquals("(none)|1", get("user", withOld, ""));
        // signed with key 1 but relabelled as key 0
        String relabelled = signedNow(Map.of(1, "current key"), 1, "user", "bob", 0).replace("2|1:1|", "2|1:0|");
        assertEquals("(none)|0", get("user", relabelled, ""));
    }

    @Test
    void signedCookiesNeedACookieSecret() {
        serve(Settings.empty());
        try (LogCapture app = new LogCapture("tornado.application")) {
            assertEquals(500, raw("/set?name=a&value=b").code);
            assertEquals(500, raw("/get?name=a").code);
            Throwable t = LogCapture.thrown(app.events().get(0));
            assertInstanceOf(IllegalStateException.class, t);
            assertEquals("You must define the 'cookie_secret' setting in your application to use secure cookies",
                    t.getMessage());
        }
    }

    @Test
    void aKeyRingNeedsAKeyVersionToSign() {
        serve(Settings.builder().cookieSecret(Map.of(0, "k")).build());
        try (LogCapture app = new LogCapture("tornado.application")) {
            assertEquals(500, raw("/set?name=a&value=b").code);
            assertEquals("key_version setting must be used for secret_key dicts",
                    LogCapture.thrown(app.events().get(0)).getMessage());
        }
    }
}
