package io.tornadoj.httpserver;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.tornadoj.httputil.HTTPConnection;
import io.tornadoj.httputil.HTTPHeaders;
import io.tornadoj.httputil.HTTPInputError;
import io.tornadoj.httputil.HTTPMessageDelegate;
import io.tornadoj.httputil.HTTPServerConnectionDelegate;
import io.tornadoj.httputil.HTTPServerRequest;
import io.tornadoj.httputil.RequestStartLine;
import io.tornadoj.httputil.ResponseStartLine;
import io.tornadoj.internal.Seconds;
import io.tornadoj.iostream.IOStream;
import io.tornadoj.tcpserver.TCPServer;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Tornado's {@code HTTPServer}: an HTTP/1.x server on Netty's {@code netty-codec-http}. Each accepted
 * connection's pipeline is {@code [SslHandler] → [Options.pipeline handlers] → HttpServerCodec →
 * [HttpContentDecompressor] → HTTP1Connection}; the connection hands requests to the
 * {@link HTTPServerConnectionDelegate} (usually an {@code Application}).
 *
 * <p>Tornado's connection rules hold: keep-alive for HTTP/1.1 (unless {@code Connection: close}) and for
 * HTTP/1.0 with {@code Connection: keep-alive}; pipelined requests are answered in order;
 * {@code Expect: 100-continue} is honoured; chunked request bodies are decoded; and malformed input gets
 * a clear status (400, 413, 414, 431, 505) and a close, logged once on {@code tornado.general}.
 * Methods may be called from any thread.
 */
public class HTTPServer extends TCPServer {
    static final String CODEC = "tornado.http.codec";
    static final String DECOMPRESSOR = "tornado.http.decompressor";
    private static final String CONNECTION = "tornado.http.connection";

    private final HTTPServerConnectionDelegate app;
    private final Options options;
    private final Set<HTTP1Connection> connections = ConcurrentHashMap.newKeySet();

    /** Tornado's HTTPServer arguments. Immutable; {@link #builder()} makes one. */
    public static final class Options {
        private final boolean xheaders;
        private final String protocol;
        private final Set<String> trustedDownstream;
        private final boolean noKeepAlive;
        private final int maxHeaderSize;
        private final long maxBodySize;
        private final Duration idleConnectionTimeout;
        private final Duration bodyTimeout;
        private final Duration headerTimeout;
        private final boolean decompressRequest;
        private final int chunkSize;
        private final SslContext sslContext;
        private final Consumer<ChannelPipeline> pipeline;
        private final boolean reusePort;

        private Options(Builder b) {
            xheaders = b.xheaders;
            protocol = b.protocol;
            trustedDownstream = b.trustedDownstream;
            noKeepAlive = b.noKeepAlive;
            maxHeaderSize = b.maxHeaderSize;
            maxBodySize = b.maxBodySize;
            idleConnectionTimeout = b.idleConnectionTimeout;
            bodyTimeout = b.bodyTimeout;
            headerTimeout = b.headerTimeout;
            decompressRequest = b.decompressRequest;
            chunkSize = b.chunkSize;
            sslContext = b.sslContext;
            pipeline = b.pipeline;
            reusePort = b.reusePort;
        }

        /** @return a builder with Tornado's defaults */
        public static Builder builder() {
            return new Builder();
        }

        /** @return whether X-Real-Ip/X-Forwarded-For and X-Scheme/X-Forwarded-Proto are trusted (default false) */
        public boolean xheaders() {
            return xheaders;
        }

        /** @return the scheme to report for requests, or null to use http/https as the socket says */
        public String protocol() {
            return protocol;
        }

        /** @return proxy addresses skipped in X-Forwarded-For */
        public Set<String> trustedDownstream() {
            return trustedDownstream;
        }

        /** @return whether every connection closes after one request (default false) */
        public boolean noKeepAlive() {
            return noKeepAlive;
        }

        /** @return the most bytes of request line and headers (default 64 KiB) */
        public int maxHeaderSize() {
            return maxHeaderSize;
        }

        /** @return the largest request body (default 100 MiB) */
        public long maxBodySize() {
            return maxBodySize;
        }

        /** @return how long a connection may wait for its next request (default 3600 s) */
        public Duration idleConnectionTimeout() {
            return idleConnectionTimeout;
        }

        /** @return the limit for reading one body, or null (default: none) */
        public Duration bodyTimeout() {
            return bodyTimeout;
        }

        /** @return the limit for waiting for and reading a request's headers (default: the idle timeout) */
        public Duration headerTimeout() {
            return headerTimeout != null ? headerTimeout : idleConnectionTimeout;
        }

        /** @return whether gzip request bodies are decompressed (default false) */
        public boolean decompressRequest() {
            return decompressRequest;
        }

        /** @return the largest body chunk handed on at once (default 64 KiB) */
        public int chunkSize() {
            return chunkSize;
        }

