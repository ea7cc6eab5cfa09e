package io.tornadoj.httpclient;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.traffic.ChannelTrafficShapingHandler;
import io.tornadoj.httpserver.HTTPServer;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.web.Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

import static io.tornadoj.httpclient.Fixture.await;
import static io.tornadoj.httpclient.Fixture.failure;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Client-level options and lifecycle: {@code shared()} per loop, the {@code pipeline} customizer with
 * existing Netty handlers in front of the codec, and response decompression (gzip and deflate) from raw
 * peers.
 */
@org.junit.jupiter.api.Timeout(60)
class ClientOptionsTest {
    private Fixture fx;

    @BeforeEach
    void setUp() {
        fx = new Fixture();
    }

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    @Test
    void sharedIsOnePerLoop() throws Exception {
        HTTPServer server = fx.serve(TestApp.app());
        AsyncHTTPClient a = fx.closeLater(fx.onLoop(AsyncHTTPClient::shared));
        AsyncHTTPClient b = fx.onLoop(AsyncHTTPClient::shared);
        assertSame(a, b);
        assertEquals("Hello world!", await(a.fetch(Fixture.url(server, "/hello"))).bodyAsString());
        try (IOLoop other = IOLoop.create()) {
            AsyncHTTPClient c = other.runSync(() -> CompletableFuture.completedFuture(AsyncHTTPClient.shared()));
            try {
                assertNotSame(a, c);
                assertSame(c, other.runSync(() -> CompletableFuture.completedFuture(AsyncHTTPClient.shared())));
                assertEquals("Hello world!", await(c.fetch(Fixture.url(server, "/hello"))).bodyAsString());
            } finally {
                c.close();
            }
        }
        // a closed shared client is replaced
        a.close();
        AsyncHTTPClient d = fx.closeLater(fx.onLoop(AsyncHTTPClient::shared));
        assertNotSame(a, d);
        assertEquals("Hello world!", await(d.fetch(Fixture.url(server, "/hello"))).bodyAsString());
        // a client made with new is never the shared one
        AsyncHTTPClient own = fx.client();
        assertNotSame(d, own);
        assertSame(d, fx.onLoop(AsyncHTTPClient::shared));
    }

    /** Records the raw bytes written and read: it sits in front of the HTTP codec. */
    static final class Tap extends ChannelDuplexHandler {
        final ByteArrayOutputStream in = new ByteArrayOutputStream();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final List<String> notBytes = new CopyOnWriteArrayList<>();
        volatile List<String> pipelineNames;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            pipelineNames = ctx.pipeline().names();
            if (msg instanceof ByteBuf) {
                ByteBuf b = (ByteBuf) msg;
                byte[] bytes = io.netty.buffer.ByteBufUtil.getBytes(b);
                synchronized (in) {
                    in.writeBytes(bytes);
                }
            } else {
                notBytes.add(msg.getClass().getName());
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            if (msg instanceof ByteBuf) {
                ByteBuf b = (ByteBuf) msg;
                byte[] bytes = io.netty.buffer.ByteBufUtil.getBytes(b);
                synchronized (out) {
                    out.writeBytes(bytes);
                }
            } else {
                notBytes.add(msg.getClass().getName());
            }
            ctx.write(msg, promise);
        }

        String read() {
            synchronized (in) {
                return in.toString(StandardCharsets.ISO_8859_1);
            }
        }

        String written() {
            synchronized (out) {
                return out.toString(StandardCharsets.ISO_8859_1);
            }
        }
    }

    @Test
    void pipelineRunsExistingHandlersInFrontOfTheCodec() throws Exception {
        HTTPServer server = fx.serve(TestApp.app());
        List<Tap> taps = new CopyOnWriteArrayList<>();
        List<ChannelTrafficShapingHandler> counters = new CopyOnWriteArrayList<>();
        AsyncHTTPClient c = fx.client(AsyncHTTPClient.Options.builder().pipeline(p -> {
            Tap tap = new Tap();
            ChannelTrafficShapingHandler counter = new ChannelTrafficShapingHandler(0); // counts, never shapes
            taps.add(tap);
            counters.add(counter);
            p.addLast("traffic", counter);
            p.addLast("tap", tap);
        }).build());
        HTTPResponse r = await(c.fetch(Fixture.url(server, "/hello")));
        assertEquals("Hello world!", r.bodyAsString());
        HTTPResponse r2 = await(c.fetch(Fixture.url(server, "/hello?name=again")));
        assertEquals("Hello again!", r2.bodyAsString());
        assertEquals(1, taps.size(), "the customizer runs once per connection");
        Tap tap = taps.get(0);
        assertTrue(tap.notBytes.isEmpty(), "handlers in front of the codec see bytes only: " + tap.notBytes);
        assertTrue(tap.written().startsWith("GET /hello HTTP/1.1\r\n"), tap.written());
        assertTrue(tap.written().contains("GET /hello?name=again HTTP/1.1\r\n"), tap.written());
        assertTrue(tap.read().startsWith("HTTP/1.1 200 OK\r\n"), tap.read());
        assertTrue(tap.read().endsWith("Hello again!"), tap.read());
        assertEquals(tap.read().length(), counters.get(0).trafficCounter().cumulativeReadBytes());
        assertEquals(tap.written().length(), counters.get(0).trafficCounter().cumulativeWrittenBytes());
        // the order on the live connection: the customizer's handlers, then the codec
        List<String> names = tap.pipelineNames;
        assertEquals(0, names.indexOf("traffic"), names.toString());
        assertEquals(1, names.indexOf("tap"), names.toString());
        assertTrue(names.indexOf("tornado.httpclient.codec") > 1, names.toString());
    }

