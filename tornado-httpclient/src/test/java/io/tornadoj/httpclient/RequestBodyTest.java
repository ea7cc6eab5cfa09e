package io.tornadoj.httpclient;

import io.tornadoj.httpserver.HTTPServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static io.tornadoj.httpclient.Fixture.await;
import static io.tornadoj.httpclient.Fixture.failure;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Request bodies: {@code bodyProducer} (Tornado's body_producer: streamed, chunked unless a Content-Length
 * is given, flow-controlled by the write futures) and {@code expect100Continue} (the body waits for
 * 100 Continue; a final response instead means the body is never sent).
 */
@org.junit.jupiter.api.Timeout(60)
class RequestBodyTest {
    private Fixture fx;
    private AsyncHTTPClient client;

    @BeforeEach
    void setUp() throws Exception {
        fx = new Fixture();
        client = fx.client();
    }

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    private static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    /** Writes {@code data} in {@code chunk}-sized pieces, each after the previous write completed and a loop turn. */
    private static BodyProducer chunked(byte[] data, int chunk, List<String> threads) {
        return write -> writeFrom(write, data, 0, chunk, threads);
    }

    private static CompletionStage<?> writeFrom(Function<byte[], CompletableFuture<Void>> write, byte[] data, int off,
                                                int chunk, List<String> threads) {
        if (off >= data.length) {
            return CompletableFuture.completedFuture(null);
        }
        threads.add(Thread.currentThread().getName());
        int n = Math.min(chunk, data.length - off);
        byte[] piece = java.util.Arrays.copyOfRange(data, off, off + n);
        return write.apply(piece).thenCompose(v -> TestApp.later(0.001))
                .thenCompose(v -> writeFrom(write, data, off + n, chunk, threads));
    }

    @Test
    void bodyProducerArrivesWholeAtTheServer() throws Exception {
        HTTPServer server = fx.serve(TestApp.app());
        byte[] data = pattern(100_000);
        List<String> threads = new CopyOnWriteArrayList<>();
        HTTPRequest req = HTTPRequest.builder(Fixture.url(server, "/bytes")).method("POST")
                .bodyProducer(chunked(data, 8192, threads)).build();
        HTTPResponse r = await(client.fetch(req));
        assertArrayEquals(data, r.body());
        assertEquals(13, threads.size());
        String loopThread = fx.onLoop(() -> Thread.currentThread().getName());
        for (String t : threads) {
            assertEquals(loopThread, t, "the producer runs on the client's loop");
        }
    }

    @Test
    void bodyProducerIsSentChunked() throws Exception {
        RawServer raw = fx.raw((c, i) -> {
            RawServer.Request r;
            while ((r = c.readRequest()) != null) {
                c.respond(r.bodyAsString());
            }
        });
        HTTPRequest req = HTTPRequest.builder(raw.url("/")).method("POST").bodyProducer(write ->
                write.apply("abc".getBytes(StandardCharsets.UTF_8))
                        .thenCompose(v -> write.apply("defgh".getBytes(StandardCharsets.UTF_8)))).build();
        assertEquals("abcdefgh", await(client.fetch(req)).bodyAsString());
        RawServer.Request got = raw.requests.get(0);
        assertEquals("chunked", got.header("Transfer-Encoding"));
        assertNull(got.header("Content-Length"));
        assertEquals(List.of(3, 5), got.chunkSizes);
        // the connection is kept alive after a chunked request
        assertEquals("abcdefgh", await(client.fetch(req)).bodyAsString());
        assertEquals(1, raw.accepted.get());
    }

    @Test
    void bodyProducerWithContentLengthIsNotChunked() throws Exception {
        RawServer raw = fx.raw((c, i) -> {
            RawServer.Request r = c.readRequest();
            c.respond(r.bodyAsString());
        });
        HTTPRequest req = HTTPRequest.builder(raw.url("/")).method("PUT").header("Content-Length", "6")
                .bodyProducer(write -> write.apply("abc".getBytes(StandardCharsets.UTF_8))
                        .thenCompose(v -> write.apply("def".getBytes(StandardCharsets.UTF_8)))).build();
        assertEquals("abcdef", await(client.fetch(req)).bodyAsString());
        RawServer.Request got = raw.requests.get(0);
        assertEquals("6", got.header("Content-Length"));
        assertNull(got.header("Transfer-Encoding"));
        assertTrue(got.chunkSizes.isEmpty());
    }

