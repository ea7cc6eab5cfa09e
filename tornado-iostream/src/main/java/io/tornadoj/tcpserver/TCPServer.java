package io.tornadoj.tcpserver;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.unix.UnixChannelOption;
import io.netty.handler.ssl.SslContext;
import io.tornadoj.internal.Loops;
import io.tornadoj.iostream.IOStream;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.ioloop.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Tornado's {@code TCPServer}: accepts connections and hands each one, as an {@link IOStream}, to
 * {@link #handleStream}. Subclass it and implement that method.
 *
 * <p>Pipeline of an accepted connection: {@code [SslHandler] → [handlers added by Options.pipeline] →
 * IOStream}, so existing Netty handlers (idle state, logging, metrics, proxy protocol…) run before the
 * stream unchanged.
 *
 * <p>{@link #listen} binds on {@link IOLoop#current()}. {@link #bind} + {@link #start(int)} replaces
 * Tornado's {@code fork_processes}: {@code start(n)} makes {@code n} IOLoops, each accepting on its own
 * {@code SO_REUSEPORT} listener where the transport has it (epoll, kqueue, io_uring), or one acceptor
 * handing connections to the loops in turn (NIO). Loops made by {@code start(n)} run until the JVM exits,
 * as Tornado's forked processes do. Methods may be called from any thread.
 */
public abstract class TCPServer {
    private static final Logger APP_LOG = LoggerFactory.getLogger("tornado.application");

    private final Options options;
    private final IOStream.Options streamOptions;
    private final List<BindSpec> pendingBinds = new ArrayList<>();
    private final List<Channel> listeners = new CopyOnWriteArrayList<>();

    /** Server options, Tornado's names. Immutable; {@link #builder()} makes one. */
    public static final class Options {
        private final SslContext sslContext;
        private final int maxBufferSize;
        private final int readChunkSize;
        private final Consumer<ChannelPipeline> pipeline;

        private Options(Builder b) {
            this.sslContext = b.sslContext;
            this.maxBufferSize = b.maxBufferSize;
            this.readChunkSize = b.readChunkSize;
            this.pipeline = b.pipeline;
        }

        /** @return a builder with the defaults (no TLS, 100 MiB buffer, 64 KiB chunks, no extra handlers) */
        public static Builder builder() {
            return new Builder();
        }

        /** @return the TLS context for accepted connections, or null for plain TCP */
        public SslContext sslContext() {
            return sslContext;
        }

        /** @return each stream's maximum read buffer */
        public int maxBufferSize() {
            return maxBufferSize;
        }

        /** @return each stream's read chunk size */
        public int readChunkSize() {
            return readChunkSize;
        }

        /** @return the customizer run on every accepted channel's pipeline, or null */
        public Consumer<ChannelPipeline> pipeline() {
            return pipeline;
        }

        /** Builds {@link Options}. Not thread-safe. */
        public static final class Builder {
            private SslContext sslContext;
            private int maxBufferSize = IOStream.Options.defaults().maxBufferSize();
            private int readChunkSize = IOStream.Options.defaults().readChunkSize();
            private Consumer<ChannelPipeline> pipeline;

            private Builder() {
            }

            /**
             * @param v a server {@link SslContext}: accepted connections speak TLS
             * @return this
             */
            public Builder sslContext(SslContext v) {
                sslContext = v;
                return this;
            }

            /**
             * @param v each stream's maximum read buffer
             * @return this
             */
            public Builder maxBufferSize(int v) {
                maxBufferSize = v;
                return this;
            }

            /**
             * @param v each stream's read chunk size
             * @return this
             */
            public Builder readChunkSize(int v) {
                readChunkSize = v;
                return this;
            }

            /**
             * @param v run for every accepted channel, before the stream's handler is added: put existing
             *          Netty handlers here (on the connection's loop thread)
             * @return this
             */
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

    private static final class BindSpec {
        final int port;
        final String address;
        final int backlog;
        final boolean reusePort;

        BindSpec(int port, String address, int backlog, boolean reusePort) {
            this.port = port;
            this.address = address;
            this.backlog = backlog;
            this.reusePort = reusePort;
        }
    }

    /** A server with default options. */
    protected TCPServer() {
        this(Options.builder().build());
    }

    /**
     * A server with options.
     *
     * @param options the options
     */
    protected TCPServer(Options options) {
        this.options = Objects.requireNonNull(options, "options");
        this.streamOptions = IOStream.Options.builder().maxBufferSize(options.maxBufferSize())
                .readChunkSize(options.readChunkSize()).build();
    }

    /**
     * Binds {@code port} on every interface and starts accepting on {@link IOLoop#current()}. Port 0
     * picks a free port: see {@link #boundAddresses()}.
     *
     * @param port the port
     * @throws UncheckedIOException when the port cannot be bound
     */
    public void listen(int port) {
        listen(port, null);
    }

    /**
     * Binds {@code port} on the address (a name binds each of its addresses; null or "" = every
     * interface) and starts accepting on {@link IOLoop#current()}.
     *
     * @param port    the port
     * @param address the address or host name
     * @throws UncheckedIOException when it cannot be bound
     */
    public void listen(int port, String address) {
        bind(port, address);
        start(1);
    }

    /**
     * Records a listening address for {@link #start(int)}.
     *
     * @param port    the port (0 = pick one)
     * @param address the address or name; null or "" = every interface
     */
    public void bind(int port, String address) {
        bind(port, address, 128, false);
    }

    /**
     * Records a listening address for {@link #start(int)}.
     *
     * @param port      the port (0 = pick one)
     * @param address   the address or name; null or "" = every interface
     * @param backlog   the accept queue length
     * @param reusePort set SO_REUSEPORT so other processes can listen on the same port
     */
    public synchronized void bind(int port, String address, int backlog, boolean reusePort) {
        pendingBinds.add(new BindSpec(port, address, backlog, reusePort));
    }

    /** Starts accepting on {@link IOLoop#current()}: the same as {@code start(1)}. */
    public void start() {
        start(1);
    }

    /**
     * Starts accepting on the recorded addresses. With {@code numLoops == 1} the current loop accepts and
     * serves; otherwise {@code numLoops} new IOLoops do (0 or less = one per core), on the calling
     * thread's loop's transport (or the configured one).
     *
     * @param numLoops how many loops serve connections
     * @throws UncheckedIOException  when an address cannot be bound
     * @throws IllegalStateException when nothing was bound
     */
    public synchronized void start(int numLoops) {
        if (pendingBinds.isEmpty()) {
            throw new IllegalStateException("call bind() or listen() first");
        }
        List<IOLoop> loops = new ArrayList<>();
        if (numLoops == 1) {
            loops.add(IOLoop.current());
        } else {
            int n = numLoops <= 0 ? Runtime.getRuntime().availableProcessors() : numLoops;
            IOLoop caller = IOLoop.currentOrNull();
            for (int i = 0; i < n; i++) {
                loops.add(caller != null ? IOLoop.create(caller.transport()) : IOLoop.create());
            }
        }
        List<BindSpec> binds = new ArrayList<>(pendingBinds);
        pendingBinds.clear();
        for (BindSpec spec : binds) {
            int port = spec.port;
            for (InetSocketAddress addr : addresses(spec)) {
                InetSocketAddress target = new InetSocketAddress(addr.getAddress(), port);
                InetSocketAddress bound = listenOn(loops, target, spec);
                if (port == 0) {
                    port = bound.getPort(); // Tornado: every address of one bind shares the port picked first
                }
            }
        }
    }

    private static List<InetSocketAddress> addresses(BindSpec spec) {
        List<InetSocketAddress> out = new ArrayList<>();
        if (spec.address == null || spec.address.isEmpty()) {
            out.add(new InetSocketAddress(spec.port));
            return out;
        }
        try {
            Set<InetAddress> seen = new LinkedHashSet<>(List.of(InetAddress.getAllByName(spec.address)));
            for (InetAddress a : seen) {
                out.add(new InetSocketAddress(a, spec.port));
            }
        } catch (UnknownHostException e) {
            throw new UncheckedIOException("cannot resolve " + spec.address, e);
        }
        return out;
    }

    /** Binds one address on the loops: a listener per loop with SO_REUSEPORT, or one round-robin acceptor. */
    private InetSocketAddress listenOn(List<IOLoop> loops, InetSocketAddress address, BindSpec spec) {
        Transport transport = loops.get(0).transport();
        boolean perLoop = loops.size() > 1 && Loops.supportsReusePort(transport);
        boolean reusePort = spec.reusePort || perLoop;
        InetSocketAddress first = null;
        if (perLoop) {
            for (IOLoop loop : loops) {
                InetSocketAddress target = first == null ? address : new InetSocketAddress(address.getAddress(), first.getPort());
                InetSocketAddress bound = bindListener(loop, loop.eventLoop(), target, spec.backlog, reusePort);
                if (first == null) {
                    first = bound;
                }
            }
            return first;
        }
        EventLoopGroup children = loops.size() == 1 ? loops.get(0).eventLoop() : new RoundRobinLoops(loops);
        return bindListener(loops.get(0), children, address, spec.backlog, reusePort);
    }

    private InetSocketAddress bindListener(IOLoop loop, EventLoopGroup children, InetSocketAddress address,
                                           int backlog, boolean reusePort) {
        Transport transport = loop.transport();
        ServerBootstrap b = new ServerBootstrap()
                .group(loop.eventLoop(), children)
                .channel(Loops.serverSocketChannel(transport))
                .option(ChannelOption.SO_BACKLOG, backlog)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accepted(ch);
                    }
                });
        if (reusePort) {
            if (transport == Transport.NIO) {
                b.option(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), true);
            } else {
                b.option(UnixChannelOption.SO_REUSEPORT, true);
            }
        }
        ChannelFuture registered = b.register();
        Channel ch = await(registered, address).channel();
        await(ch.bind(address), address);
        listeners.add(ch);
        return (InetSocketAddress) ch.localAddress();
    }

    /** Waits off the loop; on the loop thread the register/bind steps complete inline. */
    private static ChannelFuture await(ChannelFuture f, SocketAddress address) {
        if (!f.channel().eventLoop().inEventLoop()) {
            f.awaitUninterruptibly();
        }
        if (!f.isDone()) {
            throw new IllegalStateException("bind of " + address + " did not complete on the loop thread");
        }
        if (!f.isSuccess()) {
            f.channel().close();
            Throwable cause = f.cause();
            IOException io = cause instanceof IOException ? (IOException) cause
                    : new IOException("cannot bind " + address + ": " + cause, cause);
            throw new UncheckedIOException("cannot bind " + address + ": " + cause.getMessage(), io);
        }
        return f;
    }

    private void accepted(Channel ch) {
        if (options.sslContext() != null) {
            ch.pipeline().addLast("ssl", options.sslContext().newHandler(ch.alloc()));
        }
        if (options.pipeline() != null) {
            options.pipeline().accept(ch.pipeline());
        }
        serve(ch);
    }

    /**
     * Takes over an accepted connection once TLS and the {@link Options#pipeline() pipeline} handlers are
     * in place. The default wraps it in an {@link IOStream} and calls {@link #handleStream}; servers that
     * speak through Netty codecs (such as {@code HTTPServer}) install their handlers here instead. Runs
     * on the connection's loop thread.
     *
     * @param ch the accepted channel
     */
    protected void serve(Channel ch) {
        IOStream stream = IOStream.wrap(ch, streamOptions);
        InetSocketAddress remote = (InetSocketAddress) ch.remoteAddress();
        CompletionStage<?> stage;
        try {
            stage = handleStream(stream, remote);
        } catch (Throwable t) {
            APP_LOG.error("Error in connection callback", t);
            stream.close(t);
            return;
        }
        if (stage != null) {
            stage.whenComplete((v, t) -> {
                if (t != null) {
                    Throwable cause = t instanceof java.util.concurrent.CompletionException && t.getCause() != null
                            ? t.getCause() : t;
                    APP_LOG.error("Error in connection callback", cause);
                    stream.close(cause);
                }
            });
        }
    }

    /**
     * The addresses the server listens on, with the real ports (after binding port 0). With
     * {@code start(n)} on SO_REUSEPORT, each address appears once.
     *
     * @return the bound addresses
     */
    public List<InetSocketAddress> boundAddresses() {
        Set<InetSocketAddress> out = new LinkedHashSet<>();
        for (Channel ch : listeners) {
            if (ch.localAddress() != null) {
                out.add((InetSocketAddress) ch.localAddress());
            }
        }
        return new ArrayList<>(out);
    }

    /**
     * Stops accepting: the listeners close; open connections are left alone. Any thread.
     *
     * @return completes when every listener is closed
     */
    public CompletableFuture<Void> stop() {
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (Channel ch : listeners) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            ch.close().addListener(x -> completeAfterNextPoll(ch, f));
            closing.add(f);
        }
        listeners.clear();
        return CompletableFuture.allOf(closing.toArray(new CompletableFuture[0]));
    }

    /**
     * On NIO the JDK closes a listening socket that is registered with a selector only when the selector
     * next runs: until then connects still land in its backlog. A callback queued from an IOLoop callback
     * runs after the loop's next I/O poll, so the port is really closed when {@code f} completes.
     */
    private static void completeAfterNextPoll(Channel ch, CompletableFuture<Void> f) {
        IOLoop loop = Loops.of(ch.eventLoop());
        if (loop == null) {
            f.complete(null);
            return;
        }
        io.netty.util.concurrent.Future<?> ended = ch.eventLoop().terminationFuture();
        io.netty.util.concurrent.GenericFutureListener<io.netty.util.concurrent.Future<Object>> onEnd =
                x -> f.complete(null); // the loop closed meanwhile: its callbacks are dropped
        ended.addListener(onEnd);
        f.whenComplete((v, t) -> ended.removeListener(onEnd));
        loop.addCallback(() -> loop.addCallback(() -> f.complete(null)));
    }

    /**
     * Called once per accepted connection, on that connection's loop thread.
     *
     * @param stream  the connection
     * @param address the peer's address
     * @return a stage for the connection's work (or null); if it fails, that is logged on
     *         {@code tornado.application} and the stream is closed
     */
    protected abstract CompletionStage<?> handleStream(IOStream stream, InetSocketAddress address);
}
