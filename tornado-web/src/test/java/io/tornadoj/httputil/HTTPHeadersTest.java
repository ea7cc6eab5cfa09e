package io.tornadoj.httputil;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tornado's HTTPHeadersTest behaviours, for {@link HTTPHeaders}. */
class HTTPHeadersTest {

    private static Map.Entry<String, String> e(String k, String v) {
        return new SimpleImmutableEntry<>(k, v);
    }

    private static List<Map.Entry<String, String>> sorted(List<Map.Entry<String, String>> entries) {
        List<Map.Entry<String, String>> out = new ArrayList<>(entries);
        out.sort(Comparator.<Map.Entry<String, String>, String>comparing(Map.Entry::getKey)
                .thenComparing(Map.Entry::getValue));
        return out;
    }

    @Test
    void caseInsensitiveAndNormalizedNames() {
        HTTPHeaders h = new HTTPHeaders();
        h.add("content-TYPE", "text/html");
        assertEquals("text/html", h.get("Content-Type"));
        assertEquals("text/html", h.get("CONTENT-TYPE"));
        assertEquals("text/html", h.getFirst("content-type"));
        assertTrue(h.contains("CoNtEnT-tYpE"));
        assertEquals(List.of("Content-Type"), new ArrayList<>(h.names()));
    }

    @Test
    void normalize() {
        assertEquals("Content-Type", HTTPHeaders.normalize("coNtent-TYPE"));
        assertEquals("X-Forwarded-For", HTTPHeaders.normalize("x-forwarded-for"));
        assertEquals("Etag", HTTPHeaders.normalize("ETag"));
        assertEquals("A--B", HTTPHeaders.normalize("a--b"));
        // frequent lower-case names come from a table; every entry must agree with the rule
        for (String lower : new String[] {"content-type", "etag", "x-real-ip", "www-authenticate", "set-cookie"}) {
            StringBuilder rule = new StringBuilder();
            boolean upper = true;
            for (char c : lower.toCharArray()) {
                rule.append(upper ? Character.toUpperCase(c) : c);
                upper = c == '-';
            }
            assertEquals(rule.toString(), HTTPHeaders.normalize(lower));
        }
    }

    @Test
    void multipleValuesAreJoinedWithComma() {
        HTTPHeaders h = new HTTPHeaders();
        h.add("Set-Cookie", "A=B");
        h.add("set-cookie", "C=D");
        assertEquals("A=B,C=D", h.get("SET-COOKIE"));
        assertEquals(List.of("A=B", "C=D"), h.getList("set-cookie"));
        assertEquals("A=B", h.getFirst("Set-Cookie"));
        assertEquals(List.of(e("Set-Cookie", "A=B"), e("Set-Cookie", "C=D")), h.entries());
    }

    @Test
    void absentHeaders() {
        HTTPHeaders h = new HTTPHeaders();
        assertNull(h.get("X"));
        assertEquals("dflt", h.get("X", "dflt"));
        assertNull(h.getFirst("X"));
        assertEquals(List.of(), h.getList("X"));
        assertFalse(h.contains("X"));
        assertFalse(h.remove("X"));
        assertTrue(h.isEmpty());
    }

    @Test
    void getWithDefaultWhenPresent() {
        HTTPHeaders h = new HTTPHeaders();
        h.add("X", "1");
        assertEquals("1", h.get("x", "dflt"));
    }

    @Test
    void setReplacesAllValues() {
        HTTPHeaders h = new HTTPHeaders();
        h.add("A", "1");
        h.add("B", "x");
        h.add("A", "2");
        h.set("a", "3");
        assertEquals("3", h.get("A"));
        assertEquals(List.of("3"), h.getList("A"));
        // the header keeps its place
        assertEquals(List.of("A", "B"), new ArrayList<>(h.names()));
    }

    @Test
    void setOnNewHeaderAddsIt() {
        HTTPHeaders h = new HTTPHeaders();
        h.set("x-new", "v");
        assertEquals("v", h.get("X-New"));
        assertEquals(List.of("X-New"), new ArrayList<>(h.names()));
    }

    @Test
    void removeDropsEveryValue() {
        HTTPHeaders h = new HTTPHeaders();
        h.add("A", "1");
        h.add("A", "2");
        h.add("B", "3");
        assertTrue(h.remove("a"));
        assertFalse(h.contains("A"));
        assertNull(h.get("A"));
        assertEquals(List.of("B"), new ArrayList<>(h.names()));
        assertEquals(List.of(e("B", "3")), h.entries());
        assertTrue(h.remove("B"));
        assertTrue(h.isEmpty());
    }

