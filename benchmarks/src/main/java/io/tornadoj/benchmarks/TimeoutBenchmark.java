package io.tornadoj.benchmarks;

import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.ioloop.Timeout;
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

import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Timer throughput on the loop thread: N {@code callLater}s with random delays (1–60 s, the same
 * pre-generated values for both sides), then cancel every other one, against raw Netty's
 * {@code eventLoop.schedule(...)} + {@code ScheduledFuture.cancel(false)}. One operation is one add or one
 * cancel, so an invocation is {@code N + N/2} operations. None of the timeouts fires during a run.
 *
 * <p>The half left scheduled is cancelled after each invocation (untimed) so every invocation starts from
 * an empty timer heap, and the heap is then collected ({@code System.gc()}, untimed) with a 1 GB young
 * generation, so no young collection lands inside a timed run: both sides allocate about the same per
 * operation (one handle object; see {@code -prof gc}), and without this the run-to-run noise from where
 * a collection happens to copy up to 1M live timeouts swamps the difference being measured. After the last iteration the Tornado-J state also runs
 * {@link TimeoutMemoryCheck} on its loop and prints how much heap 1M cancelled timeouts keep.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-Xmn1g", "-XX:+AlwaysPreTouch"})
public class TimeoutBenchmark {
    /** Timeouts added per invocation; half of them are cancelled in the timed part. */
    public static final int N = 1_000_000;
    static final double[] DELAY_SECONDS = new double[N];
    static final long[] DELAY_NANOS = new long[N];
    static final Runnable NOOP = () -> { };
    private static final Duration WAIT = Duration.ofSeconds(120);

    static {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < N; i++) {
            double seconds = 1 + random.nextDouble() * 59;
            DELAY_SECONDS[i] = seconds;
            DELAY_NANOS[i] = (long) (seconds * 1e9); // what IOLoop.callLater(double, ...) computes
        }
    }

    /** A Tornado-J loop and the handles of the current invocation. */
    @State(Scope.Benchmark)
    public static class TornadoTimers {
        @Param({"EPOLL", "NIO", "IO_URING"})
        public String transport;
        IOLoop loop;
        final Timeout[] handles = new Timeout[N];

        @Setup(Level.Trial)
        public void setUp() {
            loop = IOLoop.create(BenchTransports.require(transport));
        }

        /** Cancels the half still scheduled, so the next invocation starts from an empty heap. */
        @TearDown(Level.Invocation)
        public void cancelRest() throws Exception {
            loop.<Void>runSync(() -> {
                for (int i = 1; i < N; i += 2) {
                    loop.removeTimeout(handles[i]);
                }
                Arrays.fill(handles, null);
                return null;
            }, WAIT);
            System.gc(); // this invocation's garbage is collected here, not inside the next timed run
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            if (loop == null) {
                return;
            }
            try {
                System.out.println();
                System.out.println(TimeoutMemoryCheck.tornado(loop, DELAY_SECONDS).describe());
            } finally {
                loop.close();
            }
        }
    }

    /** A raw Netty loop and the futures of the current invocation. */
    @State(Scope.Benchmark)
    public static class NettyTimers {
        @Param({"EPOLL", "NIO", "IO_URING"})
        public String transport;
        MultiThreadIoEventLoopGroup group;
        EventLoop loop;
        final ScheduledFuture<?>[] futures = new ScheduledFuture<?>[N];

        @Setup(Level.Trial)
        public void setUp() {
            group = BenchTransports.rawNettyGroup(BenchTransports.require(transport));
            loop = BenchTransports.loopOf(group);
        }

        @TearDown(Level.Invocation)
        public void cancelRest() throws Exception {
            loop.submit(() -> {
                for (int i = 1; i < N; i += 2) {
                    futures[i].cancel(false);
                }
                Arrays.fill(futures, null);
            }).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            System.gc(); // this invocation's garbage is collected here, not inside the next timed run
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            if (group == null) {
                return;
            }
            try {
                System.out.println();
                System.out.println(TimeoutMemoryCheck.netty(loop, transport, DELAY_NANOS).describe());
            } finally {
                BenchTransports.shutdown(group);
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(N + N / 2)
    public void tornadoAddCancel(TornadoTimers s) throws Exception {
        IOLoop loop = s.loop;
        Timeout[] handles = s.handles;
        loop.<Void>runSync(() -> {
            for (int i = 0; i < N; i++) {
                handles[i] = loop.callLater(DELAY_SECONDS[i], NOOP);
            }
            for (int i = 0; i < N; i += 2) {
                loop.removeTimeout(handles[i]);
            }
            return null;
        }, WAIT);
    }

    @Benchmark
    @OperationsPerInvocation(N + N / 2)
    public void nettyAddCancel(NettyTimers s) throws Exception {
        EventLoop loop = s.loop;
        ScheduledFuture<?>[] futures = s.futures;
        loop.submit(() -> {
            for (int i = 0; i < N; i++) {
                futures[i] = loop.schedule(NOOP, DELAY_NANOS[i], TimeUnit.NANOSECONDS);
            }
            for (int i = 0; i < N; i += 2) {
                futures[i].cancel(false);
            }
        }).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
}
