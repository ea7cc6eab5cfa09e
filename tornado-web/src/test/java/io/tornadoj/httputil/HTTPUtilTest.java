package io.tornadoj.httputil;

import io.tornadoj.testsupport.LogCapture;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tornado's httputil_test.py behaviours, for {@link HTTPUtil}. */
class HTTPUtilTest {

    private static Map<String, Object> args(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static byte[] crlf(String s) {
        return s.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------------------------------------

    @Nested
    class UrlConcat {
        @Test
        void noQueryParams() {
            assertEquals("https://localhost/path?y=y&z=z",
                    HTTPUtil.urlConcat("https://localhost/path", args("y", "y", "z", "z")));
        }

        @Test
        void encodesArgs() {
            assertEquals("https://localhost/path?y=%2Fy&z=z",
                    HTTPUtil.urlConcat("https://localhost/path", args("y", "/y", "z", "z")));
        }

        @Test
        void spacesAndUnicodeAreQuotePlusEncoded() {
            assertEquals("http://x/?q=a+b%26c&n=%C3%A9%2B",
                    HTTPUtil.urlConcat("http://x/", args("q", "a b&c", "n", "\u00e9+")));
        }

        @Test
        void trailingQuestionMark() {
            assertEquals("https://localhost/path?y=y&z=z",
                    HTTPUtil.urlConcat("https://localhost/path?", args("y", "y", "z", "z")));
        }

        @Test
        void queryWithoutTrailingAmpersandKeepsBlankValue() {
            assertEquals("https://localhost/path?x=&y=y&z=z",
                    HTTPUtil.urlConcat("https://localhost/path?x", args("y", "y", "z", "z")));
        }

        @Test
        void trailingAmpersand() {
            assertEquals("https://localhost/path?x=&y=y&z=z",
                    HTTPUtil.urlConcat("https://localhost/path?x&", args("y", "y", "z", "z")));
        }

        @Test
        void multipleExistingParams() {
            assertEquals("https://localhost/path?a=1&b=2&y=y&z=z",
                    HTTPUtil.urlConcat("https://localhost/path?a=1&b=2", args("y", "y", "z", "z")));
        }

        @Test
        void emptyArgsLeaveUrlUnchanged() {
            assertEquals("https://localhost/path?r=1&t=2", HTTPUtil.urlConcat("https://localhost/path?r=1&t=2", Map.of()));
            assertEquals("https://localhost/path?x", HTTPUtil.urlConcat("https://localhost/path?x", Map.of()));
        }

        @Test
        void nullArgsLeaveUrlUnchanged() {
            assertEquals("https://localhost/path?r=1&t=2", HTTPUtil.urlConcat("https://localhost/path?r=1&t=2", null));
        }

        @Test
        void keepsFragment() {
            assertEquals("https://localhost/path?y=y#tab", HTTPUtil.urlConcat("https://localhost/path#tab", args("y", "y")));
            assertEquals("https://localhost/path?a=b&y=y#tab?x",
                    HTTPUtil.urlConcat("https://localhost/path?a=b#tab?x", args("y", "y")));
        }

        @Test
        void collectionRepeatsKey() {
            assertEquals("https://localhost/path?y=y1&y=y2",
                    HTTPUtil.urlConcat("https://localhost/path", args("y", List.of("y1", "y2"))));
        }

        @Test
        void arrayRepeatsKey() {
            assertEquals("https://localhost/path?y=1&y=2",
                    HTTPUtil.urlConcat("https://localhost/path", args("y", new Object[] {1, "2"})));
        }

        @Test
        void repeatedExistingQueryParams() {
            assertEquals("https://localhost/path?r=1&r=2&y=y",
                    HTTPUtil.urlConcat("https://localhost/path?r=1&r=2", args("y", "y")));
        }

        @Test
        void nonStringValuesUseToStringAndNullIsEmpty() {
            assertEquals("/p?n=42&b=true&z=", HTTPUtil.urlConcat("/p", args("n", 42, "b", true, "z", null)));
        }

        @Test
        void existingQueryIsReEncodedLikeTornado() {
            // parse_qsl + urlencode: %20 becomes +, '/' becomes %2F
            assertEquals("/p?a=b+c&d=%2F&e=f", HTTPUtil.urlConcat("/p?a=b%20c&d=/", args("e", "f")));
        }
    }

    // ------------------------------------------------------------------------------------------------

    @Nested
    class QueryString {
        @Test
        void parsesInOrderWithRepeatedKeys() throws Exception {
            Map<String, List<String>> qs = HTTPUtil.parseQueryString("a=1&b=2&a=3");
            assertEquals(List.of("a", "b"), new ArrayList<>(qs.keySet()));
            assertEquals(List.of("1", "3"), qs.get("a"));
            assertEquals(List.of("2"), qs.get("b"));
            assertInstanceOf(LinkedHashMap.class, qs);
        }

        @Test
        void keepsBlankValues() throws Exception {
            Map<String, List<String>> qs = HTTPUtil.parseQueryString("a=&b&c=3");
            assertEquals(List.of(""), qs.get("a"));
            assertEquals(List.of(""), qs.get("b"));
            assertEquals(List.of("3"), qs.get("c"));
        }

        @Test
        void skipsEmptyFields() throws Exception {
            Map<String, List<String>> qs = HTTPUtil.parseQueryString("&&a=1&&");
            assertEquals(Map.of("a", List.of("1")), qs);
        }

        @Test
        void emptyAndNull() throws Exception {
            assertTrue(HTTPUtil.parseQueryString("").isEmpty());
            assertTrue(HTTPUtil.parseQueryString(null).isEmpty());
        }

        @Test
        void plusIsSpaceAndPercentDecodes() throws Exception {
            Map<String, List<String>> qs = HTTPUtil.parseQueryString("a+b=c+d%2Be&x%3Dy=%26");
            assertEquals(List.of("c d+e"), qs.get("a b"));
            assertEquals(List.of("&"), qs.get("x=y"));
        }

        @Test
        void onlyFirstEqualsSplits() throws Exception {
            assertEquals(List.of("b=c"), HTTPUtil.parseQueryString("a=b=c").get("a"));
        }

        @Test
        void semicolonIsNotASeparator() throws Exception {
            assertEquals(List.of("1;b=2"), HTTPUtil.parseQueryString("a=1;b=2").get("a"));
        }

        @Test
        void decodesUtf8() throws Exception {
            Map<String, List<String>> qs = HTTPUtil.parseQueryString("%C3%A9t%C3%A9=%E6%B5%8B%E8%AF%95");
            assertEquals(List.of("\u6d4b\u8bd5"), qs.get("\u00e9t\u00e9"));
        }

        @Test
        void rawLatin1CharsAreBytesOfUtf8() throws Exception {
            // what Netty hands us for a raw (unescaped) UTF-8 query: one char per byte
            String wire = new String("q=\u00e9".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
            assertEquals(List.of("\u00e9"), HTTPUtil.parseQueryString(wire).get("q"));
        }

        @Test
        void charactersAboveLatin1AreTakenAsUtf8() throws Exception {
            assertEquals(List.of("\u6d4b\ud83d\ude00"), HTTPUtil.parseQueryString("q=\u6d4b\ud83d\ude00").get("q"));
        }

        @ParameterizedTest
        @ValueSource(strings = {"a=%FF", "a=%C3", "a=%C3%28", "%FF=1", "a=%ED%A0%80", "a=%F8%88%80%80%80"})
        void invalidUtf8IsAnError(String qs) {
            HTTPInputError e = assertThrows(HTTPInputError.class, () -> HTTPUtil.parseQueryString(qs));
            assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
        }

        @Test
        void rawInvalidUtf8ByteIsAnError() {
            assertThrows(HTTPInputError.class, () -> HTTPUtil.parseQueryString("a=\u00ff"));
        }

        @ParameterizedTest
        @ValueSource(strings = {"a=%", "a=%4", "a=%zz", "a=%4g&b=1", "%=1", "a=1%"})
        void malformedEscapeIsAnError(String qs) {
            HTTPInputError e = assertThrows(HTTPInputError.class, () -> HTTPUtil.parseQueryString(qs));
            assertTrue(e.getMessage().contains("percent-escape"), e.getMessage());
        }
    }

    // ------------------------------------------------------------------------------------------------

    @Nested
    class BodyArguments {
        final Map<String, List<String>> args = new LinkedHashMap<>();
        final Map<String, List<HTTPFile>> files = new LinkedHashMap<>();

        @Test
        void urlencoded() throws Exception {
            HTTPUtil.parseBodyArguments("application/x-www-form-urlencoded",
                    "foo=bar+baz&x=%C3%A9&foo=2&empty=".getBytes(StandardCharsets.US_ASCII), args, files, null);
            assertEquals(List.of("bar baz", "2"), args.get("foo"));
            assertEquals(List.of("\u00e9"), args.get("x"));
            assertEquals(List.of(""), args.get("empty"));
            assertTrue(files.isEmpty());
        }

        @Test
        void urlencodedWithCharsetParameter() throws Exception {
            HTTPUtil.parseBodyArguments("application/x-www-form-urlencoded; charset=UTF-8",
                    "a=1".getBytes(StandardCharsets.US_ASCII), args, files, new HTTPHeaders());
            assertEquals(List.of("1"), args.get("a"));
        }

        @Test
        void appendsToExistingLists() throws Exception {
            args.computeIfAbsent("a", k -> new ArrayList<>()).add("query");
            HTTPUtil.parseBodyArguments("application/x-www-form-urlencoded",
                    "a=body1&a=body2".getBytes(StandardCharsets.US_ASCII), args, files, null);
            assertEquals(List.of("query", "body1", "body2"), args.get("a"));
        }

        @Test
        void urlencodedInvalidUtf8IsAnError() {
            HTTPInputError e = assertThrows(HTTPInputError.class, () -> HTTPUtil.parseBodyArguments(
                    "application/x-www-form-urlencoded", "a=%FF%FE".getBytes(StandardCharsets.US_ASCII),
                    args, files, null));
            assertTrue(e.getMessage().startsWith("Invalid x-www-form-urlencoded body"), e.getMessage());
        }

        @Test
        void urlencodedRawInvalidUtf8IsAnError() {
            assertThrows(HTTPInputError.class, () -> HTTPUtil.parseBodyArguments(
                    "application/x-www-form-urlencoded", new byte[] {'a', '=', (byte) 0xff}, args, files, null));
        }

        @Test
        void urlencodedRawUtf8IsDecoded() throws Exception {
            HTTPUtil.parseBodyArguments("application/x-www-form-urlencoded",
                    "a=\u6d4b".getBytes(StandardCharsets.UTF_8), args, files, null);
            assertEquals(List.of("\u6d4b"), args.get("a"));
        }

        @Test
        void contentEncodingIsRefused() {
            HTTPHeaders h = new HTTPHeaders();
            h.add("Content-Encoding", "gzip");
            HTTPInputError e = assertThrows(HTTPInputError.class, () -> HTTPUtil.parseBodyArguments(
                    "application/x-www-form-urlencoded", "a=1".getBytes(StandardCharsets.US_ASCII), args, files, h));
            assertEquals("Unsupported Content-Encoding: gzip", e.getMessage());
            e = assertThrows(HTTPInputError.class, () -> HTTPUtil.parseBodyArguments(
                    "multipart/form-data; boundary=1234", crlf("--1234--"), args, files, h));
            assertEquals("Unsupported Content-Encoding: gzip", e.getMessage());
            assertTrue(args.isEmpty());
        }

        @Test
        void identityContentEncodingIsAccepted() throws Exception {
            HTTPHeaders h = new HTTPHeaders();
            h.add("Content-Encoding", "Identity");
            HTTPUtil.parseBodyArguments("application/x-www-form-urlencoded", "a=1".getBytes(StandardCharsets.US_ASCII),
                    args, files, h);
            assertEquals(List.of("1"), args.get("a"));
        }

        @Test
        void otherContentTypesAreIgnored() throws Exception {
            HTTPHeaders h = new HTTPHeaders();
            h.add("Content-Encoding", "gzip");
            HTTPUtil.parseBodyArguments("application/json", "{\"a\":1}".getBytes(StandardCharsets.US_ASCII),
                    args, files, h);
            HTTPUtil.parseBodyArguments(null, "a=1".getBytes(StandardCharsets.US_ASCII), args, files, null);
            assertTrue(args.isEmpty());
            assertTrue(files.isEmpty());
        }

        @Test
        void multipart() throws Exception {
            byte[] body = crlf("--1234\n"
                    + "Content-Disposition: form-data; name=\"a\"\n\n"
                    + "\u00e9t\u00e9\n"
                    + "--1234\n"
                    + "Content-Disposition: form-data; name=\"f\"; filename=\"x.txt\"\n"
                    + "Content-Type: text/plain\n\n"
                    + "hello\n"
                    + "--1234--\n");
            HTTPUtil.parseBodyArguments("multipart/form-data; boundary=1234", body, args, files, null);
            assertEquals(List.of("\u00e9t\u00e9"), args.get("a"));
            HTTPFile f = files.get("f").get(0);
            assertEquals("x.txt", f.filename());
            assertEquals("text/plain", f.contentType());
            assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), f.body());
        }

        @Test
        void multipartQuotedBoundaryAndOtherParams() throws Exception {
            byte[] body = crlf("--ab cd\nContent-Disposition: form-data; name=a\n\nv\n--ab cd--");
            HTTPUtil.parseBodyArguments("multipart/form-data; charset=utf-8; boundary=\"ab cd\"", body, args, files, null);
            assertEquals(List.of("v"), args.get("a"));
        }

        @Test
        void multipartWithoutBoundaryIsAnError() {
            HTTPInputError e = assertThrows(HTTPInputError.class, () -> HTTPUtil.parseBodyArguments(
                    "multipart/form-data", crlf("--1234--"), args, files, null));
            assertTrue(e.getMessage().contains("boundary not found"), e.getMessage());
            assertThrows(HTTPInputError.class, () -> HTTPUtil.parseBodyArguments(
                    "multipart/form-data; boundary=", crlf("--1234--"), args, files, null));
        }

        @Test
        void multipartLookalikeContentTypeIsAnError() {
            HTTPInputError e = assertThrows(HTTPInputError.class, () -> HTTPUtil.parseBodyArguments(
                    "multipart/form-dataxyz; boundary=1234", crlf("--1234--"), args, files, null));
            assertTrue(e.getMessage().contains("Invalid content type"), e.getMessage());
        }

        @Test
        void multipartMissingFinalBoundaryIsAnError() {
            assertThrows(HTTPInputError.class, () -> HTTPUtil.parseBodyArguments("multipart/form-data; boundary=1234",
                    crlf("--1234\nContent-Disposition: form-data; name=\"a\"\n\nv\n"), args, files, null));
        }

        @Test
        void emptyMultipartBody() throws Exception {
            HTTPUtil.parseBodyArguments("multipart/form-data; boundary=foo", crlf("--foo--\n"), args, files, null);
            assertTrue(args.isEmpty());
            assertTrue(files.isEmpty());
        }
    }

    // ------------------------------------------------------------------------------------------------

    @Nested
    class MultipartFormData {
        final Map<String, List<String>> args = new LinkedHashMap<>();
        final Map<String, List<HTTPFile>> files = new LinkedHashMap<>();

        private void parse(String boundary, byte[] data) {
            HTTPUtil.parseMultipartFormData(boundary.getBytes(StandardCharsets.UTF_8), data, args, files);
        }

        private HTTPFile onlyFile() {
            assertEquals(1, files.size());
            assertEquals(1, files.get("files").size());
            return files.get("files").get(0);
        }

        @Test
        void fileUpload() throws Exception {
            parse("1234", crlf("--1234\nContent-Disposition: form-data; name=\"files\"; filename=\"ab.txt\"\n\nFoo\n--1234--"));
            HTTPFile f = onlyFile();
            assertEquals("ab.txt", f.filename());
            assertArrayEquals("Foo".getBytes(StandardCharsets.US_ASCII), f.body());
            assertEquals("application/unknown", f.contentType());
            assertTrue(args.isEmpty());
        }

        @Test
        void unquotedNames() throws Exception {
            parse("1234", crlf("--1234\nContent-Disposition: form-data; name=files; filename=ab.txt\n\nFoo\n--1234--"));
            assertEquals("ab.txt", onlyFile().filename());
        }

        @ParameterizedTest
        @ValueSource(strings = {"a;b.txt", "a\"b.txt", "a\";b.txt", "a;\"b.txt", "a\";\";.txt", "a\\\"b.txt",
                "a\\b.txt", "a b.txt", "a\tb.txt"})
        void specialFilenames(String filename) throws Exception {
            String quoted = filename.replace("\\", "\\\\").replace("\"", "\\\"");
            parse("1234", crlf("--1234\nContent-Disposition: form-data; name=\"files\"; filename=\"" + quoted
                    + "\"\n\nFoo\n--1234--"));
            HTTPFile f = onlyFile();
            assertEquals(filename, f.filename());
            assertArrayEquals("Foo".getBytes(StandardCharsets.US_ASCII), f.body());
        }

        @ParameterizedTest
        @ValueSource(strings = {"a\rb.txt", "a\0b.txt", "a\bb.txt", "a\u007fb.txt"})
        void controlCharactersInPartHeadersAreErrors(String filename) {
            byte[] data = ("--1234\r\nContent-Disposition: form-data; name=\"files\"; filename=\"" + filename
                    + "\"\r\n\r\nFoo\r\n--1234--").getBytes(StandardCharsets.UTF_8);
            HTTPInputError e = assertThrows(HTTPInputError.class, () -> parse("1234", data));
            assertTrue(e.getMessage().contains("Invalid header value"), e.getMessage());
            assertTrue(files.isEmpty());
        }

        @Test
        void nonAsciiFilenameRfc5987() throws Exception {
            parse("1234", crlf("--1234\nContent-Disposition: form-data; name=\"files\"; filename=\"ab.txt\"; "
                    + "filename*=UTF-8''%C3%A1b.txt\n\nFoo\n--1234--"));
            assertEquals("\u00e1b.txt", onlyFile().filename());
        }

        @Test
        void rfc2231Continuations() throws Exception {
            parse("1234", crlf("--1234\nContent-Disposition: form-data; name=\"files\"; "
                    + "filename*1*=%C3%A1.txt; filename*0*=UTF-8''b\n\nFoo\n--1234--"));
            assertEquals("b\u00e1.txt", onlyFile().filename());
        }

        @Test
        void rfc2231Latin1() throws Exception {
            parse("1234", crlf("--1234\nContent-Disposition: form-data; name=\"files\"; "
                    + "filename*=iso-8859-1'en'%E9.txt\n\nFoo\n--1234--"));
            assertEquals("\u00e9.txt", onlyFile().filename());
        }

        @Test
        void nonAsciiFilenameRaw() throws Exception {
            parse("1234", crlf("--1234\nContent-Disposition: form-data; name=\"files\"; filename=\"\u6d4b\u8bd5.txt\""
                    + "\n\nFoo\n--1234--"));
            assertEquals("\u6d4b\u8bd5.txt", onlyFile().filename());
        }

        @Test
        void boundaryStartsAndEndsWithQuotes() throws Exception {
            parse("\"1234\"", crlf("--1234\nContent-Disposition: form-data; name=\"files\"; filename=\"ab.txt\"\n\nFoo\n--1234--"));
            assertEquals("ab.txt", onlyFile().filename());
        }

        @Test
        void missingHeadersIsAnError() {
            HTTPInputError e = assertThrows(HTTPInputError.class, () -> parse("1234", crlf("--1234\n\nFoo\n--1234--")));
            assertEquals("multipart/form-data missing headers", e.getMessage());
            assertTrue(files.isEmpty());
        }

        @Test
        void invalidContentDispositionIsSkippedWithWarning() throws Exception {
            try (LogCapture log = new LogCapture("tornado.general")) {
                parse("1234", crlf("--1234\nContent-Disposition: invalid; name=\"files\"; filename=\"ab.txt\"\n\nFoo\n"
                        + "--1234\nContent-Disposition: form-data; name=\"ok\"\n\nyes\n--1234--"));
                assertEquals(List.of("Invalid multipart/form-data"), log.messages());
            }
            assertTrue(files.isEmpty());
            assertEquals(Map.of("ok", List.of("yes")), args);
        }

        @Test
        void missingContentDispositionIsSkippedWithWarning() throws Exception {
            try (LogCapture log = new LogCapture("tornado.general")) {
                parse("1234", crlf("--1234\nContent-Type: text/plain\n\nFoo\n--1234--"));
                assertEquals(List.of("Invalid multipart/form-data"), log.messages());
            }
            assertTrue(files.isEmpty());
            assertTrue(args.isEmpty());
        }

        @Test
        void missingNameIsSkippedWithWarning() throws Exception {
            try (LogCapture log = new LogCapture("tornado.general")) {
                parse("1234", crlf("--1234\nContent-Disposition: form-data; filename=\"ab.txt\"\n\nFoo\n"
                        + "--1234\nContent-Disposition: form-data; name=\"\"\n\nFoo\n--1234--"));
                assertEquals(List.of("multipart/form-data value missing name", "multipart/form-data value missing name"),
                        log.messages());
            }
            assertTrue(files.isEmpty());
            assertTrue(args.isEmpty());
        }

        @Test
        void partNotEndingWithCrlfIsAnError() {
            assertThrows(HTTPInputError.class, () -> parse("1234",
                    crlf("--1234\nContent-Disposition: form-data; name=\"files\"; filename=\"ab.txt\"\n\nFoo--1234--")));
            assertTrue(files.isEmpty());
        }

        @Test
        void missingFinalBoundaryIsAnError() {
            HTTPInputError e = assertThrows(HTTPInputError.class, () -> parse("1234",
                    crlf("--1234\nContent-Disposition: form-data; name=\"files\"; filename=\"ab.txt\"\n\nFoo\n")));
            assertTrue(e.getMessage().contains("no final boundary"), e.getMessage());
        }

        @Test
        void dataAfterFinalBoundaryIsIgnored() throws Exception {
            parse("1234", crlf("--1234\nContent-Disposition: form-data; name=\"files\"; filename=\"ab.txt\"\n\nFoo\n"
                    + "--1234--\nepilogue --1234\n"));
            assertArrayEquals("Foo".getBytes(StandardCharsets.US_ASCII), onlyFile().body());
        }

        @Test
        void emptyFileBody() throws Exception {
            parse("1234", crlf("--1234\nContent-Disposition: form-data; name=\"files\"; filename=\"ab.txt\"\n\n--1234--"));
            assertEquals(0, onlyFile().body().length);
        }

        @Test
        void emptyFilenameMakesAnArgument() throws Exception {
            parse("1234", crlf("--1234\nContent-Disposition: form-data; name=\"files\"; filename=\"\"\n\nFoo\n--1234--"));
            assertTrue(files.isEmpty());
            assertEquals(List.of("Foo"), args.get("files"));
        }

        @Test
        void binaryBodyIsKeptExactly() throws Exception {
            byte[] head = crlf("--b\nContent-Disposition: form-data; name=\"files\"; filename=\"x.bin\"\n"
                    + "Content-Type: application/octet-stream\n\n");
            byte[] payload = new byte[256];
            for (int i = 0; i < payload.length; i++) {
                payload[i] = (byte) i;
            }
            byte[] tail = crlf("\n--b--\n");
            byte[] data = new byte[head.length + payload.length + tail.length];
            System.arraycopy(head, 0, data, 0, head.length);
            System.arraycopy(payload, 0, data, head.length, payload.length);
            System.arraycopy(tail, 0, data, head.length + payload.length, tail.length);
            parse("b", data);
            HTTPFile f = onlyFile();
            assertArrayEquals(payload, f.body());
            assertEquals("application/octet-stream", f.contentType());
        }

        @Test
        void severalPartsInOrder() throws Exception {
            parse("xyz", crlf("--xyz\nContent-Disposition: form-data; name=\"a\"\n\n1\n"
                    + "--xyz\nContent-Disposition: form-data; name=\"b\"\n\nmulti\nline\n"
                    + "--xyz\nContent-Disposition: form-data; name=\"a\"\n\n2\n"
                    + "--xyz\nContent-Disposition: form-data; name=\"files\"; filename=\"1.txt\"\n\nx\n"
                    + "--xyz\nContent-Disposition: form-data; name=\"files\"; filename=\"2.txt\"\n\ny\n"
                    + "--xyz--\n"));
            assertEquals(List.of("a", "b"), new ArrayList<>(args.keySet()));
            assertEquals(List.of("1", "2"), args.get("a"));
            assertEquals(List.of("multi\r\nline"), args.get("b"));
            assertEquals(List.of("1.txt", "2.txt"), files.get("files").stream().map(HTTPFile::filename).toList());
        }

        @Test
        void invalidUtf8ArgumentIsAnError() {
            byte[] data = crlf("--1234\nContent-Disposition: form-data; name=\"a\"\n\n\u0000\n--1234--");
            data[data.length - 11] = (byte) 0xff; // replace the NUL placeholder
            assertThrows(HTTPInputError.class, () -> parse("1234", data));
        }

        @Test
        void tooManyPartsIsAnError() {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i <= HTTPUtil.MAX_MULTIPART_PARTS; i++) {
                sb.append("--1234\nContent-Disposition: form-data; name=\"a\"\n\nv\n");
            }
            sb.append("--1234--");
            HTTPInputError e = assertThrows(HTTPInputError.class, () -> parse("1234", crlf(sb.toString())));
            assertTrue(e.getMessage().contains("too many parts"), e.getMessage());
        }

        @Test
        void maximumPartsIsAccepted() throws Exception {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < HTTPUtil.MAX_MULTIPART_PARTS; i++) {
                sb.append("--1234\nContent-Disposition: form-data; name=\"a\"\n\nv\n");
            }
            sb.append("--1234--");
            parse("1234", crlf(sb.toString()));
            assertEquals(HTTPUtil.MAX_MULTIPART_PARTS, args.get("a").size());
        }

