package io.tornadoj.web;

import io.tornadoj.httputil.HTTPUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.tornadoj.web.Web.url;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link StaticFileHandler} over real sockets: the {@code static_path} rules and explicit routes with
 * {@code path}/{@code default_filename}, content types, Last-Modified/If-Modified-Since, ETag/If-None-Match,
 * Range (206/416), HEAD, {@code ?v=} URLs and their cache headers, a 5 MiB file streamed intact, and every
 * directory-traversal form (each its own test) never serving a file outside the root.
 */
@Timeout(60)
class StaticFileHandlerTest {
    private static final String SECRET = "TOP-SECRET-OUTSIDE-THE-ROOT";
    private static final Instant MTIME = Instant.parse("2020-01-02T03:04:05Z");

    @TempDir
    Path tmp;
    private Path root;
    private Path outside;
    private TestServer server;

    public static class UrlHandler extends RequestHandler {
        public void get() {
            write(staticUrl(getArgument("p")));
        }
    }

    @BeforeEach
    void start() throws IOException {
        root = Files.createDirectories(tmp.resolve("root"));
        outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), SECRET);
        // a sibling whose name starts with the root's: must not count as "inside"
        Files.createDirectories(tmp.resolve("rootx"));
        Files.writeString(tmp.resolve("rootx").resolve("secret.txt"), SECRET);
        Files.writeString(root.resolve("hello.txt"), "hello world");
        Files.setLastModifiedTime(root.resolve("hello.txt"), FileTime.from(MTIME));
        Files.writeString(root.resolve("style.css"), "body{}");
        Files.writeString(root.resolve("app.js"), "x=1");
        Files.writeString(root.resolve("data.json"), "{}");
        Files.write(root.resolve("image.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        Files.write(root.resolve("archive.tar.gz"), new byte[] {0x1f, (byte) 0x8b});
        Files.write(root.resolve("blob.unknownext"), new byte[] {1, 2, 3});
        Files.writeString(root.resolve("robots.txt"), "User-agent: *");
        Files.createDirectories(root.resolve("sub"));
        Files.writeString(root.resolve("sub").resolve("index.html"), "<p>index</p>");
        Files.createDirectories(root.resolve("empty"));
        Files.createSymbolicLink(root.resolve("link.txt"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("linkdir"), outside);
        Files.createSymbolicLink(root.resolve("inlink.txt"), root.resolve("hello.txt"));
        server = TestServer.start(new Application(List.of(
                url("/url", UrlHandler.class),
                url("/files/(.*)", StaticFileHandler.class,
                        Map.of("path", root.toString(), "default_filename", "index.html"))),
                Settings.builder().staticPath(root).build()));
    }

    @AfterEach
    void stop() {
        StaticFileHandler.resetCache();
        server.close();
    }

    private RawHttp.Response raw(String method, String target, String... headers) {
        try (RawHttp c = server.raw()) {
            StringBuilder sb = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n");
            for (int i = 0; i < headers.length; i += 2) {
                sb.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
            }
            sb.append("Connection: close\r\n\r\n");
            c.send(sb.toString());
            return c.readResponse("HEAD".equals(method));
        }
    }

    private RawHttp.Response get(String target, String... headers) {
        return raw("GET", target, headers);
    }

    private static String sha512(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(data));
    }

    private void assertNoSecret(RawHttp.Response r) {
        assertFalse(r.text().contains(SECRET), "served a file outside the root: " + r);
        assertTrue(r.code == 403 || r.code == 404, "expected 403/404, got " + r.code);
    }

    // ------------------------------------------------------------------ serving

    @Test
    void servesFileWithHeaders() throws Exception {
        RawHttp.Response r = get("/static/hello.txt");
        assertEquals(200, r.code);
        assertEquals("hello world", r.text());
        assertEquals("text/plain", r.header("Content-Type"));
        assertEquals("11", r.header("Content-Length"));
        assertEquals("bytes", r.header("Accept-Ranges"));
        assertEquals(HTTPUtil.formatTimestamp(MTIME), r.header("Last-Modified"));
        assertEquals("\"" + sha512("hello world".getBytes(StandardCharsets.UTF_8)) + "\"", r.header("Etag"));
        assertNull(r.header("Cache-Control"));
        assertNull(r.header("Expires"));
    }

    @Test
    void explicitRouteAndFaviconRobotsRules() {
        assertEquals("hello world", get("/files/hello.txt").text());
        RawHttp.Response r = get("/robots.txt");
        assertEquals(200, r.code);
        assertEquals("User-agent: *", r.text());
        assertEquals(404, get("/favicon.ico").code);
    }

    @Test
    void contentTypes() {
        assertEquals("text/css", get("/static/style.css").header("Content-Type"));
        assertEquals("application/javascript", get("/static/app.js").header("Content-Type"));
        assertEquals("application/json", get("/static/data.json").header("Content-Type"));
        assertEquals("image/png", get("/static/image.png").header("Content-Type"));
        assertEquals("application/gzip", get("/static/archive.tar.gz").header("Content-Type"));
        assertEquals("application/octet-stream", get("/static/blob.unknownext").header("Content-Type"));
        assertEquals("text/html", get("/files/sub/").header("Content-Type"));
    }

    @Test
    void missingFileIs404() {
        assertEquals(404, get("/static/nope.txt").code);
        assertEquals(404, get("/static/sub/nope/deeper.txt").code);
    }

    @Test
    void directoryWithoutDefaultFilenameIs403() {
        assertEquals(403, get("/static/sub").code);
        assertEquals(403, get("/static/sub/").code);
        assertEquals(403, get("/static/").code);
    }

    @Test
    void directoryWithDefaultFilenameRedirectsThenServesIndex() {
        RawHttp.Response r = get("/files/sub");
        assertEquals(301, r.code);
        assertEquals("/files/sub/", r.header("Location"));
        r = get("/files/sub/");
        assertEquals(200, r.code);
        assertEquals("<p>index</p>", r.text());
        assertEquals(404, get("/files/empty/").code);
    }

    @Test
    void symlinkInsideRootIsServed() {
        assertEquals("hello world", get("/static/inlink.txt").text());
    }

    @Test
    void headHasHeadersWithoutBody() {
        RawHttp.Response r = raw("HEAD", "/static/hello.txt");
        assertEquals(200, r.code);
        assertEquals("11", r.header("Content-Length"));
        assertEquals("text/plain", r.header("Content-Type"));
        assertNotNull(r.header("Etag"));
        assertEquals(0, r.body.length);
    }

    @Test
    void headStreamsNothingAndConnectionStaysUsable() {
        try (RawHttp c = server.raw()) {
            c.send("HEAD /static/hello.txt HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(200, c.readResponse(true).code);
            c.send("GET /static/hello.txt HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("hello world", c.readResponse(false).text());
        }
    }

    // ------------------------------------------------------------------ conditional requests

    @Test
    void ifNoneMatchGives304() {
        String etag = get("/static/hello.txt").header("Etag");
        RawHttp.Response r = get("/static/hello.txt", "If-None-Match", etag);
        assertEquals(304, r.code);
        assertEquals(0, r.body.length);
        assertEquals(304, get("/static/hello.txt", "If-None-Match", "W/" + etag).code);
        assertEquals(304, get("/static/hello.txt", "If-None-Match", "*").code);
        assertEquals(200, get("/static/hello.txt", "If-None-Match", "\"other\"").code);
    }

    @Test
    void ifModifiedSinceGives304() {
        assertEquals(304, get("/static/hello.txt", "If-Modified-Since", HTTPUtil.formatTimestamp(MTIME)).code);
        assertEquals(304, get("/static/hello.txt", "If-Modified-Since",
                HTTPUtil.formatTimestamp(MTIME.plusSeconds(60))).code);
        assertEquals(200, get("/static/hello.txt", "If-Modified-Since",
                HTTPUtil.formatTimestamp(MTIME.minusSeconds(1))).code);
        assertEquals(200, get("/static/hello.txt", "If-Modified-Since", "garbage").code);
    }

    @Test
    void ifNoneMatchWinsOverIfModifiedSince() {
        assertEquals(200, get("/static/hello.txt", "If-None-Match", "\"other\"",
                "If-Modified-Since", HTTPUtil.formatTimestamp(MTIME)).code);
    }

    @Test
    void etagChangesWhenFileChanges() throws Exception {
        String first = get("/static/hello.txt").header("Etag");
        Files.writeString(root.resolve("hello.txt"), "changed content");
        String second = get("/static/hello.txt").header("Etag");
        assertEquals("\"" + sha512("changed content".getBytes(StandardCharsets.UTF_8)) + "\"", second);
        assertFalse(first.equals(second));
    }

    // ------------------------------------------------------------------ ranges

    @Test
    void rangeGives206() {
        RawHttp.Response r = get("/static/hello.txt", "Range", "bytes=0-4");
        assertEquals(206, r.code);
        assertEquals("hello", r.text());
        assertEquals("bytes 0-4/11", r.header("Content-Range"));
        assertEquals("5", r.header("Content-Length"));
        r = get("/static/hello.txt", "Range", "bytes=6-");
        assertEquals(206, r.code);
        assertEquals("world", r.text());
        assertEquals("bytes 6-10/11", r.header("Content-Range"));
        r = get("/static/hello.txt", "Range", "bytes=-3");
        assertEquals(206, r.code);
        assertEquals("rld", r.text());
        r = get("/static/hello.txt", "Range", "bytes=6-1000");
        assertEquals(206, r.code);
        assertEquals("world", r.text());
        assertEquals("bytes 6-10/11", r.header("Content-Range"));
    }

    @Test
    void wholeRangeIs200() {
        RawHttp.Response r = get("/static/hello.txt", "Range", "bytes=0-");
        assertEquals(200, r.code);
        assertNull(r.header("Content-Range"));
        assertEquals("hello world", r.text());
    }

    @Test
    void rangePastTheEndIs416() {
        RawHttp.Response r = get("/static/hello.txt", "Range", "bytes=11-20");
        assertEquals(416, r.code);
        assertEquals("bytes */11", r.header("Content-Range"));
        assertFalse(r.text().contains("hello"));
        r = get("/static/hello.txt", "Range", "bytes=100-");
        assertEquals(416, r.code);
        assertEquals("bytes */11", r.header("Content-Range"));
        assertEquals(416, get("/static/hello.txt", "Range", "bytes=-0").code);
    }

    @Test
    void invalidOrMultipleRangesServeWholeFile() {
        assertEquals(200, get("/static/hello.txt", "Range", "bytes=0-1,3-4").code);
        assertEquals(200, get("/static/hello.txt", "Range", "items=0-1").code);
        assertEquals("hello world", get("/static/hello.txt", "Range", "bytes=x-y").text());
    }

    @Test
    void headWithRange() {
        RawHttp.Response r = raw("HEAD", "/static/hello.txt", "Range", "bytes=0-4");
        assertEquals(206, r.code);
        assertEquals("5", r.header("Content-Length"));
        assertEquals("bytes 0-4/11", r.header("Content-Range"));
    }

    // ------------------------------------------------------------------ static URLs

    @Test
    void staticUrlCarriesContentHash() throws Exception {
        String expected = "/static/hello.txt?v=" + sha512("hello world".getBytes(StandardCharsets.UTF_8));
        assertEquals(expected, get("/url?p=hello.txt").text());
        assertEquals(expected, StaticFileHandler.makeStaticUrl(Settings.builder().staticPath(root).build(),
                "hello.txt", true));
        assertEquals("/static/hello.txt", StaticFileHandler.makeStaticUrl(Settings.builder().staticPath(root)
                .build(), "hello.txt", false));
        // unreadable or outside: no version
        assertEquals("/static/nope.txt", get("/url?p=nope.txt").text());
        assertEquals("/static/../outside/secret.txt", get("/url?p=../outside/secret.txt").text());
    }

    @Test
    void versionedUrlGetsLongCacheHeaders() {
        String url = get("/url?p=hello.txt").text();
        RawHttp.Response r = get(url);
        assertEquals(200, r.code);
        assertEquals("max-age=" + (86400L * 365 * 10), r.header("Cache-Control"));
        assertNotNull(r.header("Expires"));
        Instant expires = java.time.ZonedDateTime.parse(r.header("Expires"),
                java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        assertTrue(expires.isAfter(Instant.now().plusSeconds(86400L * 365 * 9)));
    }

    @Test
    void customStaticPrefixAndHandlerClass() {
        try (TestServer s = TestServer.start(new Application(List.of(), Settings.builder().staticPath(root)
                .staticUrlPrefix("/assets.v1/").staticHandlerClass(Custom.class).build()))) {
            try (RawHttp c = s.raw()) {
                c.send("GET /assets.v1/hello.txt HTTP/1.1\r\nHost: x\r\n\r\n");
                RawHttp.Response r = c.readResponse(false);
                assertEquals("hello world", r.text());
                assertEquals("yes", r.header("X-Custom"));
                c.send("GET /assetsXv1/hello.txt HTTP/1.1\r\nHost: x\r\n\r\n");
                assertEquals(404, c.readResponse(false).code);
            }
        }
    }

    /** Counts the flushes of a body. */
    public static class Counting extends StaticFileHandler {
        static final java.util.concurrent.atomic.AtomicInteger FLUSHES = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public java.util.concurrent.CompletableFuture<Void> flush() {
            FLUSHES.incrementAndGet();
            return super.flush();
        }
    }

    private byte[] getCounted(String file, boolean gzip) throws Exception {
        Counting.FLUSHES.set(0);
        try (TestServer s = TestServer.start(new Application(List.of(
                url("/c/(.*)", Counting.class, Map.of("path", root))), Settings.builder().compressResponse(gzip).build()))) {
            try (RawHttp c = s.raw()) {
                c.send("GET /c/" + file + " HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n");
                RawHttp.Response r = c.readResponse(false);
                assertEquals(gzip ? "gzip" : null, r.header("Content-Encoding"));
                assertEquals(gzip, !r.chunks.isEmpty(), "chunked only when gzipped");
                return gzip ? new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(r.body)).readAllBytes() : r.body;
            }
        }
    }

    @Test
    void largeFileGoesOutAfterOneFlushOfTheHeaders() throws Exception {
        byte[] data = new byte[5 * 1024 * 1024];
        new Random(3).nextBytes(data);
        Files.write(root.resolve("big3.bin"), data);
        assertArrayEquals(data, getCounted("big3.bin", false));
        assertEquals(1, Counting.FLUSHES.get(), "the body is handed to the connection in one piece");
    }

    @Test
    void gzippedLargeFileIsStreamedInAwaitedChunks() throws Exception {
        byte[] data = new byte[5 * 1024 * 1024];
        Arrays.fill(data, (byte) 'z');
        Files.write(root.resolve("big3.txt"), data);
        assertArrayEquals(data, getCounted("big3.txt", true));
        // the headers, then one flush per 64 KiB chunk but the last (finish() sends it)
        assertEquals(data.length / (64 * 1024), Counting.FLUSHES.get());
    }

    public static class Custom extends StaticFileHandler {
        @Override
        public java.util.concurrent.CompletionStage<Void> get(String path) {
            setHeader("X-Custom", "yes");
            return super.get(path);
        }
    }

    // ------------------------------------------------------------------ large files

    @Test
    void largeFileServedIntactInChunks() throws Exception {
        byte[] data = new byte[5 * 1024 * 1024 + 123];
        new Random(42).nextBytes(data);
        Files.write(root.resolve("big.bin"), data);
        RawHttp.Response r = get("/static/big.bin");
        assertEquals(200, r.code);
        assertEquals(Integer.toString(data.length), r.header("Content-Length"));
        assertArrayEquals(data, r.body);
        // and over java.net.http too
        byte[] viaClient = server.sendBytes(server.request("/static/big.bin").GET()).body();
        assertArrayEquals(data, viaClient);
        // a range in the middle, across chunk boundaries
        RawHttp.Response part = get("/static/big.bin", "Range", "bytes=65000-200000");
        assertEquals(206, part.code);
        assertArrayEquals(Arrays.copyOfRange(data, 65000, 200001), part.body);
    }

    @Test
    void clientLeavingMidStreamDoesNotBreakTheServer() throws Exception {
        byte[] data = new byte[4 * 1024 * 1024];
        new Random(7).nextBytes(data);
        Files.write(root.resolve("big2.bin"), data);
        try (RawHttp c = server.raw()) {
            c.send("GET /static/big2.bin HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(200, c.readHead().code);
        }
        Thread.sleep(200);
        assertEquals("hello world", get("/static/hello.txt").text());
    }

    // ------------------------------------------------------------------ traversal: never outside the root

    @Test
    void traversalDotDot() {
        assertNoSecret(get("/static/../outside/secret.txt"));
        assertNoSecret(get("/static/../../../../../../etc/passwd"));
        assertNoSecret(get("/files/sub/../../outside/secret.txt"));
        assertEquals(403, get("/static/../outside/secret.txt").code);
    }

    @Test
    void traversalEncodedLowerCase() {
        RawHttp.Response r = get("/static/%2e%2e/outside/secret.txt");
        assertNoSecret(r);
        assertEquals(403, r.code);
        assertNoSecret(get("/files/%2e%2e/rootx/secret.txt"));
    }

    @Test
    void traversalEncodedUpperCaseWithSlash() {
        RawHttp.Response r = get("/static/%2E%2E%2Foutside%2Fsecret.txt");
        assertNoSecret(r);
        assertEquals(403, r.code);
        assertNoSecret(get("/static/sub%2F%2E%2E%2F%2E%2E%2Foutside/secret.txt"));
    }

    @Test
    void traversalSiblingWithSamePrefix() {
        assertNoSecret(get("/static/../rootx/secret.txt"));
    }

    @Test
    void traversalAbsolutePath() {
        RawHttp.Response r = get("/static//etc/passwd");
        assertNoSecret(r);
        assertEquals(403, r.code);
        assertNoSecret(get("/static/" + outside.resolve("secret.txt")));
        assertNoSecret(get("/static/%2F" + outside.resolve("secret.txt").toString().substring(1)));
        assertNoSecret(get("/files//etc/passwd"));
    }

    @Test
    void traversalSymlinkOutOfRoot() {
        RawHttp.Response r = get("/static/link.txt");
        assertNoSecret(r);
        assertEquals(403, r.code);
        r = get("/static/linkdir/secret.txt");
        assertNoSecret(r);
        assertEquals(403, r.code);
        assertNoSecret(get("/files/linkdir/"));
        assertNoSecret(raw("HEAD", "/static/link.txt"));
        assertNull(StaticFileHandler.getVersion(Settings.builder().staticPath(root).build(), "link.txt"));
    }

    @Test
    void traversalNulByte() {
        assertNoSecret(get("/static/hello.txt%00.png"));
    }
}
