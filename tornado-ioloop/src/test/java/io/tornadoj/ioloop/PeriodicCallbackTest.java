package io.tornadoj.ioloop;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@org.junit.jupiter.api.Timeout(30)
class PeriodicCallbackTest {
    private IOLoop loop;

    @BeforeEach
    void open() {
        loop = IOLoop.create();
    }

    @AfterEach
    void close() {
        loop.close();
    }

    private static void busy(long millis) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    @Test
    void periodIsKeptAgainstTheClockNotAddedToTheWork() throws Exception {
        // 10 ms of work in a 20 ms period: the schedule stays at 20 ms (a drifting one would be 30 ms).
        List<Double> times = new CopyOnWriteArrayList<>();
        double start = loop.time();
        PeriodicCallback pc = new PeriodicCallback(() -> {
            times.add(loop.time());
            busy(10);
        }, Duration.ofMillis(20));
        pc.start(loop);
        Thread.sleep(400);
        pc.stop();
        int runs = times.size();
        assertTrue(runs >= 15, "runs in 400 ms: " + runs);
        for (int k = 0; k < runs; k++) {
            assertTrue(times.get(k) >= start + (k + 1) * 0.020 - 1e-3, "run " + k + " early");
        }
    }

    @Test
    void missedSlotsAreSkippedWithoutACatchUpBurst() throws Exception {
        List<Double> times = new CopyOnWriteArrayList<>();
        AtomicInteger n = new AtomicInteger();
        PeriodicCallback pc = new PeriodicCallback(() -> {
            times.add(loop.time());
            if (n.incrementAndGet() == 2) {
                busy(75); // overlaps 3+ slots
            }
        }, Duration.ofMillis(20));
        pc.start(loop);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (times.size() < 8 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        pc.stop();
        assertTrue(times.size() >= 8);
        // After the long run, the next one waits for the next slot: no two runs back to back.
        for (int k = 1; k < times.size(); k++) {
            double gap = times.get(k) - times.get(k - 1);
            assertTrue(gap >= 0.005, "burst between run " + (k - 1) + " and " + k + ": " + gap);
        }
    }

    @Test
    void jitterVariesTheIntervalWithinItsBounds() throws Exception {
        List<Double> times = new CopyOnWriteArrayList<>();
        PeriodicCallback pc = new PeriodicCallback(() -> times.add(loop.time()), Duration.ofMillis(20), 0.5);
        pc.start(loop);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (times.size() < 21 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        pc.stop();
        double min = Double.MAX_VALUE;
        double max = 0;
        for (int k = 1; k < times.size(); k++) {
            double gap = times.get(k) - times.get(k - 1);
            min = Math.min(min, gap);
            max = Math.max(max, gap);
        }
        // jitter 0.5 → each interval × [0.75, 1.25): never under 15 ms (minus clock slack).
        assertTrue(min >= 0.015 - 1e-3, "min gap " + min);
        assertTrue(max - min >= 0.001, "intervals do not vary: " + min + ".." + max);
        assertThrows(IllegalArgumentException.class, () -> new PeriodicCallback(() -> { }, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new PeriodicCallback(() -> { }, Duration.ofMillis(1), -1));
    }

    @Test
    void stopFromInsideTheCallback() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        AtomicReference<PeriodicCallback> self = new AtomicReference<>();
        CountDownLatch stopped = new CountDownLatch(1);
        PeriodicCallback pc = new PeriodicCallback(() -> {
            if (runs.incrementAndGet() == 3) {
                self.get().stop();
                stopped.countDown();
            }
        }, Duration.ofMillis(5));
        self.set(pc);
        // start() without a loop argument uses IOLoop.current(): on the loop thread, this loop.
        loop.runSync(() -> {
            pc.start();
            return CompletableFuture.completedFuture(null);
        });
        assertTrue(pc.isRunning());
        assertTrue(stopped.await(5, TimeUnit.SECONDS));
        Thread.sleep(50);
        assertEquals(3, runs.get());
        assertFalse(pc.isRunning());
        pc.start(loop); // can be started again
        assertThrows(IllegalStateException.class, () -> pc.start(loop));
        pc.stop();
    }

    @Test
    void anExceptionIsReportedAndTheScheduleGoesOn() throws Exception {
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        CountDownLatch three = new CountDownLatch(3);
        loop.setCallbackExceptionHandler((cb, t) -> {
            errors.add(t);
            three.countDown(); // counted once reported, not when thrown
        });
        AtomicInteger runs = new AtomicInteger();
        PeriodicCallback pc = new PeriodicCallback(() -> {
            runs.incrementAndGet();
            throw new IllegalStateException("periodic failure");
        }, Duration.ofMillis(5));
        pc.start(loop);
        assertTrue(three.await(5, TimeUnit.SECONDS));
        pc.stop();
        assertTrue(errors.size() >= 3);
        assertEquals("periodic failure", errors.get(0).getMessage());
    }
}