        /** @return the TLS context, or null for plain HTTP */
        public SslContext sslContext() {
            return sslContext;
        }

        /** @return the customizer for existing Netty handlers in front of the HTTP codec, or null */
        public Consumer<ChannelPipeline> pipeline() {
            return pipeline;
        }

        /** @return whether listen() sets SO_REUSEPORT (default false) */
        public boolean reusePort() {
            return reusePort;
        }

        /** Builds {@link Options}. Not thread-safe. */
        public static final class Builder {
            private boolean xheaders;
            private String protocol;
            private Set<String> trustedDownstream = Set.of();
            private boolean noKeepAlive;
            private int maxHeaderSize = 64 * 1024;
            private long maxBodySize = 100L * 1024 * 1024;
            private Duration idleConnectionTimeout = Duration.ofSeconds(3600);
            private Duration bodyTimeout;
            private Duration headerTimeout;
            private boolean decompressRequest;
            private int chunkSize = 64 * 1024;
            private SslContext sslContext;
            private Consumer<ChannelPipeline> pipeline;
            private boolean reusePort;

            private Builder() {
            }

            /** @param v trust X-Real-Ip/X-Forwarded-For/X-Scheme/X-Forwarded-Proto @return this */
            public Builder xheaders(boolean v) {
                xheaders = v;
                return this;
            }

            /** @param v the scheme to report (e.g. https behind a TLS proxy) @return this */
            public Builder protocol(String v) {
                protocol = v;
                return this;
            }

            /** @param v proxy addresses to skip in X-Forwarded-For (a list, as Tornado's, or a set) @return this */
            public Builder trustedDownstream(Collection<String> v) {
                trustedDownstream = Set.copyOf(v);
                return this;
            }

            /** @param v close every connection after one request @return this */
            public Builder noKeepAlive(boolean v) {
                noKeepAlive = v;
                return this;
            }

            /** @param v the most bytes of request line and headers; beyond → 431 (line: 414) @return this */
            public Builder maxHeaderSize(int v) {
                maxHeaderSize = v;
                return this;
            }

            /** @param v the largest request body; beyond → 413 @return this */
            public Builder maxBodySize(long v) {
                maxBodySize = v;
                return this;
            }

            /** @param v how long an idle keep-alive connection stays open @return this */
            public Builder idleConnectionTimeout(Duration v) {
                idleConnectionTimeout = Objects.requireNonNull(v);
                return this;
            }

            /** @param seconds how long an idle keep-alive connection stays open, in seconds @return this */
            public Builder idleConnectionTimeout(double seconds) {
                return idleConnectionTimeout(Seconds.toDuration(seconds));
            }

            /** @param v the limit for reading one body (the connection closes) @return this */
            public Builder bodyTimeout(Duration v) {
                bodyTimeout = v;
                return this;
            }

            /** @param seconds the limit for reading one body (the connection closes), in seconds @return this */
            public Builder bodyTimeout(double seconds) {
                return bodyTimeout(Seconds.toDuration(seconds));
            }

            /** @param v the limit for the next request's headers (the connection closes) @return this */
            public Builder headerTimeout(Duration v) {
                headerTimeout = v;
                return this;
            }

            /** @param seconds the limit for the next request's headers (the connection closes), in seconds @return this */
            public Builder headerTimeout(double seconds) {
                return headerTimeout(Seconds.toDuration(seconds));
            }

            /** @param v decompress gzip/deflate request bodies @return this */
            public Builder decompressRequest(boolean v) {
                decompressRequest = v;
                return this;
            }

            /** @param v the largest body chunk handed on at once @return this */
            public Builder chunkSize(int v) {
                chunkSize = v;
                return this;
            }

            /** @param v serve HTTPS with this context @return this */
            public Builder sslContext(SslContext v) {
                sslContext = v;
                return this;
            }

            /** @param v add existing Netty handlers in front of the HTTP codec @return this */
            public Builder pipeline(Consumer<ChannelPipeline> v) {
                pipeline = v;
                return this;
            }

            /** @param v set SO_REUSEPORT on listen() @return this */
            public Builder reusePort(boolean v) {
                reusePort = v;
                return this;
            }

            /** @return the options */
            public Options build() {
                return new Options(this);
            }
        }
    }

    /**
     * A server for a delegate (usually an {@code Application}) with default options.
     *
     * @param app what handles requests
     */
    public HTTPServer(HTTPServerConnectionDelegate app) {
        this(app, Options.builder().build());
    }

    /**
     * A server for a delegate with options.
     *
     * @param app     what handles requests
     * @param options the options
     */
    public HTTPServer(HTTPServerConnectionDelegate app, Options options) {
        super(TCPServer.Options.builder().sslContext(options.sslContext()).pipeline(options.pipeline()).build());
        this.app = Objects.requireNonNull(app, "app");
        this.options = options;
    }