    @Test
    void pipelineHandlerCanFailTheConnection() throws Exception {
        HTTPServer server = fx.serve(TestApp.app());
        AsyncHTTPClient c = fx.client(AsyncHTTPClient.Options.builder().pipeline(p -> p.addLast(new ChannelDuplexHandler() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                io.netty.util.ReferenceCountUtil.release(msg);
                ctx.fireExceptionCaught(new IllegalStateException("rejected by the pipeline"));
            }
        })).build());
        HTTPStreamClosedError e = failure(HTTPStreamClosedError.class, c.fetch(Fixture.url(server, "/hello")));
        assertTrue(e.getMessage().contains("rejected by the pipeline"), e.getMessage());
    }

    private RawServer encodedServer(String encoding, byte[] payload) throws Exception {
        return fx.raw((conn, i) -> {
            RawServer.Request r;
            while ((r = conn.readRequest()) != null) {
                conn.write("HTTP/1.1 200 OK\r\nContent-Encoding: " + encoding + "\r\nContent-Length: " + payload.length
                        + "\r\nX-Accept-Encoding: " + r.header("Accept-Encoding") + "\r\n\r\n");
                conn.write(payload);
            }
        });
    }

    private static byte[] deflate(byte[] data, boolean zlibWrapper) {
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, !zlibWrapper);
        d.setInput(data);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        while (!d.finished()) {
            out.write(buf, 0, d.deflate(buf));
        }
        d.end();
        return out.toByteArray();
    }

    @Test
    void deflateIsDecompressed() throws Exception {
        byte[] text = TestApp.BIG.getBytes(StandardCharsets.UTF_8);
        AsyncHTTPClient c = fx.client();
        for (boolean zlib : new boolean[] {true, false}) {
            byte[] compressed = deflate(text, zlib);
            RawServer raw = encodedServer("deflate", compressed);
            HTTPResponse r = await(c.fetch(raw.url("/")));
            assertEquals(TestApp.BIG, r.bodyAsString());
            assertEquals("gzip", r.headers().get("X-Accept-Encoding"));
            // decompressResponse(false): the bytes as sent
            HTTPResponse rawBytes = await(c.fetch(HTTPRequest.builder(raw.url("/")).decompressResponse(false).build()));
            assertArrayEquals(compressed, rawBytes.body());
            assertEquals("deflate", rawBytes.headers().get("Content-Encoding"));
            assertEquals("null", rawBytes.headers().get("X-Accept-Encoding"));
        }
    }

    @Test
    void gzipFromARawServer() throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(b)) {
            gz.write("compressed hello".getBytes(StandardCharsets.UTF_8));
        }
        RawServer raw = encodedServer("gzip", b.toByteArray());
        AsyncHTTPClient c = fx.client();
        HTTPResponse r = await(c.fetch(raw.url("/")));
        assertEquals("compressed hello", r.bodyAsString());
        List<String> chunks = new CopyOnWriteArrayList<>();
        await(c.fetch(HTTPRequest.builder(raw.url("/")).streamingCallback(x -> chunks.add(new String(x, StandardCharsets.UTF_8))).build()));
        assertEquals("compressed hello", String.join("", chunks));
    }

    @Test
    void corruptGzipFails() throws Exception {
        RawServer raw = encodedServer("gzip", "this is not gzip at all".getBytes(StandardCharsets.UTF_8));
        AsyncHTTPClient c = fx.client();
        HTTPClientError e = failure(HTTPClientError.class, c.fetch(raw.url("/")));
        assertEquals(599, e.code());
        assertEquals(0, fx.idle(c));
    }

    @Test
    void compressedResponseFromTornadoServerWithMaxBodySize() throws Exception {
        // the limit applies to the decompressed body
        HTTPServer server = fx.serve(TestApp.app(Settings.builder().compressResponse(true).build()));
        AsyncHTTPClient small = fx.client(AsyncHTTPClient.Options.builder().maxBodySize(1000).build());
        HTTPClientError e = failure(HTTPClientError.class, small.fetch(Fixture.url(server, "/big")));
        assertEquals(599, e.code());
        assertEquals(TestApp.BIG, await(fx.client().fetch(Fixture.url(server, "/big"))).bodyAsString());
    }
}
