package io.tornadoj.web;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletionStage;

import static io.tornadoj.web.Web.url;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ETags over real HTTP: {@code computeEtag()} (SHA-1 of the body), {@code setEtagHeader()},
 * {@code checkEtagHeader()} and the automatic 304 of {@code finish()} for 200 responses to GET and HEAD —
 * strong, weak ({@code W/}), {@code *} and list matches, a 304 without a body, and the cases Tornado leaves
 * alone. Tornado's CacheTest and test_etag*.
 */
@Timeout(60)
class EtagTest {
    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start(new Application(List.of(
                url("/body", Body.class),
                url("/status", Status.class),
                url("/no_etag", NoEtag.class),
                url("/custom", Custom.class),
                url("/explicit", Explicit.class),
                url("/early", Early.class),
                url("/flushed", Flushed.class),
                url("/gzip", Body.class)), Settings.builder().compressResponse(true).build()));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    // ------------------------------------------------------------------ handlers

    public static class Body extends RequestHandler {
        public void get() {
            write(getArgument("text", "hello"));
            write("!");
        }

        public void head() {
            write(getArgument("text", "hello"));
            write("!");
        }

        public void post() {
            write("hello!");
        }
    }

    public static class Status extends RequestHandler {
        public void get() {
            setStatus(Integer.parseInt(getArgument("code")));
            write("hello!");
        }
    }

    public static class NoEtag extends Body {
        @Override
        public String computeEtag() {
            return null;
        }
    }

    public static class Custom extends Body {
        @Override
        public String computeEtag() {
            return "\"v1\"";
        }
    }

    public static class Explicit extends RequestHandler {
        public void get() {
            setHeader("ETag", "\"mine\"");
            write("hello!");
        }
    }

    /** Tornado's documented early check: skip building a body the client has. */
    public static class Early extends Custom {
        @Override
        public void get() {
            setEtagHeader();
            if (checkEtagHeader()) {
                setStatus(304);
                return;
            }
            write("expensive body");
        }
    }

    public static class Flushed extends RequestHandler {
        public CompletionStage<?> get() {
            write("part 1");
            return flush().thenRun(() -> write("part 2"));
        }
    }

    // ------------------------------------------------------------------ helpers

    static String sha1Etag(String body) throws Exception {
        return "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                .digest(body.getBytes(StandardCharsets.UTF_8))) + "\"";
    }

    private RawHttp.Response get(String path, String... headerLines) {
        return request("GET", path, headerLines);
    }

    private RawHttp.Response request(String method, String path, String... headerLines) {
        StringBuilder sb = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: x\r\n");
        for (String h : headerLines) {
            sb.append(h).append("\r\n");
        }
        if (method.equals("POST")) {
            sb.append("Content-Length: 0\r\n");
        }
        return server.rawRequest(sb.append("\r\n").toString());
    }

    // ------------------------------------------------------------------ tests

    @Test
    void getResponsesCarryTheSha1OfTheBody() throws Exception {
        RawHttp.Response r = get("/body");
        assertEquals(200, r.code);
        assertEquals("hello!", r.text());
        assertEquals(sha1Etag("hello!"), r.header("Etag"));
        assertEquals(sha1Etag("other!"), get("/body?text=other").header("Etag"));
    }

    @Test
    void aStrongMatchIs304WithoutABody() throws Exception {
        String etag = sha1Etag("hello!");
        RawHttp.Response r = get("/body", "If-None-Match: " + etag);
        assertEquals(304, r.code);
        assertEquals(etag, r.header("Etag"));
        assertNull(r.header("Content-Length"));
        assertNull(r.header("Content-Type"));
        assertNull(r.header("Transfer-Encoding"));
    }

    @Test
    void the304SendsNoBodyBytes() throws Exception {
        String etag = sha1Etag("hello!");
        try (RawHttp c = server.raw()) {
            c.send("GET /body HTTP/1.1\r\nHost: x\r\nIf-None-Match: " + etag + "\r\n\r\n"
                    + "GET /body HTTP/1.1\r\nHost: x\r\nConnection: close\r\nIf-None-Match: " + etag + "\r\n\r\n");
            String all = new String(c.readToEnd(), StandardCharsets.ISO_8859_1);
            String[] responses = all.split("(?=HTTP/1.1 )");
            assertEquals(2, responses.length, all);
            for (String response : responses) {
                assertTrue(response.startsWith("HTTP/1.1 304 "), response);
                assertTrue(response.endsWith("\r\n\r\n"), "nothing after the headers: " + response);
            }
        }
    }

