package io.tornadoj.escape;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tornado's escape_test.py behaviours, for {@link Escape}. */
class EscapeTest {

    // ------------------------------------------------------------------------------------------------
    // linkify

    private record Linkify(String text, boolean shorten, String extra, boolean requireProtocol,
                           List<String> protocols, String expected) {
        @Override
        public String toString() {
            return text;
        }
    }

    private static Linkify plain(String text, String expected) {
        return new Linkify(text, false, "", false, null, expected);
    }

    private static Linkify protocols(String text, List<String> protocols, String expected) {
        return new Linkify(text, false, "", false, protocols, expected);
    }

    static Stream<Linkify> linkifyCases() {
        return Stream.of(
                plain("hello http://world.com/!", "hello <a href=\"http://world.com/\">http://world.com/</a>!"),
                plain("hello http://world.com/with?param=true&stuff=yes",
                        "hello <a href=\"http://world.com/with?param=true&amp;stuff=yes\">"
                                + "http://world.com/with?param=true&amp;stuff=yes</a>"),
                // an opened paren followed by many chars killed Gruber's regex
                plain("http://url.com/w(aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                        "<a href=\"http://url.com/w\">http://url.com/w</a>(aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
                // as did too many dots at the end
                plain("http://url.com/withmany.......................................",
                        "<a href=\"http://url.com/withmany\">http://url.com/withmany</a>......................................."),
                plain("http://url.com/withmany((((((((((((((((((((((((((((((((((a)",
                        "<a href=\"http://url.com/withmany\">http://url.com/withmany</a>((((((((((((((((((((((((((((((((((a)"),
                plain("http://foo.com/blah_blah", "<a href=\"http://foo.com/blah_blah\">http://foo.com/blah_blah</a>"),
                plain("http://foo.com/blah_blah/", "<a href=\"http://foo.com/blah_blah/\">http://foo.com/blah_blah/</a>"),
                plain("(Something like http://foo.com/blah_blah)",
                        "(Something like <a href=\"http://foo.com/blah_blah\">http://foo.com/blah_blah</a>)"),
                plain("http://foo.com/blah_blah_(wikipedia)",
                        "<a href=\"http://foo.com/blah_blah_(wikipedia)\">http://foo.com/blah_blah_(wikipedia)</a>"),
                plain("http://foo.com/blah_(blah)_(wikipedia)_blah",
                        "<a href=\"http://foo.com/blah_(blah)_(wikipedia)_blah\">"
                                + "http://foo.com/blah_(blah)_(wikipedia)_blah</a>"),
                plain("(Something like http://foo.com/blah_blah_(wikipedia))",
                        "(Something like <a href=\"http://foo.com/blah_blah_(wikipedia)\">"
                                + "http://foo.com/blah_blah_(wikipedia)</a>)"),
                plain("http://foo.com/blah_blah.", "<a href=\"http://foo.com/blah_blah\">http://foo.com/blah_blah</a>."),
                plain("http://foo.com/blah_blah/.", "<a href=\"http://foo.com/blah_blah/\">http://foo.com/blah_blah/</a>."),
                plain("<http://foo.com/blah_blah>",
                        "&lt;<a href=\"http://foo.com/blah_blah\">http://foo.com/blah_blah</a>&gt;"),
                plain("<http://foo.com/blah_blah/>",
                        "&lt;<a href=\"http://foo.com/blah_blah/\">http://foo.com/blah_blah/</a>&gt;"),
                plain("http://foo.com/blah_blah,", "<a href=\"http://foo.com/blah_blah\">http://foo.com/blah_blah</a>,"),
                plain("http://www.example.com/wpstyle/?p=364.",
                        "<a href=\"http://www.example.com/wpstyle/?p=364\">http://www.example.com/wpstyle/?p=364</a>."),
                protocols("rdar://1234", List.of("http", "rdar"), "<a href=\"rdar://1234\">rdar://1234</a>"),
                protocols("rdar:/1234", List.of("rdar"), "<a href=\"rdar:/1234\">rdar:/1234</a>"),
                plain("http://userid:password@example.com:8080",
                        "<a href=\"http://userid:password@example.com:8080\">http://userid:password@example.com:8080</a>"),
                plain("http://userid@example.com", "<a href=\"http://userid@example.com\">http://userid@example.com</a>"),
                plain("http://userid@example.com:8080",
                        "<a href=\"http://userid@example.com:8080\">http://userid@example.com:8080</a>"),
                plain("http://userid:password@example.com",
                        "<a href=\"http://userid:password@example.com\">http://userid:password@example.com</a>"),
                protocols("message://%3c330e7f8409726r6a4ba78dkf1fd71420c1bf6ff@mail.gmail.com%3e",
                        List.of("http", "message"),
                        "<a href=\"message://%3c330e7f8409726r6a4ba78dkf1fd71420c1bf6ff@mail.gmail.com%3e\">"
                                + "message://%3c330e7f8409726r6a4ba78dkf1fd71420c1bf6ff@mail.gmail.com%3e</a>"),
                plain("http://\u27a1.ws/\u4a39", "<a href=\"http://\u27a1.ws/\u4a39\">http://\u27a1.ws/\u4a39</a>"),
                plain("<tag>http://example.com</tag>",
                        "&lt;tag&gt;<a href=\"http://example.com\">http://example.com</a>&lt;/tag&gt;"),
                plain("Just a www.example.com link.",
                        "Just a <a href=\"http://www.example.com\">www.example.com</a> link."),
                new Linkify("Just a www.example.com link.", false, "", true, null, "Just a www.example.com link."),
                new Linkify("A http://reallylong.com/link/that/exceedsthelenglimit.html", true, "", true, null,
                        "A <a href=\"http://reallylong.com/link/that/exceedsthelenglimit.html\""
                                + " title=\"http://reallylong.com/link/that/exceedsthelenglimit.html\">"
                                + "http://reallylong.com/link...</a>"),
                new Linkify("A http://reallylongdomainnamethatwillbetoolong.com/hi!", true, "", false, null,
                        "A <a href=\"http://reallylongdomainnamethatwillbetoolong.com/hi\""
                                + " title=\"http://reallylongdomainnamethatwillbetoolong.com/hi\">"
                                + "http://reallylongdomainnametha...</a>!"),
                plain("A file:///passwords.txt and http://web.com link",
                        "A file:///passwords.txt and <a href=\"http://web.com\">http://web.com</a> link"),
                protocols("A file:///passwords.txt and http://web.com link", List.of("file"),
                        "A <a href=\"file:///passwords.txt\">file:///passwords.txt</a> and http://web.com link"),
                new Linkify("www.external-link.com", false, "rel=\"nofollow\" class=\"external\"", false, null,
                        "<a href=\"http://www.external-link.com\" rel=\"nofollow\" class=\"external\">"
                                + "www.external-link.com</a>"),
                new Linkify("www.external-link.com", false, "    rel=\"nofollow\" class=\"external\"  ", false, null,
                        "<a href=\"http://www.external-link.com\" rel=\"nofollow\" class=\"external\">"
                                + "www.external-link.com</a>"),
                // our own additions
                plain("", ""),
                plain("no links & <b>here</b> 'quoted'",
                        "no links &amp; &lt;b&gt;here&lt;/b&gt; &#39;quoted&#39;"),
                plain("javascript:alert(1)", "javascript:alert(1)"),
                plain("two http://a.com and https://b.org/x.",
                        "two <a href=\"http://a.com\">http://a.com</a> and <a href=\"https://b.org/x\">https://b.org/x</a>."),
                plain("say \"http://q.com/a\"b\" ok",
                        "say &quot;<a href=\"http://q.com/a&quot;b\">http://q.com/a&quot;b</a>&quot; ok"),
                plain("it's http://x.com/it's", "it&#39;s <a href=\"http://x.com/it\">http://x.com/it</a>&#39;s"),
                plain("foo-http://x.com", "foo-http://x.com"),
                plain("emoji http://e.com/\ud83d\ude00 end",
                        "emoji <a href=\"http://e.com/\ud83d\ude00\">http://e.com/\ud83d\ude00</a> end"),
                // expected outputs below were produced by Tornado's own linkify
                plain("http:// foo", "<a href=\"http://\">http://</a> foo"),
                plain("http:////x", "<a href=\"http:////x\">http:////x</a>"),
                plain("x http://a.b/(c)(d)e. y", "x <a href=\"http://a.b/(c)(d)e\">http://a.b/(c)(d)e</a>. y"),
                plain("http:/(x)", "<a href=\"http:/(x)\">http:/(x)</a>"),
                plain("wwwx.com www.", "wwwx.com www."),
                plain("http://a.com/&lt;b", "<a href=\"http://a.com/&amp;lt;b\">http://a.com/&amp;lt;b</a>"),
                plain("http://a.com/x&amp;y&z",
                        "<a href=\"http://a.com/x&amp;amp;y&amp;z\">http://a.com/x&amp;amp;y&amp;z</a>"),
                new Linkify("http://abcdefghijk.com?x=1&y=2&z=3&w=4", true, "", false, null,
                        "<a href=\"http://abcdefghijk.com?x=1&amp;y=2&amp;z=3&amp;w=4\""
                                + " title=\"http://abcdefghijk.com?x=1&amp;y=2&amp;z=3&amp;w=4\">"
                                + "http://abcdefghijk.com?x=1...</a>"),
                new Linkify("http://example.com/aaaaaaaaaaaaaaaaaaaaaa?x=1&y=2&z=3&w=4", true, "", false, null,
                        "<a href=\"http://example.com/aaaaaaaaaaaaaaaaaaaaaa?x=1&amp;y=2&amp;z=3&amp;w=4\""
                                + " title=\"http://example.com/aaaaaaaaaaaaaaaaaaaaaa?x=1&amp;y=2&amp;z=3&amp;w=4\">"
                                + "http://example.com/aaaaaaaa...</a>"),
                new Linkify("www.a.com/" + E10 + "/" + E10 + E10 + E3, true, "", false, null,
                        "<a href=\"http://www.a.com/" + E10 + "/" + E10 + E10 + E3 + "\""
                                + " title=\"http://www.a.com/" + E10 + "/" + E10 + E10 + E3 + "\">"
                                + "www.a.com/" + E3 + E3 + E + E + "...</a>"));
    }

    private static final String E = "\ud83d\ude00";
    private static final String E3 = E + E + E;
    private static final String E10 = E3 + E3 + E3 + E;

    @ParameterizedTest
    @MethodSource("linkifyCases")
    void linkify(Linkify c) {
        assertEquals(c.expected(), Escape.linkify(c.text(), c.shorten(), c.extra(), c.requireProtocol(), c.protocols()));
    }

    @Test
    void linkifyDefaults() {
        assertEquals("Hello <a href=\"http://tornadoweb.org\">http://tornadoweb.org</a>!",
                Escape.linkify("Hello http://tornadoweb.org!"));
        assertEquals(Escape.linkify("x www.a.com y"), Escape.linkify("x www.a.com y", false, null, false, null));
    }

    @Test
    void linkifyIsFastOnPathologicalInput() {
        long start = System.nanoTime();
        String parens = "http://x.com/" + "()".repeat(50_000);
        assertTrue(Escape.linkify(parens).startsWith("<a href=\"http://x.com/()"));
        String dots = "http://x.com/a" + ".".repeat(5_000);
        assertTrue(Escape.linkify(dots).startsWith("<a href=\"http://x.com/a\">"));
        String words = "a-".repeat(50_000);
        assertEquals(words, Escape.linkify(words));
        assertTrue(System.nanoTime() - start < 5_000_000_000L);
    }

    // ------------------------------------------------------------------------------------------------
    // HTML

    @Test
    void xhtmlEscape() {
        String[][] tests = {
            {"<foo>", "&lt;foo&gt;"},
            {"<>&\"'", "&lt;&gt;&amp;&quot;&#39;"},
            {"&amp;", "&amp;amp;"},
            {"<\u00e9>", "&lt;\u00e9&gt;"},
            {"plain", "plain"},
            {"", ""},
        };
        for (String[] t : tests) {
            assertEquals(t[1], Escape.xhtmlEscape(t[0]));
            assertEquals(t[0], Escape.xhtmlUnescape(t[1]));
        }
    }

    @Test
    void xhtmlEscapeNonStrings() {
        assertEquals("&lt;\u00e9&gt;", Escape.xhtmlEscape("<\u00e9>".getBytes(StandardCharsets.UTF_8)));
        assertEquals("42", Escape.xhtmlEscape(42));
        assertEquals("[a&amp;b]", Escape.xhtmlEscape(List.of("a&b")));
        assertEquals("", Escape.xhtmlEscape(null));
        assertThrows(IllegalArgumentException.class, () -> Escape.xhtmlEscape(new byte[] {(byte) 0xff}));
    }

    @Test
    void xhtmlUnescapeNumeric() {
        String[][] tests = {
            {"foo&#32;bar", "foo bar"},
            {"foo&#x20;bar", "foo bar"},
            {"foo&#X20;bar", "foo bar"},
            {"foo&#xabc;bar", "foo\u0abcbar"},
            {"foo&#xyz;bar", "foo&#xyz;bar"},
            {"foo&#;bar", "foo&#;bar"},
            {"foo&#x;bar", "foo&#x;bar"},
            {"&#39;&#x27;&apos;", "'''"},
            {"&#128512;", "\ud83d\ude00"},
            {"&#x1F600;", "\ud83d\ude00"},
            {"a&#65b", "aAb"}, // the semicolon is optional for numeric references
        };
        for (String[] t : tests) {
            assertEquals(t[1], Escape.xhtmlUnescape(t[0]), t[0]);
        }
    }

    @Test
    void xhtmlUnescapeInvalidCodePointsFollowHtml5() {
        assertEquals("\ufffd", Escape.xhtmlUnescape("&#0;"));
        assertEquals("\ufffd", Escape.xhtmlUnescape("&#xD800;"));
        assertEquals("\ufffd", Escape.xhtmlUnescape("&#x110000;"));
        assertEquals("\ufffd", Escape.xhtmlUnescape("&#99999999999999999999999;"));
        assertEquals("\u20ac", Escape.xhtmlUnescape("&#128;")); // Windows-1252 euro sign
        assertEquals("\u2019", Escape.xhtmlUnescape("&#x92;"));
        assertEquals("a\u0081b", Escape.xhtmlUnescape("a&#x81;b"));
        assertEquals("ab", Escape.xhtmlUnescape("a&#1;b"));
        assertEquals("ab", Escape.xhtmlUnescape("a&#xFFFF;b"));
        assertEquals("\r", Escape.xhtmlUnescape("&#13;"));
        assertEquals("\t\n", Escape.xhtmlUnescape("&#9;&#10;"));
    }

    @Test
    void xhtmlUnescapeNamed() {
        assertEquals("\u00e9\u00a0\u2026\u00a9\u03b1\u2665", Escape.xhtmlUnescape("&eacute;&nbsp;&hellip;&copy;&alpha;&hearts;"));
        assertEquals("<a href=\"x\">&</a>", Escape.xhtmlUnescape("&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"));
        // unknown or unterminated names are left alone
        assertEquals("&bogus; &amp &", Escape.xhtmlUnescape("&bogus; &amp &"));
        assertEquals("&&;&#", Escape.xhtmlUnescape("&&;&#"));
        assertEquals("&AMP;", Escape.xhtmlUnescape("&AMP;")); // names are case-sensitive
    }

    @Test
    void xhtmlUnescapeRoundTripsEscape() {
        String s = "Tom & Jerry's <\"show\"> \u00e9\ud83d\ude00";
        assertEquals(s, Escape.xhtmlUnescape(Escape.xhtmlEscape(s)));
    }

    // ------------------------------------------------------------------------------------------------
    // URLs

    @Test
    void urlEscapeUnicode() {
        assertEquals("%C3%A9", Escape.urlEscape("\u00e9"));
        assertEquals("%F0%9F%98%80", Escape.urlEscape("\ud83d\ude00"));
    }

    @Test
    void urlUnescapeUnicode() {
        assertEquals("\u00e9", Escape.urlUnescape("%C3%A9"));
        assertEquals("\u00e9", Escape.urlUnescape("%c3%a9"));
    }

    @Test
    void urlEscapeQuotePlus() {
        String unescaped = "+ #%";
        String plusEscaped = "%2B+%23%25";
        String escaped = "%2B%20%23%25";
        assertEquals(plusEscaped, Escape.urlEscape(unescaped));
        assertEquals(plusEscaped, Escape.urlEscape(unescaped, true));
        assertEquals(escaped, Escape.urlEscape(unescaped, false));
        assertEquals(unescaped, Escape.urlUnescape(plusEscaped));
        assertEquals(unescaped, Escape.urlUnescape(plusEscaped, true));
        assertEquals(unescaped, Escape.urlUnescape(escaped, false));
    }

    @Test
    void urlEscapeSlashAndSafeCharacters() {
        assertEquals("a%2Fb", Escape.urlEscape("a/b"));
        assertEquals("a/b", Escape.urlEscape("a/b", false));
        assertEquals("AZaz09_.-~", Escape.urlEscape("AZaz09_.-~"));
        assertEquals("AZaz09_.-~", Escape.urlEscape("AZaz09_.-~", false));
        assertEquals("%21%2A%27%28%29%3B%3A%40%26%3D%24%2C%3F%5B%5D", Escape.urlEscape("!*'();:@&=$,?[]"));
        assertEquals("", Escape.urlEscape(""));
    }

    @Test
    void urlUnescapePlusHandling() {
        assertEquals("a b", Escape.urlUnescape("a+b"));
        assertEquals("a+b", Escape.urlUnescape("a+b", false));
        assertEquals("a+b", Escape.urlUnescape("a%2Bb"));
        assertEquals("a/b", Escape.urlUnescape("a%2Fb", false));
    }

    @Test
    void urlUnescapeIsLenient() {
        assertEquals("100%", Escape.urlUnescape("100%"));
        assertEquals("%zz%4", Escape.urlUnescape("%zz%4"));
        assertEquals("\ufffd", Escape.urlUnescape("%FF"));
        assertEquals("\ufffdx", Escape.urlUnescape("%C3x"));
        assertEquals("caf\u00e9 \u6d4b", Escape.urlUnescape("caf\u00e9+%E6%B5%8B"));
    }

    @Test
    void urlRoundTrip() {
        String s = "a b/c?d=e&f+g%h \u00e9\u6d4b\ud83d\ude00";
        assertEquals(s, Escape.urlUnescape(Escape.urlEscape(s)));
        assertEquals(s, Escape.urlUnescape(Escape.urlEscape(s, false), false));
    }

    // ------------------------------------------------------------------------------------------------
    // JSON

    @Test
    void jsonDecode() {
        assertEquals("foo", Escape.jsonDecode("\"foo\""));
        assertEquals("\u00e9", Escape.jsonDecode("\"\u00e9\""));
        assertEquals("\u00e9", Escape.jsonDecode("\"\\u00e9\""));
        assertNull(Escape.jsonDecode("null"));
        assertEquals(Boolean.TRUE, Escape.jsonDecode("true"));
        assertEquals(1, Escape.jsonDecode("1"));
        assertEquals(10_000_000_000L, Escape.jsonDecode("10000000000"));
        assertEquals(new BigInteger("100000000000000000000"), Escape.jsonDecode("100000000000000000000"));
        assertEquals(1.5, Escape.jsonDecode("1.5"));
        assertTrue(Double.isNaN((Double) Escape.jsonDecode("NaN")));
    }

    @Test
    void jsonDecodeStructures() {
        Object v = Escape.jsonDecode("{\"b\": [1, \"two\", {\"c\": null}], \"a\": false}");
        Map<?, ?> m = assertInstanceOf(Map.class, v);
        assertEquals(List.of("b", "a"), new ArrayList<>(m.keySet()));
        List<?> b = assertInstanceOf(List.class, m.get("b"));
        assertEquals(1, b.get(0));
        assertEquals("two", b.get(1));
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("c", null);
        assertEquals(inner, b.get(2));
        assertEquals(Boolean.FALSE, m.get("a"));
    }

    @Test
    void jsonDecodeErrors() {
        assertThrows(IllegalArgumentException.class, () -> Escape.jsonDecode(""));
        assertThrows(IllegalArgumentException.class, () -> Escape.jsonDecode("{"));
        assertThrows(IllegalArgumentException.class, () -> Escape.jsonDecode("{'a': 1}"));
        assertThrows(IllegalArgumentException.class, () -> Escape.jsonDecode("1 2"));
        assertThrows(IllegalArgumentException.class, () -> Escape.jsonDecode("[1] x"));
        assertThrows(NullPointerException.class, () -> Escape.jsonDecode(null));
    }

    @Test
    void jsonEncode() {
        assertEquals("\u00e9", Escape.jsonDecode(Escape.jsonEncode("\u00e9")));
        assertEquals("\"\\u00e9\"", Escape.jsonEncode("\u00e9"));
        assertEquals("\"\\ud83d\\ude00\"", Escape.jsonEncode("\ud83d\ude00"));
        assertEquals("null", Escape.jsonEncode(null));
        assertEquals("42", Escape.jsonEncode(42));
        assertEquals("true", Escape.jsonEncode(true));
        assertEquals("\"a\\\"b\\\\c\\n\"", Escape.jsonEncode("a\"b\\c\n"));
    }

    @Test
    void jsonEncodeUsesPythonLayoutAndKeepsOrder() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("b", List.of(1, 2, "x"));
        m.put("a", Map.of("k", true));
        m.put("n", null);
        assertEquals("{\"b\": [1, 2, \"x\"], \"a\": {\"k\": true}, \"n\": null}", Escape.jsonEncode(m));
        assertEquals("[]", Escape.jsonEncode(List.of()));
        assertEquals("{}", Escape.jsonEncode(Map.of()));
        assertEquals("[1.5, 2.0]", Escape.jsonEncode(new double[] {1.5, 2.0}));
    }