    @Test
    void namesAndEntriesKeepInsertionOrder() {
        HTTPHeaders h = new HTTPHeaders();
        h.add("Zeta", "1");
        h.add("alpha", "2");
        h.add("Mid", "3");
        h.add("ZETA", "4");
        assertEquals(List.of("Zeta", "Alpha", "Mid"), new ArrayList<>(h.names()));
        assertEquals(List.of(e("Zeta", "1"), e("Zeta", "4"), e("Alpha", "2"), e("Mid", "3")), h.entries());
    }

    @Test
    void removeThenAddMovesToEnd() {
        HTTPHeaders h = new HTTPHeaders();
        h.add("A", "1");
        h.add("B", "2");
        h.remove("A");
        h.add("a", "3");
        assertEquals(List.of("B", "A"), new ArrayList<>(h.names()));
    }

    @Test
    void viewsAreReadOnly() {
        HTTPHeaders h = new HTTPHeaders();
        h.add("A", "1");
        assertThrows(UnsupportedOperationException.class, () -> h.getList("A").add("2"));
        assertThrows(UnsupportedOperationException.class, () -> h.names().add("B"));
        assertEquals(List.of("1"), h.getList("A"));
    }

    @Test
    void multiLine() {
        String data = "Foo: bar\n baz\nAsdf: qwer\n\tzxcv\nFoo: even\n     more\n     lines\n".replace("\n", "\r\n");
        HTTPHeaders h = HTTPHeaders.parse(data);
        assertEquals("qwer zxcv", h.get("asdf"));
        assertEquals(List.of("qwer zxcv"), h.getList("asdf"));
        assertEquals("bar baz,even more lines", h.get("Foo"));
        assertEquals(List.of("bar baz", "even more lines"), h.getList("foo"));
        assertEquals(List.of(e("Asdf", "qwer zxcv"), e("Foo", "bar baz"), e("Foo", "even more lines")),
                sorted(h.entries()));
        assertTrue(h.contains("asdf"));
        assertTrue(h.contains("Asdf"));
    }

    @Test
    void continuation() {
        assertEquals("bar asdf", HTTPHeaders.parse("Foo: bar\r\n\tasdf").get("Foo"));
    }

    @Test
    void firstLineCannotBeAContinuation() {
        assertThrows(IllegalArgumentException.class, () -> HTTPHeaders.parse(" Foo: bar"));
        assertThrows(IllegalArgumentException.class, () -> new HTTPHeaders().parseLine("\tFoo: bar"));
    }

    @Test
    void formFeedIsNotAContinuation() {
        assertThrows(IllegalArgumentException.class, () -> HTTPHeaders.parse("Foo: bar\r\n\fasdf"));
    }

    @Test
    void continuationOfARemovedHeaderIsRefused() {
        HTTPHeaders h = new HTTPHeaders();
        h.parseLine("Foo: bar");
        h.remove("Foo");
        assertThrows(IllegalArgumentException.class, () -> h.parseLine(" more"));
    }

    @Test
    void continuationCannotSmuggleCrOrLf() {
        HTTPHeaders h = new HTTPHeaders();
        h.parseLine("Foo: bar");
        assertThrows(IllegalArgumentException.class, () -> h.parseLine(" baz\rEvil: 1"));
        assertThrows(IllegalArgumentException.class, () -> h.parseLine(" baz\nEvil: 1"));
        assertThrows(IllegalArgumentException.class, () -> HTTPHeaders.parse("Foo: bar\r\n baz\rEvil: 1\r\n"));
        assertEquals("bar", h.get("Foo"));
    }

    @Test
    void parseLineAddsAndContinues() {
        HTTPHeaders h = new HTTPHeaders();
        h.parseLine("Content-Type: text/html");
        h.parseLine("Content-Length: 42");
        h.parseLine("  and more");
        assertEquals("text/html", h.get("content-type"));
        assertEquals("42 and more", h.get("content-length"));
    }

    @Test
    void parseKeepsEmptyValuesAndColonsInValues() {
        HTTPHeaders h = HTTPHeaders.parse("Empty:\r\nHost: example.com:8080\r\nX:   spaced   \r\n");
        assertEquals("", h.get("Empty"));
        assertEquals("example.com:8080", h.get("Host"));
        assertEquals("spaced", h.get("X"));
    }

    @Test
    void optionalCr() {
        // bare CR is not a line separator
        assertThrows(IllegalArgumentException.class,
                () -> HTTPHeaders.parse("CRLF: crlf\r\nLF: lf\nCR: cr\rMore: more\r\n"));
        // a trailing bare CR is not silently dropped either
        assertThrows(IllegalArgumentException.class, () -> HTTPHeaders.parse("CR: cr\r"));
        HTTPHeaders h = HTTPHeaders.parse("CRLF: crlf\r\nLF: lf\nMore: more\r\n");
        assertEquals(List.of(e("Crlf", "crlf"), e("Lf", "lf"), e("More", "more")), sorted(h.entries()));
    }