    @Test
    void aWeakMatchIs304() throws Exception {
        String etag = sha1Etag("hello!");
        assertEquals(304, get("/body", "If-None-Match: W/" + etag).code);
        // the comparison is weak both ways: a weak response tag matches a strong request tag
        assertEquals(304, get("/custom", "If-None-Match: W/\"v1\"").code);
    }

    @Test
    void aStarMatchesAnyTag() {
        assertEquals(304, get("/body", "If-None-Match: *").code);
        assertEquals(304, get("/custom", "If-None-Match: *").code);
        // as in Tornado, only a leading * counts
        assertEquals(200, get("/custom", "If-None-Match: \"x\", *").code);
    }

    @Test
    void aListOfTagsMatchesAnyOfThem() throws Exception {
        String etag = sha1Etag("hello!");
        assertEquals(304, get("/body", "If-None-Match: \"a\", W/\"b\", " + etag).code);
        assertEquals(304, get("/body", "If-None-Match: \"a\"", "If-None-Match: " + etag).code);
        assertEquals(200, get("/body", "If-None-Match: \"a\", W/\"b\"").code);
    }

    @Test
    void aMismatchGetsTheBody() throws Exception {
        RawHttp.Response r = get("/body", "If-None-Match: " + sha1Etag("stale"));
        assertEquals(200, r.code);
        assertEquals("hello!", r.text());
        assertEquals(200, get("/body", "If-None-Match: garbage").code);
        assertEquals(200, get("/body", "If-None-Match: \"hello!\"").code);
    }

    @Test
    void headGetsTheSameTagAndA304() throws Exception {
        String etag = sha1Etag("hello!");
        RawHttp.Response r = request("HEAD", "/body");
        assertEquals(200, r.code);
        assertEquals(etag, r.header("Etag"));
        assertEquals("6", r.header("Content-Length"));
        assertEquals(304, request("HEAD", "/body", "If-None-Match: " + etag).code);
    }

    @Test
    void onlyGetAndHead200sGetATag() throws Exception {
        RawHttp.Response post = request("POST", "/body", "If-None-Match: *");
        assertEquals(200, post.code);
        assertNull(post.header("Etag"));
        for (String code : List.of("201", "404", "500")) {
            RawHttp.Response r = get("/status?code=" + code, "If-None-Match: *");
            assertEquals(Integer.parseInt(code), r.code);
            assertNull(r.header("Etag"), code);
            assertEquals("hello!", r.text());
        }
    }

    @Test
    void computeEtagReturningNullTurnsEtagsOff() {
        RawHttp.Response r = get("/no_etag", "If-None-Match: *");
        assertEquals(200, r.code);
        assertNull(r.header("Etag"));
        assertEquals("hello!", r.text());
    }

    @Test
    void computeEtagCanBeOverridden() {
        assertEquals("\"v1\"", get("/custom").header("Etag"));
        assertEquals(304, get("/custom", "If-None-Match: \"v1\"").code);
    }

    @Test
    void anEtagSetByTheHandlerIsLeftAlone() {
        RawHttp.Response r = get("/explicit", "If-None-Match: \"mine\"");
        assertEquals(200, r.code, "as Tornado: no automatic check when the handler set the header");
        assertEquals("\"mine\"", r.header("Etag"));
    }

    @Test
    void anEarlyCheckSkipsTheBody() {
        RawHttp.Response r = get("/early", "If-None-Match: \"v1\"");
        assertEquals(304, r.code);
        assertEquals("\"v1\"", r.header("Etag"));
        RawHttp.Response full = get("/early");
        assertEquals("expensive body", full.text());
        assertEquals("\"v1\"", full.header("Etag"));
    }

    @Test
    void aFlushedResponseGetsNoTag() {
        RawHttp.Response r = get("/flushed", "If-None-Match: *");
        assertEquals(200, r.code);
        assertNull(r.header("Etag"));
        assertEquals("part 1part 2", r.text());
    }

    @Test
    void theTagIsOfTheUncompressedBody() throws Exception {
        String big = "x".repeat(2000);
        RawHttp.Response r = get("/gzip?text=" + big, "Accept-Encoding: gzip");
        assertEquals("gzip", r.header("Content-Encoding"));
        assertEquals(sha1Etag(big + "!"), r.header("Etag"));
        RawHttp.Response notModified = get("/gzip?text=" + big, "Accept-Encoding: gzip",
                "If-None-Match: " + sha1Etag(big + "!"));
        assertEquals(304, notModified.code);
        assertNull(notModified.header("Content-Encoding"));
    }
}