    @Test
    void emptyBodyProducer() throws Exception {
        HTTPServer server = fx.serve(TestApp.app());
        HTTPRequest req = HTTPRequest.builder(Fixture.url(server, "/echo")).method("POST")
                .bodyProducer(write -> CompletableFuture.completedFuture(null)).build();
        assertEquals("POST:", await(client.fetch(req)).bodyAsString());
    }

    @Test
    void failingBodyProducer() throws Exception {
        CountDownLatch closed = new CountDownLatch(1);
        RawServer raw = fx.raw((c, i) -> {
            c.readHead();
            if (c.awaitEof(15_000)) {
                closed.countDown();
            }
        });
        HTTPRequest async = HTTPRequest.builder(raw.url("/")).method("POST").bodyProducer(write ->
                write.apply("partial".getBytes(StandardCharsets.UTF_8))
                        .thenCompose(v -> CompletableFuture.failedFuture(new IllegalStateException("producer broke")))).build();
        HTTPClientError e = failure(HTTPClientError.class, client.fetch(async));
        assertEquals(599, e.code());
        assertTrue(e.getMessage().contains("producer broke"), e.getMessage());
        assertTrue(closed.await(10, TimeUnit.SECONDS), "a half-sent request's connection must be closed");
        assertEquals(0, fx.idle(client));

        HTTPRequest sync = HTTPRequest.builder(raw.url("/")).method("POST").bodyProducer(write -> {
            throw new IllegalStateException("thrown at once");
        }).build();
        HTTPClientError e2 = failure(HTTPClientError.class, client.fetch(sync));
        assertEquals(599, e2.code());
        assertTrue(e2.getMessage().contains("thrown at once"), e2.getMessage());
    }

    @Test
    void earlyResponseWhileTheBodyIsStillStreaming() throws Exception {
        // the server answers (keep-alive) before the streamed body is complete: the connection, still in the
        // middle of a request, must not go back to the pool
        CountDownLatch firstClosed = new CountDownLatch(1);
        RawServer raw = fx.raw((c, i) -> {
            if (i == 0) {
                c.readHead();
                c.respond("early");
                if (c.awaitEof(15_000)) {
                    firstClosed.countDown();
                }
            } else {
                while (c.readRequest() != null) {
                    c.respond("fresh");
                }
            }
        });
        CompletableFuture<Void> responded = new CompletableFuture<>();
        CompletableFuture<Void> secondChunk = new CompletableFuture<>();
        HTTPRequest req = HTTPRequest.builder(raw.url("/upload")).method("POST").bodyProducer(write ->
                write.apply("first".getBytes(StandardCharsets.UTF_8))
                        .thenCompose(v -> responded) // the rest of the body only after the answer came
                        .thenComposeAsync(v -> write.apply("second".getBytes(StandardCharsets.UTF_8)), fx.loop)
                        .whenComplete((v, e) -> secondChunk.complete(null))).build();
        assertEquals("early", await(client.fetch(req)).bodyAsString());
        assertEquals(0, fx.idle(client));
        responded.complete(null);
        assertEquals("fresh", await(client.fetch(raw.url("/next"))).bodyAsString());
        assertEquals(2, raw.accepted.get());
        assertTrue(firstClosed.await(10, TimeUnit.SECONDS));
        await(secondChunk);
    }

    @Test
    void expect100ContinueWithTornadoServer() throws Exception {
        HTTPServer server = fx.serve(TestApp.app());
        HTTPRequest req = HTTPRequest.builder(Fixture.url(server, "/echo")).method("POST").body("hello")
                .expect100Continue(true).build();
        assertEquals("POST:hello", await(client.fetch(req)).bodyAsString());
        // again on the same (kept-alive) connection, with a streamed body
        HTTPRequest streamed = HTTPRequest.builder(Fixture.url(server, "/echo")).method("PUT").expect100Continue(true)
                .bodyProducer(w -> w.apply("str".getBytes(StandardCharsets.UTF_8))
                        .thenCompose(v -> w.apply("eam".getBytes(StandardCharsets.UTF_8)))).build();
        assertEquals("PUT:stream", await(client.fetch(streamed)).bodyAsString());
        assertEquals(1, fx.idle(client));
    }

