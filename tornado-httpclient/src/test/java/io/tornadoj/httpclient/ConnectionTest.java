package io.tornadoj.httpclient;

import io.tornadoj.netutil.Resolver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.tornadoj.httpclient.Fixture.await;
import static io.tornadoj.httpclient.Fixture.causedBy;
import static io.tornadoj.httpclient.Fixture.eventually;
import static io.tornadoj.httpclient.Fixture.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Connections, the pool and the failure modes (Tornado's simple_httpclient_test): refused and timed-out
 * connections, request and queue timeouts, truncated and malformed responses, size limits, maxClients,
 * keep-alive reuse, stale pooled connections and when a request is retried, close(). Raw-socket peers.
 */
@org.junit.jupiter.api.Timeout(60)
class ConnectionTest {
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

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    // ------------------------------------------------------------------ connecting

    @Test
    void connectionRefused() throws Exception {
        String u = "http://127.0.0.1:" + closedPort() + "/";
        HTTPClientError e = failure(HTTPClientError.class, client.fetch(u));
        assertEquals(599, e.code());
        assertFalse(e instanceof HTTPTimeoutError);
        assertTrue(causedBy(e, ConnectException.class), () -> "cause: " + e.getCause());
        assertTrue(e.getMessage().contains("refused") || e.getMessage().contains("Connect"), e.getMessage());
        // raiseError=false: a 599 response carrying the error
        HTTPResponse r = await(client.fetch(new HTTPRequest(u), false));
        assertEquals(599, r.code());
        assertNotNull(r.error());
        assertEquals(599, r.error().code());
        assertEquals(0, r.body().length);
        assertEquals(u, r.effectiveUrl());
        assertTrue(r.requestTime() >= 0);
        HTTPClientError thrown = org.junit.jupiter.api.Assertions.assertThrows(HTTPClientError.class, r::rethrow);
        assertEquals(599, thrown.code());
    }

    @Test
    void unknownHost() throws Exception {
        HTTPClientError e = failure(HTTPClientError.class, client.fetch("http://no-such-host.invalid/"));
        assertEquals(599, e.code());
    }

    @Test
    void connectTimeout() throws Exception {
        // a resolver that never answers: the connect phase times out
        Resolver hanging = (host, port, family) -> new CompletableFuture<>();
        AsyncHTTPClient c = fx.client(AsyncHTTPClient.Options.builder().resolver(hanging).build());
        long t0 = System.nanoTime();
        HTTPTimeoutError e = failure(HTTPTimeoutError.class,
                c.fetch(HTTPRequest.builder("http://example.test/").connectTimeout(0.1).build()));
        assertTrue(System.nanoTime() - t0 >= 100_000_000L);
        assertEquals(599, e.code());
        assertTrue(e.getMessage().contains("Timeout while connecting"), e.getMessage());
    }

    @Test
    void requestTimeoutClosesTheConnection() throws Exception {
        CountDownLatch eof = new CountDownLatch(1);
        RawServer raw = fx.raw((c, i) -> {
            if (i == 0) {
                c.readRequest(); // never answers
                if (c.awaitEof(15_000)) {
                    eof.countDown();
                }
            } else {
                while (c.readRequest() != null) {
                    c.respond("second");
                }
            }
        });
        long t0 = System.nanoTime();
        HTTPTimeoutError e = failure(HTTPTimeoutError.class,
                client.fetch(HTTPRequest.builder(raw.url("/")).requestTimeout(0.1).build()));
        assertTrue(System.nanoTime() - t0 >= 100_000_000L);
        assertEquals(599, e.code());
        assertTrue(e.getMessage().contains("Timeout during request"), e.getMessage());
        // the connection was closed, not pooled: the server sees EOF, the pool is empty, the next fetch reconnects
        assertTrue(eof.await(10, TimeUnit.SECONDS), "the timed-out connection was not closed");
        assertEquals(0, fx.idle(client));
        assertEquals("second", await(client.fetch(raw.url("/"))).bodyAsString());
        assertEquals(2, raw.accepted.get());
    }

    @Test
    void timeoutWhileReadingTheBody() throws Exception {
        RawServer raw = fx.raw((c, i) -> {
            c.readRequest();
            c.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial");
            c.awaitEof(15_000);
        });
        HTTPResponse r = await(client.fetch(HTTPRequest.builder(raw.url("/")).requestTimeout(0.1).build(), false));
        assertEquals(599, r.code());
        assertInstanceOf(HTTPTimeoutError.class, r.error());
        assertEquals(0, fx.idle(client));
    }

    @Test
    void queueTimeout() throws Exception {
        // Tornado's test_queue_timeout: waiting for a slot counts against the request's timeouts
        CountDownLatch release = new CountDownLatch(1);
        RawServer raw = fx.raw((c, i) -> {
            while (c.readRequest() != null) {
                release.await(15, TimeUnit.SECONDS);
                c.respond("done");
            }
        });
        AsyncHTTPClient one = fx.client(AsyncHTTPClient.Options.builder().maxClients(1).build());
        CompletableFuture<HTTPResponse> first = one.fetch(HTTPRequest.builder(raw.url("/1")).requestTimeout(10).build());
        eventually("the first request reached the server", () -> raw.open.get() == 1);
        long t0 = System.nanoTime();
        HTTPResponse queued = await(one.fetch(HTTPRequest.builder(raw.url("/2")).requestTimeout(0.1).build(), false));
        assertTrue(System.nanoTime() - t0 >= 100_000_000L);
        assertEquals(599, queued.code());
        assertInstanceOf(HTTPTimeoutError.class, queued.error());
        assertTrue(queued.error().getMessage().contains("Timeout in request queue"), queued.error().getMessage());
        assertFalse(first.isDone(), "the queued request timed out while the first still ran");
        release.countDown();
        assertEquals("done", await(first).bodyAsString());
        // the timed-out request never reached the server
        assertEquals(1, raw.requests.size());
        // and its slot accounting is right: more requests run fine
        assertEquals("done", await(one.fetch(raw.url("/3"))).bodyAsString());
    }

    @Test
    void queueTimeoutUsesTheSmallerOfConnectAndRequestTimeout() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        RawServer raw = fx.raw((c, i) -> {
            while (c.readRequest() != null) {
                release.await(15, TimeUnit.SECONDS);
                c.respond("done");
            }
        });
        AsyncHTTPClient one = fx.client(AsyncHTTPClient.Options.builder().maxClients(1).build());
        CompletableFuture<HTTPResponse> first = one.fetch(raw.url("/1"));
        eventually("the first request reached the server", () -> raw.open.get() == 1);
        HTTPResponse queued = await(one.fetch(HTTPRequest.builder(raw.url("/2")).connectTimeout(0.1).requestTimeout(10).build(), false));
        assertInstanceOf(HTTPTimeoutError.class, queued.error());
        release.countDown();
        await(first);
    }

    // ------------------------------------------------------------------ broken responses

    @Test
    void serverClosesMidBody() throws Exception {
        RawServer raw = fx.raw((c, i) -> {
            c.readRequest();
            c.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten..");
        });
        HTTPStreamClosedError e = failure(HTTPStreamClosedError.class, client.fetch(raw.url("/")));
        assertEquals(599, e.code());
        HTTPResponse r = await(client.fetch(new HTTPRequest(raw.url("/")), false));
        assertEquals(599, r.code());
        assertInstanceOf(HTTPStreamClosedError.class, r.error());
    }

    @Test
    void serverClosesMidChunkedBody() throws Exception {
        RawServer raw = fx.raw((c, i) -> {
            c.readRequest();
            c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nasdf\r\n");
        });
        List<String> streamed = new ArrayList<>();
        HTTPStreamClosedError e = failure(HTTPStreamClosedError.class, client.fetch(HTTPRequest.builder(raw.url("/"))
                .streamingCallback(b -> streamed.add(new String(b, StandardCharsets.UTF_8))).build()));
        assertEquals(599, e.code());
        assertEquals(List.of("asdf"), streamed);
    }

    @Test
    void serverClosesBeforeAnyResponse() throws Exception {
        RawServer raw = fx.raw((c, i) -> c.readRequest());
        HTTPStreamClosedError e = failure(HTTPStreamClosedError.class, client.fetch(raw.url("/")));
        assertEquals(599, e.code());
    }

    @Test
    void serverClosesMidHeaders() throws Exception {
        RawServer raw = fx.raw((c, i) -> {
            c.readRequest();
            c.write("HTTP/1.1 200 OK\r\nContent-Len");
        });
        HTTPClientError e = failure(HTTPClientError.class, client.fetch(raw.url("/")));
        assertEquals(599, e.code());
    }

    @Test
    void bodyUntilCloseWithoutContentLength() throws Exception {
        // Tornado's test_no_content_length: an HTTP/1.0-style response delimited by the close
        RawServer raw = fx.raw((c, i) -> {
            c.readRequest();
            c.write("HTTP/1.1 200 OK\r\n\r\nhello until close");
        });
        HTTPResponse r = await(client.fetch(raw.url("/")));
        assertEquals("hello until close", r.bodyAsString());
        assertEquals(0, fx.idle(client));
    }

    @Test
    void http10Response() throws Exception {
        RawServer raw = fx.raw((c, i) -> {
            while (c.readRequest() != null) {
                c.write("HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nold");
            }
        });
        assertEquals("old", await(client.fetch(raw.url("/"))).bodyAsString());
        // HTTP/1.0 without keep-alive: not reused
        assertEquals("old", await(client.fetch(raw.url("/"))).bodyAsString());
        assertEquals(2, raw.accepted.get());
    }

    @Test
    void statusLineWithoutReasonPhrase() throws Exception {
        RawServer raw = fx.raw((c, i) -> {
            while (c.readRequest() != null) {
                c.write("HTTP/1.1 200 \r\nContent-Length: 2\r\n\r\nok");
            }
        });
        java.util.List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        HTTPResponse r = await(client.fetch(HTTPRequest.builder(raw.url("/")).headerCallback(lines::add).build()));
        assertEquals(200, r.code());
        assertEquals("OK", r.reason(), "an empty reason phrase falls back to the standard one, as in Tornado");
        assertEquals("ok", r.bodyAsString());
    }

    @Test
    void userConnectionCloseHeader() throws Exception {
        RawServer raw = fx.raw((c, i) -> {
            RawServer.Request r;
            while ((r = c.readRequest()) != null) {
                boolean close = "close".equals(r.header("Connection"));
                c.write("HTTP/1.1 200 OK\r\n" + (close ? "Connection: close\r\n" : "") + "Content-Length: 2\r\n\r\nok");
                if (close) {
                    return;
                }
            }
        });
        await(client.fetch(HTTPRequest.builder(raw.url("/")).header("Connection", "close").build()));
        assertEquals("close", raw.requests.get(0).header("Connection"));
        assertEquals(0, fx.idle(client));
        await(client.fetch(raw.url("/")));
        assertEquals(2, raw.accepted.get());
    }

    @Test
    void notModifiedWithContentLengthHasNoBody() throws Exception {
        // Tornado's test_304_with_content_length: a 304 never has a body, whatever Content-Length says
        RawServer raw = fx.raw((c, i) -> {
            RawServer.Request r;
            while ((r = c.readRequest()) != null) {
                if (r.target().equals("/304")) {
                    c.write("HTTP/1.1 304 Not Modified\r\nContent-Length: 42\r\n\r\n");
                } else {
                    c.respond("after");
                }
            }
        });
        HTTPResponse r = await(client.fetch(HTTPRequest.builder(raw.url("/304"))
                .ifModifiedSince(java.time.Instant.ofEpochSecond(0)).build(), false));
        assertEquals(304, r.code());
        assertEquals(0, r.body().length);
        assertEquals("42", r.headers().get("Content-Length"));
        // the connection is still in step
        assertEquals("after", await(client.fetch(raw.url("/next"))).bodyAsString());
        assertEquals(1, raw.accepted.get());
    }

    @Test
    void repeatedEqualContentLengthsAreAccepted() throws Exception {
        // Tornado's test_multiple_content_length_accepted
        RawServer raw = fx.raw((c, i) -> {
            RawServer.Request r;
            while ((r = c.readRequest()) != null) {
                switch (r.target()) {
                    case "/same-list":
                        c.write("HTTP/1.1 200 OK\r\nContent-Length: 2,2\r\n\r\nok");
                        break;
                    case "/same-lines":
                        c.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok");
                        break;
                    default:
                        c.write("HTTP/1.1 200 OK\r\nContent-Length: 2,4\r\n\r\nokok");
                        c.awaitEof(15_000);
                        return;
                }
            }
        });
        assertEquals("ok", await(client.fetch(raw.url("/same-list"))).bodyAsString());
        assertEquals("ok", await(client.fetch(raw.url("/same-lines"))).bodyAsString());
        HTTPClientError e = failure(HTTPClientError.class, client.fetch(raw.url("/different")));
        assertEquals(599, e.code());
    }

    @Test
    void foldedAndLatin1HeaderValues() throws Exception {
        RawServer raw = fx.raw((c, i) -> {
            c.readRequest();
            c.write("HTTP/1.1 200 OK\r\nX-Folded: 1;\r\n\tmode=block\r\nX-Latin: caf\u00e9\r\nContent-Length: 0\r\n\r\n");
        });
        HTTPResponse r = await(client.fetch(raw.url("/")));
        assertEquals("caf\u00e9", r.headers().get("X-Latin"));
        assertEquals("1; mode=block", r.headers().get("X-Folded"));
    }

    @Test
    void malformedStatusLine() throws Exception {
        RawServer raw = fx.raw((c, i) -> {
            c.readRequest();
            c.write(i == 0 ? "HTTP/1.1 abc OK\r\nContent-Length: 0\r\n\r\n" : "garbage\r\nContent-Length: 0\r\n\r\n");
            c.awaitEof(15_000);
        });
        for (int i = 0; i < 2; i++) {
            HTTPClientError e = failure(HTTPClientError.class, client.fetch(raw.url("/")));
            assertEquals(599, e.code());
            assertFalse(e instanceof HTTPTimeoutError);
            assertTrue(e.getMessage().contains("Malformed HTTP response"), e.getMessage());
        }
        assertEquals(0, fx.idle(client));
    }

    @Test
    void malformedContentLengthAndChunkSize() throws Exception {
        RawServer raw = fx.raw((c, i) -> {
            c.readRequest();
            c.write(i == 0 ? "HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n"
                    : "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nxx\r\n0\r\n\r\n");
            c.awaitEof(15_000);
        });
        for (int i = 0; i < 2; i++) {
            HTTPClientError e = failure(HTTPClientError.class, client.fetch(raw.url("/")));
            assertEquals(599, e.code());
            assertTrue(e.getMessage().contains("Malformed HTTP response"), e.getMessage());
        }
    }

    @Test
    void responseHeadOverMaxHeaderSize() throws Exception {
        RawServer raw = fx.raw((c, i) -> {
            c.readRequest();
            c.write("HTTP/1.1 200 OK\r\nX-Big: " + "x".repeat(2000) + "\r\nContent-Length: 0\r\n\r\n");
            c.awaitEof(15_000);
        });
        AsyncHTTPClient small = fx.client(AsyncHTTPClient.Options.builder().maxHeaderSize(1024).build());
        HTTPClientError e = failure(HTTPClientError.class, small.fetch(raw.url("/")));
        assertEquals(599, e.code());
        assertTrue(e.getMessage().contains("larger than 1024"), e.getMessage());
        // the default limit (64 KiB) takes it
        assertEquals(2000, await(client.fetch(raw.url("/"))).headers().get("X-Big").length());
    }

    @Test
    void responseBodyOverMaxBodySize() throws Exception {
        CountDownLatch dropped = new CountDownLatch(1);
        RawServer raw = fx.raw((c, i) -> {
            while (c.readRequest() != null) {
                String size = i == 0 ? "5000" : "500";
                c.write("HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\n\r\n");
                c.write(new byte[Integer.parseInt(size)]);
                if (i == 0 && c.awaitEof(15_000)) {
                    dropped.countDown();
                    return;
                }
            }
        });
        AsyncHTTPClient small = fx.client(AsyncHTTPClient.Options.builder().maxBodySize(1000).build());
        HTTPClientError e = failure(HTTPClientError.class, small.fetch(raw.url("/")));
        assertEquals(599, e.code());
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
        assertTrue(dropped.await(10, TimeUnit.SECONDS), "the connection was not dropped");
        assertEquals(0, fx.idle(small));
        // under the limit it works (on a new connection)
        assertEquals(500, await(small.fetch(raw.url("/"))).body().length);
        assertEquals(2, raw.accepted.get());
    }

    @Test
    void maxBodySizeAppliesToStreamedBodies() throws Exception {
        RawServer raw = fx.raw((c, i) -> {
            c.readRequest();
            c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
            for (int k = 0; k < 10; k++) {
                c.write("200\r\n" + "y".repeat(0x200) + "\r\n");
            }
            c.write("0\r\n\r\n");
            c.awaitEof(15_000);
        });
        AsyncHTTPClient small = fx.client(AsyncHTTPClient.Options.builder().maxBodySize(2048).build());
        long[] streamed = new long[1];
        HTTPClientError e = failure(HTTPClientError.class,
                small.fetch(HTTPRequest.builder(raw.url("/")).streamingCallback(b -> streamed[0] += b.length).build()));
        assertEquals(599, e.code());
        assertTrue(streamed[0] <= 2048, "streamed " + streamed[0]);
    }

    @Test
    void maxBodySizeDefaultsToMaxBufferSize() {
        AsyncHTTPClient.Options o = AsyncHTTPClient.Options.builder().maxBufferSize(1234).build();
        assertEquals(1234, o.maxBodySize());
        AsyncHTTPClient.Options d = AsyncHTTPClient.Options.builder().build();
        assertEquals(10, d.maxClients());
        assertEquals(100 * 1024 * 1024, d.maxBufferSize());
        assertEquals(64 * 1024, d.maxHeaderSize());
        assertEquals(100L * 1024 * 1024, d.maxBodySize());
        assertTrue(d.defaults().isEmpty());
        assertTrue(d.hostnameMapping().isEmpty());
        org.junit.jupiter.api.Assertions.assertNull(d.resolver());
        org.junit.jupiter.api.Assertions.assertNull(d.pipeline());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> AsyncHTTPClient.Options.builder().maxClients(0));
    }

    // ------------------------------------------------------------------ maxClients and the pool

    @Test
    void maxClientsLimitsOpenConnections() throws Exception {
        RawServer raw = fx.raw((c, i) -> {
            while (c.readRequest() != null) {
                Thread.sleep(30); // keep requests overlapping
                c.respond("conn " + i);
            }
        });
        AsyncHTTPClient two = fx.client(AsyncHTTPClient.Options.builder().maxClients(2).build());
        List<CompletableFuture<HTTPResponse>> fs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            fs.add(two.fetch(raw.url("/" + i)));
        }
        for (CompletableFuture<HTTPResponse> f : fs) {
            assertEquals(200, await(f).code());
        }
        assertEquals(6, raw.requests.size());
        assertTrue(raw.maxOpen.get() <= 2, "at most 2 connections at once, saw " + raw.maxOpen.get());
        assertTrue(raw.accepted.get() <= 2, "connections were reused, opened " + raw.accepted.get());
        assertEquals(2, fx.idle(two));
    }

    @Test
    void queuedRequestsRunInOrder() throws Exception {
        RawServer raw = fx.raw(RawServer.keepAlive("ok"));
        AsyncHTTPClient one = fx.client(AsyncHTTPClient.Options.builder().maxClients(1).build());
        List<CompletableFuture<HTTPResponse>> fs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            fs.add(one.fetch(raw.url("/" + i)));
        }
        for (CompletableFuture<HTTPResponse> f : fs) {
            await(f);
        }
        for (int i = 0; i < 5; i++) {
            assertEquals("GET /" + i + " HTTP/1.1", raw.requests.get(i).requestLine);
        }
        assertEquals(1, raw.accepted.get());
    }

    @Test
    void sequentialFetchesReuseOneConnection() throws Exception {
        RawServer raw = fx.raw(RawServer.keepAlive("ok"));
        for (int i = 0; i < 3; i++) {
            assertEquals("ok", await(client.fetch(raw.url("/" + i))).bodyAsString());
            assertEquals(1, fx.idle(client));
        }
        assertEquals(1, raw.accepted.get());
        assertEquals(3, raw.requests.size());
        for (RawServer.Request r : raw.requests) {
            assertEquals("keep-alive", r.header("Connection"));
        }
    }

    @Test
    void connectionCloseResponseIsNotReused() throws Exception {
        RawServer raw = fx.raw((c, i) -> {
            c.readRequest();
            c.write("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
            c.awaitEof(15_000);
        });
        for (int i = 0; i < 3; i++) {
            assertEquals("ok", await(client.fetch(raw.url("/"))).bodyAsString());
        }
        assertEquals(3, raw.accepted.get());
        assertEquals(0, fx.idle(client));
    }

    @Test
    void poolIsPerHostAndPort() throws Exception {
        RawServer a = fx.raw(RawServer.keepAlive("a"));
        RawServer b = fx.raw(RawServer.keepAlive("b"));
        for (int i = 0; i < 2; i++) {
            assertEquals("a", await(client.fetch(a.url("/"))).bodyAsString());
            assertEquals("b", await(client.fetch(b.url("/"))).bodyAsString());
        }
        assertEquals(1, a.accepted.get());
        assertEquals(1, b.accepted.get());
        assertEquals(2, fx.idle(client));
    }

    @Test
    void connectionOptionsAreNotMixedInThePool() throws Exception {
        RawServer raw = fx.raw(RawServer.keepAlive("ok"));
        await(client.fetch(raw.url("/")));
        // a request asking for another source address or address family gets its own connection
        await(client.fetch(HTTPRequest.builder(raw.url("/")).networkInterface("127.0.0.1").build()));
        await(client.fetch(HTTPRequest.builder(raw.url("/")).allowIpv6(false).build()));
        assertEquals(3, raw.accepted.get());
        // and each is reused for its kind
        await(client.fetch(HTTPRequest.builder(raw.url("/")).networkInterface("127.0.0.1").build()));
        await(client.fetch(raw.url("/")));
        assertEquals(3, raw.accepted.get());
    }

    @Test
    void idleConnectionClosedByServerIsDropped() throws Exception {
        RawServer raw = fx.raw((c, i) -> {
            c.readRequest();
            c.respond("conn " + i); // keep-alive advertised, then the server closes anyway
        });
        assertEquals("conn 0", await(client.fetch(raw.url("/"))).bodyAsString());
        eventually("the pool noticed the close", () -> {
            try {
                return fx.idle(client) == 0;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals("conn 1", await(client.fetch(raw.url("/"))).bodyAsString());
        assertEquals(2, raw.accepted.get());
    }

    /** The server reads a second request on a kept-alive connection and closes it without answering. */
    private RawServer staleAfterFirst() throws Exception {
        return fx.raw((c, i) -> {
            if (i == 0) {
                c.readRequest();
                c.respond("first");
                c.readRequest(); // the request on the "pooled" connection: dropped
            } else {
                while (c.readRequest() != null) {
                    c.respond("fresh " + i);
                }
            }
        });
    }

    @Test
    void staleGetIsRetriedOnAFreshConnection() throws Exception {
        RawServer raw = staleAfterFirst();
        assertEquals("first", await(client.fetch(raw.url("/a"))).bodyAsString());
        HTTPResponse r = await(client.fetch(raw.url("/b")));
        assertEquals("fresh 1", r.bodyAsString());
        assertEquals(2, raw.accepted.get());
        assertEquals(List.of("GET /a HTTP/1.1", "GET /b HTTP/1.1", "GET /b HTTP/1.1"),
                raw.requests.stream().map(q -> q.requestLine).toList());
    }

    @Test
    void stalePostIsNotRetried() throws Exception {
        RawServer raw = staleAfterFirst();
        assertEquals("first", await(client.fetch(raw.url("/a"))).bodyAsString());
        HTTPStreamClosedError e = failure(HTTPStreamClosedError.class,
                client.fetch(HTTPRequest.builder(raw.url("/b")).method("POST").body("once").build()));
        assertEquals(599, e.code());
        assertEquals(1, raw.accepted.get(), "a POST must not be sent again");
        assertEquals(2, raw.requests.size());
    }

    @Test
    void staleStreamedBodyIsNotRetried() throws Exception {
        RawServer raw = staleAfterFirst();
        assertEquals("first", await(client.fetch(raw.url("/a"))).bodyAsString());
        AtomicBoolean produced = new AtomicBoolean();
        HTTPRequest put = HTTPRequest.builder(raw.url("/b")).method("PUT").bodyProducer(w -> {
            produced.set(true);
            return w.apply("x".getBytes(StandardCharsets.UTF_8));
        }).build();
        failure(HTTPStreamClosedError.class, client.fetch(put));
        assertTrue(produced.get());
        assertEquals(1, raw.accepted.get());
    }

    @Test
    void freshConnectionFailureIsNotRetried() throws Exception {
        RawServer raw = fx.raw((c, i) -> c.readRequest());
        failure(HTTPStreamClosedError.class, client.fetch(raw.url("/")));
        assertEquals(1, raw.accepted.get());
    }

    @Test
    void partialResponseOnPooledConnectionIsNotRetried() throws Exception {
        RawServer raw = fx.raw((c, i) -> {
            c.readRequest();
            c.respond("first");
            c.readRequest();
            c.write("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort");
        });
        await(client.fetch(raw.url("/")));
        failure(HTTPStreamClosedError.class, client.fetch(raw.url("/")));
        assertEquals(1, raw.accepted.get());
    }

    @Test
    void unsolicitedDataOnAnIdleConnection() throws Exception {
        RawServer raw = fx.raw((c, i) -> {
            c.readRequest();
            c.respond("first " + i);
            if (i == 0) {
                c.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nextra");
                c.awaitEof(15_000);
            } else {
                while (c.readRequest() != null) {
                    c.respond("again " + i);
                }
            }
        });
        assertEquals("first 0", await(client.fetch(raw.url("/"))).bodyAsString());
        // bytes on an idle connection break its framing: the client drops it
        eventually("the idle connection was dropped", () -> {
            try {
                return fx.idle(client) == 0;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals("first 1", await(client.fetch(raw.url("/"))).bodyAsString());
    }

    // ------------------------------------------------------------------ close()

    @Test
    void closeFailsQueuedRequestsAndLaterFetches() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch pooledClosed = new CountDownLatch(1);
        RawServer raw = fx.raw((c, i) -> {
            RawServer.Request r;
            while ((r = c.readRequest()) != null) {
                if (r.target().equals("/hang")) {
                    release.await(15, TimeUnit.SECONDS);
                }
                c.respond("ok " + r.target());
            }
            pooledClosed.countDown();
        });
        AsyncHTTPClient one = fx.client(AsyncHTTPClient.Options.builder().maxClients(1).build());
        AsyncHTTPClient other = fx.client();
        assertEquals("ok /warm", await(other.fetch(raw.url("/warm")))
                .bodyAsString()); // a pooled connection of another client
        CompletableFuture<HTTPResponse> running = one.fetch(raw.url("/hang"));
        eventually("the first request is running", () -> raw.requests.size() == 2);
        CompletableFuture<HTTPResponse> queued = one.fetch(raw.url("/queued"));
        one.close();
        HTTPClientError e = failure(HTTPClientError.class, queued);
        assertEquals(599, e.code());
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        IllegalStateException later = failure(IllegalStateException.class, one.fetch(raw.url("/later")));
        assertTrue(later.getMessage().contains("closed"), later.getMessage());
        // the running request finishes
        release.countDown();
        assertEquals("ok /hang", await(running).bodyAsString());
        assertEquals(0, fx.idle(one));
        // closing the other client closes its pooled connection
        other.close();
        assertTrue(pooledClosed.await(10, TimeUnit.SECONDS), "pooled connection not closed by close()");
        assertFalse(raw.requests.stream().anyMatch(r -> r.target().equals("/queued") || r.target().equals("/later")));
    }

    @Test
    void closeIsIdempotentAndWorksFromAnyThread() throws Exception {
        AsyncHTTPClient c = fx.client();
        c.close();
        c.close();
        fx.onLoop(() -> {
            c.close();
            return null;
        });
        failure(IllegalStateException.class, c.fetch("http://127.0.0.1:1/"));
    }

    // ------------------------------------------------------------------ fetch from other threads

    @Test
    void fetchFromManyThreads() throws Exception {
        RawServer raw = fx.raw(RawServer.keepAlive("ok"));
        List<Thread> threads = new ArrayList<>();
        List<CompletableFuture<HTTPResponse>> fs = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 4; t++) {
            Thread th = new Thread(() -> {
                for (int i = 0; i < 5; i++) {
                    fs.add(client.fetch(raw.url("/")));
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        for (CompletableFuture<HTTPResponse> f : new ArrayList<>(fs)) {
            assertEquals("ok", await(f).bodyAsString());
        }
        assertEquals(20, raw.requests.size());
        assertTrue(raw.maxOpen.get() <= 10, "maxClients default 10, saw " + raw.maxOpen.get());
    }

    @Test
    void futuresCompleteOnTheClientsLoop() throws Exception {
        RawServer raw = fx.raw(RawServer.keepAlive("ok"));
        Thread loopThread = fx.onLoop(Thread::currentThread);
        Thread[] completedOn = new Thread[1];
        await(client.fetch(raw.url("/")).whenComplete((r, e) -> completedOn[0] = Thread.currentThread()));
        // either on the loop, or on this thread if it was already complete when whenComplete ran
        assertTrue(completedOn[0] == loopThread || completedOn[0] == Thread.currentThread());
        List<Thread> callbackThreads = new java.util.concurrent.CopyOnWriteArrayList<>();
        await(client.fetch(HTTPRequest.builder(raw.url("/")).streamingCallback(b -> callbackThreads.add(Thread.currentThread()))
                .headerCallback(l -> callbackThreads.add(Thread.currentThread())).build()));
        assertFalse(callbackThreads.isEmpty());
        for (Thread t : callbackThreads) {
            assertEquals(loopThread, t);
        }
    }
}
