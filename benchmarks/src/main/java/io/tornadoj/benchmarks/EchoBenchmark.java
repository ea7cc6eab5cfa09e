package io.tornadoj.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.tornadoj.internal.Loops;
import io.tornadoj.iostream.IOStream;
import io.tornadoj.iostream.StreamClosedError;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.ioloop.Transport;
import io.tornadoj.tcpserver.TCPServer;
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
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * TCP echo over loopback: a Tornado-style echo server ({@link TCPServer} + {@link IOStream}) against a raw
 * Netty echo handler, each serving on its own single loop of the transport under test, driven by the same
 * raw Netty client.
 *
 * <p><b>Servers.</b>
 * <ul>
 *   <li>Tornado-J: per connection, {@code stream.readBytes(64 KiB, partial=true)}, then
 *       {@code stream.write(data)}, and the next read only once the write future has completed (as
 *       Tornado's own echo examples do with {@code await stream.write(data)}; the examples module's
 *       {@code EchoServer} does the same with {@code readUntil}). The read returns a {@code byte[]}
 *       copied out of the stream's buffer and {@code write(byte[])} wraps it without copying, so the
 *       Tornado side pays one copy and one {@code byte[]} per read (part of the API's cost), plus the
 *       heap-to-direct copy Netty makes when a heap buffer is written to a native or NIO socket.</li>
 *   <li>raw Netty: a {@link ChannelInboundHandlerAdapter} that does {@code ctx.write(msg)} in
 *       {@code channelRead} and {@code ctx.flush()} in {@code channelReadComplete}: the received pooled
 *       direct buffer goes back out as is (no copy).</li>
 * </ul>
 * Both servers are a single-thread loop accepting and serving ({@code IOLoop} on one side, a one-thread
 * {@link MultiThreadIoEventLoopGroup} with the transport's Netty {@code IoHandler} on the other).
 *
 * <p><b>Client</b> (identical for both sides): a raw Netty client on its own one-thread loop group of the
 * same transport. Each connection keeps a fixed window of bytes in flight: it writes from one shared,
 * pre-filled pooled direct buffer (retained slices: no allocation or copy per write), counts and releases
 * what comes back, tops the window up in {@code channelRead} and flushes once in
 * {@code channelReadComplete}. An invocation ends when every connection has had all of its bytes echoed,
 * so nothing is in flight between invocations. The connections are opened once per trial.
 *
 * <p><b>Workloads.</b>
 * <ul>
 *   <li>{@code SmallMessages}: {@value #CONNECTIONS} connections, 64-byte messages, a window of
 *       {@value #WINDOW_MESSAGES} messages (1 KiB) per connection, {@value #MESSAGES_PER_CONNECTION}
 *       messages per connection per invocation. One operation = one 64-byte message echoed (msg/s). The
 *       client tops up the window with one write of all the messages it may send (TCP does not keep
 *       message boundaries, and neither echo server looks for them).</li>
 *   <li>{@code Bulk}: one connection (the first of the four; the others stay idle) streams
 *       {@value #BULK_MIB} MiB through the echo in 64 KiB writes with at most 1 MiB in flight. One
 *       operation = one MiB echoed (MiB/s).</li>
 * </ul>
 * Each side's {@code @Setup} first runs a short verified exchange of each workload (every echoed byte
 * compared with what was sent), so a broken echo fails the trial instead of producing a number.
 *
 * <p><b>CPU time.</b> Besides the throughput, every benchmark reports two secondary results
 * ({@link LoopCpu}): the CPU time the server's loop thread and the client's loop thread used during the
 * timed invocations, in nanoseconds per second ({@code 1e9} = one core fully busy). Divided by the
 * throughput they give CPU time per operation, which {@code ratios.py} prints: on a shared 2-vCPU machine
 * it is steadier than the throughput, and the client's figure shows whether the client was saturated.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class EchoBenchmark {
    /** Connections of the small-message workload. */
    public static final int CONNECTIONS = 4;
    /** Bytes per message of the small-message workload. */
    public static final int MESSAGE_SIZE = 64;
    /** Messages in flight per connection. */
    public static final int WINDOW_MESSAGES = 16;
    /** Messages echoed per connection per invocation. */
    public static final int MESSAGES_PER_CONNECTION = 25_000;
    /** Messages echoed per invocation (all connections). */
    public static final int SMALL_OPS = CONNECTIONS * MESSAGES_PER_CONNECTION;
    /** Bytes per client write of the bulk workload. */
    public static final int BULK_CHUNK = 64 * 1024;
    /** Bytes in flight in the bulk workload. */
    public static final int BULK_WINDOW = 1024 * 1024;
    /** MiB echoed per bulk invocation. */
    public static final int BULK_MIB = 64;
    /** What the Tornado-style server asks for per read ({@code readBytes(n, partial=true)}). */
    public static final int SERVER_READ_SIZE = 64 * 1024;
    private static final long WAIT_SECONDS = 60;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final String HOST = "127.0.0.1";

    // ---------------------------------------------------------------- servers

    /** Tornado's echo: read whatever is there (up to 64 KiB), write it back, wait for the write, repeat. */
    static final class TornadoEchoServer extends TCPServer {
        @Override
        protected CompletionStage<?> handleStream(IOStream stream, InetSocketAddress address) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            echo(stream, done);
            return done;
        }

        /** One read and its write per step; each step starts the next (no future chain grows). */
        private static void echo(IOStream stream, CompletableFuture<Void> done) {
            stream.readBytes(SERVER_READ_SIZE, true).thenCompose(stream::write).whenComplete((v, err) -> {
                Throwable cause = err instanceof CompletionException ? err.getCause() : err;
                if (cause == null) {
                    echo(stream, done);
                } else if (cause instanceof StreamClosedError) {
                    done.complete(null); // the client left
                } else {
                    done.completeExceptionally(cause);
                }
            });
        }
    }

    /** Netty's echo: write each received buffer back, flush once per read loop. */
    @ChannelHandler.Sharable
    static final class NettyEchoHandler extends ChannelInboundHandlerAdapter {
        static final NettyEchoHandler INSTANCE = new NettyEchoHandler();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    // ---------------------------------------------------------------- client

    /**
     * The client end of one connection (client loop thread only): keeps {@code window} bytes in flight in
     * writes of {@code unit} bytes (or, when coalescing, one write of every whole unit that fits) until
     * {@code total} bytes came back.
     */
    static final class Driver extends ChannelInboundHandlerAdapter {
        private final ByteBuf payload;
        private final Client client;
        Channel channel;
        private long total;
        private long sent;
        private long received;
        private int unit;
        private int window;
        private boolean coalesce;
        private boolean verify;
        private boolean running;
        private boolean flushNeeded;

        Driver(Client client, ByteBuf payload) {
            this.client = client;
            this.payload = payload;
        }

        void start(long totalBytes, int unitBytes, int windowBytes, boolean coalesceUnits, boolean check) {
            total = totalBytes;
            unit = unitBytes;
            window = windowBytes;
            coalesce = coalesceUnits;
            verify = check;
            sent = 0;
            received = 0;
            running = true;
            if (!channel.isActive()) {
                client.fail(new IllegalStateException("connection to the echo server is closed"));
                return;
            }
            topUp();
            channel.flush();
        }

        /** Writes as many whole units as the window and the total allow. */
        private boolean topUp() {
            long room = Math.min(received + window - sent, total - sent);
            int units = (int) (room / unit);
            if (units <= 0) {
                return false;
            }
            if (coalesce) {
                channel.write(payload.retainedSlice(0, units * unit), channel.voidPromise());
            } else {
                for (int i = 0; i < units; i++) {
                    channel.write(payload.retainedSlice(0, unit), channel.voidPromise());
                }
            }
            sent += (long) units * unit;
            return true;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                int n = buf.readableBytes();
                if (!running) {
                    client.fail(new IllegalStateException(n + " bytes echoed outside a run"));
                    return;
                }
                if (verify && !matches(buf, received)) {
                    running = false;
                    client.fail(new IllegalStateException("echoed bytes differ from the ones sent, at offset "
                            + received));
                    return;
                }
                received += n;
            } finally {
                buf.release();
            }
            if (received > sent) {
                running = false;
                client.fail(new IllegalStateException("more bytes echoed (" + received + ") than sent (" + sent + ")"));
            } else if (received == total) {
                running = false;
                client.connectionDone();
            } else if (topUp()) {
                flushNeeded = true;
            }
        }

        /** Every write starts at payload offset 0 and is a multiple of {@link #MESSAGE_SIZE}. */
        private static boolean matches(ByteBuf buf, long streamOffset) {
            for (int i = 0; i < buf.readableBytes(); i++) {
                if (buf.getByte(buf.readerIndex() + i) != patternByte((int) ((streamOffset + i) % MESSAGE_SIZE))) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (flushNeeded) {
                flushNeeded = false;
                ctx.flush();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (running) {
                running = false;
                client.fail(new IllegalStateException("the echo server closed the connection during a run"));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            running = false;
            client.fail(cause);
            ctx.close();
        }
    }

    /** The id of the thread running {@code loop} (for its CPU time). */
    static long threadIdOf(EventLoop loop) {
        try {
            return loop.submit(() -> Thread.currentThread().getId()).get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot reach the loop thread", e);
        }
    }

    static byte patternByte(int i) {
        return (byte) ('0' + i % MESSAGE_SIZE);
    }

    /** The raw Netty client: its own one-thread loop group, {@link #CONNECTIONS} connections. */
    static final class Client {
        final MultiThreadIoEventLoopGroup group;
        final EventLoop loop;
        final ByteBuf payload;
        final Driver[] drivers = new Driver[CONNECTIONS];
        final long threadId;
        private int remaining;
        private CompletableFuture<Void> run;

        Client(Transport t, InetSocketAddress server) {
            group = BenchTransports.rawNettyGroup(t);
            loop = BenchTransports.loopOf(group);
            threadId = threadIdOf(loop);
            payload = PooledByteBufAllocator.DEFAULT.directBuffer(BULK_CHUNK, BULK_CHUNK);
            for (int i = 0; i < BULK_CHUNK; i++) {
                payload.writeByte(patternByte(i));
            }
            try {
                for (int i = 0; i < CONNECTIONS; i++) {
                    Driver d = new Driver(this, payload);
                    d.channel = new Bootstrap().group(loop).channel(Loops.socketChannel(t)).handler(d)
                            .connect(server).syncUninterruptibly().channel();
                    drivers[i] = d;
                }
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        /** Runs {@code connections} drivers to completion; blocks the calling (benchmark) thread. */
        void run(int connections, long bytesEach, int unit, int window, boolean coalesce, boolean verify)
                throws Exception {
            CompletableFuture<Void> f = new CompletableFuture<>();
            loop.execute(() -> {
                run = f;
                remaining = connections;
                for (int i = 0; i < connections; i++) {
                    drivers[i].start(bytesEach, unit, window, coalesce, verify);
                }
            });
            f.get(WAIT_SECONDS, TimeUnit.SECONDS);
        }

        void connectionDone() {
            if (--remaining == 0) {
                run.complete(null);
            }
        }

        void fail(Throwable t) {
            if (run != null) {
                run.completeExceptionally(t);
            }
        }

        /** One timed invocation of a workload, with the CPU time both loop threads spent on it. */
        void timed(boolean bulk, long serverThreadId, LoopCpu cpu) throws Exception {
            long server0 = THREADS.getThreadCpuTime(serverThreadId);
            long client0 = THREADS.getThreadCpuTime(threadId);
            if (bulk) {
                bulk();
            } else {
                smallMessages();
            }
            cpu.serverCpuNs += THREADS.getThreadCpuTime(serverThreadId) - server0;
            cpu.clientCpuNs += THREADS.getThreadCpuTime(threadId) - client0;
        }

        void smallMessages() throws Exception {
            run(CONNECTIONS, (long) MESSAGES_PER_CONNECTION * MESSAGE_SIZE, MESSAGE_SIZE,
                    WINDOW_MESSAGES * MESSAGE_SIZE, true, false);
        }

        void bulk() throws Exception {
            run(1, (long) BULK_MIB << 20, BULK_CHUNK, BULK_WINDOW, false, false);
        }

        /** Short runs of both workloads with every echoed byte checked. */
        void verify() throws Exception {
            run(CONNECTIONS, 1000L * MESSAGE_SIZE, MESSAGE_SIZE, WINDOW_MESSAGES * MESSAGE_SIZE, true, true);
            run(1, 4L << 20, BULK_CHUNK, BULK_WINDOW, false, true);
        }

        void close() {
            for (Driver d : drivers) {
                if (d != null) {
                    d.channel.close().syncUninterruptibly();
                }
            }
            BenchTransports.shutdown(group);
            payload.release();
        }
    }

    // ---------------------------------------------------------------- states

    /** A Tornado-J echo server on its own IOLoop, and the client. */
    @State(Scope.Benchmark)
    public static class TornadoSide {
        @Param({"EPOLL", "NIO", "IO_URING"})
        public String transport;
        IOLoop loop;
        TornadoEchoServer server;
        Client client;
        long serverThreadId;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            Transport t = BenchTransports.require(transport);
            loop = IOLoop.create(t);
            server = new TornadoEchoServer();
            loop.<Void>runSync(() -> {
                server.listen(0, HOST); // binds on IOLoop.current(), i.e. this loop
                return CompletableFuture.completedFuture(null);
            }, Duration.ofSeconds(WAIT_SECONDS));
            serverThreadId = threadIdOf(loop.eventLoop());
            client = new Client(t, server.boundAddresses().get(0));
            client.verify();
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            if (client != null) {
                client.close();
            }
            if (server != null) {
                server.stop().get(WAIT_SECONDS, TimeUnit.SECONDS);
            }
            if (loop != null) {
                loop.close();
            }
        }
    }

    /** A raw Netty echo server on its own one-thread loop group, and the client. */
    @State(Scope.Benchmark)
    public static class NettySide {
        @Param({"EPOLL", "NIO", "IO_URING"})
        public String transport;
        MultiThreadIoEventLoopGroup group;
        Channel listener;
        Client client;
        long serverThreadId;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            Transport t = BenchTransports.require(transport);
            group = BenchTransports.rawNettyGroup(t);
            listener = new ServerBootstrap().group(group).channel(Loops.serverSocketChannel(t))
                    .childHandler(NettyEchoHandler.INSTANCE)
                    .bind(HOST, 0).syncUninterruptibly().channel();
            serverThreadId = threadIdOf(BenchTransports.loopOf(group));
            client = new Client(t, (InetSocketAddress) listener.localAddress());
            client.verify();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (client != null) {
                client.close();
            }
            if (listener != null) {
                listener.close().syncUninterruptibly();
            }
            BenchTransports.shutdown(group);
        }
    }

    /**
     * Secondary results: CPU time of the server's and the client's loop thread during the timed
     * invocations, reported by JMH as a rate (ns of CPU per second of the iteration, 1e9 = one busy core).
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class LoopCpu {
        /** CPU nanoseconds used by the server's loop thread. */
        public long serverCpuNs;
        /** CPU nanoseconds used by the client's loop thread. */
        public long clientCpuNs;

        @Setup(Level.Iteration)
        public void reset() {
            serverCpuNs = 0;
            clientCpuNs = 0;
        }
    }

    // ---------------------------------------------------------------- small messages

    @Benchmark
    @OperationsPerInvocation(SMALL_OPS)
    public void tornadoSmallMessages(TornadoSide s, LoopCpu cpu) throws Exception {
        s.client.timed(false, s.serverThreadId, cpu);
    }

    @Benchmark
    @OperationsPerInvocation(SMALL_OPS)
    public void nettySmallMessages(NettySide s, LoopCpu cpu) throws Exception {
        s.client.timed(false, s.serverThreadId, cpu);
    }

    // ---------------------------------------------------------------- bulk

    @Benchmark
    @OperationsPerInvocation(BULK_MIB)
    public void tornadoBulk(TornadoSide s, LoopCpu cpu) throws Exception {
        s.client.timed(true, s.serverThreadId, cpu);
    }

    @Benchmark
    @OperationsPerInvocation(BULK_MIB)
    public void nettyBulk(NettySide s, LoopCpu cpu) throws Exception {
        s.client.timed(true, s.serverThreadId, cpu);
    }
}
