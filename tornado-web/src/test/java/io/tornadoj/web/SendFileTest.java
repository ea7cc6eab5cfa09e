package io.tornadoj.web;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.pkitesting.X509Bundle;
import io.tornadoj.httpserver.HTTPServer;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.ioloop.Transport;
import io.tornadoj.iostream.IOStream;
import io.tornadoj.testsupport.TestCerts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static io.tornadoj.web.Web.url;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Zero-copy file bodies ({@link RequestHandler#sendFile}, used by {@link StaticFileHandler}) over real
 * sockets on every transport: large files and ranges byte-exact, as {@code FileRegion}s on plain connections
 * and through a {@code ChunkedWriteHandler} under TLS; keep-alive and pipelining after a file response; HEAD; small and
 * gzipped responses on the buffered path; bytes outside the file refused; a client leaving mid-file (plain or
 * TLS) leaks no file descriptor and the server keeps serving.
 */
@Timeout(120)
class SendFileTest {
    private static final String TRANSPORTS = "io.tornadoj.testsupport.Transports#available";
    private static final int LARGE = 6 * 1024 * 1024 + 12345;
    private static X509Bundle cert;

    @TempDir
    static Path root;
    private static byte[] large;

    private IOLoop loop;
    private HTTPServer server;
    private int port;
    /** Outbound messages seen between the codec and the socket: FileRegions, and writes after a ChunkedWriteHandler was added. */
    private final AtomicInteger fileRegions = new AtomicInteger();
    private final AtomicInteger chunkedWrites = new AtomicInteger();

    /** Sends part of a file named by the query ({@code ?p=name&from=0&n=10}) with the public API. */
    public static class PartHandler extends RequestHandler {
        public CompletionStage<Void> get() {
            setHeader("Content-Type", "application/octet-stream");
            write("<"); // buffered output goes first and counts in the Content-Length
            return sendFile(root.resolve(getArgument("p")), Long.parseLong(getArgument("from")),
                    Long.parseLong(getArgument("n")));
        }

        public CompletionStage<Void> head() {
            return get();
        }
    }

    /** Takes the connection, then writes which HTTP handlers its pipeline still has, and closes it. */
    public static class DetachHandler extends RequestHandler {
        public void get() {
            IOStream stream = detach();
            List<String> http = stream.channel().pipeline().names().stream()
                    .filter(n -> n.startsWith("tornado.http")).toList();
            stream.write(("raw bytes; HTTP handlers left: " + http).getBytes(StandardCharsets.US_ASCII))
                    .whenComplete((v, t) -> stream.close());
        }
    }

    @BeforeAll
    static void files() throws Exception {
        large = new byte[LARGE];
        new Random(7).nextBytes(large);
        Files.write(root.resolve("large.bin"), large);
        byte[] text = new byte[LARGE];
        Random r = new Random(8);
        for (int i = 0; i < text.length; i++) {
            text[i] = (byte) ('a' + r.nextInt(4));
        }
        Files.write(root.resolve("large.txt"), text);
        Files.write(root.resolve("small.bin"), Arrays.copyOf(large, 1000));
        cert = TestCerts.localhost();
    }

    private void start(Transport t, boolean tls, boolean gzip) throws Exception {
        HTTPServer.Options.Builder options = HTTPServer.Options.builder().pipeline(p -> p.addLast(new Tap()));
        if (tls) {
            options.sslContext(SslContextBuilder.forServer(cert.getKeyPair().getPrivate(), cert.getCertificatePath()).build());
        }
        Application app = new Application(List.of(
                url("/part", PartHandler.class),
                url("/detach", DetachHandler.class),
                url("/files/(.*)", StaticFileHandler.class, Map.of("path", root.toString()))),
                Settings.builder().compressResponse(gzip).build());
        loop = IOLoop.create(t);
        server = loop.runSync(() -> CompletableFuture.completedFuture(app.listen(0, "127.0.0.1", options.build())));
        port = server.boundAddresses().get(0).getPort();
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            try {
                server.stop().get(10, TimeUnit.SECONDS);
            } finally {
                loop.close();
            }
        }
    }

    /** Counts what the codec hands towards the socket. */
    private final class Tap extends ChannelOutboundHandlerAdapter {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            if (msg instanceof FileRegion) {
                fileRegions.incrementAndGet();
            }
            if (ctx.pipeline().get(ChunkedWriteHandler.class) != null) {
                chunkedWrites.incrementAndGet();
            }
            super.write(ctx, msg, promise);
        }
    }

    private RawHttp connect(boolean tls) throws Exception {
        if (!tls) {
            return new RawHttp(port);
        }
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, cert.toTrustManagerFactory().getTrustManagers(), null);
        return new RawHttp(ssl.getSocketFactory().createSocket("localhost", port));
    }

    private static String get(String target, String... headers) {
        StringBuilder sb = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n");
        for (int i = 0; i < headers.length; i += 2) {
            sb.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }

    /** A large file byte-exact, then a range of it, then a small file, all on one keep-alive connection. */
    private void servesLargeFileThenKeepsAlive(Transport t, boolean tls) throws Exception {
        start(t, tls, false);
        try (RawHttp c = connect(tls)) {
            c.send(get("/files/large.bin"));
            RawHttp.Response r = c.readResponse(false);
            assertEquals(200, r.code);
            assertEquals(Integer.toString(LARGE), r.header("Content-Length"));
            assertNull(r.header("Transfer-Encoding"));
            assertArrayEquals(large, r.body);

            c.send(get("/files/large.bin", "Range", "bytes=1000000-4999999"));
            r = c.readResponse(false);
            assertEquals(206, r.code);
            assertEquals("bytes 1000000-4999999/" + LARGE, r.header("Content-Range"));
            assertArrayEquals(Arrays.copyOfRange(large, 1000000, 5000000), r.body);

            c.send(get("/files/small.bin"));
            r = c.readResponse(false);
            assertEquals(200, r.code);
            assertArrayEquals(Arrays.copyOf(large, 1000), r.body);
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void largeFileAndRangeGoOutAsFileRegions(Transport t) throws Exception {
        servesLargeFileThenKeepsAlive(t, false);
        assertEquals(2, fileRegions.get(), "the large file and its range, not the small file");
        assertEquals(0, chunkedWrites.get());
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void largeFileOverTlsGoesThroughChunkedWriter(Transport t) throws Exception {
        servesLargeFileThenKeepsAlive(t, true);
        assertEquals(0, fileRegions.get(), "TLS cannot sendfile");
        assertTrue(chunkedWrites.get() > LARGE / (64 * 1024), "chunked writes: " + chunkedWrites.get());
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void pipelinedRequestsWaitForTheFile(Transport t) throws Exception {
        start(t, false, false);
        try (RawHttp c = connect(false)) {
            c.send(get("/files/large.bin") + get("/files/small.bin") + get("/files/large.bin", "Range", "bytes=-70000"));
            assertArrayEquals(large, c.readResponse(false).body);
            assertArrayEquals(Arrays.copyOf(large, 1000), c.readResponse(false).body);
            RawHttp.Response r = c.readResponse(false);
            assertEquals(206, r.code);
            assertArrayEquals(Arrays.copyOfRange(large, LARGE - 70000, LARGE), r.body);
        }
        assertEquals(2, fileRegions.get());
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void headSendsNoBody(Transport t) throws Exception {
        start(t, false, false);
        try (RawHttp c = connect(false)) {
            c.send("HEAD /files/large.bin HTTP/1.1\r\nHost: localhost\r\n\r\n");
            RawHttp.Response r = c.readResponse(true);
            assertEquals(200, r.code);
            assertEquals(Integer.toString(LARGE), r.header("Content-Length"));
            // the next response follows at once: no body bytes were sent in between
            c.send(get("/files/small.bin"));
            r = c.readResponse(false);
            assertEquals(200, r.code);
            assertArrayEquals(Arrays.copyOf(large, 1000), r.body);
        }
        assertEquals(0, fileRegions.get());
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void sendFileAfterBufferedOutput(Transport t) throws Exception {
        start(t, false, false);
        try (RawHttp c = connect(false)) {
            c.send(get("/part?p=large.bin&from=100&n=200000"));
            RawHttp.Response r = c.readResponse(false);
            assertEquals(200, r.code);
            assertEquals("200001", r.header("Content-Length"));
            assertEquals('<', r.body[0]);
            assertArrayEquals(Arrays.copyOfRange(large, 100, 200100), Arrays.copyOfRange(r.body, 1, r.body.length));
        }
        assertEquals(1, fileRegions.get());
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void sendFileForHeadSendsNoBody(Transport t) throws Exception {
        start(t, false, false);
        try (RawHttp c = connect(false)) {
            c.send("HEAD /part?p=large.bin&from=0&n=300000 HTTP/1.1\r\nHost: localhost\r\n\r\n");
            RawHttp.Response r = c.readResponse(true);
            assertEquals(200, r.code);
            assertEquals("300001", r.header("Content-Length"));
            c.send(get("/files/small.bin"));
            r = c.readResponse(false);
            assertEquals(200, r.code, "no body bytes came in between");
            assertArrayEquals(Arrays.copyOf(large, 1000), r.body);
        }
        assertEquals(0, fileRegions.get());
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void bytesOutsideTheFileAreAnError(Transport t) throws Exception {
        start(t, false, false);
        try (RawHttp c = connect(false)) {
            c.send(get("/part?p=small.bin&from=500&n=501"));
            assertEquals(500, c.readResponse(false).code);
            c.send(get("/part?p=small.bin&from=500&n=500"));
            RawHttp.Response r = c.readResponse(false);
            assertEquals(200, r.code, "the connection goes on");
            assertArrayEquals(Arrays.copyOfRange(large, 500, 1000), Arrays.copyOfRange(r.body, 1, r.body.length));
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void gzippedResponsesStayBuffered(Transport t) throws Exception {
        start(t, false, true);
        try (RawHttp c = connect(false)) {
            c.send(get("/files/large.txt", "Accept-Encoding", "gzip"));
            RawHttp.Response r = c.readResponse(false);
            assertEquals(200, r.code);
            assertEquals("gzip", r.header("Content-Encoding"));
            try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(r.body))) {
                assertArrayEquals(Files.readAllBytes(root.resolve("large.txt")), in.readAllBytes());
            }
            // not compressible: zero-copy even with compressResponse
            c.send(get("/files/large.bin", "Accept-Encoding", "gzip"));
            r = c.readResponse(false);
            assertNull(r.header("Content-Encoding"));
            assertArrayEquals(large, r.body);
        }
        assertEquals(1, fileRegions.get());
    }

    private static long openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void clientLeavingMidFileClosesTheFile(Transport t) throws Exception {
        clientLeavingMidFile(t, false);
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void clientLeavingMidFileOverTlsClosesTheFile(Transport t) throws Exception {
        clientLeavingMidFile(t, true);
    }

    /** A socket with a small receive buffer, so that the server cannot have sent a large file when it leaves. */
    private Socket slowSocket(boolean tls) throws Exception {
        Socket s;
        if (tls) {
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, cert.toTrustManagerFactory().getTrustManagers(), null);
            s = ssl.getSocketFactory().createSocket();
        } else {
            s = new Socket();
        }
        s.setReceiveBufferSize(16 * 1024);
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(10_000);
        return s;
    }

    private void clientLeavingMidFile(Transport t, boolean tls) throws Exception {
        Path big = root.resolve("big-" + t + tls + ".bin");
        byte[] block = new byte[1024 * 1024];
        try (var out = Files.newOutputStream(big)) {
            for (int i = 0; i < 64; i++) {
                out.write(block);
            }
        }
        try {
            start(t, tls, false);
            try (RawHttp c = connect(tls)) { // once in full: caches the ETag, warms the loop up
                c.send(get("/files/" + big.getFileName()));
                assertEquals(64 * 1024 * 1024, c.readResponse(false).body.length);
            }
            long before = openFds();
            for (int i = 0; i < 3; i++) {
                try (Socket s = slowSocket(tls)) {
                    s.getOutputStream().write(get("/files/" + big.getFileName()).getBytes());
                    InputStream in = s.getInputStream();
                    assertEquals(1024 * 1024, in.readNBytes(1024 * 1024).length, "the file is on its way");
                    s.setSoLinger(true, 0); // reset: the server's send fails mid-file
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            long now = openFds();
            while (now > before && System.nanoTime() < deadline) {
                Thread.sleep(50);
                now = openFds();
            }
            assertTrue(now <= before, "file descriptors leaked: " + before + " before, " + now + " after");
            try (RawHttp c = connect(tls)) {
                c.send(get("/files/small.bin"));
                RawHttp.Response r = c.readResponse(false);
                assertEquals(200, r.code, "the server keeps serving");
                assertArrayEquals(Arrays.copyOf(large, 1000), r.body);
            }
        } finally {
            Files.deleteIfExists(big);
        }
    }

    /**
     * Under TLS a file response streams through a ChunkedWriteHandler, which holds the writes behind it while
     * the client does not read: a pipelined request that detaches is served once they are out, and leaves no
     * HTTP handler behind (the writes it held would otherwise reach the TLS handler unencoded).
     */
    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void detachAfterAFileToASlowReaderOverTls(Transport t) throws Exception {
        start(t, true, false);
        try (RawHttp c = new RawHttp(slowSocket(true))) {
            c.send(get("/files/large.bin") + get("/detach"));
            Thread.sleep(300); // the file stalls on the full socket with the second request read
            assertArrayEquals(large, c.readResponse(false).body);
            assertEquals("raw bytes; HTTP handlers left: []", new String(c.readToEnd(), StandardCharsets.US_ASCII));
        }
        try (RawHttp c = connect(true)) {
            c.send(get("/files/small.bin"));
            assertArrayEquals(Arrays.copyOf(large, 1000), c.readResponse(false).body, "the server keeps serving");
        }
    }
}
