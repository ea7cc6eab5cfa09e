package io.tornadoj.websocket;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import io.tornadoj.httputil.HTTPHeaders;
import io.tornadoj.internal.web.HandlerInternals;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.web.RequestHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Tornado's {@code WebSocketHandler}: a {@link RequestHandler} whose GET upgrades the connection to a
 * WebSocket (RFC 6455, on Netty's WebSocket codec).
 * <p>
 * Subclasses implement {@code open}, found by name like HTTP methods (one {@code String} per group of the
 * rule's pattern, returning {@code void} or a {@link CompletionStage}; messages received before its stage
 * completes wait), and override {@link #onMessage(String)} / {@link #onMessage(byte[])} (messages are
 * delivered one at a time: while a returned stage is pending, nothing more is read), {@link #onClose()},
 * and optionally {@link #onPing}, {@link #onPong}, {@link #selectSubprotocol}, {@link #checkOrigin},
 * {@link #getCompressionOptions}. The settings {@code websocketPingInterval}, {@code websocketPingTimeout}
 * and {@code websocketMaxMessageSize} apply.
 * <p>
 * The handshake is checked as Tornado does: an {@code Upgrade} other than {@code websocket} or a
 * {@code Connection} without {@code upgrade} → 400, a refused {@code Origin} → 403, a
 * {@code Sec-WebSocket-Version} other than 7, 8 or 13 → 426. Other HTTP methods → 405. Everything runs on
 * the connection's loop thread; call the methods of this class there.
 */
public abstract class WebSocketHandler extends RequestHandler {
    private static final Logger GEN_LOG = LoggerFactory.getLogger("tornado.general");
    private static final Set<String> VERSIONS = Set.of("7", "8", "13");

    private WebSocketProtocol protocol;
    /** {@code open} was called: {@link #onClose()} follows only then. */
    private boolean openCalled;
    private boolean onCloseCalled;
    /** The connection is gone (the client may leave before the upgrade, e.g. during an asynchronous prepare). */
    private boolean connectionClosed;

    /** Handlers are created by the Application; subclasses need a no-argument constructor or a supplier. */
    protected WebSocketHandler() {
    }

    /**
     * The WebSocket handshake (Tornado's {@code WebSocketHandler.get}); not meant to be called or
     * overridden. Checks the request, answers 400/403/426 when it cannot be upgraded, else switches
     * protocols (101), then calls {@code open} with the path arguments. Loop thread.
     *
     * @param args the path arguments (passed to {@code open})
     * @return null
     */
    public final CompletionStage<?> get(String... args) {
        HTTPHeaders headers = request().headers();
        if (!"websocket".equals(headers.get("Upgrade", "").toLowerCase(Locale.ROOT))) {
            return refuse(400, "Can \"Upgrade\" only to \"WebSocket\".");
        }
        boolean upgrade = false;
        for (String token : headers.get("Connection", "").split(",")) {
            upgrade |= token.strip().equalsIgnoreCase("upgrade");
        }
        if (!upgrade) {
            return refuse(400, "\"Connection\" must be \"Upgrade\".");
        }
        String origin = headers.contains("Origin") ? headers.get("Origin") : headers.get("Sec-Websocket-Origin");
        if (origin != null && !checkOrigin(origin)) {
            return refuse(403, "Cross origin websockets not allowed");
        }
        if (!VERSIONS.contains(headers.get("Sec-WebSocket-Version", ""))) {
            setStatus(426, "Upgrade Required");
            setHeader("Sec-WebSocket-Version", "7, 8, 13");
            return null;
        }
        if (headers.get("Host") == null || headers.get("Sec-WebSocket-Key") == null) {
            return refuse(400, "Missing/Invalid WebSocket headers");
        }
        List<String> offered = new ArrayList<>();
        String protocols = headers.get("Sec-WebSocket-Protocol");
        if (protocols != null) {
            for (String p : protocols.split(",")) {
                offered.add(p.strip());
            }
        }
        String subprotocol = selectSubprotocol(List.copyOf(offered));
        if (subprotocol != null && !offered.contains(subprotocol)) {
            throw new IllegalStateException("selectSubprotocol returned " + subprotocol + ", not one of " + offered);
        }
        if (connectionClosed) {
            GEN_LOG.debug("{}: the connection closed before the upgrade", summary());
            return null;
        }
        accept(subprotocol, getCompressionOptions());
        return null;
    }

    private CompletionStage<?> refuse(int status, String message) {
        GEN_LOG.debug("{}: {}", summary(), message);
        setStatus(status);
        finish(message);
        return null;
    }

    /** Tornado's {@code _accept_connection}: the 101 through Netty's handshaker, then {@code open}. */
    private void accept(String subprotocol, Map<String, Object> compression) {
        int maxSize = settings().websocketMaxMessageSize();
        FullHttpRequest nettyRequest = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                request().uri(), Unpooled.EMPTY_BUFFER);
        request().headers().entries().forEach(e -> nettyRequest.headers().add(e.getKey(), e.getValue()));
        WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(
                webSocketUrl(), subprotocol, WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(maxSize)
                .allowExtensions(compression != null)
                .build()).newHandshaker(nettyRequest);
        HttpHeaders responseHeaders = new DefaultHttpHeaders();
        HandlerInternals.Access internals = HandlerInternals.access();
        internals.responseHeaders(this).entries().forEach(e -> {
            if (!e.getKey().equalsIgnoreCase("Content-Type")) {
                responseHeaders.add(e.getKey(), e.getValue());
            }
        });
        Channel channel = internals.upgrade(this);
        protocol = new WebSocketProtocol(channel, IOLoop.current(), new Listener(),
                settings().websocketPingInterval(), settings().websocketPingTimeout());
        WebSocketServerExtensionHandler extensions = compression == null ? null
                : new WebSocketServerExtensionHandler(WebSocketProtocol.serverDeflate(compression, maxSize));
        if (extensions != null) {
            channel.pipeline().addLast("tornado.websocket.extensions", extensions);
        }
        channel.pipeline().addLast(WebSocketProtocol.NAME, protocol);
        protocol.addFrameHandlers(maxSize);
        try {
            if (extensions != null) {
                // The request went through HTTP already: show it to the extension handler, which negotiates
                // from its Sec-WebSocket-Extensions and then (on the 101's way out) puts the deflate codec
                // in its own place. The protocol handler after it drops the request.
                extensions.channelRead(channel.pipeline().context(extensions), nettyRequest);
            }
            // writes the 101 through the HTTP codec, then replaces the codec with the frame encoder/decoder
            handshaker.handshake(channel, nettyRequest, responseHeaders, channel.newPromise()).addListener(f -> {
                if (f.isSuccess()) {
                    opened();
                } else {
                    GEN_LOG.debug("WebSocket handshake with {} failed: {}", request().remoteIp(), f.cause().toString());
                    channel.close();
                }
            });
        } catch (Exception e) {
            protocol.failed(e);
        }
    }

    private String webSocketUrl() {
        return ("https".equals(request().protocol()) ? "wss://" : "ws://") + request().host() + request().uri();
    }

    /** The 101 is out: pings start, {@code open} runs, and messages flow once it is done. */
    private void opened() {
        protocol.startPinging();
        openCalled = true;
        CompletionStage<?> opening;
        try {
            opening = HandlerInternals.access().callOpen(this);
        } catch (Throwable t) {
            protocol.failed(t);
            return;
        }
        if (opening == null) {
            protocol.start();
            return;
        }
        IOLoop loop = IOLoop.current(); // here, on the loop thread: the stage may complete on any thread
        opening.whenComplete((v, t) -> loop.addCallback(() -> {
            if (t != null) {
                protocol.failed(t);
            } else {
                protocol.start();
            }
        }));
    }

    /** Relays the protocol's events to the hooks. */
    private final class Listener implements WebSocketProtocol.Listener {
        @Override
        public CompletionStage<?> onMessage(Object message) {
            return message instanceof String ? WebSocketHandler.this.onMessage((String) message)
                    : WebSocketHandler.this.onMessage((byte[]) message);
        }

        @Override
        public void onPing(byte[] data) {
            WebSocketHandler.this.onPing(data);
        }

        @Override
        public void onPong(byte[] data) {
            WebSocketHandler.this.onPong(data);
        }

        @Override
        public void onClosed() {
            onConnectionClose();
        }
    }

    // ------------------------------------------------------------------ hooks

    /**
     * Handles a text message. The default does nothing (Tornado raises NotImplementedError: override it
     * when clients send text).
     *
     * @param message the message
     * @return null, or a stage: the next message is delivered once it completes; a failed stage (or an
     *         exception) is logged and drops the connection
     */
    public CompletionStage<?> onMessage(String message) {
        return null;
    }

    /**
     * Handles a binary message. The default does nothing.
     *
     * @param message the message
     * @return as {@link #onMessage(String)}
     */
    public CompletionStage<?> onMessage(byte[] message) {
        return null;
    }

    /**
     * Called when a ping arrives (the pong was sent already). The default does nothing. Loop thread.
     *
     * @param data the ping's payload
     */
    public void onPing(byte[] data) {
    }

    /**
     * Called when a pong arrives. The default does nothing. Loop thread.
     *
     * @param data the pong's payload
     */
    public void onPong(byte[] data) {
    }

    /**
     * Called once when the WebSocket closes, whichever side closed it or if the connection dropped;
     * {@link #closeCode()} and {@link #closeReason()} then tell what the peer sent (null for none). It
     * follows only an {@code open} (which may have failed): a connection lost before the 101 was written
     * calls neither (Tornado's {@code on_close} also runs when the client leaves before the upgrade). The
     * default does nothing. Loop thread.
     */
    public void onClose() {
    }

    /**
     * Tornado's {@code on_connection_close}: the connection is gone; calls {@link #onClose()} (once, if
     * {@code open} was called). A subclass overriding this must call {@code super.onConnectionClose()}.
     * Loop thread.
     */
    @Override
    public void onConnectionClose() {
        connectionClosed = true;
        if (openCalled && !onCloseCalled) {
            onCloseCalled = true;
            onClose();
        }
    }

    /**
     * Picks a subprotocol from the client's {@code Sec-WebSocket-Protocol} (Tornado's
     * {@code select_subprotocol}). The default picks none. Loop thread, during the handshake.
     *
     * @param offered the client's protocols, in its order (possibly empty)
     * @return one of them, sent back to the client, or null for none
     */
    public String selectSubprotocol(List<String> offered) {
        return null;
    }

    /**
     * Whether to accept a request with this {@code Origin} (Tornado's {@code check_origin}); refused
     * requests get 403. The default accepts only an origin whose host (and port) is the request's
     * {@code Host}. Requests without an Origin (non-browser clients) are not checked. Loop thread.
     *
     * @param origin the Origin header
     * @return true to accept
     */
    public boolean checkOrigin(String origin) {
        String host;
        try {
            host = URI.create(origin).getRawAuthority();
        } catch (IllegalArgumentException e) {
            return false;
        }
        return host != null && host.toLowerCase(Locale.ROOT).equals(request().headers().get("Host"));
    }

    /**
     * Tornado's {@code get_compression_options}: non-null enables permessage-deflate when the client offers
     * it. Keys: {@code compression_level} (0–9, default 6); {@code mem_level} is accepted but has no effect
     * (the JDK's zlib). The default returns null (no compression). Loop thread, during the handshake.
     *
     * @return the options, or null
     */
    public Map<String, Object> getCompressionOptions() {
        return null;
    }

    // ------------------------------------------------------------------ output

    /**
     * Sends a text message.
     *
     * @param message the text
     * @return completes on the loop when written; fails with {@link WebSocketClosedError} when the
     *         WebSocket is not open or is closing
     */
    public CompletableFuture<Void> writeMessage(String message) {
        if (protocol == null) {
            return CompletableFuture.failedFuture(new WebSocketClosedError());
        }
        return protocol.write(new TextWebSocketFrame(Unpooled.wrappedBuffer(message.getBytes(StandardCharsets.UTF_8))));
    }

    /**
     * Sends a binary message.
     *
     * @param message the bytes
     * @return as {@link #writeMessage(String)}
     */
    public CompletableFuture<Void> writeMessage(byte[] message) {
        if (protocol == null) {
            return CompletableFuture.failedFuture(new WebSocketClosedError());
        }
        return protocol.write(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(message)));
    }

    /**
     * Sends a ping; the peer answers with a pong ({@link #onPong}).
     *
     * @param data at most 125 bytes
     * @return as {@link #writeMessage(String)}
     * @throws IllegalArgumentException when data is longer than 125 bytes
     */
    public CompletableFuture<Void> ping(byte[] data) {
        if (protocol == null) {
            return CompletableFuture.failedFuture(new WebSocketClosedError());
        }
        return protocol.ping(data);
    }

    /** Closes the WebSocket without a status (as {@link #close(int, String)} otherwise). */
    public void close() {
        if (protocol != null) {
            protocol.close(null, null);
        }
    }

    /**
     * Starts the close handshake: sends a close frame with this status and reason; the connection closes
     * when the client answers, or after 5 seconds. {@link #onClose()} follows. Loop thread.
     *
     * @param code   the status (1000 normal, 1001 going away, 3000–4999 application codes…)
     * @param reason a short text, or null
     * @throws IllegalArgumentException for a status a close frame cannot carry
     */
    public void close(int code, String reason) {
        if (protocol != null) {
            protocol.close(code, reason);
        }
    }

    /** @return the status of the client's close frame, or null (open, or closed without one) */
    public Integer closeCode() {
        return protocol == null ? null : protocol.closeCode();
    }

    /** @return the reason of the client's close frame, or null */
    public String closeReason() {
        return protocol == null ? null : protocol.closeReason();
    }
}
