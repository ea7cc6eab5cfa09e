package io.tornadoj.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.tornadoj.benchmarks.http.HttpHelloServer;
import io.tornadoj.httpclient.AsyncHTTPClient;
import io.tornadoj.httpclient.HTTPResponse;
import io.tornadoj.internal.Loops;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.ioloop.Transport;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * HTTP client throughput over loopback keep-alive connections: Tornado-J's {@link AsyncHTTPClient}
 * against a raw Netty {@link HttpClientCodec} client and the JDK's {@link HttpClient}, all three
 * fetching {@code GET /} from the same server in the same run.
 *
 * <p><b>Server</b> (one per trial, shared by whichever client the trial runs): the raw Netty hello server
 * of {@link HttpHelloServer} ({@code HttpServerCodec} answering "Hello, world" with the same headers as
 * Tornado's hello Application) on its own one-thread loop group of the transport under test, bound to
 * 127.0.0.1 on a free port.
 *
 * <p><b>Load</b>: {@value #IN_FLIGHT} requests in flight: an invocation starts {@value #IN_FLIGHT}
 * requests, and each completed response starts the next one until {@value #REQUESTS} have completed, so
 * nothing is in flight between invocations. One operation = one request/response (requests/s).
 * <ul>
 *   <li>{@code tornadoClient}: an {@link AsyncHTTPClient} with {@code maxClients(64)} on its own
 *       {@link IOLoop} of the transport; {@code fetch(url)} is called on the client's loop (it starts the
 *       first 64 from one loop callback, and the rest from the response futures, which complete there).
 *       The client keeps the connections in its keep-alive pool between requests.</li>
 *   <li>{@code nettyClient}: {@value #IN_FLIGHT} raw Netty connections ({@code HttpClientCodec} and a
 *       handler) on a one-thread loop group of the same transport; a connection sends its next
 *       {@code DefaultFullHttpRequest} when its response's {@code LastHttpContent} arrives. The response
 *       is not aggregated or copied: the baseline is the least a Netty client can do.</li>
 *   <li>{@code jdkClient}: {@code java.net.http.HttpClient} (HTTP/1.1, a fixed executor of
 *       {@value #JDK_EXECUTOR_THREADS} daemon threads, one immutable {@code HttpRequest} reused),
 *       {@code sendAsync(request, BodyHandlers.ofByteArray())}; it opens as many keep-alive
 *       connections as requests in flight and pools them. The fork runs with
 *       {@code -Djava.util.concurrent.ForkJoinPool.common.parallelism=2}: the future {@code sendAsync}
 *       returns completes through {@code whenCompleteAsync(..., <CompletableFuture's default executor>)},
 *       and with the JVM's default common-pool parallelism on a 2-CPU machine (CPUs - 1 = 1) that
 *       executor is {@code CompletableFuture}'s thread-per-task fallback, i.e. a new thread per response
 *       (measured: ~3,000 requests/s, ~50,000 threads started in a 10 s run). Neither other client uses
 *       the common pool.</li>
 * </ul>
 * Each client's trial setup first runs {@value #VERIFY_REQUESTS} requests with the same concurrency and
 * checks every response (status 200, body "Hello, world"); this also opens the connections, so the
 * timed invocations only reuse them.
 *
 * <p><b>CPU time.</b> Two secondary results, as rates (ns of CPU per second, 1e9 = one busy core):
 * {@code serverCpuNs}, the server loop thread's CPU time, and {@code clientCpuNs}, the CPU time of the
 * whole benchmark process minus the server thread's during the timed invocations, i.e. every client
 * thread (loop or selector and executor threads) plus GC and JIT. {@code ratios.py} divides them by the
 * throughput to get CPU time per request, steadier than throughput on a shared machine. A third one,
 * {@code newConnections}, counts the connections the server accepted during the timed invocations of an
 * iteration: 0 shows that every request went over a kept-alive connection.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch",
        // see the class comment: without it, on <= 2 CPUs the JDK client starts a thread per response
        "-Djava.util.concurrent.ForkJoinPool.common.parallelism=" + HttpClientBenchmark.COMMON_POOL_PARALLELISM})
public class HttpClientBenchmark {
    /** {@code ForkJoinPool.commonPool()} parallelism in the benchmark fork (for the JDK client). */
    public static final String COMMON_POOL_PARALLELISM = "2";
    /** Requests in flight. */
    public static final int IN_FLIGHT = 64;
    /** Requests completed per invocation. */
    public static final int REQUESTS = 20_000;
    /** Requests of the checked run in each trial's setup. */
    public static final int VERIFY_REQUESTS = 1_000;
    /** Executor threads given to the JDK client. */
    public static final int JDK_EXECUTOR_THREADS = 2;
    private static final String HOST = "127.0.0.1";
    private static final String HELLO = "Hello, world";
    private static final long WAIT_SECONDS = 60;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    static String describe(Throwable t) {
        Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        return c.toString();
    }

    static void await(CompletableFuture<Void> f) throws Exception {
        f.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------- server

    /** The raw Netty hello server on its own one-thread loop group of the transport under test. */
    @State(Scope.Benchmark)
    public static class Server {
        @Param({"EPOLL", "NIO", "IO_URING"})
        public String transport;
        Transport t;
        MultiThreadIoEventLoopGroup group;
        Channel listener;
        InetSocketAddress address;
        String url;
        long threadId;
        /** Connections the server has accepted. */
        final AtomicLong accepted = new AtomicLong();

        @Setup(Level.Trial)
        public void setUp() {
            t = BenchTransports.require(transport);
            group = BenchTransports.rawNettyGroup(t);
            listener = HttpHelloServer.bindRaw(group, t, HOST, 0, accepted);
            address = (InetSocketAddress) listener.localAddress();
            url = "http://" + HOST + ":" + address.getPort() + "/";
            threadId = EchoBenchmark.threadIdOf(BenchTransports.loopOf(group));
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (listener != null) {
                listener.close().syncUninterruptibly();
            }
            BenchTransports.shutdown(group);
        }
    }

    // ---------------------------------------------------------------- Tornado-J client

    /** An {@link AsyncHTTPClient} with maxClients(64) on its own {@link IOLoop}. */
    @State(Scope.Benchmark)
    public static class TornadoClient {
        IOLoop loop;
        AsyncHTTPClient client;
        String url;
        // loop thread only
        private int total;
        private int started;
        private int completed;
        private boolean verify;
        private boolean failed;
        private CompletableFuture<Void> done;

        @Setup(Level.Trial)
        public void setUp(Server server) throws Exception {
            url = server.url;
            loop = IOLoop.create(server.t);
            AsyncHTTPClient.Options opts = AsyncHTTPClient.Options.builder().maxClients(IN_FLIGHT).build();
            client = loop.runSync(() -> CompletableFuture.completedFuture(new AsyncHTTPClient(opts)),
                    Duration.ofSeconds(WAIT_SECONDS));
            run(VERIFY_REQUESTS, true);
        }

        void run(int n, boolean check) throws Exception {
            CompletableFuture<Void> f = new CompletableFuture<>();
            loop.addCallback(() -> {
                total = n;
                started = 0;
                completed = 0;
                verify = check;
                failed = false;
                done = f;
                for (int i = 0; i < Math.min(IN_FLIGHT, n); i++) {
                    next();
                }
            });
            await(f);
        }

        private void next() {
            started++;
            client.fetch(url).whenComplete(this::completed);
        }

        private void completed(HTTPResponse r, Throwable err) {
            if (failed) {
                return;
            }
            if (err != null) {
                fail("fetch failed: " + describe(err));
            } else if (verify && (r.code() != 200 || !HELLO.equals(r.bodyAsString()))) {
                fail("unexpected response " + r.code() + " \"" + r.bodyAsString() + "\"");
            } else if (++completed == total) {
                done.complete(null);
            } else if (started < total) {
                next();
            }
        }

        private void fail(String why) {
            failed = true;
            done.completeExceptionally(new IllegalStateException("Tornado-J client: " + why));
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            if (client != null) {
                client.close();
            }
            if (loop != null) {
                loop.close();
            }
        }
    }

    // ---------------------------------------------------------------- raw Netty client

    /** One raw Netty client connection: sends a request, and the next when the response has ended. */
    static final class NettyConnection extends ChannelInboundHandlerAdapter {
        private final NettyClient client;
        Channel channel;
        private int status;
        private final StringBuilder body = new StringBuilder();

        NettyConnection(NettyClient client) {
            this.client = client;
        }

        void send() {
            status = 0;
            body.setLength(0);
            channel.writeAndFlush(client.newRequest(), channel.voidPromise());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpResponse) {
                    HttpResponse r = (HttpResponse) msg;
                    if (r.decoderResult().isFailure()) {
                        client.fail("malformed response: " + r.decoderResult().cause());
                        return;
                    }
                    status = r.status().code();
                }
                if (msg instanceof HttpContent) {
                    if (client.verify) {
                        body.append(((HttpContent) msg).content().toString(StandardCharsets.UTF_8));
                    }
                    if (msg instanceof LastHttpContent) {
                        client.responseEnded(this, status, body);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (client.running()) {
                client.fail("the server closed a connection during a run");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            client.fail(describe(cause));
            ctx.close();
        }
    }

    /** {@value #IN_FLIGHT} raw Netty keep-alive connections on a one-thread loop group. */
    @State(Scope.Benchmark)
    public static class NettyClient {
        MultiThreadIoEventLoopGroup group;
        EventLoop loop;
        final NettyConnection[] connections = new NettyConnection[IN_FLIGHT];
        String hostHeader;
        // loop thread only
        private int total;
        private int started;
        private int completed;
        boolean verify;
        private boolean failed;
        private CompletableFuture<Void> done;

        @Setup(Level.Trial)
        public void setUp(Server server) throws Exception {
            hostHeader = HOST + ":" + server.address.getPort();
            group = BenchTransports.rawNettyGroup(server.t);
            loop = BenchTransports.loopOf(group);
            Bootstrap b = new Bootstrap().group(loop).channel(Loops.socketChannel(server.t));
            for (int i = 0; i < IN_FLIGHT; i++) {
                NettyConnection c = new NettyConnection(this);
                c.channel = b.clone().handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), c);
                    }
                }).connect(server.address).syncUninterruptibly().channel();
                connections[i] = c;
            }
            run(VERIFY_REQUESTS, true);
        }

        FullHttpRequest newRequest() {
            FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/",
                    Unpooled.EMPTY_BUFFER);
            r.headers().set(HttpHeaderNames.HOST, hostHeader)
                    .set(HttpHeaderNames.USER_AGENT, "raw-netty");
            return r;
        }

        void run(int n, boolean check) throws Exception {
            CompletableFuture<Void> f = new CompletableFuture<>();
            loop.execute(() -> {
                total = n;
                started = 0;
                completed = 0;
                verify = check;
                failed = false;
                done = f;
                for (int i = 0; i < Math.min(IN_FLIGHT, n); i++) {
                    if (!connections[i].channel.isActive()) {
                        fail("connection " + i + " is closed");
                        return;
                    }
                    started++;
                    connections[i].send();
                }
            });
            await(f);
        }

        boolean running() {
            return done != null && !done.isDone();
        }

        void responseEnded(NettyConnection c, int status, CharSequence body) {
            if (failed || done == null) {
                return;
            }
            if (verify && (status != 200 || !HELLO.contentEquals(body))) {
                fail("unexpected response " + status + " \"" + body + "\"");
            } else if (++completed == total) {
                done.complete(null);
            } else if (started < total) {
                started++;
                c.send();
            }
        }

        void fail(String why) {
            failed = true;
            if (done != null) {
                done.completeExceptionally(new IllegalStateException("raw Netty client: " + why));
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            for (NettyConnection c : connections) {
                if (c != null) {
                    c.channel.close().syncUninterruptibly();
                }
            }
            BenchTransports.shutdown(group);
        }
    }

    // ---------------------------------------------------------------- JDK client

    /** {@code java.net.http.HttpClient}, HTTP/1.1, with a small fixed executor. */
    @State(Scope.Benchmark)
    public static class JdkClient {
        ExecutorService executor;
        HttpClient client;
        HttpRequest request;
        private volatile int total;
        private volatile boolean verify;
        private final AtomicInteger started = new AtomicInteger();
        private final AtomicInteger completed = new AtomicInteger();
        private final AtomicBoolean failed = new AtomicBoolean();
        private volatile CompletableFuture<Void> done;

        @Setup(Level.Trial)
        public void setUp(Server server) throws Exception {
            AtomicInteger ids = new AtomicInteger();
            executor = Executors.newFixedThreadPool(JDK_EXECUTOR_THREADS, r -> {
                Thread th = new Thread(r, "jdk-httpclient-executor-" + ids.incrementAndGet());
                th.setDaemon(true);
                return th;
            });
            client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor)
                    .connectTimeout(Duration.ofSeconds(WAIT_SECONDS)).build();
            request = HttpRequest.newBuilder(URI.create(server.url)).GET().build();
            run(VERIFY_REQUESTS, true);
        }

        void run(int n, boolean check) throws Exception {
            CompletableFuture<Void> f = new CompletableFuture<>();
            total = n;
            verify = check;
            started.set(0);
            completed.set(0);
            failed.set(false);
            done = f;
            for (int i = 0; i < Math.min(IN_FLIGHT, n); i++) {
                next();
            }
            await(f);
        }

        private void next() {
            if (started.getAndIncrement() >= total) {
                return;
            }
            client.sendAsync(request, BodyHandlers.ofByteArray()).whenComplete((r, err) -> {
                if (failed.get()) {
                    return;
                }
                if (err != null) {
                    fail("request failed: " + describe(err));
                } else if (verify && (r.statusCode() != 200
                        || !HELLO.equals(new String(r.body(), StandardCharsets.UTF_8)))) {
                    fail("unexpected response " + r.statusCode() + " \"" + new String(r.body(), StandardCharsets.UTF_8) + "\"");
                } else if (completed.incrementAndGet() == total) {
                    done.complete(null);
                } else {
                    next();
                }
            });
        }

        private void fail(String why) {
            if (failed.compareAndSet(false, true)) {
                done.completeExceptionally(new IllegalStateException("JDK client: " + why));
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            // Java 17's HttpClient has no close(): drop it; its connections close with the server or the fork.
            client = null;
            if (executor != null) {
                executor.shutdownNow();
            }
        }
    }

    // ---------------------------------------------------------------- CPU time

    /**
     * Secondary results: CPU time of the server's loop thread and of the rest of the process (the client's
     * threads, GC, JIT) during the timed invocations, as rates (ns of CPU per second, 1e9 = one busy core).
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Cpu {
        /** CPU nanoseconds used by the server's loop thread. */
        public long serverCpuNs;
        /** CPU nanoseconds used by the rest of the process. */
        public long clientCpuNs;
        private long server0;
        private long process0;

        @Setup(Level.Iteration)
        public void reset() {
            serverCpuNs = 0;
            clientCpuNs = 0;
        }

        void start(Server s) {
            server0 = THREADS.getThreadCpuTime(s.threadId);
            process0 = OS.getProcessCpuTime();
        }

        void stop(Server s) {
            long server = THREADS.getThreadCpuTime(s.threadId) - server0;
            serverCpuNs += server;
            clientCpuNs += OS.getProcessCpuTime() - process0 - server;
        }
    }

    /**
     * Secondary result: connections the server accepted during the iteration's timed invocations. With
     * keep-alive working it is 0 (every client opened its connections in its trial setup).
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Connections {
        /** Connections accepted by the server during the timed invocations. */
        public long newConnections;
        private long accepted0;

        @Setup(Level.Iteration)
        public void reset() {
            newConnections = 0;
        }

        void start(Server s) {
            accepted0 = s.accepted.get();
        }

        void stop(Server s) {
            newConnections += s.accepted.get() - accepted0;
        }
    }

    // ---------------------------------------------------------------- benchmarks

    @Benchmark
    @OperationsPerInvocation(REQUESTS)
    public void tornadoClient(Server s, TornadoClient c, Cpu cpu, Connections conns) throws Exception {
        conns.start(s);
        cpu.start(s);
        c.run(REQUESTS, false);
        cpu.stop(s);
        conns.stop(s);
    }

    @Benchmark
    @OperationsPerInvocation(REQUESTS)
    public void nettyClient(Server s, NettyClient c, Cpu cpu, Connections conns) throws Exception {
        conns.start(s);
        cpu.start(s);
        c.run(REQUESTS, false);
        cpu.stop(s);
        conns.stop(s);
    }

    @Benchmark
    @OperationsPerInvocation(REQUESTS)
    public void jdkClient(Server s, JdkClient c, Cpu cpu, Connections conns) throws Exception {
        conns.start(s);
        cpu.start(s);
        c.run(REQUESTS, false);
        cpu.stop(s);
        conns.stop(s);
    }
}
