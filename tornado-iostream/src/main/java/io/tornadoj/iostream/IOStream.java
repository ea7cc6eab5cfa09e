package io.tornadoj.iostream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.tornadoj.internal.Loops;
import io.tornadoj.ioloop.IOLoop;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * Tornado's {@code IOStream} over one Netty {@link Channel}. A handler at the tail of the channel's
 * pipeline buffers what arrives (a composite buffer: no copy per chunk) and completes the pending read.
 * At most one read may be pending: a second raises {@link IllegalStateException} when called on the loop
 * thread; called from another thread it hops onto the loop, so its future fails with that exception instead.
 * Any number of writes may be queued.
 *
 * <p>Backpressure: when {@link Options#maxBufferSize()} bytes are buffered and no read wants them, the
 * stream stops reading from the socket ({@code autoRead} off) and resumes once reads drain the buffer.
 * Only a single read that cannot be satisfied within the limit fails, with {@link StreamBufferFullError},
 * and closes the stream.
 *
 * <p>Threading: futures complete on the loop thread (the channel's event loop, which belongs to an
 * {@link IOLoop}). Every method may be called from any thread; calls from elsewhere hop onto the loop.
 * A read the buffer already satisfies completes at once (the continuation runs inline); after 32 such
 * reads without the event loop coming back, the next one completes from a Netty task instead (no I/O
 * poll in between), so read loops written as recursive chains cannot overflow the stack.
 */
public class IOStream implements AutoCloseable {
    private static final int MAX_INLINE_READS = 32;
    private static final String HANDLER_NAME = "tornado.iostream";

    private final Channel channel;
    private final IOLoop loop;
    private final Options options;
    private final Handler handler = new Handler();
    private ByteBuf buffer;
    private PendingRead pending;
    private boolean closed;
    private Throwable error;
    private Runnable closeCallback;
    private boolean paused;
    private long pendingWriteBytes;
    private boolean inReadLoop;
    private boolean flushNeeded;
    /** Reads started since the event loop last entered this stream; bounds inline completions. */
    private int readsSinceEntry;

    /**
     * Tornado's stream options. Immutable; {@link #builder()} makes one.
     */
    public static final class Options {
        private static final Options DEFAULTS = builder().build();
        private final int maxBufferSize;
        private final int maxWriteBufferSize;
        private final int readChunkSize;

        private Options(Builder b) {
            this.maxBufferSize = b.maxBufferSize;
            this.maxWriteBufferSize = b.maxWriteBufferSize;
            this.readChunkSize = b.readChunkSize;
        }

        /**
         * A builder with Tornado's defaults.
         *
         * @return a new builder
         */
        public static Builder builder() {
            return new Builder();
        }

        /**
         * The defaults: 100 MiB read buffer, unbounded write buffer, 64 KiB read chunks.
         *
         * @return the default options
         */
        public static Options defaults() {
            return DEFAULTS;
        }

        /** @return the most bytes buffered for reading (default 100 MiB) */
        public int maxBufferSize() {
            return maxBufferSize;
        }

        /** @return the most bytes queued for writing; {@link Integer#MAX_VALUE} means unbounded (the default) */
        public int maxWriteBufferSize() {
            return maxWriteBufferSize;
        }

        /** @return the largest chunk read from the socket at once (default 64 KiB) */
        public int readChunkSize() {
            return readChunkSize;
        }

        /** Builds {@link Options}. Not thread-safe. */
        public static final class Builder {
            private int maxBufferSize = 100 * 1024 * 1024;
            private int maxWriteBufferSize = Integer.MAX_VALUE;
            private int readChunkSize = 64 * 1024;

            private Builder() {
            }

            /**
             * @param v the most bytes buffered for reading; a read needing more fails with
             *          {@link StreamBufferFullError}
             * @return this
             */
            public Builder maxBufferSize(int v) {
                if (v <= 0) {
                    throw new IllegalArgumentException("maxBufferSize must be positive");
                }
                maxBufferSize = v;
                return this;
            }

            /**
             * @param v the most bytes queued for writing; a write beyond fails with {@link StreamBufferFullError}
             * @return this
             */
            public Builder maxWriteBufferSize(int v) {
                if (v <= 0) {
                    throw new IllegalArgumentException("maxWriteBufferSize must be positive");
                }
                maxWriteBufferSize = v;
                return this;
            }

            /**
             * @param v the largest chunk read from the socket at once
             * @return this
             */
            public Builder readChunkSize(int v) {
                if (v < 64) {
                    throw new IllegalArgumentException("readChunkSize must be at least 64");
                }
                readChunkSize = v;
                return this;
            }

            /** @return the options */
            public Options build() {
                return new Options(this);
            }
        }
    }

    /**
     * Creates a stream over a channel and adds its handler at the tail of the pipeline. Used by
     * {@link #wrap(Channel, Options)}, the TCP server and the TCP client.
     *
     * @param channel an active channel on an IOLoop's event loop
     * @param options the options
     */
    protected IOStream(Channel channel, Options options) {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.options = Objects.requireNonNull(options, "options");
        IOLoop owner = Loops.of(channel.eventLoop());
        if (owner == null) {
            throw new IllegalArgumentException("The channel is not registered on an IOLoop's event loop; "
                    + "register it on ioLoop.eventLoop()");
        }
        this.loop = owner;
        this.buffer = channel.alloc().compositeBuffer(Integer.MAX_VALUE);
        int chunk = options.readChunkSize();
        channel.config().setRecvByteBufAllocator(new AdaptiveRecvByteBufAllocator(64, Math.min(2048, chunk), chunk)
                .maxMessagesPerRead(channel.metadata().defaultMaxMessagesPerRead()));
        Runnable attach = () -> channel.pipeline().addLast(HANDLER_NAME, handler);
        if (channel.eventLoop().inEventLoop()) {
            attach.run();
        } else {
            channel.eventLoop().submit(attach).syncUninterruptibly();
        }
    }

    /**
     * Adopts an active Netty channel registered on an IOLoop's event loop: the stream's handler is added
     * to the tail of its pipeline, after any handlers already there. Any thread.
     *
     * @param ch the channel
     * @return the stream
     * @throws IllegalArgumentException when the channel is not on an IOLoop
     */
    public static IOStream wrap(Channel ch) {
        return wrap(ch, Options.defaults());
    }

    /**
     * As {@link #wrap(Channel)} with options.
     *
     * @param ch      the channel
     * @param options the stream options
     * @return the stream
     */
    public static IOStream wrap(Channel ch, Options options) {
        return new IOStream(ch, options);
    }

    // ------------------------------------------------------------------ accessors

    /** @return the Netty channel under this stream (any thread) */
    public Channel channel() {
        return channel;
    }

    /** @return the loop this stream's callbacks and futures run on (any thread) */
    public IOLoop ioLoop() {
        return loop;
    }

    /** @return the peer's address, or null when not connected (any thread) */
    public SocketAddress remoteAddress() {
        return channel.remoteAddress();
    }

    /** @return whether the stream is closed (loop thread for an exact answer) */
    public boolean closed() {
        return closed;
    }

    /** @return whether a read is pending (loop thread) */
    public boolean reading() {
        return pending != null;
    }

    /** @return whether written bytes are still waiting to reach the socket (loop thread) */
    public boolean writing() {
        return pendingWriteBytes > 0;
    }

    /** Bytes buffered for reading (for tests). Loop thread. */
    int bufferedBytes() {
        return buffer.readableBytes();
    }

    /** @return why the stream closed, or null (after an orderly close, or while open) */
    public Throwable error() {
        return error;
    }

    /**
     * Sets TCP_NODELAY. Any thread.
     *
     * @param value true to send small writes at once
     */
    public void setNodelay(boolean value) {
        channel.config().setOption(ChannelOption.TCP_NODELAY, value);
    }

    /**
     * Runs once, on the loop, after the stream closes (at once if it already has). Any thread.
     *
     * @param callback what to run; null removes it
     */
    public void setCloseCallback(Runnable callback) {
        onLoop(() -> {
            closeCallback = callback;
            if (closed) {
                runCloseCallback();
            }
        });
    }

    // ------------------------------------------------------------------ reads

    /**
     * Reads up to and including the delimiter. Any thread.
     *
     * @param delimiter the delimiter bytes
     * @return the bytes read
     */
    public CompletableFuture<byte[]> readUntil(byte[] delimiter) {
        return readUntil(delimiter, -1);
    }

    /**
     * Reads up to and including the delimiter (ISO-8859-1). Any thread.
     *
     * @param delimiter the delimiter, e.g. {@code "\r\n\r\n"}
     * @return the bytes read
     */
    public CompletableFuture<byte[]> readUntil(String delimiter) {
        return readUntil(delimiter.getBytes(StandardCharsets.ISO_8859_1), -1);
    }

    /**
     * Reads up to and including the delimiter, failing with {@link UnsatisfiableReadError} (and closing
     * the stream) when it is not found within {@code maxBytes}. Any thread.
     *
     * @param delimiter the delimiter bytes
     * @param maxBytes  the longest acceptable result; negative for no limit
     * @return the bytes read
     */
    public CompletableFuture<byte[]> readUntil(byte[] delimiter, int maxBytes) {
        return startRead(PendingRead.until(delimiter, maxBytes));
    }

    /**
     * As {@link #readUntil(byte[], int)} with an ISO-8859-1 delimiter. Any thread.
     *
     * @param delimiter the delimiter
     * @param maxBytes  the longest acceptable result; negative for no limit
     * @return the bytes read
     */
    public CompletableFuture<byte[]> readUntil(String delimiter, int maxBytes) {
        return readUntil(delimiter.getBytes(StandardCharsets.ISO_8859_1), maxBytes);
    }

    /**
     * Reads up to and including the end of the first match of a regex run over the bytes as ISO-8859-1
     * characters. Any thread.
     *
     * @param pattern the regex
     * @return the bytes read
     */
    public CompletableFuture<byte[]> readUntilRegex(Pattern pattern) {
        return readUntilRegex(pattern, -1);
    }

    /**
     * As {@link #readUntilRegex(Pattern)}, failing with {@link UnsatisfiableReadError} (and closing) when
     * there is no match within {@code maxBytes}. Any thread.
     *
     * @param pattern  the regex
     * @param maxBytes the longest acceptable result; negative for no limit
     * @return the bytes read
     */
    public CompletableFuture<byte[]> readUntilRegex(Pattern pattern, int maxBytes) {
        return startRead(PendingRead.regex(Objects.requireNonNull(pattern, "pattern"), maxBytes));
    }

    /**
     * As {@link #readUntilRegex(Pattern)} with a regex string. Any thread.
     *
     * @param regex the regex
     * @return the bytes read
     */
    public CompletableFuture<byte[]> readUntilRegex(String regex) {
        return readUntilRegex(Pattern.compile(regex));
    }

    /**
     * Reads exactly {@code n} bytes. Any thread.
     *
     * @param n the count
     * @return the bytes
     */
    public CompletableFuture<byte[]> readBytes(int n) {
        return readBytes(n, false);
    }

    /**
     * Reads {@code n} bytes, or with {@code partial} whatever is available (at least 1, at most n).
     * Any thread.
     *
     * @param n       the count
     * @param partial accept fewer bytes
     * @return the bytes
     */
    public CompletableFuture<byte[]> readBytes(int n, boolean partial) {
        return startRead(PendingRead.bytes(n, partial));
    }

    /**
     * Fills the array. Any thread (the array is written on the loop thread).
     *
     * @param buf the destination
     * @return the number of bytes written into it
     */
    public CompletableFuture<Integer> readInto(byte[] buf) {
        return readInto(buf, false);
    }

    /**
     * Fills the array, or with {@code partial} its beginning with what is available (at least 1 byte).
     * Any thread.
     *
     * @param buf     the destination
     * @param partial accept fewer bytes
     * @return the number of bytes written into it
     */
    public CompletableFuture<Integer> readInto(byte[] buf, boolean partial) {
        return startRead(PendingRead.into(Objects.requireNonNull(buf, "buf"), partial));
    }

    /**
     * Reads everything until the peer closes. Any thread.
     *
     * @return all remaining bytes
     */
    public CompletableFuture<byte[]> readUntilClose() {
        return startRead(PendingRead.untilClose());
    }

    @SuppressWarnings("unchecked")
    private <T> CompletableFuture<T> startRead(PendingRead read) {
        if (channel.eventLoop().inEventLoop() && pending != null) {
            throw new IllegalStateException("Already reading"); // as Tornado, at once (from elsewhere: below)
        }
        onLoop(() -> {
            if (pending != null) {
                read.future.completeExceptionally(new IllegalStateException("Already reading"));
                return;
            }
            pending = read;
            if (read.exceeds(options.maxBufferSize())) {
                pending = null;
                StreamBufferFullError full = new StreamBufferFullError("A read of " + read.size()
                        + " bytes cannot fit in maxBufferSize (" + options.maxBufferSize() + " bytes)");
                read.future.completeExceptionally(full);
                closeOnLoop(full);
            } else if (++readsSinceEntry > MAX_INLINE_READS) {
                readsSinceEntry = 0;
                channel.eventLoop().execute(this::readFromBuffer); // unwinds the caller's stack first
            } else {
                readFromBuffer();
            }
        });
        return (CompletableFuture<T>) (CompletableFuture<?>) read.future;
    }

    /** Satisfies the pending read from the buffer if possible; handles EOF and the buffer limit. */
    private void readFromBuffer() {
        PendingRead read = pending;
        if (read == null) {
            return;
        }
        int n;
        try {
            n = read.satisfiedBy(buffer, closed);
        } catch (UnsatisfiableReadError e) {
            pending = null;
            read.future.completeExceptionally(e);
            close(e);
            return;
        }
        if (n >= 0) {
            pending = null;
            read.future.complete(take(read, n));
            return;
        }
        if (closed) {
            pending = null;
            read.future.completeExceptionally(new StreamClosedError(error));
        } else if (buffer.readableBytes() >= options.maxBufferSize()) {
            pending = null;
            StreamBufferFullError full = new StreamBufferFullError(
                    "Reached maximum read buffer size of " + options.maxBufferSize() + " bytes");
            read.future.completeExceptionally(full);
            close(full);
        } else {
            resumeIfPaused();
        }
    }

    private Object take(PendingRead read, int n) {
        Object result;
        if (read.kind == PendingRead.Kind.INTO) {
            buffer.readBytes(read.into, 0, n);
            result = n;
        } else {
            byte[] bytes = new byte[n];
            buffer.readBytes(bytes);
            result = bytes;
        }
        read.bufferConsumed();
        if (buffer instanceof CompositeByteBuf) {
            ((CompositeByteBuf) buffer).discardReadComponents();
        }
        resumeIfPaused();
        return result;
    }

    private void resumeIfPaused() {
        if (paused && !closed && buffer.readableBytes() < options.maxBufferSize()) {
            paused = false;
            channel.config().setAutoRead(true);
        }
    }

    // ------------------------------------------------------------------ writes

    /**
     * Queues bytes for writing. Any thread.
     *
     * @param data the bytes (not copied: do not change them until the future completes)
     * @return completes when the bytes reached the socket; fails with {@link StreamClosedError} if the
     *         stream closes first, {@link StreamBufferFullError} beyond {@code maxWriteBufferSize}
     */
    public CompletableFuture<Void> write(byte[] data) {
        return write(Unpooled.wrappedBuffer(data));
    }

    /**
     * Queues a string, encoded as UTF-8. Any thread.
     *
     * @param data the text
     * @return as {@link #write(byte[])}
     */
    public CompletableFuture<Void> write(String data) {
        return write(data.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Queues a buffer for writing, zero-copy. The stream takes ownership of the buffer and releases it.
     * Any thread.
     *
     * @param data the bytes
     * @return as {@link #write(byte[])}
     */
    public CompletableFuture<Void> write(ByteBuf data) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (channel.eventLoop().inEventLoop()) {
            doWrite(data, f);
        } else {
            channel.eventLoop().execute(() -> doWrite(data, f));
        }
        return f;
    }

    private void doWrite(ByteBuf data, CompletableFuture<Void> f) {
        if (closed) {
            data.release();
            f.completeExceptionally(new StreamClosedError(error));
            return;
        }
        int len = data.readableBytes();
        if (pendingWriteBytes + len > options.maxWriteBufferSize()) {
            data.release();
            f.completeExceptionally(new StreamBufferFullError(
                    "Reached maximum write buffer size of " + options.maxWriteBufferSize() + " bytes"));
            return;
        }
        pendingWriteBytes += len;
        ChannelFuture cf;
        if (inReadLoop) {
            cf = channel.write(data); // flushed once at channelReadComplete, like Netty's own echo handlers
            flushNeeded = true;
        } else {
            cf = channel.writeAndFlush(data);
        }
        cf.addListener(done -> {
            pendingWriteBytes -= len;
            if (done.isSuccess()) {
                f.complete(null);
            } else if (closed || !channel.isActive()) {
                f.completeExceptionally(new StreamClosedError(error != null ? error : done.cause()));
            } else {
                f.completeExceptionally(done.cause());
            }
        });
    }

    // ------------------------------------------------------------------ close

    /** Closes the stream (orderly). Idempotent. Any thread. */
    @Override
    public void close() {
        close(null);
    }

    /**
     * Closes the stream, recording why. A pending read the buffered data satisfies completes first; any
     * other fails with {@link StreamClosedError} carrying {@code error}. Idempotent. Any thread.
     *
     * @param cause why, or null for an orderly close
     */
    public void close(Throwable cause) {
        onLoop(() -> closeOnLoop(cause));
    }

    private void closeOnLoop(Throwable cause) {
        if (closed) {
            return;
        }
        closed = true;
        if (cause != null && error == null) {
            error = cause;
        }
        paused = false;
        // Keep what was buffered readable after the close, without holding a pooled buffer.
        ByteBuf old = buffer;
        buffer = old.isReadable() ? Unpooled.wrappedBuffer(io.netty.buffer.ByteBufUtil.getBytes(old)) : Unpooled.EMPTY_BUFFER;
        old.release();
        readFromBuffer();
        if (channel.isOpen()) {
            channel.close();
        }
        runCloseCallback();
    }

    private void runCloseCallback() {
        Runnable cb = closeCallback;
        if (cb != null) {
            closeCallback = null;
            loop.addCallback(cb);
        }
    }

    // ------------------------------------------------------------------ TLS

    /**
     * Upgrades the connection to TLS in place: an {@link SslHandler} is added at the front of the pipeline
     * (next to the socket) and, once
     * the handshake succeeds, the future completes with a new stream over the same channel. This stream
     * must not be used afterwards. There must be no pending read or write and nothing buffered. Any
     * thread.
     *
     * @param serverSide     whether this end is the TLS server
     * @param ctx            the TLS context
     * @param serverHostname for clients: the name sent as SNI and checked against the certificate
     *                       (when the context verifies endpoints, Netty 4.2's default); may be null
     * @return the new stream; fails with the handshake error (and the connection is closed)
     */
    public CompletableFuture<IOStream> startTls(boolean serverSide, SslContext ctx, String serverHostname) {
        Objects.requireNonNull(ctx, "ctx");
        CompletableFuture<IOStream> result = new CompletableFuture<>();
        onLoop(() -> {
            if (closed || pending != null || writing() || buffer.isReadable()) {
                result.completeExceptionally(new IllegalStateException(
                        "startTls needs an open, idle stream with nothing buffered"));
                return;
            }
            ChannelPipeline p = channel.pipeline();
            closed = true;
            p.remove(handler);
            buffer.release();
            buffer = Unpooled.EMPTY_BUFFER;
            SslHandler ssl;
            if (serverSide) {
                ssl = ctx.newHandler(channel.alloc());
            } else {
                int port = remoteAddress() instanceof InetSocketAddress ? ((InetSocketAddress) remoteAddress()).getPort() : -1;
                ssl = serverHostname == null ? ctx.newHandler(channel.alloc())
                        : ctx.newHandler(channel.alloc(), serverHostname, port);
            }
            p.addFirst(ssl); // TLS sits next to the socket, before any handlers already there
            IOStream upgraded = new IOStream(channel, options);
            ssl.handshakeFuture().addListener(hs -> {
                if (hs.isSuccess()) {
                    result.complete(upgraded);
                } else {
                    upgraded.close(hs.cause());
                    result.completeExceptionally(hs.cause());
                }
            });
        });
        return result;
    }

    // ------------------------------------------------------------------ plumbing

    private void onLoop(Runnable r) {
        if (channel.eventLoop().inEventLoop()) {
            r.run();
        } else {
            channel.eventLoop().execute(r);
        }
    }

    @Override
    public String toString() {
        return "IOStream(" + channel + (closed ? ", closed" : "") + ")";
    }

    /** The tail handler: buffers inbound bytes and drives the pending read. Loop thread. */
    private final class Handler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (closed) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (!(msg instanceof ByteBuf)) {
                ReferenceCountUtil.release(msg);
                closeOnLoop(new IllegalArgumentException("IOStream received a " + msg.getClass().getName()
                        + "; the handlers before it must pass ByteBufs"));
                return;
            }
            inReadLoop = true;
            readsSinceEntry = 0;
            ((CompositeByteBuf) buffer).addComponent(true, (ByteBuf) msg);
            readFromBuffer();
            if (!closed && pending == null && buffer.readableBytes() >= options.maxBufferSize() && !paused) {
                paused = true;
                channel.config().setAutoRead(false);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            inReadLoop = false;
            if (flushNeeded) {
                flushNeeded = false;
                ctx.flush();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            inReadLoop = false;
            closeOnLoop(null);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            closeOnLoop(cause);
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            if (!closed) {
                closeOnLoop(null);
            }
        }
    }
}