    /**
     * A server calling {@code callback} with each complete request (Tornado's callable form); the callback
     * answers through {@code request.connection()}.
     *
     * @param callback receives each request, on the loop thread
     */
    public HTTPServer(Consumer<HTTPServerRequest> callback) {
        this(callback, Options.builder().build());
    }

    /**
     * The callable form with options.
     *
     * @param callback receives each request
     * @param options  the options
     */
    public HTTPServer(Consumer<HTTPServerRequest> callback, Options options) {
        this(new CallbackAdapter(Objects.requireNonNull(callback, "callback")), options);
    }

    @Override
    public void listen(int port, String address) {
        bind(port, address, 128, options.reusePort());
        start(1);
    }

    @Override
    protected void serve(Channel ch) {
        HttpDecoderConfig config = new HttpDecoderConfig()
                .setMaxInitialLineLength(options.maxHeaderSize())
                .setMaxHeaderSize(options.maxHeaderSize())
                .setMaxChunkSize(options.chunkSize())
                // Tornado accepts repeated Content-Length values that agree; differing ones are still a 400
                .setAllowDuplicateContentLengths(true);
        // A client's half-close must not discard the response still being made (HTTP1Connection closes after it).
        ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        ch.pipeline().addLast(CODEC, new HttpServerCodec(config));
        if (options.decompressRequest()) {
            ch.pipeline().addLast(DECOMPRESSOR, new HttpContentDecompressor(0));
        }
        HTTP1Connection conn = new HTTP1Connection(this, options, app, ch);
        connections.add(conn);
        ch.pipeline().addLast(CONNECTION, conn);
    }

    /**
     * Not used: an HTTPServer sets up its connections' pipelines in {@link #serve(Channel)}.
     *
     * @param stream  unused
     * @param address unused
     * @return never
     * @throws UnsupportedOperationException always
     */
    @Override
    protected CompletionStage<?> handleStream(IOStream stream, InetSocketAddress address) {
        throw new UnsupportedOperationException("HTTPServer serves channels through its HTTP codec");
    }

    /** Called by a connection when it closes or is detached. */
    boolean forget(HTTP1Connection conn) {
        return connections.remove(conn);
    }

    /**
     * Closes every open connection now (Tornado's {@code close_all_connections}). Any thread.
     *
     * @return completes when they are closed
     */
    public CompletableFuture<Void> closeAllConnections() {
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (HTTP1Connection c : new ArrayList<>(connections)) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            c.channel().closeFuture().addListener(x -> f.complete(null));
            c.close();
            closing.add(f);
        }
        return CompletableFuture.allOf(closing.toArray(new CompletableFuture<?>[0]));
    }

    /**
     * Graceful stop: stops accepting, lets in-flight requests finish their responses, then closes every
     * connection (idle ones at once). Any thread.
     *
     * @return completes when the listeners and every connection are closed
     */
    @Override
    public CompletableFuture<Void> stop() {
        CompletableFuture<Void> listeners = super.stop();
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        closing.add(listeners);
        for (HTTP1Connection c : new ArrayList<>(connections)) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            c.channel().closeFuture().addListener(x -> f.complete(null));
            c.closeWhenIdle();
            closing.add(f);
        }
        return CompletableFuture.allOf(closing.toArray(new CompletableFuture<?>[0]));
    }

    /** Tornado's {@code _CallableAdapter}: collects a request and calls a plain callback with it. */
    private static final class CallbackAdapter implements HTTPServerConnectionDelegate {
        private final Consumer<HTTPServerRequest> callback;

        CallbackAdapter(Consumer<HTTPServerRequest> callback) {
            this.callback = callback;
        }

        @Override
        public HTTPMessageDelegate startRequest(Object serverConnection, HTTPConnection conn) {
            return new HTTPMessageDelegate() {
                private final ByteArrayOutputStream body = new ByteArrayOutputStream();
                private RequestStartLine start;
                private HTTPHeaders headers;

                @Override
                public CompletionStage<?> headersReceived(RequestStartLine startLine, HTTPHeaders h) {
                    start = startLine;
                    headers = h;
                    return null;
                }

                @Override
                public CompletionStage<?> dataReceived(byte[] chunk) {
                    body.writeBytes(chunk);
                    return null;
                }

                @Override
                public void finish() {
                    HTTPServerRequest request;
                    try {
                        request = new HTTPServerRequest(start.method(), start.path(), start.version(), headers, conn,
                                conn.remoteIp(), conn.protocol());
                        request.setBody(body.toByteArray());
                    } catch (HTTPInputError e) {
                        HTTPHeaders h = new HTTPHeaders();
                        h.set("Content-Length", "0");
                        conn.writeHeaders(new ResponseStartLine("HTTP/1.1", 400, "Bad Request"), h, null);
                        conn.finish();
                        return;
                    }
                    callback.accept(request);
                }

                @Override
                public void onConnectionClose() {
                }
            };
        }
    }
}
