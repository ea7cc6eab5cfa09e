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
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link UploadExample}: a streamed PUT lands on disk intact, with its size and SHA-256 in the answer, above the
 * server's default 100 MiB limit, without the heap growing with the body.
 */
class UploadExampleTest extends AsyncHTTPTestCase {
    private static final int MiB = 1024 * 1024;

    @TempDir
    Path dir;

    @Override
    public Application getApp() {
        return UploadExample.makeApp(dir, 512L * MiB);
    }

    /** A body of {@code total} bytes sent in 64 KiB chunks, each after the previous one was written. */
    private static BodyProducer producer(long total, byte[] block, MessageDigest sha) {
        return write -> send(write, total, block, sha);
    }

    private static CompletableFuture<Void> send(Function<byte[], CompletableFuture<Void>> write, long left,
                                                byte[] block, MessageDigest sha) {
        if (left <= 0) {
            return CompletableFuture.completedFuture(null);
        }
        byte[] chunk = left >= block.length ? block : java.util.Arrays.copyOf(block, (int) left);
        sha.update(chunk);
        return write.apply(chunk).thenCompose(v -> send(write, left - chunk.length, block, sha));
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

    /**
     * 256 MiB through the example (the 1 GiB scaled down to keep the build fast), above the server's
     * default 100 MiB limit: the heap left after GC barely moves while it streams.
     */
    @GenTest(timeout = 120)
    void largeUploadKeepsMemoryFlat() throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long baseline = heapAfterGc(memory);
        long total = 256L * MiB;
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
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
            r = fetch("/upload/big.bin", b -> b.method("PUT").requestTimeout(100)
                    .header("Content-Length", Long.toString(total)).bodyProducer(producer(total, block(), sha)));
        } finally {
            done.complete(null);
            sampler.join();
        }
        assertEquals(200, r.code(), r.bodyAsString());
        assertTrue(r.bodyAsString().replace(" ", "").contains("\"sha256\":\"" + hex(sha.digest()) + "\""));
        assertEquals(total, Files.size(dir.resolve("big.bin")));
        long rise = peak[0] - baseline;
        assertTrue(rise < 64L * MiB, "heap after GC rose by " + rise / MiB + " MiB during a 256 MiB upload");
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