        @Test
        void hugePartHeaderIsAnError() {
            String pad = "x".repeat(HTTPUtil.MAX_MULTIPART_PART_HEADER_SIZE);
            HTTPInputError e = assertThrows(HTTPInputError.class, () -> parse("1234",
                    crlf("--1234\nContent-Disposition: form-data; name=\"a\"; x=\"" + pad + "\"\n\nv\n--1234--")));
            assertTrue(e.getMessage().contains("header too large"), e.getMessage());
        }

        @Test
        void manySemicolonsInQuotedParamParseQuickly() throws Exception {
            String semis = ";".repeat(9_000);
            long start = System.nanoTime();
            parse("1234", crlf("--1234\nContent-Disposition: form-data; x=\"" + semis
                    + "\"; name=\"files\"; filename=\"a.txt\"\n\nFoo\n--1234--\n"));
            assertEquals("a.txt", onlyFile().filename());
            assertTrue(System.nanoTime() - start < 2_000_000_000L);
        }

        @Test
        void errorInALaterPartLeavesTheMapsUntouched() {
            args.computeIfAbsent("a", k -> new ArrayList<>()).add("before");
            assertThrows(HTTPInputError.class, () -> parse("1234", crlf(
                    "--1234\nContent-Disposition: form-data; name=\"a\"\n\nv\n"
                            + "--1234\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"\n\nv\n"
                            + "--1234\n\nno headers\n--1234--")));
            assertEquals(Map.of("a", List.of("before")), args);
            assertTrue(files.isEmpty());
        }

