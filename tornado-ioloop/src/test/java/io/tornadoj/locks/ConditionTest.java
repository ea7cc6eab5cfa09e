package io.tornadoj.locks;

import io.tornadoj.testsupport.LoopTestBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tornado's {@code locks.Condition}, with futures. */
@Timeout(30)
class ConditionTest extends LoopTestBase {

    /** Records {@code key} in history when the wait is notified, "timeout" when it timed out. */
    private static void record(CompletableFuture<Boolean> wait, List<Object> history, Object key) {
        wait.thenAccept(notified -> history.add(notified ? key : "timeout"));
    }

    /** Completes once the loop ran the callbacks queued so far (and everything they completed). */
    private CompletableFuture<Void> nextIteration() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        loop.addCallback(() -> f.complete(null));
        return f;
    }

    @Test
    void notifyWakesAWaiterOnTheLoop() throws Exception {
        boolean woken = run(() -> {
            Condition c = new Condition();
            CompletableFuture<Boolean> wait = c.await();
            assertFalse(wait.isDone());
            loop.callLater(Duration.ofMillis(10), () -> c.notify(1));
            return wait.thenApply(notified -> notified && loop.inLoop());
        });
        assertTrue(woken);
    }

    @Test
    void notifyOneWakesWaitersOneAtATimeInFifoOrder() throws Exception {
        List<Object> history = run(() -> {
            Condition c = new Condition();
            List<Object> h = new ArrayList<>();
            record(c.await(), h, "wait1");
            record(c.await(), h, "wait2");
            c.notify(1);
            h.add("notify1");
            c.notify(1);
            h.add("notify2");
            return CompletableFuture.completedFuture(h);
        });
        assertEquals(List.of("wait1", "notify1", "wait2", "notify2"), history);
    }

    @Test
    void notifyNWakesTheOldestN() throws Exception {
        run(() -> {
            Condition c = new Condition();
            List<Object> history = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                record(c.await(), history, i);
            }
            c.notify(3);
            assertEquals(List.of(0, 1, 2), history);
            c.notify(1);
            assertEquals(List.of(0, 1, 2, 3), history);
            c.notify(2);
            assertEquals(List.of(0, 1, 2, 3, 4, 5), history);
            c.notify(5); // nobody left: harmless
            assertEquals(List.of(0, 1, 2, 3, 4, 5), history);
            return null;
        });
    }

    @Test
    void notifyAllWakesEveryWaiterInOrder() throws Exception {
        run(() -> {
            Condition c = new Condition();
            List<Object> history = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                record(c.await(), history, i);
            }
            c.notifyAllWaiters();
            history.add("notifyAll");
            assertEquals(List.of(0, 1, 2, 3, "notifyAll"), history);
            CompletableFuture<Boolean> afterwards = c.await();
            assertFalse(afterwards.isDone());
            c.notifyAllWaiters();
            assertTrue(afterwards.getNow(false));
            return null;
        });
    }

    @Test
    void notificationsWithoutWaitersAreNotStored() throws Exception {
        run(() -> {
            Condition c = new Condition();
            c.notify(1);
            c.notify(3);
            c.notifyAllWaiters();
            CompletableFuture<Boolean> wait = c.await();
            assertFalse(wait.isDone());
            c.notify(0);
            assertFalse(wait.isDone());
            c.notify(1);
            assertTrue(wait.getNow(false));
            return null;
        });
    }

    @Test
    void timedAwaitGivesFalseOnTheLoopAfterTheTimeout() throws Exception {
        record Outcome(boolean notified, long elapsedNanos, boolean onLoop) {
        }
        Outcome o = run(() -> {
            Condition c = new Condition();
            long start = System.nanoTime();
            CompletableFuture<Boolean> wait = c.await(Duration.ofMillis(20));
            assertFalse(wait.isDone());
            return wait.thenApply(n -> new Outcome(n, System.nanoTime() - start, loop.inLoop()));
        });
        assertFalse(o.notified());
        assertTrue(o.elapsedNanos() >= Duration.ofMillis(20).toNanos(), "timed out after " + o.elapsedNanos() + " ns");
        assertTrue(o.onLoop());
    }

    @Test
    void timedAwaitNotifiedInTimeGivesTrue() throws Exception {
        boolean notified = run(() -> {
            Condition c = new Condition();
            loop.callLater(Duration.ofMillis(5), () -> c.notify(1));
            return c.await(Duration.ofSeconds(2));
        });
        assertTrue(notified);
    }

    @Test
    void aTimedOutWaiterDoesNotCountAgainstNotifyN() throws Exception {
        List<Object> history = new ArrayList<>();
        run(() -> {
            Condition c = new Condition();
            record(c.await(), history, 0);
            CompletableFuture<Boolean> timed = c.await(Duration.ofMillis(10));
            record(timed, history, 1);
            record(c.await(), history, 2);
            record(c.await(), history, 3);
            return timed.thenCompose(v -> nextIteration()).thenApply(v -> {
                assertEquals(List.of("timeout"), history);
                c.notify(2);
                assertEquals(List.of("timeout", 0, 2), history);
                c.notify(1);
                return null;
            });
        });
        assertEquals(List.of("timeout", 0, 2, 3), history);
    }

    @Test
    void notifyAllSkipsTimedOutWaiters() throws Exception {
        List<Object> history = new ArrayList<>();
        run(() -> {
            Condition c = new Condition();
            record(c.await(), history, 0);
            CompletableFuture<Boolean> timed = c.await(Duration.ofMillis(10));
            record(timed, history, 1);
            record(c.await(), history, 2);
            return timed.thenCompose(v -> nextIteration()).thenApply(v -> {
                c.notifyAllWaiters();
                return null;
            });
        });
        assertEquals(List.of("timeout", 0, 2), history);
    }

    @Test
    void aNotifyFromTheTimeoutCallbackGoesToTheNextWaiter() throws Exception {
        run(() -> {
            Condition c = new Condition();
            CompletableFuture<Boolean> timed = c.await(Duration.ofMillis(10));
            CompletableFuture<Boolean> next = c.await();
            return timed.thenApply(notified -> {
                assertFalse(notified);
                c.notify(1);
                assertTrue(next.getNow(false), "the notification went to the waiter that just timed out");
                return null;
            });
        });
    }

    @Test
    void aWaiterThatNotifiesFromItsCallbackLosesNothing() throws Exception {
        run(() -> {
            Condition c = new Condition();
            List<CompletableFuture<Boolean>> waits = List.of(c.await(), c.await(), c.await());
            // The second waiter re-enters notify() while notify(2) is delivering: the third must be woken.
            waits.get(1).thenRun(() -> c.notify(1));
            c.notify(2);
            for (CompletableFuture<Boolean> w : waits) {
                assertTrue(w.getNow(false));
            }
            return null;
        });
    }

    @Test
    void manyTimedOutWaitersAreDroppedAndTheLastWaiterStillWakes() throws Exception {
        run(() -> {
            Condition c = new Condition();
            List<CompletableFuture<Boolean>> timed = new ArrayList<>();
            for (int i = 0; i < 101; i++) {
                timed.add(c.await(Duration.ofMillis(10)));
            }
            CompletableFuture<Boolean> last = c.await();
            return CompletableFuture.allOf(timed.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
                for (CompletableFuture<Boolean> t : timed) {
                    assertFalse(t.getNow(true));
                }
                assertFalse(last.isDone());
                c.notify(1);
                assertTrue(last.getNow(false));
                return null;
            });
        });
    }

    @Test
    void aCancelledWaiterIsSkipped() throws Exception {
        run(() -> {
            Condition c = new Condition();
            CompletableFuture<Boolean> cancelled = c.await();
            CompletableFuture<Boolean> next = c.await();
            cancelled.cancel(false);
            c.notify(1);
            assertTrue(next.getNow(false));
            return null;
        });
    }

    @Test
    void aCancelledTimedWaiterIsSkipped() throws Exception {
        run(() -> {
            Condition c = new Condition();
            CompletableFuture<Boolean> cancelled = c.await(Duration.ofSeconds(10));
            CompletableFuture<Boolean> next = c.await();
            cancelled.cancel(false);
            c.notify(1);
            assertTrue(next.getNow(false), "the notification went to the cancelled waiter");
            return null;
        });
    }

    @Test
    void toStringNamesTheCondition() {
        assertTrue(new Condition().toString().contains("Condition"));
    }
}