    @Test
    void jsonEncodeEscapesScriptEnd() {
        String json = Escape.jsonEncode(Map.of("html", "</script><script>alert(1)</script>"));
        assertFalse(json.contains("</"), json);
        assertEquals("{\"html\": \"<\\/script><script>alert(1)<\\/script>\"}", json);
        assertEquals(Map.of("html", "</script><script>alert(1)</script>"), Escape.jsonDecode(json));
    }

    record Point(int x, String label) {
    }

    @Test
    void jsonEncodeRecords() {
        assertEquals("{\"x\": 1, \"label\": \"p\"}", Escape.jsonEncode(new Point(1, "p")));
    }

    @Test
    void jsonEncodeUnserializableIsIllegalArgument() {
        assertThrows(IllegalArgumentException.class, () -> Escape.jsonEncode(new Object()));
    }

    @Test
    void jsonRoundTrip() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "caf\u00e9 </b> \u2028");
        m.put("l", Arrays.asList(1, 2.5, null, false, "x"));
        m.put("m", Map.of("k", "v"));
        assertEquals(m, Escape.jsonDecode(Escape.jsonEncode(m)));
    }

    // ------------------------------------------------------------------------------------------------
    // strings

    @Test
    void utf8AndToUnicode() {
        assertArrayEquals(new byte[] {(byte) 0xc3, (byte) 0xa9}, Escape.utf8("\u00e9"));
        assertEquals("\u00e9", Escape.toUnicode(new byte[] {(byte) 0xc3, (byte) 0xa9}));
        assertNull(Escape.utf8((String) null));
        assertNull(Escape.toUnicode((byte[]) null));
        // the other form passes through unchanged, as Tornado's
        byte[] bytes = {1, 2, (byte) 0xff};
        assertSame(bytes, Escape.utf8(bytes));
        assertEquals("\u00e9", Escape.toUnicode("\u00e9"));
        assertNull(Escape.utf8((byte[]) null));
        assertNull(Escape.toUnicode((String) null));
        assertArrayEquals(new byte[0], Escape.utf8(""));
        assertEquals("", Escape.toUnicode(new byte[0]));
        String s = "a\u00e9\u6d4b\ud83d\ude00";
        assertEquals(s, Escape.toUnicode(Escape.utf8(s)));
    }

    @Test
    void toUnicodeIsStrict() {
        assertThrows(IllegalArgumentException.class, () -> Escape.toUnicode(new byte[] {(byte) 0xe9}));
        assertThrows(IllegalArgumentException.class, () -> Escape.toUnicode(new byte[] {(byte) 0xc3}));
    }

    @Test
    void squeeze() {
        assertEquals("sequences of whitespace chars", Escape.squeeze("sequences     of    whitespace   chars"));
        assertEquals("a b c", Escape.squeeze("  a \t\r\n b\u0000\u0001c  "));
        assertEquals("", Escape.squeeze(" \t\n "));
        assertEquals("", Escape.squeeze(""));
        assertEquals("x\u00a0y", Escape.squeeze("x\u00a0y")); // only U+0000..U+0020 runs are squeezed
        assertEquals("x", Escape.squeeze("\u00a0x\u3000")); // ...but the ends are stripped like Python's strip()
    }

    static Stream<Arguments> nullArguments() {
        return Stream.of(
                Arguments.of("xhtmlUnescape", (Runnable) () -> Escape.xhtmlUnescape(null)),
                Arguments.of("urlEscape", (Runnable) () -> Escape.urlEscape(null)),
                Arguments.of("urlUnescape", (Runnable) () -> Escape.urlUnescape(null)),
                Arguments.of("squeeze", (Runnable) () -> Escape.squeeze(null)),
                Arguments.of("linkify", (Runnable) () -> Escape.linkify(null)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nullArguments")
    void nullIsRefused(String name, Runnable call) {
        assertThrows(NullPointerException.class, call::run);
    }
}
