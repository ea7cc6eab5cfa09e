package io.tornadoj.web;

import io.tornadoj.ioloop.IOLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.zip.DataFormatException;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;

import static io.tornadoj.web.Web.url;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code compress_response}: Tornado's GZipContentEncoding (GzipTestCase). */
@Timeout(60)
class GzipTest {
    static final String BIG = "hello world" + "!".repeat(1024);
    static volatile CompletableFuture<Void> gate = new CompletableFuture<>();

    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void serve(boolean compress) {
        server = TestServer.start(new Application(List.of(
                url("/", Big.class),
                url("/small", Small.class),
                url("/png", Png.class),
                url("/json", Json.class),
                url("/stream", Streamed.class),
                url("/encoded", AlreadyEncoded.class),
                url("/head", Big.class)),
                Settings.builder().compressResponse(compress).build()));
    }

    public static class Big extends RequestHandler {
        public void get() {
            for (String v : getArguments("vary")) {
                addHeader("Vary", v);
            }
            write(BIG);
        }

        public void head() {
            get();
        }
    }

    public static class Small extends RequestHandler {
        public void get() {
            write("x".repeat(1023));
        }
    }

    public static class Png extends RequestHandler {
        public void get() {
            setHeader("Content-Type", "image/png");
            write(BIG);
        }
    }

    public static class Json extends RequestHandler {
        public void get() {
            writeJson(List.of(BIG));
        }
    }

    public static class AlreadyEncoded extends RequestHandler {
        public void get() {
            setHeader("Content-Encoding", "br");
            write(BIG);
        }
    }

    /** Flushes a small first part, waits, then more. */
    public static class Streamed extends RequestHandler {
        public CompletionStage<Void> get() {
            IOLoop loop = IOLoop.current();
            write("part one;");
            return flush().thenCompose(v -> gate).thenRunAsync(() -> {
                write("part two;" + BIG);
                flush();
                write(";end");
            }, loop);
        }
    }

    private HttpResponse<byte[]> fetch(String path, boolean acceptGzip) {
        var b = server.request(path);
        if (acceptGzip) {
            b.header("Accept-Encoding", "gzip, deflate");
        }
        return server.sendBytes(b);
    }

    static String gunzip(byte[] data) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> vary(HttpResponse<?> r) {
        List<String> out = new ArrayList<>();
        for (String v : r.headers().allValues("Vary")) {
            for (String p : v.split(",")) {
                out.add(p.strip());
            }
        }
        return out;
    }

    @Test
    void largeHtmlIsCompressed() {
        serve(true);
        HttpResponse<byte[]> r = fetch("/", true);
        assertEquals(200, r.statusCode());
        assertEquals("gzip", r.headers().firstValue("Content-Encoding").orElseThrow());
        assertEquals(List.of("Accept-Encoding"), vary(r));
        assertEquals(Integer.toString(r.body().length), r.headers().firstValue("Content-Length").orElseThrow());
        assertTrue(r.body().length < BIG.length());
        assertEquals(BIG, gunzip(r.body()));
    }

    @Test
    void notRequestedNotCompressedButVaries() {
        serve(true);
        HttpResponse<byte[]> r = fetch("/", false);
        assertFalse(r.headers().firstValue("Content-Encoding").isPresent());
        assertEquals(List.of("Accept-Encoding"), vary(r));
        assertEquals(BIG, new String(r.body(), StandardCharsets.UTF_8));
    }

    @Test
    void existingVaryIsKept() {
        serve(true);
        HttpResponse<byte[]> r = fetch("/?vary=Accept-Language", true);
        assertEquals("gzip", r.headers().firstValue("Content-Encoding").orElseThrow());
        assertEquals(List.of("Accept-Language", "Accept-Encoding"), vary(r));
        r = fetch("/?vary=Accept-Language&vary=Cookie", true);
        assertEquals(List.of("Accept-Language", "Cookie", "Accept-Encoding"), vary(r));
    }

    @Test
    void smallBodyIsNotCompressed() {
        serve(true);
        HttpResponse<byte[]> r = fetch("/small", true);
        assertFalse(r.headers().firstValue("Content-Encoding").isPresent());
        assertEquals(1023, r.body().length);
        assertEquals("1023", r.headers().firstValue("Content-Length").orElseThrow());
    }

    @Test
    void nonCompressibleTypeIsNotCompressed() {
        serve(true);
        HttpResponse<byte[]> r = fetch("/png", true);
        assertFalse(r.headers().firstValue("Content-Encoding").isPresent());
        assertEquals(BIG, new String(r.body(), StandardCharsets.UTF_8));
    }

    @Test
    void jsonIsCompressible() {
        serve(true);
        HttpResponse<byte[]> r = fetch("/json", true);
        assertEquals("gzip", r.headers().firstValue("Content-Encoding").orElseThrow());
        assertEquals("[\"" + BIG + "\"]", gunzip(r.body()));
    }

    @Test
    void anExistingContentEncodingIsLeftAlone() {
        serve(true);
        HttpResponse<byte[]> r = fetch("/encoded", true);
        assertEquals("br", r.headers().firstValue("Content-Encoding").orElseThrow());
        assertEquals(BIG, new String(r.body(), StandardCharsets.UTF_8));
    }

    @Test
    void headGetsTheCompressedLength() {
        serve(true);
        HttpResponse<byte[]> get = fetch("/head", true);
        RawHttp.Response head = server.rawRequest(
                "HEAD /head HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n");
        assertEquals("gzip", head.header("Content-Encoding"));
        assertEquals(get.headers().firstValue("Content-Length").orElseThrow(), head.header("Content-Length"));
        assertEquals(0, head.body.length);
    }

    @Test
    void offByDefault() {
        serve(false);
        HttpResponse<byte[]> r = fetch("/", true);
        assertFalse(r.headers().firstValue("Content-Encoding").isPresent());
        assertFalse(r.headers().firstValue("Vary").isPresent());
        assertEquals(BIG, new String(r.body(), StandardCharsets.UTF_8));
    }

    @Test
    void streamedResponseIsCompressedAsItGoes() throws DataFormatException {
        serve(true);
        gate = new CompletableFuture<>();
        try (RawHttp c = server.raw()) {
            c.send("GET /stream HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n");
            RawHttp.Head head = c.readHead();
            assertEquals("gzip", head.header("Content-Encoding"));
            assertEquals("chunked", head.header("Transfer-Encoding"));
            assertNull(head.header("Content-Length"));
            // the first flush is a complete deflate sync point: it decodes on its own
            byte[] first = c.readChunk();
            Inflater inflater = new Inflater(true);
            inflater.setInput(first, 10, first.length - 10); // after the 10-byte gzip header
            byte[] out = new byte[256];
            int n = inflater.inflate(out);
            assertEquals("part one;", new String(out, 0, n, StandardCharsets.UTF_8));
            inflater.end();
            gate.complete(null);
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            all.writeBytes(first);
            byte[] chunk;
            while ((chunk = c.readChunk()) != null) {
                all.writeBytes(chunk);
            }
            assertEquals("part one;part two;" + BIG + ";end", gunzip(all.toByteArray()));
        }
    }
}
