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

/** Tornado's {@code locks.Event}, with futures. */
@Timeout(30)
class EventTest extends LoopTestBase {

    @Test
    void awaitBlocksUntilSetAndCompletesOnTheLoop() throws Exception {
        List<Boolean> onLoop = new ArrayList<>();
        run(() -> {
            Event e = new Event();
            assertFalse(e.isSet());
            CompletableFuture<Void> wait = e.await();
            CompletableFuture<Void> observed = wait.thenRun(() -> onLoop.add(loop.inLoop()));
            assertFalse(wait.isDone());
            loop.callLater(Duration.ofMillis(5), e::set);
            return observed.thenRun(() -> assertTrue(e.isSet()));
        });
        assertEquals(List.of(true), onLoop);
    }

    @Test
    void awaitIsImmediateWhileSetAndBlocksAgainAfterClear() throws Exception {
        run(() -> {
            Event e = new Event();
            CompletableFuture<Void> first = e.await();
            e.set();
            assertTrue(first.isDone());
            CompletableFuture<Void> whileSet = e.await();
            assertTrue(whileSet.isDone());
            assertNull(whileSet.getNow(null));
            e.clear();
            assertFalse(e.isSet());
            CompletableFuture<Void> afterClear = e.await();
            assertFalse(afterClear.isDone());
            e.set();
            assertTrue(afterClear.isDone());
            return null;
        });
    }

    @Test
    void settingTwiceIsHarmless() throws Exception {
        run(() -> {
            Event e = new Event();
            e.set();
            e.set();
            assertTrue(e.isSet());
            assertTrue(e.await().isDone());
            e.clear();
            e.clear();
            assertFalse(e.isSet());
            return null;
        });
    }

    @Test
    void waitersFromBeforeAndAfterAClearAreBothWokenBySet() throws Exception {
        run(() -> {
            Event e = new Event();
            CompletableFuture<Void> f0 = e.await();
            e.clear();
            CompletableFuture<Void> f1 = e.await();
            e.set();
            assertTrue(f0.isDone());
            assertTrue(f1.isDone());
            return null;
        });
    }

    @Test
    void setWakesEveryWaiterInFifoOrder() throws Exception {
        List<Integer> history = run(() -> {
            Event e = new Event();
            List<Integer> h = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                int n = i;
                e.await().thenRun(() -> h.add(n));
            }
            assertEquals(List.of(), h);
            e.set();
            return CompletableFuture.completedFuture(h);
        });
        assertEquals(List.of(0, 1, 2, 3, 4), history);
    }

    @Test
    void timedAwaitFailsWithTimeoutExceptionOnTheLoop() throws Exception {
        record Outcome(Throwable failure, long elapsedNanos, boolean onLoop, boolean set) {
        }
        Event e = new Event();
        Outcome o = run(() -> {
            long start = System.nanoTime();
            CompletableFuture<Void> wait = e.await(Duration.ofMillis(20));
            assertFalse(wait.isDone());
            return failureOf(wait).thenApply(t -> new Outcome(t, System.nanoTime() - start, loop.inLoop(), e.isSet()));
        });
        assertInstanceOf(TimeoutException.class, o.failure());
        assertTrue(o.elapsedNanos() >= Duration.ofMillis(20).toNanos(), "timed out after " + o.elapsedNanos() + " ns");
        assertTrue(o.onLoop());
        assertFalse(o.set());

        // After a timed-out waiter, the event works normally.
        run(() -> {
            loop.callLater(Duration.ofMillis(10), e::set);
            return e.await(Duration.ofSeconds(2));
        });
        assertTrue(e.isSet());
    }

    @Test
    void runSyncRethrowsTheTimeoutException() {
        Event e = new Event();
        assertThrows(TimeoutException.class, () -> run(() -> e.await(Duration.ofMillis(10))));
    }

    @Test
    void timedAwaitSetInTimeSucceeds() throws Exception {
        Throwable t = run(() -> {
            Event e = new Event();
            loop.callLater(Duration.ofMillis(5), e::set);
            return failureOf(e.await(Duration.ofSeconds(2)));
        });
        assertNull(t);
    }

    @Test
    void timedAwaitOnASetEventIsImmediate() throws Exception {
        run(() -> {
            Event e = new Event();
            e.set();
            CompletableFuture<Void> wait = e.await(Duration.ofMillis(1));
            assertTrue(wait.isDone());
            assertFalse(wait.isCompletedExceptionally());
            return wait;
        });
    }

    @Test
    void aWaiterThatClearsAndWaitsAgainFromItsCallbackBlocks() throws Exception {
        run(() -> {
            Event e = new Event();
            List<CompletableFuture<Void>> second = new ArrayList<>();
            e.await().thenRun(() -> {
                e.clear();
                second.add(e.await());
            });
            e.set();
            assertFalse(e.isSet());
            assertEquals(1, second.size());
            assertFalse(second.get(0).isDone(), "a wait that began after clear() was woken by the earlier set()");
            e.set();
            assertTrue(second.get(0).isDone());
            return null;
        });
    }

    @Test
    void aCancelledWaiterDoesNotDisturbTheOthers() throws Exception {
        run(() -> {
            Event e = new Event();
            CompletableFuture<Void> cancelled = e.await();
            CompletableFuture<Void> timedCancelled = e.await(Duration.ofSeconds(10));
            CompletableFuture<Void> other = e.await();
            cancelled.cancel(false);
            timedCancelled.cancel(false);
            e.set();
            assertTrue(other.isDone());
            assertFalse(other.isCompletedExceptionally());
            return null;
        });
    }

    @Test
    void toStringShowsTheFlag() {
        Event e = new Event();
        assertTrue(e.toString().contains("clear"));
        assertFalse(e.toString().contains("set"));
        e.set();
        assertTrue(e.toString().contains("set"));
        assertFalse(e.toString().contains("clear"));
    }
}
