package io.tornadoj.iostream;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.tornadoj.ioloop.Transport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

import static io.tornadoj.iostream.StreamFixture.get;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tornado's IOStream behaviours over real loopback sockets, on every transport this machine has. */
@org.junit.jupiter.api.Timeout(60)
class IOStreamTest {
    private static final String TRANSPORTS = "io.tornadoj.testsupport.Transports#available";

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String str(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static void sendByteByByte(OutputStream out, String data) throws Exception {
        for (byte b : ascii(data)) {
            out.write(b);
            out.flush();
            Thread.sleep(1);
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void delimiterSplitAcrossSegments(Transport t) throws Exception {
        try (StreamFixture fx = new StreamFixture(t)) {
            Socket peer = fx.connect();
            IOStream stream = fx.nextStream();
            CompletableFuture<byte[]> head = stream.readUntil("\r\n\r\n");
            sendByteByByte(peer.getOutputStream(), "GET / HTTP/1.1\r\nHost: x\r\n\r\nBODY");
            assertEquals("GET / HTTP/1.1\r\nHost: x\r\n\r\n", str(get(head)));
            assertEquals("BODY", str(get(stream.readBytes(4))));
            // a single-byte delimiter, and the delimiter as bytes
            peer.getOutputStream().write(ascii("a\nbc\n"));
            assertEquals("a\n", str(get(stream.readUntil(ascii("\n")))));
            assertEquals("bc\n", str(get(stream.readUntil("\n"))));
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void regexMatchSpanningChunks(Transport t) throws Exception {
        try (StreamFixture fx = new StreamFixture(t)) {
            Socket peer = fx.connect();
            IOStream stream = fx.nextStream();
            CompletableFuture<byte[]> r = stream.readUntilRegex(Pattern.compile("END\\d+;"));
            sendByteByByte(peer.getOutputStream(), "xxEN");
            Thread.sleep(20);
            assertFalse(r.isDone());
            sendByteByByte(peer.getOutputStream(), "D42;rest");
            assertEquals("xxEND42;", str(get(r)));
            // ISO-8859-1: every byte is one char, so high bytes match too
            peer.getOutputStream().write(new byte[] {(byte) 0xE9, 'z', '!'});
            assertArrayEquals(new byte[] {'r', 'e', 's', 't', (byte) 0xE9, 'z'}, get(stream.readUntilRegex("\u00e9z")));
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void maxBytesExceededFailsWithUnsatisfiableReadErrorAndCloses(Transport t) throws Exception {
        try (StreamFixture fx = new StreamFixture(t)) {
            Socket peer = fx.connect();
            IOStream stream = fx.nextStream();
            CompletableFuture<byte[]> r = stream.readUntil("\n", 8);
            peer.getOutputStream().write(ascii("0123456789abcdef"));
            assertThrows(UnsatisfiableReadError.class, () -> get(r));
            assertEquals(-1, peer.getInputStream().read(), "the stream closed the connection");
            fx.run(() -> assertTrue(stream.closed()));
            assertTrue(stream.error() instanceof UnsatisfiableReadError);

            // found, but past maxBytes: also unsatisfiable
            Socket peer2 = fx.connect();
            IOStream s2 = fx.nextStream();
            peer2.getOutputStream().write(ascii("0123456789\n"));
            Thread.sleep(20);
            assertThrows(UnsatisfiableReadError.class, () -> get(s2.readUntil("\n", 5)));
            // within maxBytes: fine
            Socket peer3 = fx.connect();
            IOStream s3 = fx.nextStream();
            peer3.getOutputStream().write(ascii("abc\n"));
            assertEquals("abc\n", str(get(s3.readUntilRegex(Pattern.compile("\n"), 4))));
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void onlyOnePendingRead(Transport t) throws Exception {
        try (StreamFixture fx = new StreamFixture(t)) {
            Socket peer = fx.connect();
            IOStream stream = fx.nextStream();
            CompletableFuture<byte[]> first = stream.readBytes(3);
            // from another thread the call hops onto the loop: its future fails
            CompletableFuture<byte[]> second = stream.readBytes(3);
            assertThrows(IllegalStateException.class, () -> get(second));
            // on the loop thread it raises at once, as Tornado's
            fx.run(() -> {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> stream.readUntil("\n"));
                assertEquals("Already reading", e.getMessage());
                assertTrue(stream.reading());
            });
            peer.getOutputStream().write(ascii("abc"));
            assertEquals("abc", str(get(first)));
            fx.run(() -> assertFalse(stream.reading()));
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void bufferedDataIsReadableAfterThePeerClosed(Transport t) throws Exception {
        try (StreamFixture fx = new StreamFixture(t)) {
            Socket peer = fx.connect();
            IOStream stream = fx.nextStream();
            CountDownLatch closed = new CountDownLatch(1);
            stream.setCloseCallback(closed::countDown);
            peer.getOutputStream().write(ascii("line1\nline2\npartial"));
            peer.close();
            assertTrue(closed.await(5, TimeUnit.SECONDS));
            assertEquals("line1\n", str(get(stream.readUntil("\n"))));
            assertEquals("line2\n", str(get(stream.readUntil("\n"))));
            // what is left cannot satisfy a delimiter read: StreamClosedError, orderly close → no realError
            StreamClosedError e = assertThrows(StreamClosedError.class, () -> get(stream.readUntil("\n")));
            assertNull(e.realError());
            assertEquals("partial", str(get(stream.readUntilClose())));
            assertEquals("", str(get(stream.readUntilClose())));
            assertThrows(StreamClosedError.class, () -> get(stream.readBytes(1, true)));
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void pendingReadFailsWithTheRealErrorWhenClosedWithOne(Transport t) throws Exception {
        try (StreamFixture fx = new StreamFixture(t)) {
            fx.connect();
            IOStream stream = fx.nextStream();
            CompletableFuture<byte[]> pending = stream.readUntil("\n");
            java.io.IOException why = new java.io.IOException("protocol violation");
            stream.close(why);
            StreamClosedError e = assertThrows(StreamClosedError.class, () -> get(pending));
            assertSame(why, e.realError());
            assertSame(why, stream.error());
            assertThrows(StreamClosedError.class, () -> get(stream.write("late")));
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void partialReadsReadIntoAndReadUntilClose(Transport t) throws Exception {
        try (StreamFixture fx = new StreamFixture(t)) {
            Socket peer = fx.connect();
            IOStream stream = fx.nextStream();
            OutputStream out = peer.getOutputStream();
            out.write(ascii("abc"));
            byte[] got = get(stream.readBytes(100, true));
            assertTrue(got.length >= 1 && got.length <= 3);
            byte[] rest = got.length < 3 ? get(stream.readBytes(3 - got.length)) : new byte[0];
            assertEquals("abc", str(got) + str(rest));
            byte[] into = new byte[4];
            CompletableFuture<Integer> n = stream.readInto(into);
            out.write(ascii("wx"));
            Thread.sleep(20);
            assertFalse(n.isDone(), "readInto waits for the whole array");
            out.write(ascii("yz!"));
            assertEquals(4, get(n));
            assertEquals("wxyz", str(into));
            byte[] part = new byte[10];
            int k = get(stream.readInto(part, true));
            assertEquals("!", new String(part, 0, k, StandardCharsets.ISO_8859_1));
            assertEquals(0, (int) get(stream.readBytes(0)).length);
            CompletableFuture<byte[]> all = stream.readUntilClose();
            out.write(ascii("the end"));
            Thread.sleep(20);
            assertFalse(all.isDone());
            peer.shutdownOutput();
            assertEquals("the end", str(get(all)));
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void closeCallbackRunsOnceOnTheLoopForLocalPeerAndErrorCloses(Transport t) throws Exception {
        try (StreamFixture fx = new StreamFixture(t)) {
            for (String how : List.of("local", "peer", "error")) {
                Socket peer = fx.connect();
                IOStream stream = fx.nextStream();
                AtomicInteger calls = new AtomicInteger();
                AtomicReference<Boolean> onLoop = new AtomicReference<>();
                CountDownLatch ran = new CountDownLatch(1);
                stream.setCloseCallback(() -> {
                    calls.incrementAndGet();
                    onLoop.set(stream.ioLoop().inLoop());
                    ran.countDown();
                });
                switch (how) {
                    case "local":
                        stream.close();
                        stream.close();
                        break;
                    case "peer":
                        peer.close();
                        break;
                    default:
                        stream.close(new IllegalStateException("bad"));
                        stream.close(new IllegalStateException("again"));
                        break;
                }
                assertTrue(ran.await(5, TimeUnit.SECONDS), how);
                Thread.sleep(20);
                assertEquals(1, calls.get(), how);
                assertTrue(onLoop.get(), how);
                fx.run(() -> assertTrue(stream.closed()));
                if (how.equals("error")) {
                    assertEquals("bad", stream.error().getMessage());
                }
                // set after the close: runs once too
                CountDownLatch late = new CountDownLatch(1);
                stream.setCloseCallback(late::countDown);
                assertTrue(late.await(5, TimeUnit.SECONDS));
            }
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void writesCompleteInOrderAndArriveIntact(Transport t) throws Exception {
        try (StreamFixture fx = new StreamFixture(t)) {
            Socket peer = fx.connect();
            IOStream stream = fx.nextStream();
            List<Integer> order = new CopyOnWriteArrayList<>();
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            StringBuilder expected = new StringBuilder();
            for (int i = 0; i < 200; i++) {
                int n = i;
                String chunk = "chunk-" + i + ";";
                expected.append(chunk);
                writes.add(stream.write(chunk).thenRun(() -> order.add(n)));
            }
            byte[] all = new byte[expected.length()];
            InputStream in = peer.getInputStream();
            int off = 0;
            while (off < all.length) {
                off += in.read(all, off, all.length - off);
            }
            assertEquals(expected.toString(), str(all));
            CompletableFuture.allOf(writes.toArray(new CompletableFuture[0])).get(5, TimeUnit.SECONDS);
            for (int i = 0; i < 200; i++) {
                assertEquals(i, order.get(i));
            }
            fx.run(() -> assertFalse(stream.writing()));
            // byte[] and ByteBuf writes, UTF-8 strings
            get(stream.write(new byte[] {1, 2}));
            get(stream.write(Unpooled.wrappedBuffer(new byte[] {3})));
            get(stream.write("\u00e9"));
            byte[] tail = new byte[5];
            off = 0;
            while (off < 5) {
                off += in.read(tail, off, 5 - off);
            }
            assertArrayEquals(new byte[] {1, 2, 3, (byte) 0xC3, (byte) 0xA9}, tail);
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void maxBufferSizePausesReadingInsteadOfFailing(Transport t) throws Exception {
        int limit = 16 * 1024;
        try (StreamFixture fx = new StreamFixture(t, limit, null)) {
            Socket peer = fx.connect();
            IOStream stream = fx.nextStream();
            byte[] data = new byte[1024 * 1024];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (i * 31);
            }
            Thread writer = new Thread(() -> {
                try {
                    peer.getOutputStream().write(data);
                } catch (Exception ignored) {
                    // the test fails on the read side
                }
            });
            writer.start();
            Thread.sleep(100); // nobody reads: the stream pauses at the limit
            AtomicInteger maxBuffered = new AtomicInteger();
            fx.run(() -> maxBuffered.set(stream.bufferedBytes()));
            assertFalse(stream.closed());
            byte[] got = new byte[data.length];
            int off = 0;
            while (off < data.length) {
                byte[] chunk = get(stream.readBytes(4096, true));
                System.arraycopy(chunk, 0, got, off, chunk.length);
                off += chunk.length;
                fx.run(() -> maxBuffered.set(Math.max(maxBuffered.get(), stream.bufferedBytes())));
            }
            writer.join(10_000);
            assertArrayEquals(data, got);
            // bounded: the limit plus at most one read burst of 64 KiB chunks
            assertTrue(maxBuffered.get() <= limit + 16 * 64 * 1024, "buffered " + maxBuffered.get());

            // a single read that needs more than the limit fails and closes
            CompletableFuture<byte[]> tooBig = stream.readBytes(limit * 2);
            assertThrows(StreamBufferFullError.class, () -> get(tooBig));
            fx.run(() -> assertTrue(stream.closed()));
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void maxWriteBufferSizeRefusesWritesBeyondItAndWrapAdoptsARawNettyChannel(Transport t) throws Exception {
        // The server side buffers at most 64 KiB and never reads: the client's bytes pile up unsent.
        try (StreamFixture fx = new StreamFixture(t, 64 * 1024, null)) {
            io.netty.channel.Channel ch = new io.netty.bootstrap.Bootstrap()
                    .group(fx.loop.eventLoop())
                    .channel(io.tornadoj.internal.Loops.socketChannel(fx.loop.transport()))
                    .handler(new io.netty.channel.ChannelInboundHandlerAdapter())
                    .connect("127.0.0.1", fx.port()).sync().channel();
            IOStream client = IOStream.wrap(ch, IOStream.Options.builder().maxWriteBufferSize(256 * 1024).build());
            fx.nextStream();
            CompletableFuture<Void> refused = null;
            for (int i = 0; i < 10_000 && refused == null; i++) {
                CompletableFuture<Void> w = client.write(new byte[64 * 1024]);
                fx.run(() -> { });
                if (w.isCompletedExceptionally()) {
                    refused = w;
                }
            }
            assertTrue(refused != null, "a write beyond maxWriteBufferSize was refused");
            CompletableFuture<Void> r = refused;
            assertThrows(StreamBufferFullError.class, () -> get(r));
            fx.run(() -> assertTrue(client.writing()));
            assertFalse(client.closed(), "a refused write does not close the stream");
            client.close();
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void nettyHandlersBeforeTheStreamWork(Transport t) throws Exception {
        try (StreamFixture fx = new StreamFixture(t, 1 << 20, p -> p.addLast(new LineBasedFrameDecoder(1024)))) {
            Socket peer = fx.connect();
            IOStream stream = fx.nextStream();
            peer.getOutputStream().write(ascii("one\r\ntwo\n"));
            // the decoder strips the line endings; the stream sees "one" then "two"
            assertEquals("onetwo", str(get(stream.readBytes(6))));
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void readsFromAnotherThreadCompleteOnTheLoop(Transport t) throws Exception {
        try (StreamFixture fx = new StreamFixture(t)) {
            Socket peer = fx.connect();
            IOStream stream = fx.nextStream();
            assertSame(fx.loop, stream.ioLoop());
            assertEquals(peer.getLocalPort(), ((java.net.InetSocketAddress) stream.remoteAddress()).getPort());
            stream.setNodelay(true);
            assertTrue(stream.channel().config().getOption(io.netty.channel.ChannelOption.TCP_NODELAY));
            CompletableFuture<Boolean> onLoop = stream.readBytes(2).thenApply(b -> fx.loop.inLoop());
            peer.getOutputStream().write(ascii("hi"));
            assertTrue(get(onLoop));
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void aRecursiveReadLoopOverManyBufferedLinesDoesNotOverflowTheStack(Transport t) throws Exception {
        try (StreamFixture fx = new StreamFixture(t)) {
            Socket peer = fx.connect();
            IOStream stream = fx.nextStream();
            int lines = 20_000;
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < lines; i++) {
                sb.append(i).append('\n');
            }
            peer.getOutputStream().write(ascii(sb.toString()));
            Thread.sleep(100); // let it all be buffered
            CompletableFuture<Integer> done = new CompletableFuture<>();
            readLines(stream, 0, lines, done);
            assertEquals(lines, get(done));
        }
    }

    private static void readLines(IOStream stream, int seen, int total, CompletableFuture<Integer> done) {
        if (seen == total) {
            done.complete(seen);
            return;
        }
        stream.readUntil("\n").whenComplete((line, err) -> {
            if (err != null) {
                done.completeExceptionally(err);
            } else if (!str(line).equals(seen + "\n")) {
                done.completeExceptionally(new AssertionError("line " + seen + " was " + str(line)));
            } else {
                readLines(stream, seen + 1, total, done);
            }
        });
    }

    @org.junit.jupiter.api.Test
    void wrapRefusesAChannelThatIsNotOnAnIOLoop() {
        EmbeddedChannel ch = new EmbeddedChannel();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IOStream.wrap(ch));
        assertTrue(e.getMessage().contains("IOLoop"));
        ch.finishAndReleaseAll();
    }
}
