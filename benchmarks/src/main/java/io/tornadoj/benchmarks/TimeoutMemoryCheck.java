package io.tornadoj.benchmarks;

import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.ioloop.Timeout;
import io.tornadoj.ioloop.Transport;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Checks, with public API only, that cancelled timeouts keep no memory: schedules {@value #N} timeouts on
 * the loop thread, cancels them all, drops every handle, and compares the heap in use after a full GC
 * before, while scheduled, and after cancelling (MemoryMXBean). Weak references to every
 * {@value #SAMPLE_EVERY}th handle show whether the loop still reaches any cancelled timeout.
 *
 * <p>Run by {@link TimeoutBenchmark}'s trial teardown and standalone by {@code run.sh}:
 * {@code java -cp benchmarks/target/benchmarks.jar io.tornadoj.benchmarks.TimeoutMemoryCheck [EPOLL,NIO]}.
 * Exits 1 when a Tornado-J loop keeps cancelled timeouts.
 */
public final class TimeoutMemoryCheck {
    static final int N = 1_000_000;
    static final int SAMPLE_EVERY = 1000;
    /** Heap growth after cancelling everything that still counts as noise (JIT, JMX, class data). */
    static final long NOISE_BYTES = 2L << 20;
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private TimeoutMemoryCheck() {
    }

    /** Heap figures of one check. */
    record Result(String side, String transport, long baseline, long scheduled, long afterCancel,
                  int sampled, int sampledCollected) {
        long scheduledBytes() {
            return scheduled - baseline;
        }

        long retainedBytes() {
            return afterCancel - baseline;
        }

        boolean keepsNothing() {
            return sampledCollected == sampled && retainedBytes() < NOISE_BYTES;
        }

        String verdict() {
            if (sampledCollected != sampled) {
                return "KEEPS CANCELLED TIMEOUTS";
            }
            return retainedBytes() < NOISE_BYTES ? "keeps nothing"
                    : "releases the timeouts but keeps their queue's backing array";
        }

        String describe() {
            return String.format(Locale.ROOT,
                    "[timeout memory] %-16s %-8s %,d timeouts scheduled: +%.1f MB (%.1f B each incl. our handle "
                            + "array); all cancelled, handles dropped: %+.2f MB (%.2f B per cancelled timeout); "
                            + "sampled handles collected %d/%d -> %s",
                    side, transport, N, scheduledBytes() / 1048576.0, scheduledBytes() / (double) N,
                    retainedBytes() / 1048576.0, retainedBytes() / (double) N, sampledCollected, sampled,
                    verdict());
        }
    }

    /** Runs the check on a Tornado-J loop (from a thread that is not the loop's). */
    static Result tornado(IOLoop loop, double[] delaySeconds) throws Exception {
        Object[][] holder = new Object[1][];
        List<WeakReference<Object>> sample = new ArrayList<>();
        long baseline = usedHeapAfterGc();
        loop.<Void>runSync(() -> {
            Timeout[] handles = new Timeout[N];
            for (int i = 0; i < N; i++) {
                handles[i] = loop.callLater(delaySeconds[i % delaySeconds.length], TimeoutBenchmark.NOOP);
                if (i % SAMPLE_EVERY == 0) {
                    sample.add(new WeakReference<>(handles[i]));
                }
            }
            holder[0] = handles;
            return null;
        }, WAIT);
        long scheduled = usedHeapAfterGc();
        loop.<Void>runSync(() -> {
            for (Object t : holder[0]) {
                loop.removeTimeout((Timeout) t);
            }
            holder[0] = null;
            return null;
        }, WAIT);
        long after = usedHeapAfterGc();
        return new Result("Tornado-J IOLoop", loop.transport().name(), baseline, scheduled, after,
                sample.size(), collected(sample));
    }

    /** The same on a raw Netty loop (schedule + cancel(false)), for comparison. */
    static Result netty(EventLoop loop, String transport, long[] delayNanos) throws Exception {
        Object[][] holder = new Object[1][];
        List<WeakReference<Object>> sample = new ArrayList<>();
        long baseline = usedHeapAfterGc();
        loop.submit(() -> {
            ScheduledFuture<?>[] futures = new ScheduledFuture<?>[N];
            for (int i = 0; i < N; i++) {
                futures[i] = loop.schedule(TimeoutBenchmark.NOOP, delayNanos[i % delayNanos.length],
                        TimeUnit.NANOSECONDS);
                if (i % SAMPLE_EVERY == 0) {
                    sample.add(new WeakReference<>(futures[i]));
                }
            }
            holder[0] = futures;
        }).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        long scheduled = usedHeapAfterGc();
        loop.submit(() -> {
            for (Object f : holder[0]) {
                ((ScheduledFuture<?>) f).cancel(false);
            }
            holder[0] = null;
        }).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        long after = usedHeapAfterGc();
        return new Result("raw Netty", transport, baseline, scheduled, after,
                sample.size(), collected(sample));
    }

    private static int collected(List<WeakReference<Object>> sample) {
        int n = 0;
        for (WeakReference<Object> ref : sample) {
            if (ref.get() == null) {
                n++;
            }
        }
        return n;
    }

    /** Heap in use after full GCs, once it stops shrinking. */
    static long usedHeapAfterGc() throws InterruptedException {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(50);
            long used = MEMORY.getHeapMemoryUsage().getUsed();
            if (used >= best) {
                break;
            }
            best = used;
        }
        return best;
    }

    /**
     * Standalone check on every available benchmarked transport (or the comma-separated list in
     * {@code args[0]}), Tornado-J and raw Netty side by side.
     */
    public static void main(String[] args) throws Exception {
        List<String> transports = args.length > 0 && !args[0].isBlank()
                ? Arrays.asList(args[0].split(",")) : BenchTransports.available();
        boolean ok = true;
        for (String name : transports) {
            Transport t = BenchTransports.require(name.trim());
            try (IOLoop loop = IOLoop.create(t)) {
                Result r = tornado(loop, TimeoutBenchmark.DELAY_SECONDS);
                System.out.println(r.describe());
                ok &= r.keepsNothing();
            }
            MultiThreadIoEventLoopGroup group = BenchTransports.rawNettyGroup(t);
            try {
                System.out.println(netty(BenchTransports.loopOf(group), t.name(), TimeoutBenchmark.DELAY_NANOS).describe());
            } finally {
                BenchTransports.shutdown(group);
            }
        }
        if (!ok) {
            System.out.println("FAIL: a Tornado-J loop keeps memory for cancelled timeouts");
            System.exit(1);
        }
    }
}
