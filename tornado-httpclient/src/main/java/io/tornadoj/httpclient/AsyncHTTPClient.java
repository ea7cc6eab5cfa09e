package io.tornadoj.httpclient;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.netutil.DefaultResolver;
import io.tornadoj.netutil.Family;
import io.tornadoj.netutil.OverrideResolver;
import io.tornadoj.netutil.Resolver;
import io.tornadoj.tcpclient.TCPClient;

import javax.net.ssl.SSLException;
import java.io.File;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Tornado's {@code AsyncHTTPClient} on Netty's {@code HttpClientCodec}. Unlike Tornado's simple client it
 * keeps idle connections per (scheme, host, port, proxy) and reuses them (keep-alive) for requests that
 * connect the same way (same TLS settings, source address and IPv6 permission). At most
 * {@code maxClients} requests run at once; others wait in a FIFO queue, and the waiting counts against
 * their timeouts. Connections use {@link TCPClient} (Happy Eyeballs, the resolver, TLS with SNI and
 * certificate checks).
 *
 * <p>A client belongs to the {@link IOLoop} current when it was made; its futures complete on that loop.
 * {@link #fetch} may be called from any thread.
 */
public class AsyncHTTPClient implements AutoCloseable {
    static final String USER_AGENT = "TornadoJ/0.1.0";
    private static final Map<IOLoop, AsyncHTTPClient> SHARED = new WeakHashMap<>();

    private final IOLoop loop;
    private final Options options;
    private final TCPClient tcpClient;
    private final ArrayDeque<Fetch> queue = new ArrayDeque<>();
    private final Map<Object, ArrayDeque<ClientConnection>> idle = new HashMap<>();
    private final Map<String, SslContext> sslContexts = new ConcurrentHashMap<>();
    private int active;
    private volatile boolean closed;

    /** Client options, Tornado's {@code AsyncHTTPClient.configure} arguments. Immutable. */
    public static final class Options {
        private final int maxClients;
        private final int maxBufferSize;
        private final int maxHeaderSize;
        private final long maxBodySize;
        private final Map<String, Object> defaults;
        private final Resolver resolver;
        private final Map<String, String> hostnameMapping;
        private final Consumer<ChannelPipeline> pipeline;

        private Options(Builder b) {
            maxClients = b.maxClients;
            maxBufferSize = b.maxBufferSize;
            maxHeaderSize = b.maxHeaderSize;
            maxBodySize = b.maxBodySize != null ? b.maxBodySize : b.maxBufferSize;
            defaults = Map.copyOf(b.defaults);
            resolver = b.resolver;
            hostnameMapping = Map.copyOf(b.hostnameMapping);
            pipeline = b.pipeline;
        }

        /** @return a builder with Tornado's defaults */
        public static Builder builder() {
            return new Builder();
        }

        /** @return requests run at once (default 10) */
        public int maxClients() {
            return maxClients;
        }

        /** @return the largest response read into memory (default 100 MiB) */
        public int maxBufferSize() {
            return maxBufferSize;
        }

        /** @return the most bytes of response status line and headers (default 64 KiB) */
        public int maxHeaderSize() {
            return maxHeaderSize;
        }

        /** @return the largest response body (default: maxBufferSize) */
        public long maxBodySize() {
            return maxBodySize;
        }

        /** @return request defaults by option name */
        public Map<String, Object> defaults() {
            return defaults;
        }

        /** @return the resolver, or null for a {@link DefaultResolver} */
        public Resolver resolver() {
            return resolver;
        }

        /** @return host rewrites applied before resolving (Tornado's {@code hostname_mapping}) */
        public Map<String, String> hostnameMapping() {
            return hostnameMapping;
        }

        /** @return the customizer for existing Netty handlers on each connection, or null */
        public Consumer<ChannelPipeline> pipeline() {
            return pipeline;
        }

        /** Builds {@link Options}. Not thread-safe. */
        public static final class Builder {
            private int maxClients = 10;
            private int maxBufferSize = 100 * 1024 * 1024;
            private int maxHeaderSize = 64 * 1024;
            private Long maxBodySize;
            private Map<String, Object> defaults = Map.of();
            private Resolver resolver;
            private Map<String, String> hostnameMapping = Map.of();
            private Consumer<ChannelPipeline> pipeline;

            private Builder() {
            }

            /** @param v requests run at once; others queue @return this */
            public Builder maxClients(int v) {
                if (v < 1) {
                    throw new IllegalArgumentException("maxClients must be at least 1");
                }
                maxClients = v;
                return this;
            }

            /** @param v the largest response read into memory @return this */
            public Builder maxBufferSize(int v) {
                maxBufferSize = v;
                return this;
            }

            /** @param v the most bytes of response head @return this */
            public Builder maxHeaderSize(int v) {
                maxHeaderSize = v;
                return this;
            }

            /** @param v the largest response body; beyond, the fetch fails (599) and the connection is dropped @return this */
            public Builder maxBodySize(long v) {
                maxBodySize = v;
                return this;
            }

            /**
             * @param v request option defaults for every option a request leaves unset, keyed by the
             *          {@link HTTPRequest.Builder} option's name in Tornado's form or Java's (every option but the
             *          URL), e.g. {@code Map.of("user_agent", "x", "request_timeout", 5.0)}; {@code headers} may be
             *          an {@code HTTPHeaders} or a {@code Map}. An unknown key or a wrong value fails each fetch
             *          with {@link IllegalArgumentException}
             * @return this
             */
            public Builder defaults(Map<String, Object> v) {
                defaults = Objects.requireNonNull(v);
                return this;
            }

            /** @param v the resolver @return this */
            public Builder resolver(Resolver v) {
                resolver = v;
                return this;
            }

            /** @param v host (or host:port) rewrites, as {@link OverrideResolver} @return this */
            public Builder hostnameMapping(Map<String, String> v) {
                hostnameMapping = Objects.requireNonNull(v);
                return this;
            }

            /** @param v adds existing Netty handlers in front of the HTTP codec on each connection @return this */
            public Builder pipeline(Consumer<ChannelPipeline> v) {
                pipeline = v;
                return this;
            }

            /** @return the options */
            public Options build() {
                return new Options(this);
            }
        }
    }

    /** A client with default options, on the current loop. */
    public AsyncHTTPClient() {
        this(Options.builder().build());
    }

    /**
     * A client on the current loop ({@link IOLoop#current()}).
     *
     * @param options the options
     */
    public AsyncHTTPClient(Options options) {
        this.options = Objects.requireNonNull(options, "options");
        this.loop = IOLoop.current();
        Resolver resolver = options.resolver() != null ? options.resolver() : new DefaultResolver();
        if (!options.hostnameMapping().isEmpty()) {
            resolver = new OverrideResolver(resolver, options.hostnameMapping());
        }
        this.tcpClient = new TCPClient(resolver);
    }

    /**
     * The current loop's shared client (Tornado's {@code AsyncHTTPClient()} without
     * {@code force_instance}), made on first use with default options. Any thread.
     *
     * @return the shared client
     */
    public static AsyncHTTPClient shared() {
        IOLoop loop = IOLoop.current();
        synchronized (SHARED) {
            AsyncHTTPClient c = SHARED.get(loop);
            if (c == null || c.closed) {
                c = new AsyncHTTPClient();
                SHARED.put(loop, c);
            }
            return c;
        }
    }

    Options options() {
        return options;
    }

    /**
     * Fetches a URL with GET; a non-2xx response fails the future.
     *
     * @param url the URL
     * @return the response
     */
    public CompletableFuture<HTTPResponse> fetch(String url) {
        return fetch(new HTTPRequest(url), true);
    }

    /**
     * Fetches a request; a non-2xx response fails the future.
     *
     * @param request the request
     * @return the response
     */
    public CompletableFuture<HTTPResponse> fetch(HTTPRequest request) {
        return fetch(request, true);
    }

    /**
     * Fetches a request. Any thread; the future completes on the client's loop.
     *
     * @param request    the request
     * @param raiseError when true, a non-2xx response or a failure (599) completes the future exceptionally
     *                   with an {@link HTTPClientError}; when false it completes with the response, whose
     *                   {@link HTTPResponse#error()} says what went wrong
     * @return the response; fails with {@link IllegalArgumentException} for an invalid request (bad URL,
     *         method or method/body combination) and with {@link IllegalStateException} once the client
     *         is closed
     */
    public CompletableFuture<HTTPResponse> fetch(HTTPRequest request, boolean raiseError) {
        Objects.requireNonNull(request, "request");
        CompletableFuture<HTTPResponse> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(new IllegalStateException("fetch() called on a closed AsyncHTTPClient"));
            return result;
        }
        Runnable start = () -> {
            if (closed) {
                // called before close() but reached the loop after it: fails as a queued request would
                new Fetch(this, loop, request, raiseError, result).clientClosed();
                return;
            }
            HTTPRequest merged;
            try {
                merged = request.withDefaults(options.defaults());
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                return;
            }
            new Fetch(this, loop, merged, raiseError, result).start();
        };
        if (loop.inLoop()) {
            start.run();
        } else {
            loop.addCallback(start);
        }
        return result;
    }

    // ------------------------------------------------------------------ queue and slots (loop thread)

    void enqueue(Fetch f) {
        queue.add(f);
        drainQueue();
    }

    void leaveQueue(Fetch f) {
        queue.remove(f);
    }

    void releaseSlot() {
        active--;
        drainQueue();
    }

    private void drainQueue() {
        while (active < options.maxClients() && !queue.isEmpty()) {
            Fetch next = queue.poll();
            active++;
            next.run();
        }
    }

    // ------------------------------------------------------------------ connections (loop thread)

    ClientConnection takeIdle(Object poolKey) {
        ArrayDeque<ClientConnection> conns = idle.get(poolKey);
        ClientConnection c;
        while (conns != null && (c = conns.pollLast()) != null) {
            if (c.usable()) {
                return c;
            }
        }
        return null;
    }

    void giveBack(ClientConnection conn, boolean reusable) {
        if (!reusable || closed || !conn.usable()) {
            conn.close();
            return;
        }
        ArrayDeque<ClientConnection> conns = idle.computeIfAbsent(conn.poolKey, k -> new ArrayDeque<>());
        conns.add(conn);
        conn.idle(() -> conns.remove(conn));
    }

    CompletableFuture<ClientConnection> connect(Fetch.Target t, HTTPRequest request) {
        SslContext ssl;
        try {
            ssl = t.https ? sslContext(request) : null;
        } catch (SSLException | RuntimeException e) {
            return CompletableFuture.failedFuture(new HTTPClientError(599, "TLS setup failed: " + e.getMessage(), null, e));
        }
        HttpDecoderConfig config = new HttpDecoderConfig().setMaxHeaderSize(options.maxHeaderSize())
                .setMaxInitialLineLength(options.maxHeaderSize())
                // as Tornado (and our HTTPServer): repeated Content-Length values that agree are accepted
                .setAllowDuplicateContentLengths(true);
        TCPClient.ConnectOptions.Builder o = TCPClient.ConnectOptions.builder()
                .family(request.allowIpv6() ? Family.ANY : Family.IPV4)
                .timeout(request.connectTimeout())
                .sslContext(t.tunnel ? null : ssl) // through a proxy, TLS starts inside the CONNECT tunnel
                .serverHostname(t.host)
                .pipeline(p -> {
                    if (options.pipeline() != null) {
                        options.pipeline().accept(p);
                    }
                    // parseHttpAfterConnectRequest: keep parsing HTTP inside a CONNECT tunnel
                    p.addLast("tornado.httpclient.codec", new HttpClientCodec(config, true, false));
                    p.addLast(ClientConnection.NAME, new ClientConnection(p.channel(), t.poolKey));
                });
        if (request.networkInterface() != null) {
            o.sourceIp(request.networkInterface());
        }
        CompletableFuture<ClientConnection> connected = tcpClient.connect(t.connectHost, t.connectPort, o.build())
                .thenApply(stream -> (ClientConnection) stream.channel().pipeline().get(ClientConnection.NAME));
        if (!t.tunnel) {
            return connected;
        }
        String proxyAuth = request.proxyUsername() == null ? null
                : Fetch.basicAuth(request.proxyUsername(), request.proxyPassword());
        return connected.thenCompose(conn -> conn.tunnel(t.authority, proxyAuth)
                .thenCompose(v -> conn.startTls(ssl, t.host, t.port))
                .whenComplete((v, e) -> {
                    if (e != null) {
                        conn.close();
                    }
                })
                .thenApply(v -> conn));
    }

    /** The TLS context for a request's options (cached per combination). */
    private SslContext sslContext(HTTPRequest r) throws SSLException {
        if (r.sslContext() != null) {
            return r.sslContext();
        }
        String key = r.validateCert() + "|" + r.caCerts() + "|" + r.clientCert() + "|" + r.clientKey();
        SslContext cached = sslContexts.get(key);
        if (cached != null) {
            return cached;
        }
        SslContextBuilder b = SslContextBuilder.forClient();
        if (!r.validateCert()) {
            b.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
        } else if (r.caCerts() != null) {
            b.trustManager(new File(r.caCerts()));
        }
        if (r.clientCert() != null) {
            b.keyManager(new File(r.clientCert()), new File(r.clientKey() != null ? r.clientKey() : r.clientCert()));
        }
        SslContext ctx = b.build();
        sslContexts.put(key, ctx);
        return ctx;
    }

    /**
     * Closes the client: queued requests fail (599), idle connections close, and later fetches fail.
     * Requests already running finish. Any thread.
     */
    @Override
    public void close() {
        closed = true;
        synchronized (SHARED) {
            SHARED.remove(loop, this);
        }
        Runnable shut = () -> {
            List<Fetch> waiting = new ArrayList<>(queue);
            queue.clear();
            for (Fetch f : waiting) {
                f.clientClosed();
            }
            for (ArrayDeque<ClientConnection> conns : idle.values()) {
                for (ClientConnection c : new ArrayList<>(conns)) {
                    c.close();
                }
            }
            idle.clear();
            tcpClient.close();
        };
        if (loop.inLoop()) {
            shut.run();
        } else {
            loop.addCallback(shut);
        }
    }

    /** @return idle pooled connections (for tests) */
    int idleConnections() {
        int n = 0;
        for (ArrayDeque<ClientConnection> c : idle.values()) {
            n += c.size();
        }
        return n;
    }
}