    @Test
    void blankLinesAreSkipped() {
        HTTPHeaders h = HTTPHeaders.parse("\r\nA: 1\r\n\r\nB: 2\r\n\r\n");
        assertEquals(List.of("A", "B"), new ArrayList<>(h.names()));
        assertTrue(HTTPHeaders.parse("").isEmpty());
    }

    @Test
    void unicodeNewlinesAreNotSeparators() {
        for (String nl : new String[] {"\u0085", "\u2028", "\u2029"}) {
            HTTPHeaders h = HTTPHeaders.parse("Cookie: foo=" + nl + "bar");
            assertEquals(List.of(e("Cookie", "foo=" + nl + "bar")), h.entries(), "U+" + (int) nl.charAt(0));
        }
    }

    @Test
    void onlySpaceAndTabAreStripped() {
        assertEquals("chunked", HTTPHeaders.parse("Transfer-Encoding: chunked").get("Transfer-Encoding"));
        assertEquals("chunked", HTTPHeaders.parse("Transfer-Encoding:\tchunked\t ").get("Transfer-Encoding"));
        for (String ws : new String[] {"\u00a0", "\u0085", "\u2028", "\u3000"}) {
            assertEquals(ws + "chunked" + ws,
                    HTTPHeaders.parse("Transfer-Encoding: " + ws + "chunked" + ws).get("Transfer-Encoding"),
                    "U+" + Integer.toHexString(ws.charAt(0)));
        }
        HTTPHeaders h = HTTPHeaders.parse("A: x\r\n \u3000y\u3000 ");
        assertEquals("x \u3000y\u3000", h.get("A"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\rb", "a\nb", "\r\n", "trailing\r", "\nleading"})
    void crOrLfInValueIsRefused(String value) {
        HTTPHeaders h = new HTTPHeaders();
        assertThrows(IllegalArgumentException.class, () -> h.add("X", value));
        assertThrows(IllegalArgumentException.class, () -> h.set("X", value));
        assertFalse(h.contains("X"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "foo bar", "foo\tbar", "foo\nbar", "foo\u0000bar", "foo ", " foo", "\u00e9", "a:b",
            "del\u007f"})
    void invalidHeaderNames(String name) {
        HTTPHeaders h = new HTTPHeaders();
        assertThrows(IllegalArgumentException.class, () -> h.add(name, "bar"));
        assertThrows(IllegalArgumentException.class, () -> h.set(name, "bar"));
        assertTrue(h.isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"no colon", ": empty name", "bad name: x"})
    void malformedLinesAreRefused(String line) {
        assertThrows(IllegalArgumentException.class, () -> HTTPHeaders.parse(line));
    }

    @Test
    void copyIsIndependent() {
        HTTPHeaders h1 = new HTTPHeaders();
        h1.add("A", "1");
        h1.add("A", "2");
        h1.add("B", "c");
        HTTPHeaders h2 = h1.copy();
        assertEquals(h1, h2);
        assertEquals(h1.hashCode(), h2.hashCode());
        assertEquals(h1.entries(), h2.entries());
        h2.add("A", "3");
        h2.set("B", "d");
        h2.add("C", "new");
        assertEquals(List.of("1", "2"), h1.getList("A"));
        assertEquals("c", h1.get("B"));
        assertFalse(h1.contains("C"));
        h1.remove("A");
        assertEquals(List.of("1", "2", "3"), h2.getList("A"));
        assertNotEquals(h1, h2);
    }

    @Test
    void copyKeepsContinuationTargetSeparate() {
        HTTPHeaders h1 = HTTPHeaders.parse("A: 1");
        HTTPHeaders h2 = h1.copy();
        h1.parseLine(" more");
        assertEquals("1 more", h1.get("A"));
        assertEquals("1", h2.get("A"));
    }

    @Test
    void toStringRoundTrips() {
        HTTPHeaders h = new HTTPHeaders();
        h.add("Foo", "1");
        h.add("Foo", "2");
        h.add("Foo", "3");
        h.add("bar", "x y");
        assertEquals("Foo: 1\r\nFoo: 2\r\nFoo: 3\r\nBar: x y\r\n", h.toString());
        assertEquals(h, HTTPHeaders.parse(h.toString()));
    }

    @Test
    void equalityIgnoresNameCase() {
        HTTPHeaders a = new HTTPHeaders();
        a.add("content-type", "x");
        HTTPHeaders b = new HTTPHeaders();
        b.add("Content-Type", "x");
        assertEquals(a, b);
        b.add("Content-Type", "y");
        assertNotEquals(a, b);
    }

    @Test
    void linearPerformance() {
        HTTPHeaders h = new HTTPHeaders();
        long start = System.nanoTime();
        for (int i = 0; i < 100_000; i++) {
            h.add("X-Foo", "bar");
        }
        assertEquals(100_000, h.getList("X-Foo").size());
        assertTrue(System.nanoTime() - start < 2_000_000_000L);
    }
}
