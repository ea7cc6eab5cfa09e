package io.tornadoj.websocket;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketClientExtensionHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.iostream.IOStream;
import io.tornadoj.tcpclient.TCPClient;

import javax.net.ssl.SSLException;
import java.net.URI;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * Tornado's {@code websocket_connect}: opens a client WebSocket connection. Not instantiable.
 */
public final class WebSocket {
    /** Largest handshake response (status line, headers and a refusal's body) read before giving up. */
    private static final int MAX_HANDSHAKE_RESPONSE = 64 * 1024;
    private static final TCPClient TCP_CLIENT = new TCPClient();

    private WebSocket() {
    }

    /**
     * Connects with default options. Call on (or from) the loop that will own the connection: it runs on
     * {@link IOLoop#current()}.
     *
     * @param url a {@code ws://} or {@code wss://} URL
     * @return completes on the loop with the open connection; fails with a {@link WebSocketHandshakeError}
     *         when the server does not switch protocols (its status in {@code code()}), or with the connect
     *         error (an {@link java.io.IOException}, {@link java.util.concurrent.TimeoutException},
     *         {@link SSLException}); fails with a {@link java.util.concurrent.TimeoutException} when the
     *         connection and the handshake take longer than the request timeout (20 s)
     * @throws IllegalArgumentException for a URL that is not ws:// or wss://
     */
    public static CompletableFuture<WebSocketClientConnection> connect(String url) {
        return connect(url, WebSocketClientConnection.Options.defaults());
    }

    /**
     * Connects. Call on (or from) the loop that will own the connection: it runs on {@link IOLoop#current()}.
     *
     * @param url     a {@code ws://} or {@code wss://} URL
     * @param options headers, subprotocols, timeouts, TLS, compression, limits and pings
     * @return as {@link #connect(String)}
     * @throws IllegalArgumentException for a URL that is not ws:// or wss://
     */
    public static CompletableFuture<WebSocketClientConnection> connect(String url,
                                                                       WebSocketClientConnection.Options options) {
        URI uri = URI.create(url);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("ws") && !scheme.equals("wss") || uri.getHost() == null) {
            throw new IllegalArgumentException("not a ws:// or wss:// URL: " + url);
        }
        boolean secure = scheme.equals("wss");
        int port = uri.getPort() != -1 ? uri.getPort() : secure ? 443 : 80;
        SslContext ssl;
        try {
            ssl = secure ? sslContext(options) : null;
        } catch (SSLException e) {
            return CompletableFuture.failedFuture(e);
        }
        HttpHeaders headers = new DefaultHttpHeaders();
        if (options.headers() != null) {
            options.headers().entries().forEach(e -> headers.add(e.getKey(), e.getValue()));
        }
        String subprotocols = options.subprotocols().isEmpty() ? null : String.join(",", options.subprotocols());
        WebSocketClientHandshaker handshaker = WebSocketClientHandshakerFactory.newHandshaker(uri,
                WebSocketVersion.V13, subprotocols, options.compressionOptions() != null, headers,
                options.maxMessageSize(), true, false, -1, false, false);
        WebSocketClientConnection connection = new WebSocketClientConnection(IOLoop.current(), handshaker, options);
        connection.startRequestTimeout();
        TCPClient.ConnectOptions connect = TCPClient.ConnectOptions.builder()
                .sslContext(ssl)
                .serverHostname(uri.getHost())
                .timeout(options.connectTimeout())
                .pipeline(p -> {
                    p.addLast(WebSocketClientConnection.HTTP_CODEC, new HttpClientCodec());
                    p.addLast(WebSocketClientConnection.HTTP_AGGREGATOR, new HttpObjectAggregator(MAX_HANDSHAKE_RESPONSE));
                    if (options.compressionOptions() != null) {
                        p.addLast(WebSocketClientConnection.EXTENSIONS, new WebSocketClientExtensionHandler(
                                WebSocketProtocol.clientDeflate(options.compressionOptions(), options.maxMessageSize())));
                    }
                })
                .build();
        TCP_CLIENT.connect(uri.getHost(), port, connect).whenComplete((IOStream stream, Throwable t) -> {
            if (t != null) {
                connection.connectFailed(t);
            } else {
                connection.handshake(stream.channel());
            }
        });
        return connection.connected();
    }

    private static SslContext sslContext(WebSocketClientConnection.Options options) throws SSLException {
        if (options.sslContext() != null) {
            return options.sslContext();
        }
        SslContextBuilder b = SslContextBuilder.forClient();
        if (!options.validateCert()) {
            b.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
        }
        return b.build();
    }
}
