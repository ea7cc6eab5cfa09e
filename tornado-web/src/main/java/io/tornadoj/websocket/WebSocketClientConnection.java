package io.tornadoj.websocket;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.ssl.SslContext;
import io.tornadoj.httputil.HTTPHeaders;
import io.tornadoj.internal.Seconds;
import io.tornadoj.gen.Gen;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.ioloop.Timeout;
import io.tornadoj.queues.Queue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Tornado's {@code WebSocketClientConnection}: the client end of a WebSocket, made by
 * {@link WebSocket#connect}. Messages are read with {@link #readMessage()} (one is buffered; then the
 * connection stops reading until it is taken), written with {@code writeMessage}. Pings are answered
 * automatically. Loop thread: call its methods on the loop that connected it; its futures complete there.
 */
public final class WebSocketClientConnection {
    static final String HTTP_CODEC = "tornado.websocket.http";
    static final String HTTP_AGGREGATOR = "tornado.websocket.http-aggregator";
    static final String EXTENSIONS = "tornado.websocket.extensions";
    private static final String HANDSHAKE = "tornado.websocket.handshake";
    /** Put in the read queue when the connection closes: readMessage() then yields null. */
    private static final Object CLOSED = new Object();

    private final IOLoop loop;
    private final WebSocketClientHandshaker handshaker;
    private final Options options;
    private final CompletableFuture<WebSocketClientConnection> connected = new CompletableFuture<>();
    /** As Tornado: a queue of one message; the connection stops reading while it is full. */
    private final Queue<Object> messages = new Queue<>(1);
    private WebSocketProtocol protocol;
    /** The connected channel, which the request timeout closes while the handshake is not done. */
    private Channel handshaking;
    private Timeout requestTimer;

    WebSocketClientConnection(IOLoop loop, WebSocketClientHandshaker handshaker, Options options) {
        this.loop = loop;
        this.handshaker = handshaker;
        this.options = options;
    }

    /** @return completes when the handshake succeeded, or failed */
    CompletableFuture<WebSocketClientConnection> connected() {
        return connected;
    }

    /**
     * Starts the {@link Options#requestTimeout()} timer: when the connection and the handshake are not done
     * by then, {@link #connected()} fails with a {@link TimeoutException} and the connection is closed.
     */
    void startRequestTimeout() {
        Duration limit = options.requestTimeout();
        if (limit != null) {
            requestTimer = loop.callLater(limit, () -> {
                if (handshaking != null) {
                    handshaking.close();
                }
                connected.completeExceptionally(new TimeoutException(
                        "WebSocket handshake timed out after " + limit.toMillis() / 1000.0 + " s"));
            });
            connected.whenComplete((c, t) -> requestTimer.cancel());
        }
    }

    /** The TCP (and TLS) connection failed. */
    void connectFailed(Throwable t) {
        connected.completeExceptionally(t);
    }

    /** Sends the upgrade request on a connected channel; its response completes {@link #connected()}. */
    void handshake(Channel channel) {
        if (connected.isDone()) { // timed out meanwhile
            channel.close();
            return;
        }
        handshaking = channel;
        ChannelPipeline p = channel.pipeline();
        p.addAfter(p.get(EXTENSIONS) != null ? EXTENSIONS : HTTP_AGGREGATOR, HANDSHAKE, new Handshake());
        handshaker.handshake(channel).addListener(f -> {
            if (!f.isSuccess()) {
                handshakeFailed(channel, new WebSocketError("cannot send the WebSocket handshake", f.cause()));
            }
        });
    }

    private void handshakeFailed(Channel channel, Throwable error) {
        channel.close();
        connected.completeExceptionally(error);
    }

