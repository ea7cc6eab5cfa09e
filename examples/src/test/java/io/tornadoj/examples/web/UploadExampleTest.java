package io.tornadoj.examples.web;

import io.tornadoj.httpclient.BodyProducer;
import io.tornadoj.httpclient.HTTPResponse;
import io.tornadoj.testing.AsyncHTTPTestCase;
import io.tornadoj.testing.GenTest;
import io.tornadoj.web.Application;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link UploadExample}: a streamed PUT and the file parts of a streamed {@code multipart/form-data} POST land on
 * disk intact, with sizes and SHA-256 in the answers; 1 GiB of each, above the server's default 100 MiB limit,
 * without the heap growing with the body (bodies are generated as they are sent, never held).
 */
class UploadExampleTest extends AsyncHTTPTestCase {
    private static final int MiB = 1024 * 1024;
    private static final long GiB = 1024L * MiB;
    private static final String BOUNDARY = "----TornadoJFormBoundary7MA4YWxkTrZu0gW";

    @TempDir
    Path dir;

    @Override
    public Application getApp() {
        return UploadExample.makeApp(dir, 2L * GiB);
    }

    /** A body of {@code total} bytes sent in 64 KiB chunks, each after the previous one was written. */
    private static BodyProducer producer(long total, byte[] block, MessageDigest sha) {
        return write -> send(write, fileChunks(total, block, sha).iterator());
    }

    /** {@code total} bytes of {@code block}s, generated as they are taken, hashed into {@code sha}. */
    private static Stream<byte[]> fileChunks(long total, byte[] block, MessageDigest sha) {
        long n = (total + block.length - 1) / block.length;
        return LongStream.range(0, n).mapToObj(i -> {
            long left = total - i * block.length;
            byte[] chunk = left >= block.length ? block : java.util.Arrays.copyOf(block, (int) left);
            sha.update(chunk);
            return chunk;
        });
    }

    /** Sends the chunks one by one, each once the previous one was written. */
    private static CompletableFuture<Void> send(Function<byte[], CompletableFuture<Void>> write, Iterator<byte[]> chunks) {
        if (!chunks.hasNext()) {
            return CompletableFuture.completedFuture(null);
        }
        return write.apply(chunks.next()).thenCompose(v -> send(write, chunks));
    }

    /** A form with a field {@code note=hi} and one file of {@code total} bytes named {@code name}. */
    private static BodyProducer form(String name, long total, MessageDigest sha) {
        byte[] head = ("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n"
                + "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name + "\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] tail = ("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        return write -> send(write, Stream.of(Stream.of(head), fileChunks(total, block(), sha), Stream.of(tail))
                .flatMap(x -> x).iterator());
    }

    private HTTPResponse postForm(String name, long total, MessageDigest sha) throws Exception {
        return fetch("/form", b -> b.method("POST").requestTimeout(300)
                .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                .bodyProducer(form(name, total, sha)));
    }