        @Test
        void boundaryThatOverlapsItself() throws Exception {
            parse("-", crlf("---\nContent-Disposition: form-data; name=\"a\"\n\n--x-\n"
                    + "---\nContent-Disposition: form-data; name=\"b\"\n\ny\n-----"));
            assertEquals(List.of("--x-"), args.get("a"));
            assertEquals(List.of("y"), args.get("b"));
        }

        @Test
        void longBoundaryWithNearMissesIsLinear() throws Exception {
            String boundary = "a".repeat(70); // the longest allowed (RFC 2046)
            String nearMiss = "--" + "a".repeat(69) + "b";
            StringBuilder sb = new StringBuilder();
            sb.append("--").append(boundary).append("\nContent-Disposition: form-data; name=\"files\"; filename=\"x\"\n\n");
            sb.append(nearMiss.repeat(28_000)); // 2 MB of almost-boundaries
            sb.append("\n--").append(boundary).append("--");
            long start = System.nanoTime();
            parse(boundary, crlf(sb.toString()));
            long took = System.nanoTime() - start;
            assertEquals(nearMiss.length() * 28_000, onlyFile().body().length);
            assertTrue(took < 3_000_000_000L, "took " + took / 1_000_000 + " ms");
            HTTPInputError e = assertThrows(HTTPInputError.class, () -> parse("a".repeat(71), crlf(sb.toString())));
            assertEquals("Invalid multipart/form-data: boundary longer than 70 characters", e.getMessage());
        }

