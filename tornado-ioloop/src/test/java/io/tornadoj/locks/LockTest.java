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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tornado's {@code locks.Lock}, with futures. */
@Timeout(30)
class LockTest extends LoopTestBase {

    @Test
    void acquireAndRelease() throws Exception {
        run(() -> {
            Lock lock = new Lock();
            assertFalse(lock.locked());
            assertTrue(lock.acquire().isDone());
            assertTrue(lock.locked());
            CompletableFuture<Releaser> second = lock.acquire();
            assertFalse(second.isDone());
            lock.release();
            assertTrue(second.isDone());
            assertTrue(lock.locked(), "the lock passed straight to the waiter");
            lock.release();
            assertFalse(lock.locked());
            return null;
        });
    }

    @Test
    void releasingAnUnlockedLockIsRejected() throws Exception {
        run(() -> {
            Lock lock = new Lock();
            assertThrows(IllegalStateException.class, lock::release);
            assertFalse(lock.locked());
            lock.acquire();
            lock.release();
            assertThrows(IllegalStateException.class, lock::release);
            assertFalse(lock.locked());
            assertTrue(lock.acquire().isDone(), "a failed release leaves the lock usable");
            assertTrue(lock.locked());
            return null;
        });
    }

    @Test
    @SuppressWarnings("try")
    void waitersGetTheLockInFifoOrder() throws Exception {
        List<Boolean> onLoop = new ArrayList<>();
        List<Integer> history = run(() -> {
            Lock lock = new Lock();
            assertTrue(lock.acquire().isDone());
            List<Integer> h = new ArrayList<>();
            List<CompletableFuture<Void>> tasks = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                int n = i;
                tasks.add(lock.acquire().thenAccept(r -> {
                    try (Releaser held = r) {
                        h.add(n);
                        onLoop.add(loop.inLoop());
                    }
                }));
            }
            for (CompletableFuture<Void> t : tasks) {
                assertFalse(t.isDone());
            }
            lock.release();
            return CompletableFuture.allOf(tasks.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
                assertFalse(lock.locked());
                return h;
            });
        });
        assertEquals(List.of(0, 1, 2, 3, 4), history);
        assertEquals(List.of(true, true, true, true, true), onLoop);
    }

    @Test
    void releaseHandsOffWithoutLettingANewcomerBarge() throws Exception {
        run(() -> {
            Lock lock = new Lock();
            Releaser first = lock.acquire().join();
            CompletableFuture<Releaser> waiting = lock.acquire();
            first.close();
            assertTrue(waiting.isDone());
            assertTrue(lock.locked());
            CompletableFuture<Releaser> newcomer = lock.acquire();
            assertFalse(newcomer.isDone(), "a newcomer took a lock that was handed to the waiter");
            waiting.join().close();
            assertTrue(newcomer.isDone());
            newcomer.join().close();
            assertFalse(lock.locked());
            return null;
        });
    }

    @Test
    void theLockIsNotReentrant() throws Exception {
        run(() -> {
            Lock lock = new Lock();
            assertTrue(lock.acquire().isDone());
            CompletableFuture<Releaser> again = lock.acquire();
            assertFalse(again.isDone());
            lock.release();
            assertTrue(again.isDone());
            return null;
        });
    }

    @Test
    void timedAcquireFailsWithTimeoutExceptionAndTakesNothingLater() throws Exception {
        record Outcome(Throwable failure, long elapsedNanos, boolean onLoop, boolean locked) {
        }
        Lock lock = new Lock();
        Outcome o = run(() -> {
            assertTrue(lock.acquire().isDone());
            long start = System.nanoTime();
            CompletableFuture<Releaser> timed = lock.acquire(Duration.ofMillis(20));
            assertFalse(timed.isDone());
            return failureOf(timed).thenApply(t -> new Outcome(t, System.nanoTime() - start, loop.inLoop(),
                    lock.locked()));
        });
        assertInstanceOf(TimeoutException.class, o.failure());
        assertTrue(o.elapsedNanos() >= Duration.ofMillis(20).toNanos(), "timed out after " + o.elapsedNanos() + " ns");
        assertTrue(o.onLoop());
        assertTrue(o.locked());

        run(() -> {
            CompletableFuture<Releaser> next = lock.acquire();
            assertFalse(next.isDone());
            lock.release();
            assertTrue(next.isDone());
            lock.release(); // the timed-out waiter must not get the lock now
            assertFalse(lock.locked());
            return null;
        });
    }

    @Test
    void runSyncRethrowsTheTimeoutException() {
        Lock lock = new Lock();
        assertThrows(TimeoutException.class, () -> run(() -> {
            lock.acquire();
            return lock.acquire(Duration.ofMillis(10));
        }));
    }

    @Test
    void timedAcquireReleasedInTimeSucceeds() throws Exception {
        Throwable t = run(() -> {
            Lock lock = new Lock();
            lock.acquire();
            loop.callLater(Duration.ofMillis(5), lock::release);
            return failureOf(lock.acquire(Duration.ofSeconds(2)));
        });
        assertNull(t);
    }

    @Test
    void aCancelledTimedAcquireTakesNothing() throws Exception {
        run(() -> {
            Lock lock = new Lock();
            lock.acquire();
            CompletableFuture<Releaser> cancelled = lock.acquire(Duration.ofSeconds(10));
            cancelled.cancel(false);
            lock.release();
            assertFalse(lock.locked(), "the lock went to a cancelled waiter");
            return null;
        });
    }

    @Test
    void releasingFromTheTimeoutCallbackUnlocks() throws Exception {
        run(() -> {
            Lock lock = new Lock();
            lock.acquire();
            return failureOf(lock.acquire(Duration.ofMillis(10))).thenApply(t -> {
                assertInstanceOf(TimeoutException.class, t);
                lock.release();
                assertFalse(lock.locked(), "the lock went to the waiter that just timed out");
                return null;
            });
        });
    }

    @Test
    @SuppressWarnings("try")
    void releaserUnlocksWhenTheBodyThrows() throws Exception {
        run(() -> {
            Lock lock = new Lock();
            assertThrows(IllegalStateException.class, () -> {
                try (Releaser r = lock.acquire().join()) {
                    assertTrue(lock.locked());
                    throw new IllegalStateException("inside");
                }
            });
            assertFalse(lock.locked());
            return null;
        });
    }

    @Test
    void toStringShowsTheState() throws Exception {
        run(() -> {
            Lock lock = new Lock();
            assertTrue(lock.toString().contains("unlocked"));
            lock.acquire();
            assertTrue(lock.toString().contains("locked"));
            assertFalse(lock.toString().contains("unlocked"));
            return null;
        });
    }
}