    /** Reads the upgrade response, then puts the WebSocket protocol in its place. */
    private final class Handshake extends SimpleChannelInboundHandler<FullHttpResponse> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            Channel channel = ctx.channel();
            int code = response.status().code();
            if (code != 101) {
                handshakeFailed(channel, new WebSocketHandshakeError(code, response.status().reasonPhrase(), null));
                return;
            }
            try {
                handshaker.finishHandshake(channel, response); // the codec leaves, the frame decoder comes
            } catch (WebSocketHandshakeException e) {
                handshakeFailed(channel, new WebSocketHandshakeError(code, e.getMessage(), e));
                return;
            }
            protocol = new WebSocketProtocol(channel, loop, new Listener(), options.pingInterval(),
                    options.pingTimeout());
            ctx.pipeline().replace(this, WebSocketProtocol.NAME, protocol);
            protocol.addFrameHandlers(options.maxMessageSize());
            protocol.startPinging();
            protocol.start();
            connected.complete(WebSocketClientConnection.this);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            connected.completeExceptionally(new WebSocketError("connection closed during the WebSocket handshake"));
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            handshakeFailed(ctx.channel(), new WebSocketError("WebSocket handshake failed", cause));
        }
    }

    /** Queues the protocol's messages for {@link #readMessage()}. */
    private final class Listener implements WebSocketProtocol.Listener {
        @Override
        public CompletionStage<?> onMessage(Object message) {
            return messages.put(message);
        }

        @Override
        public void onPing(byte[] data) {
        }

        @Override
        public void onPong(byte[] data) {
        }

        @Override
        public void onClosed() {
            messages.put(CLOSED);
        }
    }

    // ------------------------------------------------------------------ API

    /**
     * Reads the next message (Tornado's {@code read_message}). Any thread (the queue is read on the loop).
     *
     * @return completes on the loop with a String (text), a byte[] (binary), or null once the connection is
     *         closed and the messages received before were read
     */
    public CompletableFuture<Object> readMessage() {
        return onLoop(() -> messages.get().thenApply(m -> {
            if (m != CLOSED) {
                return m;
            }
            messages.putNowait(CLOSED); // every later read also sees the end
            return null;
        }));
    }

    /**
     * Runs a loop-confined operation (the message queue, the protocol's state) on the loop: at once when
     * called there, else through {@code addCallback}, the outcome relayed to the returned future.
     */
    private <T> CompletableFuture<T> onLoop(Supplier<CompletableFuture<T>> op) {
        if (loop.inLoop()) {
            return op.get();
        }
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.addCallback(() -> {
            try {
                Gen.chainFuture(op.get(), f);
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    /**
     * Sends a text message.
     *
     * @param message the text
     * @return completes on the loop when written; fails with {@link WebSocketClosedError} when the
     *         connection is closed or closing
     */
    public CompletableFuture<Void> writeMessage(String message) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        return onLoop(() -> protocol.write(new TextWebSocketFrame(Unpooled.wrappedBuffer(bytes))));
    }

    /**
     * Sends a binary message.
     *
     * @param message the bytes
     * @return as {@link #writeMessage(String)}
     */
    public CompletableFuture<Void> writeMessage(byte[] message) {
        return onLoop(() -> protocol.write(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(message))));
    }

    /**
     * Sends a ping (the server's pong is not surfaced).
     *
     * @param data at most 125 bytes
     * @return as {@link #writeMessage(String)}
     * @throws IllegalArgumentException when data is longer than 125 bytes
     */
    public CompletableFuture<Void> ping(byte[] data) {
        return protocol.ping(data);
    }

    /** Closes without a status (as {@link #close(int, String)} otherwise). */
    public void close() {
        protocol.close(null, null);
    }

    /**
     * Starts the close handshake: sends a close frame; the connection closes when the server answers (or
     * after 5 seconds), and {@link #readMessage()} then yields null.
     *
     * @param code   the status
     * @param reason a short text, or null
     * @throws IllegalArgumentException for a status a close frame cannot carry
     */
    public void close(int code, String reason) {
        protocol.close(code, reason);
    }

    /** @return the status of the server's close frame, or null (open, or closed without one) */
    public Integer closeCode() {
        return protocol.closeCode();
    }

    /** @return the reason of the server's close frame, or null */
    public String closeReason() {
        return protocol.closeReason();
    }

    /** @return the subprotocol the server selected, or null */
    public String selectedSubprotocol() {
        String s = handshaker.actualSubprotocol();
        return s == null || s.isEmpty() ? null : s;
    }

    /** @return the Netty channel (pipeline customization, addresses) */
    public Channel channel() {
        return protocol.channel();
    }

    // ------------------------------------------------------------------ options

    /**
     * Options of {@link WebSocket#connect(String, Options)} (Tornado's {@code websocket_connect} arguments).
     * Immutable; build with {@link #builder()}.
     */
    public static final class Options {
        private static final Options DEFAULTS = builder().build();

        private final HTTPHeaders headers;
        private final List<String> subprotocols;
        private final Duration connectTimeout;
        private final Duration requestTimeout;
        private final SslContext sslContext;
        private final boolean validateCert;
        private final Map<String, Object> compressionOptions;
        private final int maxMessageSize;
        private final Duration pingInterval;
        private final Duration pingTimeout;

        private Options(Builder b) {
            headers = b.headers == null ? null : b.headers.copy();
            subprotocols = List.copyOf(b.subprotocols);
            connectTimeout = b.connectTimeout;
            requestTimeout = b.requestTimeout;
            sslContext = b.sslContext;
            validateCert = b.validateCert;
            compressionOptions = b.compressionOptions == null ? null : Map.copyOf(b.compressionOptions);
            maxMessageSize = b.maxMessageSize;
            pingInterval = b.pingInterval;
            pingTimeout = b.pingTimeout;
        }

        /** @return a builder with Tornado's defaults */
        public static Builder builder() {
            return new Builder();
        }

        /** @return the default options */
        public static Options defaults() {
            return DEFAULTS;
        }

        /** @return extra request headers, or null */
        public HTTPHeaders headers() {
            return headers == null ? null : headers.copy();
        }

        /** @return the subprotocols offered, in order (empty: none) */
        public List<String> subprotocols() {
            return subprotocols;
        }

        /** @return the limit for the TCP connection and TLS handshake (default 20 s), or null for none */
        public Duration connectTimeout() {
            return connectTimeout;
        }

        /**
         * @return the limit for the whole connection: TCP, TLS and the WebSocket handshake up to the server's
         *         {@code 101} (Tornado's {@code request_timeout}, default 20 s), or null for none
         */
        public Duration requestTimeout() {
            return requestTimeout;
        }

        /** @return the TLS context for wss://, or null for one made from {@link #validateCert()} */
        public SslContext sslContext() {
            return sslContext;
        }

        /** @return whether wss:// checks the server's certificate and name (default true) */
        public boolean validateCert() {
            return validateCert;
        }

        /**
         * @return null (default: no compression), or Tornado's compression options: permessage-deflate is
         *         offered; {@code compression_level} (0–9) is honoured
         */
        public Map<String, Object> compressionOptions() {
            return compressionOptions;
        }

        /** @return the largest message accepted (default 10 MiB); a bigger one closes with 1009 */
        public int maxMessageSize() {
            return maxMessageSize;
        }

        /** @return the interval of periodic pings, or null for none */
        public Duration pingInterval() {
            return pingInterval;
        }

        /** @return how long without a pong closes the connection, or null for max(3 × interval, 30 s) */
        public Duration pingTimeout() {
            return pingTimeout;
        }

        /** Builds {@link Options}. Not thread-safe. */
        public static final class Builder {
            private HTTPHeaders headers;
            private List<String> subprotocols = List.of();
            private Duration connectTimeout = Duration.ofSeconds(20);
            private Duration requestTimeout = Duration.ofSeconds(20);
            private SslContext sslContext;
            private boolean validateCert = true;
            private Map<String, Object> compressionOptions;
            private int maxMessageSize = 10 * 1024 * 1024;
            private Duration pingInterval;
            private Duration pingTimeout;

            private Builder() {
            }

            /** @param v extra request headers (e.g. Origin, cookies, authorization) @return this */
            public Builder headers(HTTPHeaders v) {
                headers = v;
                return this;
            }

            /** @param v the subprotocols to offer, in order of preference @return this */
            public Builder subprotocols(List<String> v) {
                subprotocols = v;
                return this;
            }

            /** @param v the connect limit, or null for none @return this */
            public Builder connectTimeout(Duration v) {
                connectTimeout = v;
                return this;
            }

            /** @param seconds the connect limit @return this */
            public Builder connectTimeout(double seconds) {
                return connectTimeout(Seconds.toDuration(seconds));
            }

            /** @param v the limit for the connection and the handshake, or null for none @return this */
            public Builder requestTimeout(Duration v) {
                requestTimeout = v;
                return this;
            }

            /** @param seconds the limit for the connection and the handshake @return this */
            public Builder requestTimeout(double seconds) {
                return requestTimeout(Seconds.toDuration(seconds));
            }

            /** @param v the TLS context for wss:// @return this */
            public Builder sslContext(SslContext v) {
                sslContext = v;
                return this;
            }

            /** @param v false to accept any server certificate (tests only) @return this */
            public Builder validateCert(boolean v) {
                validateCert = v;
                return this;
            }

            /** @param v compression options (an empty map for the defaults), or null for none @return this */
            public Builder compressionOptions(Map<String, Object> v) {
                compressionOptions = v;
                return this;
            }

            /** @param v the largest message in bytes @return this */
            public Builder maxMessageSize(int v) {
                maxMessageSize = v;
                return this;
            }

            /** @param v the ping interval, or null for none @return this */
            public Builder pingInterval(Duration v) {
                pingInterval = v;
                return this;
            }

            /** @param seconds the ping interval @return this */
            public Builder pingInterval(double seconds) {
                return pingInterval(Seconds.toDuration(seconds));
            }

            /** @param v the pong timeout, or null for the default @return this */
            public Builder pingTimeout(Duration v) {
                pingTimeout = v;
                return this;
            }

            /** @param seconds the pong timeout @return this */
            public Builder pingTimeout(double seconds) {
                return pingTimeout(Seconds.toDuration(seconds));
            }

            /** @return the options */
            public Options build() {
                return new Options(this);
            }
        }
    }
}
