package io.tornadoj.benchmarks;

import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.tornadoj.ioloop.IOLoop;
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

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Callbacks per second on one loop thread: Tornado-J's {@link IOLoop#addCallback} against raw Netty's
 * {@link EventLoop#execute} on a plain single-thread {@link MultiThreadIoEventLoopGroup} with the same
 * transport's Netty I/O handler.
 *
 * <ul>
 *   <li><b>chain</b>: N callbacks where each one, on the loop thread, adds the next. Tornado semantics run
 *       a callback added while callbacks run only after the next I/O poll, so every link of the Tornado
 *       chain pays one full Netty loop turn with a non-blocking poll: one epoll_wait(0) syscall on EPOLL
 *       and NIO (selectNow), none on IO_URING (it only enters the kernel when it has submissions); Netty
 *       runs the whole chain from its task queue back to back without polling.</li>
 *   <li><b>batch</b>: one loop-thread task adds N callbacks that just count; measures queueing plus
 *       running a callback without the per-link poll.</li>
 * </ul>
 *
 * The benchmark thread starts each run and blocks on a future the last callback completes. Each side has
 * its own state, so only the loop under test exists during a benchmark. The fork pre-touches its fixed
 * 2 GB heap: without it the first passes over fresh eden pages (page faults) made the batch runs swing 3x
 * between iterations.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class CallbackChainBenchmark {
    /** Callbacks per benchmark invocation. */
    public static final int N = 1_000_000;
    private static final long WAIT_SECONDS = 120;

    /** A Tornado-J loop on the transport under test. */
    @State(Scope.Benchmark)
    public static class TornadoLoop {
        @Param({"EPOLL", "NIO", "IO_URING"})
        public String transport;
        IOLoop loop;

        @Setup(Level.Trial)
        public void setUp() {
            loop = IOLoop.create(BenchTransports.require(transport));
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (loop != null) {
                loop.close();
            }
        }
    }

    /** A raw Netty single-thread loop on the transport under test. */
    @State(Scope.Benchmark)
    public static class NettyLoop {
        @Param({"EPOLL", "NIO", "IO_URING"})
        public String transport;
        MultiThreadIoEventLoopGroup group;
        EventLoop loop;

        @Setup(Level.Trial)
        public void setUp() {
            group = BenchTransports.rawNettyGroup(BenchTransports.require(transport));
            loop = BenchTransports.loopOf(group);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            BenchTransports.shutdown(group);
        }
    }

    /** One Tornado-J link after another: each run re-adds itself with addCallback until done. */
    static final class TornadoChain implements Runnable {
        private final IOLoop loop;
        private int remaining;
        final CompletableFuture<Void> done = new CompletableFuture<>();

        TornadoChain(IOLoop loop, int links) {
            this.loop = loop;
            this.remaining = links;
        }

        @Override
        public void run() {
            if (--remaining == 0) {
                done.complete(null);
            } else {
                loop.addCallback(this);
            }
        }
    }

    /** The same chain on raw Netty: each run re-submits itself with execute until done. */
    static final class NettyChain implements Runnable {
        private final EventLoop loop;
        private int remaining;
        final CompletableFuture<Void> done = new CompletableFuture<>();

        NettyChain(EventLoop loop, int links) {
            this.loop = loop;
            this.remaining = links;
        }

        @Override
        public void run() {
            if (--remaining == 0) {
                done.complete(null);
            } else {
                loop.execute(this);
            }
        }
    }

    /** Counts runs; completes after {@code expected}. */
    static final class Counter implements Runnable {
        private final int expected;
        private int count;
        final CompletableFuture<Void> done = new CompletableFuture<>();

        Counter(int expected) {
            this.expected = expected;
        }

        @Override
        public void run() {
            if (++count == expected) {
                done.complete(null);
            }
        }
    }

    // ---------------------------------------------------------------- chain

    @Benchmark
    @OperationsPerInvocation(N)
    public void tornadoChain(TornadoLoop s) throws Exception {
        IOLoop loop = s.loop;
        TornadoChain chain = new TornadoChain(loop, N);
        loop.addCallback(chain); // the first link from here, the N-1 others from the loop thread
        chain.done.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void nettyChain(NettyLoop s) throws Exception {
        EventLoop loop = s.loop;
        NettyChain chain = new NettyChain(loop, N);
        loop.execute(chain);
        chain.done.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------- batch

    @Benchmark
    @OperationsPerInvocation(N)
    public void tornadoBatch(TornadoLoop s) throws Exception {
        IOLoop loop = s.loop;
        Counter counter = new Counter(N);
        loop.addCallback(() -> {
            for (int i = 0; i < N; i++) {
                loop.addCallback(counter);
            }
        });
        counter.done.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void nettyBatch(NettyLoop s) throws Exception {
        EventLoop loop = s.loop;
        Counter counter = new Counter(N);
        loop.execute(() -> {
            for (int i = 0; i < N; i++) {
                loop.execute(counter);
            }
        });
        counter.done.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }
}