    @Test
    void expect100ContinueBodyWaitsForTheInterimResponse() throws Exception {
        AtomicInteger earlyBytes = new AtomicInteger(-1);
        RawServer raw = fx.raw((c, i) -> {
            RawServer.Request head = c.readHead();
            if (!"100-continue".equals(head.header("Expect"))) {
                c.respond(400, "Bad Request", "no Expect header");
                return;
            }
            earlyBytes.set(c.readFor(200).length); // nothing may come before 100 Continue
            c.write("HTTP/1.1 100 Continue\r\n\r\n");
            RawServer.Request full = c.readBody(head);
            c.respond("got " + full.bodyAsString());
        });
        HTTPRequest req = HTTPRequest.builder(raw.url("/")).method("POST").body("the body")
                .expect100Continue(true).build();
        HTTPResponse r = await(client.fetch(req));
        assertEquals("got the body", r.bodyAsString());
        assertEquals(0, earlyBytes.get());
        assertEquals("8", raw.requests.get(0).header("Content-Length"));
    }

    @Test
    void expect100ContinueRejectedWithFinalResponse() throws Exception {
        // Tornado's test_100_continue_early_response: the server answers at once; the body is never sent
        AtomicInteger bytesAfterHead = new AtomicInteger(-1);
        CountDownLatch done = new CountDownLatch(1);
        RawServer raw = fx.raw((c, i) -> {
            c.readHead();
            c.write("HTTP/1.1 413 Payload Too Large\r\nContent-Length: 8\r\n\r\ntoo big!");
            bytesAfterHead.set(c.readFor(5_000).length); // until the client closes (or 5 s)
            done.countDown();
        });
        AtomicBoolean produced = new AtomicBoolean();
        HTTPRequest req = HTTPRequest.builder(raw.url("/")).method("POST").expect100Continue(true)
                .bodyProducer(w -> {
                    produced.set(true);
                    return w.apply(new byte[1000]);
                }).build();
        HTTPResponse r = await(client.fetch(req, false));
        assertEquals(413, r.code());
        assertEquals("too big!", r.bodyAsString());
        assertEquals(413, r.error().code());
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertEquals(0, bytesAfterHead.get(), "the body must not be sent after a final response");
        assertFalse(produced.get(), "the body producer must not run");
        // the connection (whose request was left unfinished) is not reused
        assertEquals(0, fx.idle(client));

        HTTPClientError e = failure(HTTPClientError.class, client.fetch(HTTPRequest.builder(raw.url("/")).method("POST")
                .body(new byte[1000]).expect100Continue(true).build()));
        assertEquals(413, e.code());
    }

    @Test
    void expect100ContinueWithoutBodySendsNoExpect() throws Exception {
        RawServer raw = fx.raw(RawServer.keepAlive("ok"));
        await(client.fetch(HTTPRequest.builder(raw.url("/")).expect100Continue(true).build()));
        assertNull(raw.requests.get(0).header("Expect"));
    }

    @Test
    void largeFixedBody() throws Exception {
        HTTPServer server = fx.serve(TestApp.app());
        byte[] data = pattern(3 * 1024 * 1024);
        HTTPResponse r = await(client.fetch(HTTPRequest.builder(Fixture.url(server, "/bytes")).method("POST").body(data).build()));
        assertArrayEquals(data, r.body());
        ByteArrayOutputStream streamed = new ByteArrayOutputStream();
        await(client.fetch(HTTPRequest.builder(Fixture.url(server, "/bytes")).method("POST").body(data)
                .streamingCallback(streamed::writeBytes).build()));
        assertArrayEquals(data, streamed.toByteArray());
    }
}