    private static byte[] block() {
        byte[] b = new byte[64 * 1024];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 7 + (i >> 8));
        }
        return b;
    }

    private static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }

    @GenTest(timeout = 30)
    void uploadLandsOnDisk() throws Exception {
        long total = 5L * MiB + 123;
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        HTTPResponse r = fetch("/upload/data.bin", b -> b.method("PUT")
                .header("Content-Length", Long.toString(total)).bodyProducer(producer(total, block(), sha)));
        assertEquals(200, r.code(), r.bodyAsString());
        String expected = hex(sha.digest());
        String json = r.bodyAsString().replace(" ", "");
        assertTrue(json.contains("\"bytes\":" + total), json);
        assertTrue(json.contains("\"sha256\":\"" + expected + "\""), json);
        Path file = dir.resolve("data.bin");
        assertEquals(total, Files.size(file));
        assertEquals(expected, hex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))));
        assertNoPartialFiles();
    }

    @GenTest(timeout = 30)
    void chunkedUpload() throws Exception {
        long total = 3L * MiB + 5;
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        // no Content-Length: the client sends the body chunked
        HTTPResponse r = fetch("/upload/chunked.bin", b -> b.method("PUT").bodyProducer(producer(total, block(), sha)));
        assertEquals(200, r.code(), r.bodyAsString());
        assertTrue(r.bodyAsString().replace(" ", "").contains("\"sha256\":\"" + hex(sha.digest()) + "\""));
        assertEquals(total, Files.size(dir.resolve("chunked.bin")));
    }

    @GenTest(timeout = 30)
    void badNamesAreRefused() throws Exception {
        HTTPResponse r = fetch("/upload/..hidden", b -> b.method("PUT").body("x"));
        assertEquals(400, r.code());
        assertNoPartialFiles();
    }

    @GenTest(timeout = 30)
    void formUploadLandsOnDisk() throws Exception {
        long total = 5L * MiB + 77;
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        HTTPResponse r = postForm("photo.bin", total, sha);
        assertEquals(200, r.code(), r.bodyAsString());
        String expected = hex(sha.digest());
        assertEquals("{\"fields\":{\"note\":[\"hi\"]},\"files\":[{\"field\":\"file\",\"name\":\"photo.bin\","
                + "\"bytes\":" + total + ",\"sha256\":\"" + expected + "\"}]}", r.bodyAsString().replace(" ", ""));
        Path file = dir.resolve("photo.bin");
        assertEquals(expected, hex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))));
        assertNoPartialFiles();
    }

    @GenTest(timeout = 30)
    void malformedFormIsRefused() throws Exception {
        String head = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.bin\"\r\n\r\n";
        HTTPResponse r = fetch("/form", b -> b.method("POST").header("Content-Type", "multipart/form-data; boundary=b")
                .body(head + "data without a final boundary\r\n"));
        assertEquals(400, r.code());
        r = fetch("/form", b -> b.method("POST").header("Content-Type", "multipart/form-data; boundary=b")
                .body(head.replace("x.bin", ".hidden") + "data\r\n--b--\r\n"));
        assertEquals(400, r.code());
        r = fetch("/form", b -> b.method("POST").header("Content-Type", "multipart/form-data").body("--b--"));
        assertEquals(400, r.code());
        assertNoPartialFiles();
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count(), "nothing stored");
        }
    }

    /** 1 GiB through the raw PUT, above the server's default 100 MiB limit: the heap after GC barely moves. */
    @GenTest(timeout = 300)
    void largeUploadKeepsMemoryFlat() throws Exception {
        long total = GiB;
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        HTTPResponse r = whileWatchingTheHeap(total, () -> fetch("/upload/big.bin", b -> b.method("PUT").requestTimeout(300)
                .header("Content-Length", Long.toString(total)).bodyProducer(producer(total, block(), sha))));
        assertEquals(200, r.code(), r.bodyAsString());
        assertTrue(r.bodyAsString().replace(" ", "").contains("\"sha256\":\"" + hex(sha.digest()) + "\""));
        assertEquals(total, Files.size(dir.resolve("big.bin")));
        Files.delete(dir.resolve("big.bin"));
    }

    /** A 1 GiB file in a multipart form, parsed as it streams: the heap after GC barely moves. */
    @GenTest(timeout = 300)
    void largeFormUploadKeepsMemoryFlat() throws Exception {
        long total = GiB;
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        HTTPResponse r = whileWatchingTheHeap(total, () -> postForm("big.bin", total, sha));
        assertEquals(200, r.code(), r.bodyAsString());
        assertTrue(r.bodyAsString().replace(" ", "").contains("\"bytes\":" + total + ",\"sha256\":\"" + hex(sha.digest()) + "\""));
        assertEquals(total, Files.size(dir.resolve("big.bin")));
        Files.delete(dir.resolve("big.bin"));
        assertNoPartialFiles();
    }

    /** Runs an upload whose heap-after-GC, sampled every 200 ms, must stay within 64 MiB of where it started. */
    private static HTTPResponse whileWatchingTheHeap(long total, Callable<HTTPResponse> upload) throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long baseline = heapAfterGc(memory);
        long[] peak = {baseline};
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread sampler = new Thread(() -> {
            while (!done.isDone()) {
                peak[0] = Math.max(peak[0], heapAfterGc(memory));
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.setDaemon(true);
        sampler.start();
        HTTPResponse r;
        try {
            r = upload.call();
        } finally {
            done.complete(null);
            sampler.join();
        }
        long rise = peak[0] - baseline;
        assertTrue(rise < 64L * MiB, "heap after GC rose by " + rise / MiB + " MiB during a " + total / MiB + " MiB upload");
        return r;
    }

    private static long heapAfterGc(MemoryMXBean memory) {
        System.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    private void assertNoPartialFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().endsWith(".part")), "a partial file was left");
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
