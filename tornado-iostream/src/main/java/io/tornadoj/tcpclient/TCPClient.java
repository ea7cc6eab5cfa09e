package io.tornadoj.tcpclient;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslContext;
import io.tornadoj.internal.Loops;
import io.tornadoj.internal.Seconds;
import io.tornadoj.iostream.IOStream;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.ioloop.Timeout;
import io.tornadoj.netutil.DefaultResolver;
import io.tornadoj.netutil.Family;
import io.tornadoj.netutil.Resolver;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Tornado's {@code TCPClient}: resolves a host and connects with Happy Eyeballs (the first address
 * family first, the other after 0.3 s; first success wins, the losers are closed), optionally upgrading
 * to TLS with server-name indication and certificate checks. Connections run on the calling thread's
 * {@link IOLoop#current()}; futures complete on that loop. Any thread.
 */
public class TCPClient implements AutoCloseable {
    private final Resolver resolver;
    private final boolean ownsResolver;

    /** Connect options, Tornado's {@code connect()} arguments. Immutable; {@link #builder()} makes one. */
    public static final class ConnectOptions {
        private static final ConnectOptions DEFAULTS = builder().build();
        private final Family family;
        private final SslContext sslContext;
        private final String serverHostname;
        private final int maxBufferSize;
        private final String sourceIp;
        private final int sourcePort;
        private final Duration timeout;
        private final Consumer<ChannelPipeline> pipeline;

        private ConnectOptions(Builder b) {
            family = b.family;
            sslContext = b.sslContext;
            serverHostname = b.serverHostname;
            maxBufferSize = b.maxBufferSize;
            sourceIp = b.sourceIp;
            sourcePort = b.sourcePort;
            timeout = b.timeout;
            pipeline = b.pipeline;
        }

        /** @return a builder with the defaults (any family, plain TCP, no timeout) */
        public static Builder builder() {
            return new Builder();
        }

        /** @return the address family to connect with */
        public Family family() {
            return family;
        }

        /** @return the client TLS context, or null for plain TCP */
        public SslContext sslContext() {
            return sslContext;
        }

        /** @return the TLS server name (SNI and certificate check); null means the host connected to */
        public String serverHostname() {
            return serverHostname;
        }

        /** @return the stream's maximum read buffer */
        public int maxBufferSize() {
            return maxBufferSize;
        }

        /** @return the local address to connect from, or null */
        public String sourceIp() {
            return sourceIp;
        }

        /** @return the local port to connect from, or 0 */
        public int sourcePort() {
            return sourcePort;
        }

        /** @return the limit for the whole connect (resolve, connect, TLS handshake), or null */
        public Duration timeout() {
            return timeout;
        }

        /** @return the customizer run on each connection attempt's pipeline, or null */
        public Consumer<ChannelPipeline> pipeline() {
            return pipeline;
        }

        /** Builds {@link ConnectOptions}. Not thread-safe. */
        public static final class Builder {
            private Family family = Family.ANY;
            private SslContext sslContext;
            private String serverHostname;
            private int maxBufferSize = IOStream.Options.defaults().maxBufferSize();
            private String sourceIp;
            private int sourcePort;
            private Duration timeout;
            private Consumer<ChannelPipeline> pipeline;

            private Builder() {
            }

            /**
             * @param v the address family
             * @return this
             */
            public Builder family(Family v) {
                family = Objects.requireNonNull(v);
                return this;
            }

            /**
             * @param v a client TLS context (Netty 4.2 client contexts check the host name by default)
             * @return this
             */
            public Builder sslContext(SslContext v) {
                sslContext = v;
                return this;
            }

            /**
             * @param v the TLS server name, when it differs from the host connected to
             * @return this
             */
            public Builder serverHostname(String v) {
                serverHostname = v;
                return this;
            }

            /**
             * @param v the stream's maximum read buffer
             * @return this
             */
            public Builder maxBufferSize(int v) {
                maxBufferSize = v;
                return this;
            }

            /**
             * @param v the local address to connect from
             * @return this
             */
            public Builder sourceIp(String v) {
                sourceIp = v;
                return this;
            }

            /**
             * @param v the local port to connect from
             * @return this
             */
            public Builder sourcePort(int v) {
                sourcePort = v;
                return this;
            }

            /**
             * @param v the limit for the whole connect; the future then fails with {@link TimeoutException}
             * @return this
             */
            public Builder timeout(Duration v) {
                timeout = v;
                return this;
            }

            /**
             * @param seconds the limit for the whole connect, in seconds (Tornado's float {@code timeout})
             * @return this
             */
            public Builder timeout(double seconds) {
                return timeout(Seconds.toDuration(seconds));
            }

            /**
             * @param v run on each connection attempt's pipeline before the stream's handler is added
             * @return this
             */
            public Builder pipeline(Consumer<ChannelPipeline> v) {
                pipeline = v;
                return this;
            }

            /** @return the options */
            public ConnectOptions build() {
                return new ConnectOptions(this);
            }
        }
    }

    /** A client with a {@link DefaultResolver}. */
    public TCPClient() {
        this.resolver = new DefaultResolver();
        this.ownsResolver = true;
    }

    /**
     * A client with a resolver (closing the client does not close it).
     *
     * @param resolver the resolver
     */
    public TCPClient(Resolver resolver) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.ownsResolver = false;
    }

    /**
     * Connects with the default options.
     *
     * @param host a name or address
     * @param port the port
     * @return the connected stream; fails with an {@link java.io.IOException} (e.g. connection refused)
     */
    public CompletableFuture<IOStream> connect(String host, int port) {
        return connect(host, port, ConnectOptions.DEFAULTS);
    }

    /**
     * Connects.
     *
     * @param host    a name or address
     * @param port    the port
     * @param options the connect options
     * @return the connected (and, with an SSL context, handshaken) stream; fails with an
     *         {@link java.io.IOException}, an {@link javax.net.ssl.SSLException}, or a
     *         {@link TimeoutException} after {@code options.timeout()}
     */
    public CompletableFuture<IOStream> connect(String host, int port, ConnectOptions options) {
        IOLoop loop = IOLoop.current();
        CompletableFuture<IOStream> result = new CompletableFuture<>();
        Connector[] connector = new Connector[1];
        Timeout timer = options.timeout() == null ? null : loop.callLater(options.timeout(), () -> {
            TimeoutException e = new TimeoutException("connect to " + host + ":" + port + " timed out after " + options.timeout());
            if (connector[0] != null) {
                connector[0].fail(e);
            }
            result.completeExceptionally(e);
        });
        resolver.resolve(host, port, options.family()).whenComplete((addresses, t) -> loop.addCallback(() -> {
            try {
                connectResolved(loop, host, options, addresses, t, connector, result);
            } catch (Throwable e) {
                result.completeExceptionally(e); // never leave the caller waiting
            }
        }));
        if (timer != null) {
            result.whenComplete((v, t) -> timer.cancel());
        }
        return result;
    }

    /** After resolution: Happy Eyeballs, then TLS if asked for. Loop thread. */
    private void connectResolved(IOLoop loop, String host, ConnectOptions options, List<InetSocketAddress> addresses,
                                 Throwable t, Connector[] connector, CompletableFuture<IOStream> result) {
        if (result.isDone()) {
            return;
        }
        if (t != null) {
            result.completeExceptionally(t);
            return;
        }
        connector[0] = new Connector(loop, addresses, a -> attempt(loop, a, options));
        connector[0].start().whenComplete((ch, err) -> {
            try {
                if (err != null) {
                    result.completeExceptionally(err);
                } else if (result.isDone()) { // timed out meanwhile
                    ch.close();
                } else {
                    connected(ch, host, options, result);
                }
            } catch (Throwable e) {
                ch.close();
                result.completeExceptionally(e);
            }
        });
    }

    private static void connected(Channel ch, String host, ConnectOptions options, CompletableFuture<IOStream> result) {
        IOStream stream = IOStream.wrap(ch, IOStream.Options.builder().maxBufferSize(options.maxBufferSize()).build());
        if (options.sslContext() == null) {
            result.complete(stream);
            return;
        }
        String sni = options.serverHostname() != null ? options.serverHostname() : host;
        stream.startTls(false, options.sslContext(), sni).whenComplete((tls, e) -> {
            if (e != null) {
                result.completeExceptionally(e);
            } else if (!result.complete(tls)) {
                tls.close();
            }
        });
    }

    private static CompletableFuture<Channel> attempt(IOLoop loop, InetSocketAddress address, ConnectOptions options) {
        Bootstrap b = new Bootstrap()
                .group(loop.eventLoop())
                .channel(Loops.socketChannel(loop.transport()))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (options.pipeline() != null) {
                            options.pipeline().accept(ch.pipeline());
                        }
                    }
                });
        if (options.sourceIp() != null || options.sourcePort() != 0) {
            try {
                InetAddress ip = options.sourceIp() == null ? null : InetAddress.getByName(options.sourceIp());
                b.localAddress(new InetSocketAddress(ip, options.sourcePort()));
            } catch (java.net.UnknownHostException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        CompletableFuture<Channel> f = new CompletableFuture<>();
        ChannelFuture cf = b.connect(address);
        cf.addListener(x -> {
            if (cf.isSuccess()) {
                if (!f.complete(cf.channel())) {
                    cf.channel().close(); // cancelled meanwhile
                }
            } else {
                f.completeExceptionally(cf.cause());
            }
        });
        f.whenComplete((ch, t) -> {
            if (f.isCancelled()) {
                cf.channel().close();
            }
        });
        return f;
    }

    /** Closes the resolver this client made (not one passed in). Any thread. */
    @Override
    public void close() {
        if (ownsResolver) {
            resolver.close();
        }
    }
}
