package io.tornadoj.httpserver;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.tornadoj.httpserver.ServerFixture.EchoHandler;
import io.tornadoj.httpserver.ServerFixture.HelloHandler;
import io.tornadoj.httpserver.ServerFixture.RawClient;
import io.tornadoj.httpserver.ServerFixture.Response;
import io.tornadoj.httputil.HTTPConnection;
import io.tornadoj.httputil.HTTPHeaders;
import io.tornadoj.httputil.HTTPMessageDelegate;
import io.tornadoj.httputil.HTTPServerConnectionDelegate;
import io.tornadoj.httputil.HTTPServerRequest;
import io.tornadoj.httputil.RequestStartLine;
import io.tornadoj.httputil.ResponseStartLine;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.ioloop.Transport;
import io.tornadoj.testsupport.LogCapture;
import io.tornadoj.web.Application;
import io.tornadoj.web.RequestHandler;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;

import static io.tornadoj.httpserver.ServerFixture.assertLoggedOnce;
import static io.tornadoj.httpserver.ServerFixture.infoAndAbove;
import static io.tornadoj.web.Web.url;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTPServer features over real sockets: a real HTTP client, {@code decompressRequest}, {@code xheaders}
 * (with {@code trustedDownstream}) and {@code protocol}, the plain callback form, the {@code pipeline}
 * option, and what a low-level {@link HTTPServerConnectionDelegate} can rely on (flow control, raising
 * the body limit, answering before the body, errors it raises).
 */
@Timeout(60)
class HTTPServerTest extends LoggedServerTest {
    private static final String TRANSPORTS = "io.tornadoj.testsupport.Transports#available";


    /** Writes what the request looks like to the application. */
    public static class InfoHandler extends RequestHandler {
        public void get() {
            write("remote_ip=" + request().remoteIp() + "\n");
            write("protocol=" + request().protocol() + "\n");
            write("full_url=" + request().fullUrl() + "\n");
        }
    }

    /** Writes the request's arguments, name=value per line. */
    public static class ArgsHandler extends RequestHandler {
        public void post() {
            request().arguments().forEach((k, v) -> write(k + "=" + String.join(",", v) + "\n"));
        }
    }

    private static Application application() {
        return new Application(List.of(
                url("/hello", HelloHandler.class),
                url("/echo", EchoHandler.class),
                url("/info", InfoHandler.class),
                url("/args", ArgsHandler.class)));
    }

    private void start(Transport t, HTTPServer.Options options) throws Exception {
        fx = ServerFixture.start(t, application(), options);
    }