        @Test
        void malformedHeaderLineIsAnError() {
            assertThrows(HTTPInputError.class, () -> parse("1234",
                    crlf("--1234\nContent-Disposition: form-data; name=\"a\"\nno colon here\n\nv\n--1234--")));
        }
    }

    // ------------------------------------------------------------------------------------------------

    @Nested
    class ParseHeader {
        @Test
        void contentDispositionParams() {
            Map<String, String> p = new LinkedHashMap<>();
            String key = HTTPUtil.parseHeader("form-data; foo=\"b\\\\a\\\"r\"; file*=utf-8''T%C3%A4st", p);
            assertEquals("form-data", key);
            assertEquals("b\\a\"r", p.get("foo"));
            assertEquals("T\u00e4st", p.get("file"));
        }

        @Test
        void namesAreLowerCasedAndValuelessParamsIgnored() {
            Map<String, String> p = new LinkedHashMap<>();
            assertEquals("text/html", HTTPUtil.parseHeader("text/html ; Charset=UTF-8; novalue", p));
            assertEquals(Map.of("charset", "UTF-8"), p);
        }
    }

    // ------------------------------------------------------------------------------------------------

    @Nested
    class FormatTimestamp {
        @Test
        void tornadoExample() {
            assertEquals("Sun, 27 Jan 2013 18:43:20 GMT", HTTPUtil.formatTimestamp(Instant.ofEpochSecond(1359312200)));
        }

        @Test
        void fractionsAreDropped() {
            assertEquals("Sun, 27 Jan 2013 18:43:20 GMT",
                    HTTPUtil.formatTimestamp(Instant.ofEpochSecond(1359312200, 503_611_000)));
        }

        @Test
        void rfcExampleWithTwoDigitDay() {
            Instant t = ZonedDateTime.of(1994, 11, 6, 8, 49, 37, 0, ZoneOffset.UTC).toInstant();
            assertEquals("Sun, 06 Nov 1994 08:49:37 GMT", HTTPUtil.formatTimestamp(t));
        }

        @Test
        void epoch() {
            assertEquals("Thu, 01 Jan 1970 00:00:00 GMT", HTTPUtil.formatTimestamp(Instant.EPOCH));
        }

        @Test
        void independentOfDefaultLocale() {
            java.util.Locale saved = java.util.Locale.getDefault();
            try {
                java.util.Locale.setDefault(java.util.Locale.FRANCE);
                assertEquals("Thu, 01 Jan 1970 00:00:00 GMT", HTTPUtil.formatTimestamp(Instant.EPOCH));
            } finally {
                java.util.Locale.setDefault(saved);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------

    @Nested
    class SplitHostAndPort {
        @Test
        void hostAndPort() {
            assertEquals(new HTTPUtil.HostAndPort("example.com", 8080), HTTPUtil.splitHostAndPort("example.com:8080"));
        }

        @Test
        void hostOnly() {
            HTTPUtil.HostAndPort hp = HTTPUtil.splitHostAndPort("example.com");
            assertEquals("example.com", hp.host());
            assertNull(hp.port());
        }

        @Test
        void bracketedIpv6KeepsBrackets() {
            assertEquals(new HTTPUtil.HostAndPort("[::1]", 8080), HTTPUtil.splitHostAndPort("[::1]:8080"));
            assertEquals(new HTTPUtil.HostAndPort("[::1]", null), HTTPUtil.splitHostAndPort("[::1]"));
        }

        @Test
        void bareIpv6IsSplitAtLastColonLikeTornado() {
            assertEquals(new HTTPUtil.HostAndPort(":", 1), HTTPUtil.splitHostAndPort("::1"));
        }

        @Test
        void nonNumericOrEmptyPort() {
            assertEquals(new HTTPUtil.HostAndPort("example.com:http", null), HTTPUtil.splitHostAndPort("example.com:http"));
            assertEquals(new HTTPUtil.HostAndPort("example.com:", null), HTTPUtil.splitHostAndPort("example.com:"));
            assertEquals(new HTTPUtil.HostAndPort(":80", null), HTTPUtil.splitHostAndPort(":80"));
        }

        @Test
        void portTooLargeForIntIsNoPort() {
            assertEquals(new HTTPUtil.HostAndPort("h:99999999999", null), HTTPUtil.splitHostAndPort("h:99999999999"));
            assertEquals(new HTTPUtil.HostAndPort("h", 99999), HTTPUtil.splitHostAndPort("h:99999"));
        }

        @Test
        void empty() {
            assertEquals(new HTTPUtil.HostAndPort("", null), HTTPUtil.splitHostAndPort(""));
        }
    }

    // ------------------------------------------------------------------------------------------------

    @Nested
    class ParseCookie {
        @Test
        void pythonCookies() {
            assertEquals(Map.of("chips", "ahoy", "vienna", "finger"), HTTPUtil.parseCookie("chips=ahoy; vienna=finger"));
            // every semicolon is a delimiter, even within quotes
            assertEquals(Map.of("keebler", "\"E=mc2", "L", "\\\"Loves\\\"", "fudge", "\\012", "", "\""),
                    HTTPUtil.parseCookie("keebler=\"E=mc2; L=\\\"Loves\\\"; fudge=\\012;\""));
            assertEquals(Map.of("keebler", "E=mc2"), HTTPUtil.parseCookie("keebler=E=mc2"));
            assertEquals(Map.of("key:term", "value:term"), HTTPUtil.parseCookie("key:term=value:term"));
            assertEquals(Map.of("a", "b", "c", "[", "d", "r", "f", "h"), HTTPUtil.parseCookie("a=b; c=[; d=r; f=h"));
        }

        @Test
        void edgeCases() {
            assertEquals(Map.of("a", "b", "Domain", "example.com"), HTTPUtil.parseCookie("a=b; Domain=example.com"));
            assertEquals(Map.of("a", "c", "h", "i"), HTTPUtil.parseCookie("a=b; h=i; a=c"));
        }

        @Test
        void invalidCookies() {
            assertTrue(HTTPUtil.parseCookie("abc=def; unnamed; django_language=en").containsKey("django_language"));
            assertEquals(Map.of("a", "b", "", "\"", "c", "d"), HTTPUtil.parseCookie("a=b; \"; c=d"));
            assertEquals(Map.of("a b c", "d e = f", "gh", "i"), HTTPUtil.parseCookie("a b c=d e = f; gh=i"));
            assertEquals(Map.of("a   b,c<>@:/[]?{}", "d  \"  =e,f g"),
                    HTTPUtil.parseCookie("a   b,c<>@:/[]?{}=d  \"  =e,f g"));
            assertEquals(Map.of("saint", "Andr\u00e9 Bessette"), HTTPUtil.parseCookie("saint=Andr\u00e9 Bessette"));
            assertEquals(Map.of("", "b", "c", ""), HTTPUtil.parseCookie("  =  b  ;  ;  =  ;   c  =  ;  "));
        }

        @Test
        void keepsOrderInLinkedHashMap() {
            Map<String, String> c = HTTPUtil.parseCookie("z=1; a=2; m=3");
            assertInstanceOf(LinkedHashMap.class, c);
            assertEquals(List.of("z", "a", "m"), new ArrayList<>(c.keySet()));
        }

        @Test
        void emptyHeader() {
            assertTrue(HTTPUtil.parseCookie("").isEmpty());
            assertTrue(HTTPUtil.parseCookie(" ; ;").isEmpty());
        }

        @Test
        void unquote() {
            String[][] cases = {
                {"a=\"b=\\\"\"", "b=\""},
                {"a=\"b=\\\\\"", "b=\\"},
                {"a=\"b=\\=\"", "b=="},
                {"a=\"b=\\n\"", "b=n"},
                {"a=\"b=\\042\"", "b=\""},
                {"a=\"b=\\134\"", "b=\\"},
                {"a=\"b=\\377\"", "b=\u00ff"},
                {"a=\"b=\\400\"", "b=400"},
                {"a=\"b=\\42\"", "b=42"},
                {"a=\"b=\\\\042\"", "b=\\042"},
                {"a=\"b=\\\\134\"", "b=\\134"},
                {"a=\"b=\\\\\\\"\"", "b=\\\""},
                {"a=\"b=\\\\\\042\"", "b=\\\""},
                {"a=\"b=\\134\\\"\"", "b=\\\""},
                {"a=\"b=\\134\\042\"", "b=\\\""},
                {"a=\"\"", ""},
                {"a=\"", "\""},
                {"a=\"plain\"", "plain"},
            };
            for (String[] c : cases) {
                assertEquals(c[1], HTTPUtil.parseCookie(c[0]).get("a"), c[0]);
            }
        }

        @Test
        void unquoteLargeIsLinear() {
            int n = 100_000;
            for (String encoded : new String[] {"\\\\", "\\134"}) {
                long start = System.nanoTime();
                String value = HTTPUtil.parseCookie("a=\"b=" + encoded.repeat(n) + "\"").get("a");
                long took = System.nanoTime() - start;
                assertEquals("b=\\", value.substring(0, 3));
                assertEquals("\\\\\\", value.substring(value.length() - 3));
                assertEquals(n + 2, value.length());
                assertTrue(took < 1_000_000_000L, "took " + took + "ns");
            }
        }
    }

    // ------------------------------------------------------------------------------------------------

    @Nested
    class StartLines {
        /** HTTPInputError is unchecked, as in Tornado: this method declares no exception. */
        @Test
        void requestLine() {
            assertInstanceOf(RuntimeException.class, new HTTPInputError("x"));
            assertEquals(new RequestStartLine("GET", "/foo", "HTTP/1.1"), HTTPUtil.parseRequestStartLine("GET /foo HTTP/1.1"));
            assertEquals(new RequestStartLine("POST", "/a?b=c&d=%20", "HTTP/1.0"),
                    HTTPUtil.parseRequestStartLine("POST /a?b=c&d=%20 HTTP/1.0"));
            assertEquals(new RequestStartLine("OPTIONS", "*", "HTTP/1.1"), HTTPUtil.parseRequestStartLine("OPTIONS * HTTP/1.1"));
            assertEquals(new RequestStartLine("CONNECT", "example.com:443", "HTTP/1.1"),
                    HTTPUtil.parseRequestStartLine("CONNECT example.com:443 HTTP/1.1"));
            assertEquals(new RequestStartLine("GET", "/caf\u00e9", "HTTP/1.1"), HTTPUtil.parseRequestStartLine("GET /caf\u00e9 HTTP/1.1"));
        }

        @ParameterizedTest
        @ValueSource(strings = {"HTTP/2.0", "HTTP/1.10", "HTTP/1", "http/1.1", "HTTP/1.x", "FOO/1.1", "HTTP/0.9"})
        void requestLineBadVersion(String version) {
            HTTPInputError e = assertThrows(HTTPInputError.class,
                    () -> HTTPUtil.parseRequestStartLine("GET / " + version));
            assertTrue(e.getMessage().startsWith("Malformed HTTP version in HTTP Request-Line"), e.getMessage());
            assertTrue(e.getMessage().contains(version), e.getMessage());
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "GET", "GET /", "GET  / HTTP/1.1", "GET / HTTP/1.1 ", "GET / x HTTP/1.1",
                " GET / HTTP/1.1", "GET\t/ HTTP/1.1", "G(T / HTTP/1.1", "GET /a\u0001b HTTP/1.1", "GET /a\u007f HTTP/1.1",
                "GET / HTTP/1.1\r"})
        void malformedRequestLine(String line) {
            HTTPInputError e = assertThrows(HTTPInputError.class, () -> HTTPUtil.parseRequestStartLine(line));
            assertTrue(e.getMessage().startsWith("Malformed HTTP"), e.getMessage());
        }

        @Test
        void responseLine() throws Exception {
            assertEquals(new ResponseStartLine("HTTP/1.1", 200, "OK"), HTTPUtil.parseResponseStartLine("HTTP/1.1 200 OK"));
            assertEquals(new ResponseStartLine("HTTP/1.0", 404, "Not Found"),
                    HTTPUtil.parseResponseStartLine("HTTP/1.0 404 Not Found"));
            assertEquals(new ResponseStartLine("HTTP/1.1", 599, "Weird\tReason \u00e9"),
                    HTTPUtil.parseResponseStartLine("HTTP/1.1 599 Weird\tReason \u00e9"));
        }

        @Test
        void responseLineEmptyReason() throws Exception {
            assertEquals(new ResponseStartLine("HTTP/1.1", 204, ""), HTTPUtil.parseResponseStartLine("HTTP/1.1 204 "));
            assertEquals(new ResponseStartLine("HTTP/1.1", 204, ""), HTTPUtil.parseResponseStartLine("HTTP/1.1 204"));
        }

        @ParameterizedTest
        @ValueSource(strings = {"HTTP/2.0 200 OK", "HTTP/1.10 200 OK", "FOO/1.1 200 OK", "HTTP/1.1x 200 OK"})
        void responseLineBadVersion(String line) {
            HTTPInputError e = assertThrows(HTTPInputError.class, () -> HTTPUtil.parseResponseStartLine(line));
            assertTrue(e.getMessage().startsWith("Malformed HTTP version"), e.getMessage());
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "HTTP/1.1", "HTTP/1.1 20 OK", "HTTP/1.1 2000 OK", "HTTP/1.1 abc OK",
                "HTTP/1.1  200 OK", "HTTP/1.1 200 O\rK", "HTTP/1.1 200 O\nK", "HTTP/1.1 200 \u0000"})
        void malformedResponseLine(String line) {
            HTTPInputError e = assertThrows(HTTPInputError.class, () -> HTTPUtil.parseResponseStartLine(line));
            assertEquals("Error parsing response start line", e.getMessage());
        }
    }
}
