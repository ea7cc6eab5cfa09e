package io.tornadoj.websocket;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.CodecException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateClientExtensionHandshaker;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import io.netty.handler.codec.compression.ZlibCodecFactory;
import io.netty.util.ReferenceCountUtil;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.ioloop.PeriodicCallback;
import io.tornadoj.ioloop.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Tornado's {@code WebSocketProtocol13} for both ends, as the last handler of an upgraded channel after
 * Netty's frame codec, its UTF-8 validator and its frame aggregator: whole messages are handed to a
 * {@link Listener} one at a time (reading pauses while a message's stage is pending), pings are answered,
 * the close handshake is Tornado's (echo the peer's close; after sending ours, wait up to 5 s for the
 * peer's, then drop the connection), and periodic pings close a connection whose pongs stop. Loop thread
 * only.
 */
final class WebSocketProtocol extends ChannelInboundHandlerAdapter {
    static final String NAME = "tornado.websocket";
    private static final Logger GEN_LOG = LoggerFactory.getLogger("tornado.general");
    private static final Logger APP_LOG = LoggerFactory.getLogger("tornado.application");
    /** How long to wait for the peer's close frame after sending ours (Tornado's 5 seconds). */
    private static final double CLOSE_WAIT_SECONDS = 5;
    private static final int DEFAULT_COMPRESSION_LEVEL = 6;
    private static final int MAX_WINDOW_BITS = 15;

    /** What the protocol tells its owner (the handler, or the client connection). Loop thread. */
    interface Listener {
        /**
         * A whole message.
         *
         * @param message a String (text) or a byte[] (binary)
         * @return null, or a stage: no other message is delivered until it completes
         */
        CompletionStage<?> onMessage(Object message);

        /** @param data a ping's payload (the pong was sent) */
        void onPing(byte[] data);

        /** @param data a pong's payload */
        void onPong(byte[] data);

        /** The connection closed (called once). */
        void onClosed();
    }

    private final Channel channel;
    private final IOLoop loop;
    private final Listener listener;
    private final double pingInterval;
    private final double pingTimeout;
    /** Frames not handed on yet: before {@link #start()}, or behind a message whose stage is pending. */
    private final ArrayDeque<WebSocketFrame> inbox = new ArrayDeque<>();
    private boolean started;
    private boolean busy;
    /** We sent a close frame (Tornado's {@code server_terminated}). */
    private boolean closeSent;
    /** The peer sent a close frame (Tornado's {@code client_terminated}). */
    private boolean closeReceived;
    private boolean closed;
    private Integer closeCode;
    private String closeReason;
    private ChannelFuture closeWrite;
    private Timeout closeWait;
    private PeriodicCallback pinger;
    private double lastPing;
    private double lastPong;

    /**
     * @param channel      the upgraded channel
     * @param loop         its loop
     * @param listener     the owner
     * @param pingInterval seconds between pings, or null for none
     * @param pingTimeout  seconds without a pong before closing, or null for Tornado's
     *                     {@code max(3 * pingInterval, 30)}
     */
    WebSocketProtocol(Channel channel, IOLoop loop, Listener listener, Duration pingInterval, Duration pingTimeout) {
        this.channel = channel;
        this.loop = loop;
        this.listener = listener;
        this.pingInterval = pingInterval == null ? 0 : pingInterval.toNanos() / 1e9;
        this.pingTimeout = pingTimeout != null ? pingTimeout.toNanos() / 1e9 : Math.max(3 * this.pingInterval, 30);
    }

    /**
     * Tornado's compression options as Netty's permessage-deflate server handshaker.
     *
     * @param options {@code compression_level} (0–9, default 6) is honoured; {@code mem_level} is not (the
     *                JDK's zlib always uses 8)
     * @param maxSize the largest inflated frame
     */
    static PerMessageDeflateServerExtensionHandshaker serverDeflate(Map<String, Object> options, int maxSize) {
        return new PerMessageDeflateServerExtensionHandshaker(compressionLevel(options),
                ZlibCodecFactory.isSupportingWindowSizeAndMemLevel(), MAX_WINDOW_BITS, true, false, maxSize);
    }

    /**
     * Tornado's compression options as Netty's permessage-deflate client handshaker.
     *
     * @param options as {@link #serverDeflate}
     * @param maxSize the largest inflated frame
     */
    static PerMessageDeflateClientExtensionHandshaker clientDeflate(Map<String, Object> options, int maxSize) {
        return new PerMessageDeflateClientExtensionHandshaker(compressionLevel(options),
                ZlibCodecFactory.isSupportingWindowSizeAndMemLevel(), MAX_WINDOW_BITS, true, false, maxSize);
    }

    private static int compressionLevel(Map<String, Object> options) {
        Object level = options.get("compression_level");
        return level == null ? DEFAULT_COMPRESSION_LEVEL : ((Number) level).intValue();
    }

    /**
     * Adds Netty's UTF-8 validator and frame aggregator in front of this handler, which must be in the
     * pipeline already (after the frame decoder and any extension decoders).
     *
     * @param maxMessageSize the largest message; a bigger one closes with 1009
     */
    void addFrameHandlers(int maxMessageSize) {
        ChannelPipeline p = channel.pipeline();
        p.addBefore(NAME, "tornado.websocket.utf8", new Utf8FrameValidator(true));
        p.addBefore(NAME, "tornado.websocket.aggregator", new WebSocketFrameAggregator(maxMessageSize));
    }

    /** Starts the periodic pings, if configured. */
    void startPinging() {
        if (pingInterval > 0 && !closed) {
            lastPing = lastPong = loop.time();
            pinger = new PeriodicCallback(this::periodicPing, Duration.ofNanos((long) (pingInterval * 1e9)));
            pinger.start(loop);
        }
    }

    /** Starts delivering messages (the handler's {@code open} is done). */
    void start() {
        started = true;
        drain();
    }

    // ------------------------------------------------------------------ inbound

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closed || !(msg instanceof WebSocketFrame)) {
            ReferenceCountUtil.release(msg); // e.g. the upgrade request the server's extension handler saw
            return;
        }
        WebSocketFrame frame = (WebSocketFrame) msg;
        if (frame.rsv() != 0) {
            // a negotiated deflate's decoder clears RSV1 of the frames it inflated: any bit left is unnegotiated
            // (RFC 6455 §5.2); Netty's decoder lets them through whenever compression might be negotiated
            frame.release();
            protocolError("reserved bits set without a negotiated extension");
            return;
        }
        inbox.add(frame);
        drain();
    }

    private void drain() {
        WebSocketFrame frame;
        while (started && !busy && !closed && (frame = inbox.poll()) != null) {
            try {
                handle(frame);
            } finally {
                frame.release();
            }
        }
        if (!closed) {
            channel.config().setAutoRead(started && !busy && inbox.isEmpty());
        }
    }

    private void handle(WebSocketFrame frame) {
        if (frame instanceof TextWebSocketFrame) {
            deliver(frame.content().toString(StandardCharsets.UTF_8));
        } else if (frame instanceof BinaryWebSocketFrame) {
            deliver(ByteBufUtil.getBytes(frame.content()));
        } else if (frame instanceof PingWebSocketFrame) {
            byte[] data = ByteBufUtil.getBytes(frame.content());
            if (!closeSent) {
                channel.writeAndFlush(new PongWebSocketFrame(Unpooled.wrappedBuffer(data)));
            }
            callback(() -> listener.onPing(data));
        } else if (frame instanceof PongWebSocketFrame) {
            lastPong = loop.time();
            byte[] data = ByteBufUtil.getBytes(frame.content());
            callback(() -> listener.onPong(data));
        } else if (frame instanceof CloseWebSocketFrame) {
            CloseWebSocketFrame close = (CloseWebSocketFrame) frame;
            closeReceived = true;
            if (close.statusCode() != -1) {
                closeCode = close.statusCode();
                String reason = close.reasonText();
                closeReason = reason.isEmpty() ? null : reason;
            }
            close(closeCode, null); // echo the peer's code, as Tornado
        }
    }

    /** Hands a message on; a pending stage pauses delivery (and reading) until it completes. */
    private void deliver(Object message) {
        CompletionStage<?> stage;
        try {
            stage = listener.onMessage(message);
        } catch (Throwable t) {
            failed(t);
            return;
        }
        if (stage == null || stage instanceof CompletableFuture && ((CompletableFuture<?>) stage).isDone()
                && !((CompletableFuture<?>) stage).isCompletedExceptionally()) {
            return;
        }
        busy = true;
        stage.whenComplete((v, t) -> loop.addCallback(() -> {
            busy = false;
            if (t != null) {
                failed(t);
            } else {
                drain();
            }
        }));
    }

    private void callback(Runnable r) {
        try {
            r.run();
        } catch (Throwable t) {
            failed(t);
        }
    }

    /** A callback raised (or its stage failed): logged once, and the connection is dropped, as Tornado. */
    void failed(Throwable t) {
        APP_LOG.error("Uncaught exception in WebSocket connection from {}", channel.remoteAddress(), t);
        abort();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ctx.fireChannelInactive(); // the client's TCP stream, after this handler, releases its buffer
        if (closed) {
            return;
        }
        closed = true;
        cancelTimers();
        WebSocketFrame f;
        while ((f = inbox.poll()) != null) {
            f.release();
        }
        try {
            listener.onClosed();
        } catch (Throwable t) {
            APP_LOG.error("Exception in WebSocket close callback", t);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException || cause instanceof DecompressionException) {
            // a fragmented message over the limit (one big frame is refused by the decoder, below), or a
            // compressed one that inflates beyond it
            GEN_LOG.info("WebSocket message from {} too big: {}", channel.remoteAddress(), cause.getMessage());
            close(1009, "message too big");
            abortAfterClose();
        } else if (cause instanceof CorruptedWebSocketFrameException) {
            // Netty sent the close frame with its status (1002, 1007, 1009) and closes the channel once it
            // is written: a peer that stopped reading is dropped after the close wait
            GEN_LOG.info("WebSocket protocol error from {}: {}", channel.remoteAddress(), cause.getMessage());
            closeSent = true;
            waitForClose();
        } else if (cause instanceof CodecException) {
            protocolError(cause.toString());
        } else if (cause instanceof IOException) {
            GEN_LOG.debug("WebSocket connection error from {}: {}", channel.remoteAddress(), cause.toString());
            abort();
        } else {
            GEN_LOG.warn("WebSocket error on connection from {}", channel.remoteAddress(), cause);
            close(1011, null);
            abortAfterClose();
        }
    }

    /** The peer broke the protocol: logged once; close with 1002 and drop the connection. */
    private void protocolError(String what) {
        GEN_LOG.info("WebSocket protocol error from {}: {}", channel.remoteAddress(), what);
        close(1002, null);
        abortAfterClose();
    }

    // ------------------------------------------------------------------ outbound

    /** @return whether a close frame was sent or received, or the connection closed (Tornado's is_closing) */
    boolean isClosing() {
        return closed || closeSent || closeReceived;
    }

    /**
     * Sends a frame.
     *
     * @param frame the frame (released here when the connection is closing)
     * @return completes on the loop when written; fails with {@link WebSocketClosedError}
     */
    CompletableFuture<Void> write(WebSocketFrame frame) {
        if (isClosing()) {
            frame.release();
            return CompletableFuture.failedFuture(new WebSocketClosedError());
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        channel.writeAndFlush(frame).addListener(x -> {
            if (x.isSuccess()) {
                f.complete(null);
            } else {
                f.completeExceptionally(new WebSocketClosedError(x.cause()));
            }
        });
        return f;
    }

    /**
     * Sends a ping.
     *
     * @param data at most 125 bytes
     * @return as {@link #write}
     * @throws IllegalArgumentException when data is longer
     */
    CompletableFuture<Void> ping(byte[] data) {
        if (data.length > 125) {
            throw new IllegalArgumentException("ping data too long (" + data.length + " > 125 bytes)");
        }
        return write(new PingWebSocketFrame(Unpooled.wrappedBuffer(data)));
    }

    /**
     * Tornado's {@code close}: sends a close frame (once); closes the connection now if the peer's close
     * frame arrived, else after waiting up to 5 seconds for it.
     *
     * @param code   the status, or null (then none is sent unless there is a reason: 1000)
     * @param reason the reason, or null
     * @throws IllegalArgumentException for a status a close frame cannot carry
     */
    void close(Integer code, String reason) {
        if (!closeSent && channel.isActive()) {
            if (code == null && reason != null) {
                code = 1000;
            }
            CloseWebSocketFrame frame = code == null ? new CloseWebSocketFrame() : new CloseWebSocketFrame(code, reason);
            closeWrite = channel.writeAndFlush(frame);
            closeSent = true;
        }
        if (closeReceived) {
            abortAfterClose();
        } else {
            waitForClose();
        }
    }

    /** Drops the connection after the close wait, unless it closes before (Tornado's {@code _waiting}). */
    private void waitForClose() {
        if (closeWait == null && !closed) {
            closeWait = loop.callLater(CLOSE_WAIT_SECONDS, this::abort);
        }
    }

    /**
     * Closes the connection once our close frame (if any) is written, or after the close wait when a peer
     * that stopped reading keeps it from being written.
     */
    private void abortAfterClose() {
        closeSent = closeReceived = true;
        if (closeWrite != null && !closeWrite.isDone()) {
            closeWrite.addListener(ChannelFutureListener.CLOSE);
            waitForClose();
        } else {
            channel.close();
        }
    }

    /** Tornado's {@code _abort}: drops the connection now. */
    private void abort() {
        closeSent = closeReceived = true;
        channel.close();
    }

    private void periodicPing() {
        if (isClosing()) {
            cancelTimers();
            return;
        }
        double now = loop.time();
        // as Tornado: the first ping after a pause (e.g. a blocked loop) does not count against the peer
        if (now - lastPing < 2 * pingInterval && now - lastPong > pingTimeout) {
            GEN_LOG.info("WebSocket ping timeout ({} s) on connection from {}", pingTimeout, channel.remoteAddress());
            close(null, null);
            return;
        }
        ping(new byte[0]);
        lastPing = now;
    }

    private void cancelTimers() {
        if (pinger != null) {
            pinger.stop();
            pinger = null;
        }
        if (closeWait != null) {
            closeWait.cancel();
            closeWait = null;
        }
    }

    /** @return the peer's close status, or null */
    Integer closeCode() {
        return closeCode;
    }

    /** @return the peer's close reason, or null */
    String closeReason() {
        return closeReason;
    }

    /** @return the channel */
    Channel channel() {
        return channel;
    }
}