    private static byte[] gzip(String s) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(s.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    private static byte[] concat(String head, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(body);
        return out.toByteArray();
    }

    // ------------------------------------------------------------------ a real client

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void javaHttpClientGetsAndPosts(Transport t) throws Exception {
        start(t, ServerFixture.options().build());
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        String base = "http://127.0.0.1:" + fx.port;
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/hello"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals("Hello world", r.body());
        }
        String big = "x".repeat(200_000);
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/echo"))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(big)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals(big, r.body());
        HttpResponse<String> missing = client.send(HttpRequest.newBuilder(URI.create(base + "/nowhere"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, missing.statusCode());
    }

    // ------------------------------------------------------------------ decompressRequest

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void decompressRequestGunzipsTheBody(Transport t) throws Exception {
        start(t, ServerFixture.options().decompressRequest(true).build());
        byte[] gz = gzip("hello gzip ".repeat(100));
        try (RawClient c = fx.connect()) {
            c.send(concat("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Encoding: gzip\r\nContent-Length: "
                    + gz.length + "\r\n\r\n", gz));
            assertEquals("hello gzip ".repeat(100), c.readResponse().bodyText());
            // a form body: its arguments are parsed after decompression (Tornado's GzipTest)
            byte[] form = gzip("foo=bar");
            c.send(concat("POST /args HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Encoding: GZIP\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + form.length + "\r\n\r\n", form));
            Response r = c.readResponse();
            assertEquals(200, r.code, r.toString());
            assertEquals("foo=bar\n", r.bodyText());
            // plain bodies pass through
            c.send("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nplain");
            assertEquals("plain", c.readResponse().bodyText());
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void withoutDecompressRequestTheBodyStaysCompressed(Transport t) throws Exception {
        start(t, ServerFixture.options().build());
        byte[] gz = gzip("hello gzip");
        try (RawClient c = fx.connect()) {
            c.send(concat("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Encoding: gzip\r\nContent-Length: "
                    + gz.length + "\r\n\r\n", gz));
            assertArrayEquals(gz, c.readResponse().body);
        }
    }

    /** Tornado's GzipUnsupportedTest: a compressed form body the server does not decompress is a 400. */
    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void withoutDecompressRequestACompressedFormBodyIs400(Transport t) throws Exception {
        start(t, ServerFixture.options().build());
        byte[] form = gzip("foo=bar");
        try (RawClient c = fx.connect()) {
            c.send(concat("POST /args HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Encoding: gzip\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + form.length + "\r\n\r\n", form));
            assertEquals(400, c.readResponse().code);
        }
        assertLoggedOnce(gen, "Unsupported Content-Encoding");
        fx.assertServing();
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void decompressRequestCountsTheDecompressedBodyAgainstMaxBodySize(Transport t) throws Exception {
        start(t, ServerFixture.options().decompressRequest(true).maxBodySize(4096).build());
        byte[] gz = gzip("z".repeat(100_000)); // a few hundred bytes on the wire
        try (RawClient c = fx.connect()) {
            c.send(concat("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Encoding: gzip\r\nContent-Length: "
                    + gz.length + "\r\n\r\n", gz));
            Response r = c.readResponse();
            assertEquals(413, r.code, r.toString());
            c.assertClosed();
        }
        assertLoggedOnce(gen, "Content Length Too Long");
        fx.assertServing();
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void invalidGzipBodyClosesTheConnectionAndIsLoggedOnce(Transport t) throws Exception {
        start(t, ServerFixture.options().decompressRequest(true).build());
        byte[] junk = "this is not gzip at all, not even a little".getBytes(StandardCharsets.US_ASCII);
        try (RawClient c = fx.connect()) {
            c.send(concat("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Encoding: gzip\r\nContent-Length: "
                    + junk.length + "\r\n\r\n", junk));
            byte[] rest = c.readToEof();
            String text = new String(rest, StandardCharsets.ISO_8859_1);
            assertTrue(text.isEmpty() || text.startsWith("HTTP/1.1 400 "), text);
        }
        assertEquals(1, ServerFixture.awaitLogged(gen, 1).size(), gen.messages().toString());
        Thread.sleep(50);
        assertEquals(1, infoAndAbove(gen).size(), "logged once: " + gen.messages());
        assertTrue(infoAndAbove(app).isEmpty(), app.messages().toString());
        fx.assertServing();
    }

    // ------------------------------------------------------------------ xheaders and protocol

    private String info(String... headers) throws Exception {
        try (RawClient c = fx.connect()) {
            StringBuilder req = new StringBuilder("GET /info HTTP/1.1\r\nHost: example.com\r\n");
            for (String h : headers) {
                req.append(h).append("\r\n");
            }
            c.send(req.append("Connection: close\r\n\r\n").toString());
            return c.readResponse().bodyText();
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void xheadersSetRemoteIpAndProtocol(Transport t) throws Exception {
        start(t, ServerFixture.options().xheaders(true).build());
        assertTrue(info().contains("remote_ip=127.0.0.1\nprotocol=http\n"), info());
        assertTrue(info("X-Real-Ip: 4.4.4.4").contains("remote_ip=4.4.4.4\n"));
        assertTrue(info("X-Real-IP: 2620:0:1cfe:face:b00c::3").contains("remote_ip=2620:0:1cfe:face:b00c::3\n"));
        assertTrue(info("X-Real-Ip: 4.4.4.4<script>").contains("remote_ip=127.0.0.1\n"), "an invalid address is ignored");
        assertTrue(info("X-Real-Ip: www.google.com").contains("remote_ip=127.0.0.1\n"), "a name is ignored");
        assertTrue(info("X-Forwarded-For: 127.0.0.1, 4.4.4.4").contains("remote_ip=4.4.4.4\n"), "the last hop");
        assertTrue(info("X-Forwarded-For: 4.4.4.4, 2620:0:1cfe:face:b00c::3")
                .contains("remote_ip=2620:0:1cfe:face:b00c::3\n"));
        assertTrue(info("X-Forwarded-For: 4.4.4.4, www.google.com").contains("remote_ip=127.0.0.1\n"));
        assertTrue(info("X-Scheme: https").contains("protocol=https\nfull_url=https://example.com/info\n"));
        assertTrue(info("X-Forwarded-Proto: https").contains("protocol=https\n"));
        assertTrue(info("X-Forwarded-Proto: http, https").contains("protocol=https\n"), "the last hop");
        assertTrue(info("X-Forwarded-Proto: https, http").contains("protocol=http\n"));
        assertTrue(info("X-Scheme: unknown").contains("protocol=http\n"), "an unknown scheme is ignored");
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void xheadersSkipTrustedDownstreamProxies(Transport t) throws Exception {
        start(t, ServerFixture.options().xheaders(true).trustedDownstream(List.of("5.5.5.5")).build()); // Tornado's list
        assertTrue(info("X-Forwarded-For: 127.0.0.1, 4.4.4.4, 5.5.5.5").contains("remote_ip=4.4.4.4\n"));
        // X-Real-Ip wins over X-Forwarded-For
        assertTrue(info("X-Forwarded-For: 4.4.4.4, 5.5.5.5", "X-Real-Ip: 6.6.6.6").contains("remote_ip=6.6.6.6\n"));
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void xheadersApplyPerRequestOnAKeepAliveConnection(Transport t) throws Exception {
        start(t, ServerFixture.options().xheaders(true).build());
        try (RawClient c = fx.connect()) {
            c.send("GET /info HTTP/1.1\r\nHost: h\r\nX-Real-Ip: 4.4.4.4\r\nX-Scheme: https\r\n\r\n");
            assertTrue(c.readResponse().bodyText().contains("remote_ip=4.4.4.4\nprotocol=https\n"));
            c.send("GET /info HTTP/1.1\r\nHost: h\r\n\r\n");
            String second = c.readResponse().bodyText();
            assertTrue(second.contains("remote_ip=127.0.0.1\nprotocol=http\n"), second);
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void withoutXheadersTheyAreIgnored(Transport t) throws Exception {
        start(t, ServerFixture.options().build());
        String body = info("X-Real-Ip: 4.4.4.4", "X-Forwarded-For: 5.5.5.5", "X-Scheme: https",
                "X-Forwarded-Proto: https");
        assertTrue(body.contains("remote_ip=127.0.0.1\nprotocol=http\n"), body);
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void protocolOptionSetsTheScheme(Transport t) throws Exception {
        start(t, ServerFixture.options().protocol("https").build());
        assertTrue(info().contains("protocol=https\nfull_url=https://example.com/info\n"), info());
    }

    // ------------------------------------------------------------------ the callback form

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void callbackFormAnswersThroughTheConnection(Transport t) throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        fx = ServerFixture.start(t, () -> new HTTPServer(request -> {
            seen.add(request.method() + " " + request.uri() + " " + request.version() + " "
                    + request.bodyAsString() + " " + request.arguments());
            byte[] body = ("Got " + request.body().length + " bytes in " + request.method()).getBytes(StandardCharsets.UTF_8);
            HTTPHeaders headers = new HTTPHeaders();
            headers.set("Content-Length", Integer.toString(body.length));
            request.connection().writeHeaders(new ResponseStartLine("HTTP/1.1", 200, "OK"), headers, body);
            request.connection().finish();
        }));
        try (RawClient c = fx.connect()) {
            c.send("GET /a?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            Response r = c.readResponse();
            assertEquals(200, r.code);
            assertEquals("OK", r.reason);
            assertEquals("Got 0 bytes in GET", r.bodyText());
            c.send("POST /b HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: 7\r\n\r\nfoo=bar");
            assertEquals("Got 7 bytes in POST", c.readResponse().bodyText());
            c.send("POST /c HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
            assertEquals("Got 3 bytes in POST", c.readResponse().bodyText());
        }
        assertEquals(List.of("GET /a?x=1 HTTP/1.1  {x=[1]}", "POST /b HTTP/1.1 foo=bar {foo=[bar]}",
                "POST /c HTTP/1.1 abc {}"), seen);
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void callbackFormStreamsWithoutContentLength(Transport t) throws Exception {
        fx = ServerFixture.start(t, () -> new HTTPServer(request -> {
            HTTPConnection conn = request.connection();
            conn.writeHeaders(new ResponseStartLine("HTTP/1.1", 200, "OK"), new HTTPHeaders(), "one".getBytes(StandardCharsets.UTF_8));
            conn.write("two".getBytes(StandardCharsets.UTF_8));
            conn.finish();
        }));
        try (RawClient c = fx.connect()) {
            c.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            Response r = c.readResponse();
            assertEquals(List.of(3, 3, 0), r.chunks);
            assertEquals("onetwo", r.bodyText());
            c.send("GET / HTTP/1.0\r\n\r\n");
            Response old = c.readResponse();
            assertTrue(old.closeDelimited);
            assertEquals("onetwo", old.bodyText());
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void callbackFormRejectsANonUtf8Query(Transport t) throws Exception {
        List<HTTPServerRequest> seen = new CopyOnWriteArrayList<>();
        fx = ServerFixture.start(t, () -> new HTTPServer((Consumer<HTTPServerRequest>) seen::add));
        try (RawClient c = fx.connect()) {
            c.send("GET /?a=%ff HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertEquals(400, c.readResponse().code);
        }
        assertTrue(seen.isEmpty());
    }

    // ------------------------------------------------------------------ the pipeline option

    /** Counts the raw bytes that pass, in front of the HTTP codec (one instance for every connection). */
    @ChannelHandler.Sharable
    static final class ByteCounter extends ChannelInboundHandlerAdapter {
        final AtomicLong bytes = new AtomicLong();
        final List<List<String>> pipelines = new CopyOnWriteArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf) {
                bytes.addAndGet(((ByteBuf) msg).readableBytes());
            }
            pipelines.add(new ArrayList<>(ctx.pipeline().names()));
            ctx.fireChannelRead(msg);
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void pipelineOptionPutsExistingHandlersInFrontOfTheCodec(Transport t) throws Exception {
        ByteCounter counter = new ByteCounter();
        start(t, ServerFixture.options().pipeline(p -> p.addLast("counter", counter)).build());
        String req = "GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        try (RawClient c = fx.connect()) {
            c.send(req);
            assertEquals("Hello world", c.readResponse().bodyText());
            c.send(req);
            assertEquals("Hello world", c.readResponse().bodyText());
        }
        assertEquals(2L * req.length(), counter.bytes.get());
        List<String> names = counter.pipelines.get(0);
        assertTrue(names.indexOf("counter") >= 0 && names.indexOf("counter") < names.indexOf(HTTPServer.CODEC), names.toString());
    }

    // ------------------------------------------------------------------ low-level delegates

    /** HTTPMessageDelegate's methods default to no-ops, as Tornado's: a delegate may override only finish(). */
    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void aMessageDelegateNeedOverrideOnlyFinish(Transport t) throws Exception {
        fx = ServerFixture.start(t, (serverConnection, conn) -> new HTTPMessageDelegate() {
            @Override
            public void finish() {
                HTTPHeaders h = new HTTPHeaders();
                h.set("Content-Length", "4");
                conn.writeHeaders(new ResponseStartLine("HTTP/1.1", 200, "OK"), h, "done".getBytes(StandardCharsets.UTF_8));
                conn.finish();
            }
        }, ServerFixture.options().build());
        try (RawClient c = fx.connect()) {
            c.send("POST /any HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello");
            assertEquals("done", c.readResponse().bodyText());
            c.send("GET /again HTTP/1.1\r\nHost: h\r\n\r\n"); // the connection stays usable
            assertEquals("done", c.readResponse().bodyText());
        }
    }

    /** Buffers each request and answers "<n> bytes" (n = body length); hooks let tests intervene. */
    static class CountingDelegate implements HTTPServerConnectionDelegate {
        final List<String> log = new CopyOnWriteArrayList<>();

        /** Called at headersReceived; may answer (then returns true). */
        boolean onHeaders(RequestStartLine start, HTTPConnection conn) {
            return false;
        }

        /** The stage dataReceived returns (flow control). */
        CompletionStage<?> onData(byte[] chunk) {
            return null;
        }

        @Override
        public HTTPMessageDelegate startRequest(Object serverConnection, HTTPConnection conn) {
            return new HTTPMessageDelegate() {
                private long n;
                private boolean answered;
                private final ByteArrayOutputStream body = new ByteArrayOutputStream();

                @Override
                public CompletionStage<?> headersReceived(RequestStartLine startLine, HTTPHeaders headers) {
                    answered = onHeaders(startLine, conn);
                    return null;
                }

                @Override
                public CompletionStage<?> dataReceived(byte[] chunk) {
                    n += chunk.length;
                    body.writeBytes(chunk);
                    return onData(chunk);
                }

                @Override
                public void finish() {
                    log.add("finish " + n);
                    if (answered) {
                        return;
                    }
                    byte[] out = (n + " bytes").getBytes(StandardCharsets.UTF_8);
                    HTTPHeaders h = new HTTPHeaders();
                    h.set("Content-Length", Integer.toString(out.length));
                    h.set("X-Body-Hash", Integer.toString(Arrays.hashCode(body.toByteArray())));
                    conn.writeHeaders(new ResponseStartLine("HTTP/1.1", 200, "OK"), h, out);
                    conn.finish();
                }

                @Override
                public void onConnectionClose() {
                    log.add("closed");
                }
            };
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void delegateFlowControlPausesReadingButLosesNothing(Transport t) throws Exception {
        CountingDelegate delegate = new CountingDelegate() {
            @Override
            CompletionStage<?> onData(byte[] chunk) {
                CompletableFuture<Void> later = new CompletableFuture<>();
                IOLoop.current().callLater(0.002, () -> later.complete(null));
                return later;
            }
        };
        fx = ServerFixture.start(t, delegate, ServerFixture.options().chunkSize(4096).build());
        byte[] body = new byte[300_000];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 31);
        }
        try (RawClient c = fx.connect()) {
            c.send(concat("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + body.length + "\r\n\r\n", body));
            Response r = c.readResponse();
            assertEquals(body.length + " bytes", r.bodyText());
            assertEquals(Integer.toString(Arrays.hashCode(body)), r.header("X-Body-Hash"));
            c.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertEquals("0 bytes", c.readResponse().bodyText());
        }
    }

    /** Tornado's BodyLimitsTest override: a delegate may raise the limit when the headers arrive. */
    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void delegateMayRaiseMaxBodySizeForOneRequest(Transport t) throws Exception {
        CountingDelegate delegate = new CountingDelegate() {
            @Override
            boolean onHeaders(RequestStartLine start, HTTPConnection conn) {
                if (start.path().contains("expected_size=10240")) {
                    conn.setMaxBodySize(10240);
                }
                return false;
            }
        };
        fx = ServerFixture.start(t, delegate, ServerFixture.options().maxBodySize(4096).build());
        try (RawClient c = fx.connect()) {
            c.send("PUT /?expected_size=10240 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10240\r\n\r\n" + "a".repeat(10240));
            Response r = c.readResponse();
            assertEquals(200, r.code, r.toString());
            assertEquals("10240 bytes", r.bodyText());
            c.send("PUT /?expected_size=10240 HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "2800\r\n" + "a".repeat(10240) + "\r\n0\r\n\r\n");
            assertEquals("10240 bytes", c.readResponse().bodyText());
            // the override is reset for the next request
            c.send("PUT / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10240\r\n\r\n");
            Response over = c.readResponse();
            assertEquals(413, over.code, over.toString());
            c.assertClosed();
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void delegateAnsweringBeforeTheBodySkips100Continue(Transport t) throws Exception {
        CountingDelegate delegate = new CountingDelegate() {
            @Override
            boolean onHeaders(RequestStartLine start, HTTPConnection conn) {
                HTTPHeaders h = new HTTPHeaders();
                h.set("Content-Length", "0");
                conn.writeHeaders(new ResponseStartLine("HTTP/1.1", 401, "Unauthorized"), h, null);
                conn.finish();
                return true;
            }
        };
        fx = ServerFixture.start(t, delegate, ServerFixture.options().build());
        try (RawClient c = fx.connect()) {
            c.send("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1024\r\nExpect: 100-continue\r\n\r\n");
            Response r = c.readResponse();
            assertEquals(401, r.code, "no 100 Continue when the answer is already out: " + r);
            // the body was never read, so the connection cannot go on
            c.assertClosed();
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void delegateExceptionIsLoggedOnceAndClosesTheConnection(Transport t) throws Exception {
        CountingDelegate delegate = new CountingDelegate() {
            @Override
            boolean onHeaders(RequestStartLine start, HTTPConnection conn) {
                if (start.path().equals("/boom")) {
                    throw new IllegalStateException("delegate blew up");
                }
                return false;
            }
        };
        fx = ServerFixture.start(t, delegate, ServerFixture.options().build());
        try (RawClient c = fx.connect()) {
            c.send("GET /boom HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            c.assertClosed();
        }
        var e = assertLoggedOnce(app, "Uncaught exception");
        assertTrue(LogCapture.thrown(e) instanceof IllegalStateException);
        assertTrue(infoAndAbove(gen).isEmpty(), gen.messages().toString());
        try (RawClient c = fx.connect()) {
            c.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertEquals("0 bytes", c.readResponse().bodyText());
        }
    }

    /** Tornado's InvalidOutputContentLengthTest: a response Content-Length must be digits only. */
    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void invalidResponseContentLengthIsRefused(Transport t) throws Exception {
        Map<String, String> lengths = Map.of("/normal", "10", "/alphabetic", "foo", "/plus", "+10", "/underscore", "1_0");
        fx = ServerFixture.start(t, () -> new HTTPServer(request -> {
            HTTPHeaders h = new HTTPHeaders();
            h.set("Content-Length", lengths.get(request.path()));
            request.connection().writeHeaders(new ResponseStartLine("HTTP/1.1", 200, "OK"), h,
                    "1234567890".getBytes(StandardCharsets.UTF_8));
            request.connection().finish();
        }));
        try (RawClient c = fx.connect()) {
            c.send("GET /normal HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertEquals("1234567890", c.readResponse().bodyText());
        }
        for (String path : new String[] {"/alphabetic", "/plus", "/underscore"}) {
            try (RawClient c = fx.connect()) {
                c.send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                byte[] rest = c.readToEof();
                assertFalse(new String(rest, StandardCharsets.ISO_8859_1).contains("1234567890"),
                        path + ": " + new String(rest, StandardCharsets.ISO_8859_1));
            }
            assertLoggedOnce(app, "Uncaught exception");
            app.close();
            app = new LogCapture("tornado.application");
        }
        try (RawClient c = fx.connect()) {
            c.send("GET /normal HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertEquals("1234567890", c.readResponse().bodyText());
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void delegateMaySetTheBodyTimeout(Transport t) throws Exception {
        CountingDelegate delegate = new CountingDelegate() {
            @Override
            boolean onHeaders(RequestStartLine start, HTTPConnection conn) {
                conn.setBodyTimeout(0.2);
                return false;
            }
        };
        fx = ServerFixture.start(t, delegate, ServerFixture.options().build());
        try (RawClient c = fx.connect()) {
            long t0 = System.nanoTime();
            c.send("PUT / HTTP/1.0\r\nContent-Length: 42\r\n\r\nabc");
            c.assertClosed();
            assertTrue((System.nanoTime() - t0) / 1_000_000 >= 150, "closed by the body timeout");
        }
        assertLoggedOnce(gen, "body timeout");
        assertEquals(List.of("closed"), delegate.log);
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void delegateHearsOfAClientLeavingMidBody(Transport t) throws Exception {
        CountingDelegate delegate = new CountingDelegate();
        fx = ServerFixture.start(t, delegate, ServerFixture.options().build());
        try (RawClient c = fx.connect()) {
            c.send("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nabc");
            Thread.sleep(50);
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!delegate.log.contains("closed") && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(List.of("closed"), delegate.log);
        assertTrue(infoAndAbove(app).isEmpty(), app.messages().toString());
    }
}
