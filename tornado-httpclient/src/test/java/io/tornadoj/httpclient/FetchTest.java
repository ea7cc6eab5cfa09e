package io.tornadoj.httpclient;

import io.tornadoj.httpserver.HTTPServer;
import io.tornadoj.httputil.HTTPHeaders;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.ioloop.Transport;
import io.tornadoj.web.Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

import static io.tornadoj.httpclient.Fixture.await;
import static io.tornadoj.httpclient.Fixture.failure;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fetches against the project's own tornado-web server over loopback: Tornado's httpclient_test
 * behaviours for methods, bodies, errors and {@code raiseError}, response accessors, request headers
 * (auth, User-Agent, If-Modified-Since, Host), header and streaming callbacks, gzip.
 */
@org.junit.jupiter.api.Timeout(60)
class FetchTest {
    private Fixture fx;
    private HTTPServer server;
    private AsyncHTTPClient client;

    @BeforeEach
    void setUp() throws Exception {
        fx = new Fixture();
        server = fx.serve(TestApp.app(Settings.builder().compressResponse(true).build()));
        client = fx.client();
    }

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    private String url(String path) {
        return Fixture.url(server, path);
    }

    private HTTPResponse fetch(String path) throws Exception {
        return await(client.fetch(url(path)));
    }

    private HTTPResponse fetch(HTTPRequest.Builder b) throws Exception {
        return await(client.fetch(b.build()));
    }

    private HTTPRequest.Builder req(String path) {
        return HTTPRequest.builder(url(path));
    }

    @Test
    void helloWorld() throws Exception {
        HTTPResponse r = fetch("/hello");
        assertEquals(200, r.code());
        assertEquals("OK", r.reason());
        assertEquals("Hello world!", r.bodyAsString());
        assertArrayEquals("Hello world!".getBytes(StandardCharsets.UTF_8), r.body());
        assertEquals("12", r.headers().get("Content-Length"));
        assertEquals("text/html; charset=UTF-8", r.headers().get("Content-Type"));
        assertEquals(url("/hello"), r.effectiveUrl());
        assertEquals(url("/hello"), r.request().url());
        assertNull(r.error());
        r.rethrow(); // no error: does nothing
        assertEquals("Hello Ben!", fetch("/hello?name=Ben").bodyAsString());
    }

