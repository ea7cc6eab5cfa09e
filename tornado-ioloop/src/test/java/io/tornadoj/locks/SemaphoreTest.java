package io.tornadoj.locks;

import io.tornadoj.testsupport.LoopTestBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tornado's {@code locks.Semaphore} and {@code locks.BoundedSemaphore}, with futures. */
@Timeout(30)
class SemaphoreTest extends LoopTestBase {

    private CompletableFuture<Void> after(Duration delay) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        loop.callLater(delay, () -> f.complete(null));
        return f;
    }

    /** Tornado's default value is 1, for both kinds. */
    @Test
    void theDefaultValueIsOne() throws Exception {
        run(() -> {
            Semaphore sem = new Semaphore();
            assertEquals(1, sem.value());
            assertTrue(sem.acquire().isDone());
            assertFalse(sem.acquire().isDone());
            BoundedSemaphore bounded = new BoundedSemaphore();
            assertEquals(1, bounded.value());
            assertThrows(IllegalStateException.class, bounded::release);
            return null;
        });
    }

    @Test
    void negativeInitialValueIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Semaphore(-1));
        assertThrows(IllegalArgumentException.class, () -> new BoundedSemaphore(-1));
    }

    @Test
    void acquireCountsDownAndWaitersAreServedInFifoOrder() throws Exception {
        run(() -> {
            Semaphore sem = new Semaphore(1);
            assertEquals(1, sem.value());
            assertFalse(sem.locked());
            CompletableFuture<Releaser> f0 = sem.acquire();
            assertTrue(f0.isDone());
            assertNotNull(f0.getNow(null));
            assertEquals(0, sem.value());
            assertTrue(sem.locked());

            CompletableFuture<Releaser> f1 = sem.acquire();
            CompletableFuture<Releaser> f2 = sem.acquire();
            assertFalse(f1.isDone());
            assertFalse(f2.isDone());
            sem.release();
            assertTrue(f1.isDone());
            assertFalse(f2.isDone());
            assertEquals(0, sem.value());
            sem.release();
            assertTrue(f2.isDone());
            assertEquals(0, sem.value());

            sem.release();
            assertEquals(1, sem.value());
            assertTrue(sem.acquire().isDone());
            return null;
        });
    }

    @Test
    void releaseWakesManyWaitersOneAtATimeInFifoOrder() throws Exception {
        List<Boolean> onLoop = new ArrayList<>();
        run(() -> {
            Semaphore sem = new Semaphore(0);
            List<Integer> history = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                int n = i;
                sem.acquire().thenRun(() -> {
                    history.add(n);
                    onLoop.add(loop.inLoop());
                });
            }
            for (int i = 0; i < 5; i++) {
                assertEquals(i, history.size());
                sem.release();
            }
            assertEquals(List.of(0, 1, 2, 3, 4), history);
            assertEquals(0, sem.value());
            return null;
        });
        assertEquals(List.of(true, true, true, true, true), onLoop);
    }

    @Test
    void timedAcquireFailsWithTimeoutExceptionAndTakesNothingLater() throws Exception {
        record Outcome(Throwable failure, long elapsedNanos, boolean onLoop) {
        }
        Semaphore sem = new Semaphore(2);
        Outcome o = run(() -> {
            assertTrue(sem.acquire().isDone());
            assertTrue(sem.acquire().isDone());
            long start = System.nanoTime();
            CompletableFuture<Releaser> timed = sem.acquire(Duration.ofMillis(20));
            assertFalse(timed.isDone());
            return failureOf(timed).thenApply(t -> new Outcome(t, System.nanoTime() - start, loop.inLoop()));
        });
        assertInstanceOf(TimeoutException.class, o.failure());
        assertTrue(o.elapsedNanos() >= Duration.ofMillis(20).toNanos(), "timed out after " + o.elapsedNanos() + " ns");
        assertTrue(o.onLoop());

        run(() -> {
            assertEquals(0, sem.value());
            sem.release(); // the timed-out waiter must not take this
            assertEquals(1, sem.value());
            assertTrue(sem.acquire().isDone());
            CompletableFuture<Releaser> f = sem.acquire();
            assertFalse(f.isDone());
            sem.release();
            assertTrue(f.isDone());
            return null;
        });
    }

    @Test
    void runSyncRethrowsTheTimeoutException() {
        Semaphore sem = new Semaphore(0);
        assertThrows(TimeoutException.class, () -> run(() -> sem.acquire(Duration.ofMillis(10))));
    }

    @Test
    void timedAcquireReleasedInTimeSucceeds() throws Exception {
        Throwable t = run(() -> {
            Semaphore sem = new Semaphore(1);
            assertTrue(sem.acquire().isDone());
            loop.callLater(Duration.ofMillis(5), sem::release);
            return failureOf(sem.acquire(Duration.ofSeconds(2)));
        });
        assertNull(t);
    }

    @Test
    void timedAcquireWithAPermitFreeIsImmediate() throws Exception {
        run(() -> {
            Semaphore sem = new Semaphore(1);
            CompletableFuture<Releaser> f = sem.acquire(Duration.ofMillis(1));
            assertTrue(f.isDone());
            assertFalse(f.isCompletedExceptionally());
            assertEquals(0, sem.value());
            return f;
        });
    }

    @Test
    void releaseWithoutAcquireRaisesTheCount() throws Exception {
        run(() -> {
            Semaphore sem = new Semaphore(1);
            sem.release();
            sem.release();
            assertEquals(3, sem.value());
            for (int i = 0; i < 3; i++) {
                assertTrue(sem.acquire().isDone());
            }
            assertFalse(sem.acquire().isDone());
            return null;
        });
    }

    @Test
    @SuppressWarnings("try")
    void releaserInTryWithResourcesReleases() throws Exception {
        run(() -> {
            Semaphore sem = new Semaphore(1);
            try (Releaser r = sem.acquire().join()) {
                assertNotNull(r);
                assertEquals(0, sem.value());
            }
            assertEquals(1, sem.value());

            CompletableFuture<Releaser> waiter;
            try (Releaser r = sem.acquire().join()) {
                waiter = sem.acquire();
                assertFalse(waiter.isDone());
            }
            assertTrue(waiter.isDone(), "closing the releaser hands the permit to the waiter");
            assertEquals(0, sem.value());
            waiter.join().close();
            assertEquals(1, sem.value());
            return null;
        });
    }

    @Test
    @SuppressWarnings("try")
    void releaserReleasesWhenTheBodyThrows() throws Exception {
        run(() -> {
            Semaphore sem = new Semaphore(1);
            assertThrows(ArithmeticException.class, () -> {
                try (Releaser r = sem.acquire().join()) {
                    throw new ArithmeticException("/ by zero");
                }
            });
            assertEquals(1, sem.value());
            assertTrue(sem.acquire().isDone());
            return null;
        });
    }

    @Test
    void contendedHoldersTakeTurns() throws Exception {
        List<String> history = new ArrayList<>();
        run(() -> {
            Semaphore sem = new Semaphore(1);
            List<CompletableFuture<Void>> tasks = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                int n = i;
                tasks.add(sem.acquire().thenCompose(r -> {
                    history.add("acquired " + n);
                    return after(Duration.ofMillis(10)).whenComplete((v, t) -> {
                        history.add("release " + n);
                        r.close();
                    });
                }));
            }
            return CompletableFuture.allOf(tasks.toArray(new CompletableFuture<?>[0]));
        });
        assertEquals(List.of("acquired 0", "release 0", "acquired 1", "release 1"), history);
    }

    @Test
    void manyTimedOutWaitersAreDroppedAndTheLastWaiterStillAcquires() throws Exception {
        run(() -> {
            Semaphore sem = new Semaphore(0);
            List<CompletableFuture<Releaser>> timed = new ArrayList<>();
            for (int i = 0; i < 101; i++) {
                timed.add(sem.acquire(Duration.ofMillis(10)));
            }
            CompletableFuture<Releaser> last = sem.acquire();
            CompletableFuture<?>[] failures = timed.stream().map(SemaphoreTest::failureOf)
                    .toArray(CompletableFuture<?>[]::new);
            return CompletableFuture.allOf(failures).thenApply(v -> {
                for (CompletableFuture<?> f : failures) {
                    assertInstanceOf(TimeoutException.class, f.join());
                }
                assertFalse(last.isDone());
                sem.release();
                assertTrue(last.isDone());
                assertEquals(0, sem.value());
                return null;
            });
        });
    }

    @Test
    void aCancelledWaiterIsSkipped() throws Exception {
        run(() -> {
            Semaphore sem = new Semaphore(0);
            CompletableFuture<Releaser> cancelled = sem.acquire();
            CompletableFuture<Releaser> next = sem.acquire();
            cancelled.cancel(false);
            sem.release();
            assertTrue(next.isDone());
            assertFalse(next.isCompletedExceptionally());
            assertEquals(0, sem.value());

            CompletableFuture<Releaser> alone = sem.acquire();
            alone.cancel(false);
            sem.release();
            assertEquals(1, sem.value(), "the permit went to a cancelled waiter");
            return null;
        });
    }

    @Test
    void aCancelledTimedWaiterTakesNothing() throws Exception {
        run(() -> {
            Semaphore sem = new Semaphore(0);
            CompletableFuture<Releaser> cancelled = sem.acquire(Duration.ofSeconds(10));
            cancelled.cancel(false);
            sem.release();
            assertEquals(1, sem.value(), "the permit went to a cancelled timed waiter");
            return null;
        });
    }

    @Test
    void toStringNamesTheClassAndValue() {
        assertTrue(new Semaphore(3).toString().contains("Semaphore"));
        assertTrue(new Semaphore(3).toString().contains("3"));
        assertTrue(new BoundedSemaphore(2).toString().contains("BoundedSemaphore"));
    }

    // ------------------------------------------------------------------ BoundedSemaphore

    @Test
    void boundedSemaphoreRejectsReleaseAboveItsInitialValue() throws Exception {
        run(() -> {
            BoundedSemaphore sem = new BoundedSemaphore(1);
            assertThrows(IllegalStateException.class, sem::release);
            assertEquals(1, sem.value());
            assertTrue(sem.acquire().isDone());
            assertEquals(0, sem.value());
            CompletableFuture<Releaser> waiter = sem.acquire();
            assertFalse(waiter.isDone());
            sem.release();
            assertTrue(waiter.isDone());
            assertEquals(0, sem.value());
            sem.release();
            assertEquals(1, sem.value());
            assertThrows(IllegalStateException.class, sem::release);
            assertEquals(1, sem.value());
            return null;
        });
    }

    @Test
    void boundedSemaphoreAllowsReleasesUpToItsInitialValue() throws Exception {
        run(() -> {
            BoundedSemaphore sem = new BoundedSemaphore(2);
            Releaser a = sem.acquire().join();
            Releaser b = sem.acquire().join();
            assertTrue(sem.locked());
            a.close();
            b.close();
            assertEquals(2, sem.value());
            assertThrows(IllegalStateException.class, b::close, "closing a releaser twice over-releases");
            assertEquals(2, sem.value());
            return null;
        });
    }

    @Test
    void boundedSemaphoreTimedAcquire() throws Exception {
        Throwable t = run(() -> {
            BoundedSemaphore sem = new BoundedSemaphore(1);
            sem.acquire();
            return failureOf(sem.acquire(Duration.ofMillis(10))).thenApply(x -> {
                sem.release();
                assertEquals(1, sem.value());
                assertThrows(IllegalStateException.class, sem::release);
                return x;
            });
        });
        assertInstanceOf(TimeoutException.class, t);
    }
}