    @Test
    void requestObjectIsKeptOnTheResponse() throws Exception {
        HTTPRequest request = new HTTPRequest(url("/hello"));
        HTTPResponse r = await(client.fetch(request));
        assertSame(request, r.request());
        assertEquals("GET", request.method());
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "PATCH"})
    void methodsWithBody(String method) throws Exception {
        HTTPResponse r = fetch(req("/echo").method(method).body("arg1=foo&arg2=bar"));
        assertEquals(method + ":arg1=foo&arg2=bar", r.bodyAsString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "DELETE", "OPTIONS"})
    void methodsWithoutBody(String method) throws Exception {
        assertEquals(method + ":", fetch(req("/echo").method(method)).bodyAsString());
    }

    @Test
    void binaryAndEmptyBodies() throws Exception {
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        HTTPResponse r = fetch(req("/bytes").method("POST").body(all));
        assertArrayEquals(all, r.body());
        assertEquals("POST:", fetch(req("/echo").method("POST").body(new byte[0])).bodyAsString());
    }

    @Test
    void headRequest() throws Exception {
        HTTPResponse r = fetch(req("/echo").method("HEAD"));
        assertEquals(200, r.code());
        assertEquals("HEAD", r.headers().get("X-Method"));
        assertEquals(0, r.body().length);
        // the connection is still in step: the next request on it works
        assertEquals("GET:", fetch("/echo").bodyAsString());
    }

    @Test
    void nonStandardMethodNeedsPermission() throws Exception {
        HTTPResponse r = await(client.fetch(req("/echo").method("GET").body("x").allowNonstandardMethods(true).build()));
        assertEquals("GET:x", r.bodyAsString());
        r = await(client.fetch(req("/echo").method("POST").allowNonstandardMethods(true).build()));
        assertEquals("POST:", r.bodyAsString());
        r = await(client.fetch(req("/echo").method("DELETE").body("gone").allowNonstandardMethods(true).build()));
        assertEquals("DELETE:gone", r.bodyAsString());
        // an unknown method reaches the server (which answers 405)
        HTTPResponse other = await(client.fetch(req("/echo").method("OTHER").allowNonstandardMethods(true).build(), false));
        assertEquals(405, other.code());
    }

    @Test
    void bodySanityChecks() throws Exception {
        String[][] bad = {{"GET", "body"}, {"HEAD", "body"}, {"DELETE", "body"}, {"OPTIONS", "body"},
                {"POST", null}, {"PUT", null}, {"PATCH", null}};
        for (String[] c : bad) {
            HTTPRequest r = req("/echo").method(c[0]).body(c[1]).build();
            IllegalArgumentException e = failure(IllegalArgumentException.class, client.fetch(r));
            assertTrue(e.getMessage().contains("Body must"), e.getMessage());
            assertTrue(e.getMessage().contains(c[0]), e.getMessage());
        }
        // a body producer counts as a body
        HTTPRequest producer = req("/echo").bodyProducer(write -> CompletableFuture.completedFuture(null)).build();
        failure(IllegalArgumentException.class, client.fetch(producer));
    }

    @Test
    void badUrlsAndMethods() throws Exception {
        IllegalArgumentException e = failure(IllegalArgumentException.class, client.fetch("ftp://127.0.0.1/x"));
        assertTrue(e.getMessage().contains("Unsupported url scheme"), e.getMessage());
        failure(IllegalArgumentException.class, client.fetch("http:///nohost"));
        failure(IllegalArgumentException.class, client.fetch("http://bad host/"));
        // an invalid method token fails at once instead of waiting for the request timeout
        failure(IllegalArgumentException.class,
                client.fetch(req("/echo").method("BAD METHOD").allowNonstandardMethods(true).build()));
        // the client still works
        assertEquals(200, fetch("/hello").code());
    }

    @Test
    void headerValuesWithLineBreaksAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> req("/hello").header("Foo", "bar\r\nX-Injected: 1"));
        assertThrows(IllegalArgumentException.class, () -> req("/hello").header("Foo", "bar\nbaz"));
    }

    @Test
    void non2xxRaisesWithTheResponse() throws Exception {
        HTTPClientError e = failure(HTTPClientError.class, client.fetch(url("/status/404")));
        assertEquals(404, e.code());
        assertEquals("HTTP 404: Not Found", e.message());
        assertEquals("HTTP 404: Not Found", e.getMessage());
        assertNotNull(e.response());
        assertEquals(404, e.response().code());
        assertEquals("status 404", e.response().bodyAsString());
        assertSame(e, e.response().error());
        assertFalse(e instanceof HTTPStreamClosedError || e instanceof HTTPTimeoutError);

        HTTPClientError e500 = failure(HTTPClientError.class, client.fetch(url("/status/500")));
        assertEquals(500, e500.code());
        // 1xx/3xx/4xx/5xx all count as errors, 2xx never
        assertEquals(204, fetch("/status/204").code());
        assertEquals(201, fetch("/status/201").code());
    }

    @Test
    void raiseErrorFalseReturnsTheResponse() throws Exception {
        HTTPResponse r = await(client.fetch(new HTTPRequest(url("/status/404")), false));
        assertEquals(404, r.code());
        assertEquals("Not Found", r.reason());
        assertEquals("status 404", r.bodyAsString());
        HTTPClientError err = r.error();
        assertNotNull(err);
        assertEquals(404, err.code());
        assertSame(r, err.response());
        HTTPClientError thrown = assertThrows(HTTPClientError.class, r::rethrow);
        assertSame(err, thrown);
        // and a 2xx has no error
        HTTPResponse ok = await(client.fetch(new HTTPRequest(url("/hello")), false));
        assertNull(ok.error());
    }

    @Test
    void customReasonPhrase() throws Exception {
        HTTPResponse r = fetch("/reason");
        assertEquals(200, r.code());
        assertEquals("All Good", r.reason());
    }

    @Test
    void responseTimes() throws Exception {
        double before = System.currentTimeMillis() / 1000.0;
        long t0 = System.nanoTime();
        HTTPResponse r = fetch("/slow?delay=0.1");
        double wall = (System.nanoTime() - t0) / 1e9;
        double after = System.currentTimeMillis() / 1000.0;
        assertEquals("slow", r.bodyAsString());
        assertTrue(r.startTime() >= before - 0.001 && r.startTime() <= after + 0.001, "startTime " + r.startTime());
        assertTrue(r.requestTime() >= 0.1, "requestTime " + r.requestTime());
        assertTrue(r.requestTime() <= wall + 0.01, "requestTime " + r.requestTime() + " > wall " + wall);
        Map<String, Double> info = r.timeInfo();
        assertTrue(info.keySet().containsAll(List.of("queue", "connect", "total")), info.toString());
        assertEquals(r.requestTime(), info.get("total"), 0.01);
        for (double v : info.values()) {
            assertTrue(v >= 0, info.toString());
        }
        assertThrows(UnsupportedOperationException.class, () -> info.put("x", 1.0));
        // a reused connection has no connect phase
        HTTPResponse again = fetch("/hello");
        assertFalse(again.timeInfo().containsKey("connect"), again.timeInfo().toString());
        assertTrue(again.timeInfo().containsKey("queue"));
        assertTrue(again.toString().contains("code=200"), again.toString());
    }

    @Test
    void basicAuth() throws Exception {
        HTTPResponse r = fetch(req("/header/Authorization").authUsername("Aladdin").authPassword("open sesame"));
        assertEquals("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", r.bodyAsString());
        r = fetch(req("/header/Authorization").authUsername("Aladdin").authPassword("open sesame").authMode("basic"));
        assertEquals("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", r.bodyAsString());
        // no password: "user:"
        r = fetch(req("/header/Authorization").authUsername("me"));
        assertEquals("Basic " + Base64.getEncoder().encodeToString("me:".getBytes(StandardCharsets.UTF_8)), r.bodyAsString());
        // non-ASCII credentials are UTF-8
        r = fetch(req("/header/Authorization").authUsername("us\u00e9r").authPassword("p\u00e4ss"));
        assertEquals("Basic " + Base64.getEncoder().encodeToString("us\u00e9r:p\u00e4ss".getBytes(StandardCharsets.UTF_8)),
                r.bodyAsString());
        assertEquals("", fetch("/header/Authorization").bodyAsString());
    }

    @Test
    void unsupportedAuthMode() throws Exception {
        HTTPClientError e = failure(HTTPClientError.class,
                client.fetch(req("/header/Authorization").authUsername("a").authPassword("b").authMode("digest").build()));
        assertEquals(599, e.code());
        assertTrue(e.getMessage().contains("digest"), e.getMessage());
    }

    @Test
    void credentialsInUrl() throws Exception {
        String u = "http://me:secret@127.0.0.1:" + Fixture.port(server) + "/header/Authorization";
        HTTPResponse r = await(client.fetch(u));
        assertEquals("Basic " + Base64.getEncoder().encodeToString("me:secret".getBytes(StandardCharsets.UTF_8)), r.bodyAsString());
        // the userinfo is not part of the Host header
        u = "http://me:secret@127.0.0.1:" + Fixture.port(server) + "/header/Host";
        assertEquals("127.0.0.1:" + Fixture.port(server), await(client.fetch(u)).bodyAsString());
        // explicit credentials win
        u = "http://me:secret@127.0.0.1:" + Fixture.port(server) + "/header/Authorization";
        r = await(client.fetch(HTTPRequest.builder(u).authUsername("you").authPassword("pw").build()));
        assertEquals("Basic " + Base64.getEncoder().encodeToString("you:pw".getBytes(StandardCharsets.UTF_8)), r.bodyAsString());
    }

    @Test
    void userAgent() throws Exception {
        assertEquals("TornadoJ/0.1.0", fetch("/header/User-Agent").bodyAsString());
        assertEquals("TestDefaultUserAgent", fetch(req("/header/User-Agent").userAgent("TestDefaultUserAgent")).bodyAsString());
        // an explicit header wins over the option
        assertEquals("Explicit/1", fetch(req("/header/User-Agent").userAgent("Opt/1").header("User-Agent", "Explicit/1")).bodyAsString());
    }

    @Test
    void clientDefaults() throws Exception {
        HTTPHeaders h = new HTTPHeaders();
        h.set("X-Default", "d");
        AsyncHTTPClient c = fx.client(AsyncHTTPClient.Options.builder()
                .defaults(Map.of("user_agent", "Default/2", "headers", h, "request_timeout", 5.0)).build());
        assertEquals("Default/2", await(c.fetch(url("/header/User-Agent"))).bodyAsString());
        assertEquals("d", await(c.fetch(url("/header/X-Default"))).bodyAsString());
        // a request's own values win over the defaults
        HTTPRequest own = HTTPRequest.builder(url("/header/User-Agent")).userAgent("Own/3").build();
        assertEquals("Own/3", await(c.fetch(own)).bodyAsString());
        HTTPRequest ownHeader = HTTPRequest.builder(url("/header/X-Default")).header("X-Default", "mine").build();
        assertEquals("mine", await(c.fetch(ownHeader)).bodyAsString());
        // an unknown default fails the fetch
        AsyncHTTPClient bad = fx.client(AsyncHTTPClient.Options.builder().defaults(Map.of("no_such_option", 1)).build());
        failure(IllegalArgumentException.class, bad.fetch(url("/hello")));
    }

    /** Every request option may have a client default, by Tornado's name; headers may be a plain Map. */
    @Test
    void clientDefaultsTakeEveryRequestOptionByTornadosName() throws Exception {
        List<String> headerLines = new CopyOnWriteArrayList<>();
        AsyncHTTPClient c = fx.client(AsyncHTTPClient.Options.builder().defaults(Map.of(
                "method", "POST",
                "body", "from defaults",
                "headers", Map.of("X-Default", "map"),
                "auth_username", "me",
                "auth_password", "pw",
                "if_modified_since", 1234567890,
                "header_callback", (Consumer<String>) headerLines::add,
                "follow_redirects", false,
                "expect_100_continue", false)).build());
        assertEquals("POST:from defaults", await(c.fetch(url("/echo"))).bodyAsString());
        assertEquals("POST:own", await(c.fetch(HTTPRequest.builder(url("/echo")).body("own").build())).bodyAsString(),
                "the request's own body wins");
        assertFalse(headerLines.isEmpty());
        assertTrue(headerLines.get(0).startsWith("HTTP/1.1 200"), headerLines.toString());
        AsyncHTTPClient get = fx.client(AsyncHTTPClient.Options.builder().defaults(Map.of(
                "headers", Map.of("X-Default", "map"),
                "auth_username", "me",
                "auth_password", "pw",
                "if_modified_since", 1234567890,
                "follow_redirects", false)).build());
        assertEquals("map", await(get.fetch(url("/header/X-Default"))).bodyAsString());
        assertEquals("Basic " + Base64.getEncoder().encodeToString("me:pw".getBytes(StandardCharsets.UTF_8)),
                await(get.fetch(url("/header/Authorization"))).bodyAsString());
        assertEquals("Fri, 13 Feb 2009 23:31:30 GMT", await(get.fetch(url("/header/If-Modified-Since"))).bodyAsString());
        assertEquals(302, await(get.fetch(HTTPRequest.builder(url("/redirect?url=/hello")).build(), false)).code());
        // a value of the wrong type fails the fetch clearly
        AsyncHTTPClient bad = fx.client(AsyncHTTPClient.Options.builder().defaults(Map.of("max_redirects", "five")).build());
        IllegalArgumentException e = failure(IllegalArgumentException.class, bad.fetch(url("/hello")));
        assertTrue(e.getMessage().contains("max_redirects"), e.getMessage());
    }

    @Test
    void ifModifiedSince() throws Exception {
        HTTPResponse r = fetch(req("/header/If-Modified-Since").ifModifiedSince(Instant.ofEpochSecond(1234567890)));
        assertEquals("Fri, 13 Feb 2009 23:31:30 GMT", r.bodyAsString());
    }

    @Test
    void requestHeaders() throws Exception {
        HTTPResponse r = fetch(req("/headers").header("X-Custom", "one").header("X-Multi", "a").header("X-Multi", "b"));
        String body = r.bodyAsString();
        assertTrue(body.contains("X-Custom: one\n"), body);
        assertTrue(body.contains("Host: 127.0.0.1:" + Fixture.port(server) + "\n"), body);
        assertTrue(body.contains("Accept-Encoding: gzip\n"), body);
        assertTrue(body.contains("Connection: keep-alive\n"), body);
        assertFalse(body.contains("Content-Length"), body);
        assertEquals("a,b", fetch(req("/header/X-Multi").header("X-Multi", "a").header("X-Multi", "b")).bodyAsString());
        // an explicit Host header is sent as given
        assertEquals("example.com", fetch(req("/header/Host").header("Host", "example.com")).bodyAsString());
    }

    @Test
    void headerCallback() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        List<String> chunks = new CopyOnWriteArrayList<>();
        HTTPResponse r = fetch(req("/chunk").headerCallback(lines::add)
                .streamingCallback(b -> chunks.add(new String(b, StandardCharsets.UTF_8))));
        assertEquals("HTTP/1.1 200 OK\r\n", lines.get(0));
        assertEquals("\r\n", lines.get(lines.size() - 1));
        HTTPHeaders parsed = new HTTPHeaders();
        for (String line : lines.subList(1, lines.size() - 1)) {
            assertTrue(line.endsWith("\r\n"), line);
            assertTrue(line.contains(": "), line);
            parsed.parseLine(line.substring(0, line.length() - 2));
        }
        assertEquals("text/html; charset=UTF-8", parsed.get("Content-Type"));
        assertEquals("chunked", parsed.get("Transfer-Encoding"));
        assertEquals(r.headers().get("Content-Type"), parsed.get("Content-Type"));
        // the header callback ran before any body chunk: its last line came before the first chunk
        assertEquals("asdfqwer", String.join("", chunks));
        assertEquals(0, r.body().length);
    }

    @Test
    void headerCallbackWithoutStreaming() throws Exception {
        List<String> lines = new ArrayList<>();
        HTTPResponse r = fetch(req("/hello").headerCallback(lines::add));
        assertEquals("Hello world!", r.bodyAsString());
        assertEquals("HTTP/1.1 200 OK\r\n", lines.get(0));
        assertTrue(lines.contains("Content-Length: 12\r\n"), lines.toString());
        assertEquals("\r\n", lines.get(lines.size() - 1));
    }

    @Test
    void streamingCallback() throws Exception {
        List<byte[]> chunks = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        HTTPResponse r = fetch(req("/chunk").streamingCallback(b -> {
            chunks.add(b);
            threads.add(Thread.currentThread().getName());
        }));
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        chunks.forEach(all::writeBytes);
        assertEquals("asdfqwer", all.toString(StandardCharsets.UTF_8));
        assertFalse(chunks.isEmpty());
        assertEquals(0, r.body().length);
        assertEquals("", r.bodyAsString());
        assertEquals(200, r.code());
        // a large body arrives in pieces, all of it, none in the response
        List<byte[]> big = new CopyOnWriteArrayList<>();
        HTTPResponse rb = fetch(req("/big").streamingCallback(big::add).header("Accept-Encoding", "identity"));
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        big.forEach(b::writeBytes);
        assertEquals(TestApp.BIG, b.toString(StandardCharsets.UTF_8));
        assertEquals(0, rb.body().length);
    }

    @Test
    void chunkedResponse() throws Exception {
        HTTPResponse r = fetch("/chunk");
        assertEquals("asdfqwer", r.bodyAsString());
        assertEquals("chunked", r.headers().get("Transfer-Encoding"));
    }

    @Test
    void gzipDecompressed() throws Exception {
        HTTPResponse r = fetch("/big");
        assertEquals(TestApp.BIG, r.bodyAsString());
        // the server did compress: without Accept-Encoding it does not, and the client asks for gzip by default
        HTTPResponse rawGzip = fetch(req("/big").decompressResponse(false).header("Accept-Encoding", "gzip"));
        assertEquals("gzip", rawGzip.headers().get("Content-Encoding"));
        assertEquals(0x1f, rawGzip.body()[0] & 0xff);
        assertEquals(0x8b, rawGzip.body()[1] & 0xff);
        assertTrue(rawGzip.body().length < TestApp.BIG.length());
        assertEquals(TestApp.BIG, gunzip(rawGzip.body()));
        // decompressResponse(false) does not ask for gzip on its own
        HTTPResponse plain = fetch(req("/big").decompressResponse(false));
        assertEquals(TestApp.BIG, plain.bodyAsString());
        assertNull(plain.headers().get("Content-Encoding"));
        // and the same connection decompresses again afterwards
        assertEquals(TestApp.BIG, fetch("/big").bodyAsString());
    }

    @Test
    void gzipWithStreamingCallbackStreamsDecompressedBytes() throws Exception {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        HTTPResponse r = fetch(req("/big").streamingCallback(got::writeBytes));
        assertEquals(TestApp.BIG, got.toString(StandardCharsets.UTF_8));
        assertEquals(0, r.body().length);
    }

    @Test
    void httpClientErrorConstruction() {
        HTTPClientError e = new HTTPClientError(599, null, null);
        assertEquals("HTTP 599: Unknown", e.getMessage());
        assertEquals(599, e.code());
        assertNull(e.response());
        HTTPClientError e2 = new HTTPClientError(403, null, null);
        assertEquals("HTTP 403: Forbidden", e2.getMessage());
        HTTPTimeoutError t = new HTTPTimeoutError("Timeout");
        assertEquals(599, t.code());
        assertInstanceOf(java.io.IOException.class, t);
        HTTPStreamClosedError s = new HTTPStreamClosedError("Stream closed", null);
        assertEquals(599, s.code());
        assertEquals("HTTP 599: Stream closed", s.getMessage());
    }

    @Test
    void requestDefaults() {
        HTTPRequest r = new HTTPRequest("http://example.com/");
        assertEquals("GET", r.method());
        assertTrue(r.headers().isEmpty());
        assertNull(r.body());
        assertNull(r.bodyProducer());
        assertEquals("basic", r.authMode());
        assertEquals(20, r.connectTimeout().getSeconds());
        assertEquals(20, r.requestTimeout().getSeconds());
        assertTrue(r.followRedirects());
        assertEquals(5, r.maxRedirects());
        assertNull(r.userAgent());
        assertTrue(r.decompressResponse());
        assertTrue(r.validateCert());
        assertTrue(r.allowIpv6());
        assertFalse(r.expect100Continue());
        assertFalse(r.allowNonstandardMethods());
        assertNull(r.proxyHost());
        assertNull(r.proxyPort());
        assertEquals("", r.proxyPassword());
        assertNull(r.caCerts());
        assertNull(r.clientCert());
        assertNull(r.clientKey());
        assertNull(r.sslContext());
        assertNull(r.ifModifiedSince());
        assertNull(r.networkInterface());
        assertNull(r.streamingCallback());
        assertNull(r.headerCallback());
        HTTPRequest b = HTTPRequest.builder("http://x/").requestTimeout(1.5).connectTimeout(0.25).build();
        assertEquals(1500, b.requestTimeout().toMillis());
        assertEquals(250, b.connectTimeout().toMillis());
        assertEquals("HTTPRequest(GET http://x/)", b.toString());
        // the builder's headers are copied
        HTTPHeaders h = new HTTPHeaders();
        h.set("A", "1");
        HTTPRequest withHeaders = HTTPRequest.builder("http://x/").headers(h).build();
        h.set("A", "2");
        assertEquals("1", withHeaders.headers().get("A"));
    }

    @Test
    void networkInterface() throws Exception {
        assertEquals(200, fetch(req("/hello").networkInterface("127.0.0.1")).code());
        HTTPClientError e = failure(HTTPClientError.class, client.fetch(req("/hello").networkInterface("no.such.host.invalid").build()));
        assertEquals(599, e.code());
    }

    @ParameterizedTest
    @MethodSource("io.tornadoj.testsupport.Transports#available")
    void everyTransport(Transport transport) throws Exception {
        try (IOLoop loop = IOLoop.create(transport)) {
            AsyncHTTPClient c = loop.runSync(() -> CompletableFuture.completedFuture(new AsyncHTTPClient()));
            try {
                for (int i = 0; i < 3; i++) {
                    assertEquals("Hello world!", await(c.fetch(url("/hello"))).bodyAsString());
                }
                assertEquals(1, (int) loop.runSync(() -> CompletableFuture.completedFuture(c.idleConnections())));
                assertEquals(TestApp.BIG, await(c.fetch(url("/big"))).bodyAsString());
            } finally {
                c.close();
            }
        }
    }

    static String gunzip(byte[] b) throws Exception {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(b))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
