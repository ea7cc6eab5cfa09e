package io.tornadoj.queues;

import io.tornadoj.testsupport.LoopTestBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tornado's {@code queues.Queue}, {@code PriorityQueue} and {@code LifoQueue}, with futures. */
@Timeout(30)
class QueueTest extends LoopTestBase {

    private CompletableFuture<Void> after(Duration delay) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        loop.callLater(delay, () -> f.complete(null));
        return f;
    }

    private static CompletableFuture<Void> allOf(List<? extends CompletableFuture<?>> futures) {
        return CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]));
    }

    private static List<Supplier<Queue<Integer>>> allKinds() {
        return List.of(Queue::new, PriorityQueue::new, LifoQueue::new);
    }

    // ------------------------------------------------------------------ basics

    @Test
    void itemsComeOutInFifoOrder() throws Exception {
        run(() -> {
            Queue<Integer> q = new Queue<>();
            for (int i : new int[] {1, 3, 2}) {
                q.putNowait(i);
            }
            assertEquals(List.of(1, 3, 2), List.of(q.getNowait(), q.getNowait(), q.getNowait()));
            return null;
        });
    }

    @Test
    void negativeMaxsizeIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Queue<Integer>(-1));
        assertThrows(IllegalArgumentException.class, () -> new PriorityQueue<Integer>(-1));
        assertThrows(IllegalArgumentException.class, () -> new LifoQueue<Integer>(-1));
    }

    @Test
    void maxsizeFullEmptyAndQsize() throws Exception {
        run(() -> {
            Queue<Integer> q = new Queue<>(2);
            assertEquals(2, q.maxsize());
            assertTrue(q.empty());
            assertFalse(q.full());
            assertEquals(0, q.qsize());
            assertTrue(q.put(0).isDone());
            assertTrue(q.put(1).isDone());
            assertFalse(q.empty());
            assertTrue(q.full());
            assertEquals(2, q.qsize());
            CompletableFuture<Void> put2 = q.put(2);
            assertFalse(put2.isDone());
            assertEquals(2, q.qsize(), "a waiting putter's item is not in the queue yet");
            CompletableFuture<Integer> get = q.get();
            assertEquals(0, get.getNow(null));
            assertTrue(put2.isDone());
            assertFalse(q.empty());
            assertTrue(q.full());
            assertEquals(2, q.qsize());
            return null;
        });
    }

    @Test
    void anUnboundedQueueIsNeverFull() throws Exception {
        run(() -> {
            Queue<Integer> q = new Queue<>();
            assertEquals(0, q.maxsize());
            for (int i = 0; i < 1000; i++) {
                assertTrue(q.put(i).isDone());
            }
            assertFalse(q.full());
            assertEquals(1000, q.qsize());
            return null;
        });
    }

    @Test
    void nowaitVariantsThrowUncheckedQueueEmptyAndQueueFull() throws Exception {
        run(() -> {
            Queue<Integer> q = new Queue<>(1);
            QueueEmpty empty = assertThrows(QueueEmpty.class, q::getNowait);
            assertInstanceOf(RuntimeException.class, empty);
            q.putNowait(0);
            QueueFull full = assertThrows(QueueFull.class, () -> q.putNowait(1));
            assertInstanceOf(RuntimeException.class, full);
            assertEquals(1, q.qsize());
            assertEquals(0, q.getNowait());
            assertThrows(QueueEmpty.class, q::getNowait);
            return null;
        });
    }

    // ------------------------------------------------------------------ get

    @Test
    void waitingGettersAreServedInFifoOrderOnTheLoop() throws Exception {
        List<Boolean> onLoop = new ArrayList<>();
        run(() -> {
            Queue<Integer> q = new Queue<>();
            CompletableFuture<Integer> get0 = q.get();
            CompletableFuture<Integer> get1 = q.get();
            get0.thenRun(() -> onLoop.add(loop.inLoop()));
            assertFalse(get0.isDone());
            assertTrue(q.put(0).isDone());
            assertEquals(0, get0.getNow(null));
            assertFalse(get1.isDone());
            q.putNowait(1);
            assertEquals(1, get1.getNow(null));
            assertTrue(q.empty());
            return null;
        });
        assertEquals(List.of(true), onLoop);
    }

    @Test
    void aPutHandsTheItemStraightToAWaitingGetterEvenWhenBounded() throws Exception {
        run(() -> {
            Queue<Integer> q = new Queue<>(1);
            CompletableFuture<Integer> get = q.get();
            q.putNowait(5);
            assertEquals(5, get.getNow(null));
            assertTrue(q.empty());
            q.putNowait(6);
            assertTrue(q.full());
            return null;
        });
    }

    @Test
    void getLetsAWaitingPutterIn() throws Exception {
        run(() -> {
            Queue<Integer> q = new Queue<>(1);
            q.putNowait(0);
            CompletableFuture<Void> put = q.put(1);
            assertFalse(put.isDone());
            assertEquals(0, q.get().getNow(null));
            assertTrue(put.isDone());
            assertNull(put.getNow(null));
            assertEquals(1, q.getNowait());
            return null;
        });
    }

    @Test
    void waitingPuttersAreLetInInFifoOrder() throws Exception {
        run(() -> {
            Queue<Integer> q = new Queue<>(1);
            q.putNowait(0);
            List<CompletableFuture<Void>> puts = List.of(q.put(1), q.put(2), q.put(3));
            List<Integer> got = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < puts.size(); j++) {
                    assertEquals(j < i, puts.get(j).isDone(), "putter " + j + " after " + i + " gets");
                }
                got.add(q.getNowait());
                assertTrue(i == 3 ? q.empty() : q.full());
            }
            assertEquals(List.of(0, 1, 2, 3), got);
            return null;
        });
    }

    @Test
    void aPutterLetInSeesAConsistentQueueFromItsCallback() throws Exception {
        run(() -> {
            Queue<Integer> q = new Queue<>(1);
            q.putNowait(0);
            List<Object> seen = new ArrayList<>();
            q.put(1).thenRun(() -> {
                seen.add(q.qsize());
                seen.add(q.getNowait());
            });
            assertEquals(0, q.getNowait(), "the oldest item goes to the getter, not to the putter's callback");
            assertEquals(List.of(1, 1), seen);
            assertTrue(q.empty());
            return null;
        });
    }

    @Test
    void getWaitsForItemsPutLater() throws Exception {
        List<Integer> got = run(() -> {
            Queue<Integer> q = new Queue<>();
            q.put(0);
            loop.callLater(Duration.ofMillis(10), () -> q.putNowait(1));
            loop.callLater(Duration.ofMillis(20), () -> q.putNowait(2));
            List<Integer> out = new ArrayList<>();
            return q.get(Duration.ofSeconds(2)).thenCompose(a -> {
                out.add(a);
                return q.get(Duration.ofSeconds(2));
            }).thenCompose(b -> {
                out.add(b);
                return q.get(Duration.ofSeconds(2));
            }).thenApply(c -> {
                out.add(c);
                return out;
            });
        });
        assertEquals(List.of(0, 1, 2), got);
    }

    @Test
    void timedGetFailsWithTimeoutExceptionAndTakesNothingLater() throws Exception {
        record Outcome(Throwable failure, long elapsedNanos, boolean onLoop, Integer nextGot, int qsize) {
        }
        Outcome o = run(() -> {
            Queue<Integer> q = new Queue<>();
            long start = System.nanoTime();
            CompletableFuture<Integer> timed = q.get(Duration.ofMillis(20));
            CompletableFuture<Integer> next = q.get();
            assertFalse(timed.isDone());
            return failureOf(timed).thenApply(t -> {
                long elapsed = System.nanoTime() - start;
                boolean onLoop = loop.inLoop();
                q.putNowait(0);
                q.putNowait(1);
                return new Outcome(t, elapsed, onLoop, next.getNow(null), q.qsize());
            });
        });
        assertInstanceOf(TimeoutException.class, o.failure());
        assertTrue(o.elapsedNanos() >= Duration.ofMillis(20).toNanos(), "timed out after " + o.elapsedNanos() + " ns");
        assertTrue(o.onLoop());
        assertEquals(0, o.nextGot());
        assertEquals(1, o.qsize(), "an item went to the timed-out getter");
    }

    @Test
    void runSyncRethrowsTheTimeoutException() {
        Queue<Integer> q = new Queue<>();
        assertThrows(TimeoutException.class, () -> run(() -> q.get(Duration.ofMillis(10))));
    }

    @Test
    void aZeroTimeoutGetOnAnEmptyQueueFails() throws Exception {
        Throwable t = run(() -> failureOf(new Queue<Integer>().get(Duration.ZERO)));
        assertInstanceOf(TimeoutException.class, t);
        int got = run(() -> {
            Queue<Integer> q = new Queue<>();
            q.putNowait(7);
            return q.get(Duration.ZERO);
        });
        assertEquals(7, got);
    }

    @Test
    void timedGetServedInTimeSucceeds() throws Exception {
        int got = run(() -> {
            Queue<Integer> q = new Queue<>();
            CompletableFuture<Integer> get = q.get(Duration.ofMillis(10));
            q.put(0);
            return after(Duration.ofMillis(20)).thenCompose(v -> get);
        });
        assertEquals(0, got);
    }

    @Test
    void manyTimedOutGettersAreDroppedAndTheLastGetterStillReceives() throws Exception {
        run(() -> {
            Queue<Integer> q = new Queue<>();
            List<CompletableFuture<Throwable>> timed = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                timed.add(failureOf(q.get(Duration.ofMillis(10))));
            }
            CompletableFuture<Integer> last = q.get();
            return allOf(timed).thenApply(v -> {
                for (CompletableFuture<Throwable> t : timed) {
                    assertInstanceOf(TimeoutException.class, t.join());
                }
                assertFalse(last.isDone());
                q.putNowait(0);
                assertEquals(0, last.getNow(null));
                assertTrue(q.empty());
                return null;
            });
        });
    }

    @Test
    void aCancelledGetterTakesNothing() throws Exception {
        run(() -> {
            Queue<Integer> q = new Queue<>();
            q.get().cancel(false);
            q.putNowait(1);
            assertEquals(1, q.qsize(), "the item went to a cancelled getter");
            return null;
        });
    }

    @Test
    void aCancelledTimedGetterTakesNothing() throws Exception {
        run(() -> {
            Queue<Integer> q = new Queue<>();
            q.get(Duration.ofSeconds(10)).cancel(false);
            q.putNowait(1);
            assertEquals(1, q.qsize(), "the item went to a cancelled timed getter");
            assertEquals(1, q.getNowait());
            return null;
        });
    }

    // ------------------------------------------------------------------ put

    @Test
    void timedPutFailsWithTimeoutExceptionAndItsItemIsNeverPut() throws Exception {
        record Outcome(Throwable failure, long elapsedNanos, boolean onLoop) {
        }
        Queue<Integer> q = new Queue<>(1);
        CompletableFuture<?>[] put = new CompletableFuture<?>[1];
        Outcome o = run(() -> {
            q.putNowait(0);
            long start = System.nanoTime();
            CompletableFuture<Void> timed = q.put(1, Duration.ofMillis(20));
            put[0] = q.put(2);
            assertFalse(timed.isDone());
            return failureOf(timed).thenApply(t -> new Outcome(t, System.nanoTime() - start, loop.inLoop()));
        });
        assertInstanceOf(TimeoutException.class, o.failure());
        assertTrue(o.elapsedNanos() >= Duration.ofMillis(20).toNanos(), "timed out after " + o.elapsedNanos() + " ns");
        assertTrue(o.onLoop());
        List<Integer> rest = run(() -> {
            List<Integer> got = new ArrayList<>();
            got.add(q.getNowait());
            return q.get().thenApply(second -> {
                got.add(second);
                assertTrue(put[0].isDone());
                assertTrue(q.empty());
                return got;
            });
        });
        assertEquals(List.of(0, 2), rest);
    }

    @Test
    void timedPutLetInInTimeSucceeds() throws Exception {
        Throwable t = run(() -> {
            Queue<Integer> q = new Queue<>(1);
            q.putNowait(0);
            CompletableFuture<Void> put = q.put(1, Duration.ofMillis(10));
            assertEquals(0, q.get().getNow(null));
            return after(Duration.ofMillis(20)).thenCompose(v -> failureOf(put)).thenApply(x -> {
                assertEquals(1, q.getNowait());
                return x;
            });
        });
        assertNull(t);
    }

    @Test
    void putWaitsUntilGettersMakeRoom() throws Exception {
        run(() -> {
            Queue<Integer> q = new Queue<>(1);
            q.putNowait(0);
            loop.callLater(Duration.ofMillis(10), q::get);
            loop.callLater(Duration.ofMillis(20), q::get);
            List<CompletableFuture<Void>> puts = List.of(q.put(0), q.put(1));
            assertFalse(puts.get(0).isDone());
            assertFalse(puts.get(1).isDone());
            return allOf(puts).thenApply(v -> {
                assertEquals(1, q.getNowait());
                return null;
            });
        });
    }

    @Test
    void manyTimedOutPuttersAreDroppedAndTheLastPutterStillGetsIn() throws Exception {
        run(() -> {
            Queue<Integer> q = new Queue<>(1);
            List<CompletableFuture<Void>> puts = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                puts.add(q.put(i, Duration.ofMillis(10)));
            }
            assertTrue(puts.get(0).isDone());
            CompletableFuture<Void> last = q.put(10);
            List<CompletableFuture<Throwable>> timed = new ArrayList<>();
            for (CompletableFuture<Void> p : puts.subList(1, 10)) {
                timed.add(failureOf(p));
            }
            return allOf(timed).thenApply(v -> {
                for (CompletableFuture<Throwable> t : timed) {
                    assertInstanceOf(TimeoutException.class, t.join());
                }
                assertFalse(last.isDone());
                assertEquals(0, q.getNowait());
                assertTrue(last.isDone());
                assertEquals(10, q.getNowait());
                assertTrue(q.empty());
                return null;
            });
        });
    }

    @Test
    void aCancelledPutterPutsNothing() throws Exception {
        run(() -> {
            Queue<Integer> q = new Queue<>(1);
            q.putNowait(0);
            q.put(1).cancel(false);
            q.put(2, Duration.ofSeconds(10)).cancel(false);
            CompletableFuture<Void> kept = q.put(3);
            assertEquals(0, q.getNowait());
            assertTrue(kept.isDone());
            assertEquals(3, q.getNowait());
            assertThrows(QueueEmpty.class, q::getNowait);
            return null;
        });
    }

    // ------------------------------------------------------------------ taskDone and join

    @Test
    void taskDoneCalledTooOftenIsRejected() throws Exception {
        run(() -> {
            for (Supplier<Queue<Integer>> kind : allKinds()) {
                Queue<Integer> q = kind.get();
                assertThrows(IllegalStateException.class, q::taskDone);
                q.putNowait(1);
                q.getNowait();
                q.taskDone();
                assertThrows(IllegalStateException.class, q::taskDone);
            }
            return null;
        });
    }

    @Test
    void joinWaitsForTaskDoneNotForGet() throws Exception {
        run(() -> {
            for (Supplier<Queue<Integer>> kind : allKinds()) {
                Queue<Integer> q = kind.get();
                q.putNowait(0);
                q.putNowait(1);
                CompletableFuture<Void> join = q.join();
                assertFalse(join.isDone());
                q.getNowait();
                q.getNowait();
                assertFalse(join.isDone(), "get() must not finish a task");
                q.taskDone();
                assertFalse(join.isDone());
                q.taskDone();
                assertTrue(join.isDone());
                assertTrue(q.join().isDone());
            }
            return null;
        });
    }

    @Test
    void joinOnAQueueWithNoWorkIsImmediate() throws Exception {
        run(() -> {
            for (Supplier<Queue<Integer>> kind : allKinds()) {
                Queue<Integer> q = kind.get();
                assertTrue(q.join().isDone());
                assertTrue(q.join().isDone());
                assertTrue(q.join(Duration.ofMillis(1)).isDone());
            }
            return null;
        });
    }

    @Test
    void timedJoinFailsWithTimeoutException() throws Exception {
        for (Supplier<Queue<Integer>> kind : allKinds()) {
            long[] elapsed = new long[1];
            Throwable t = run(() -> {
                Queue<Integer> q = kind.get();
                q.put(0);
                long start = System.nanoTime();
                return failureOf(q.join(Duration.ofMillis(20))).thenApply(x -> {
                    elapsed[0] = System.nanoTime() - start;
                    return x;
                });
            });
            assertInstanceOf(TimeoutException.class, t);
            assertTrue(elapsed[0] >= Duration.ofMillis(20).toNanos(), "timed out after " + elapsed[0] + " ns");
        }
    }

    @Test
    void timedJoinFinishedInTimeSucceeds() throws Exception {
        Throwable t = run(() -> {
            Queue<Integer> q = new Queue<>();
            q.putNowait(0);
            loop.callLater(Duration.ofMillis(5), () -> {
                q.getNowait();
                q.taskDone();
            });
            return failureOf(q.join(Duration.ofSeconds(2)));
        });
        assertNull(t);
    }

    /** A worker that takes items forever, adds them up and marks each done after a short pause. */
    private void worker(Queue<Integer> q, int[] sum) {
        q.get().thenCompose(item -> {
            sum[0] += item;
            q.taskDone();
            return after(Duration.ofMillis(1));
        }).thenRun(() -> worker(q, sum));
    }

    @Test
    void twoWorkersShareTheWorkAndJoinWaitsForAllOfIt() throws Exception {
        for (Supplier<Queue<Integer>> kind : allKinds()) {
            int[] sum = new int[1];
            run(() -> {
                Queue<Integer> q = kind.get();
                for (int i = 0; i < 100; i++) {
                    q.putNowait(i);
                }
                worker(q, sum);
                worker(q, sum);
                return q.join();
            });
            assertEquals(4950, sum[0]);
        }
    }

    private void consumer(Queue<Integer> q, List<Integer> history) {
        q.get().thenAccept(item -> {
            history.add(item);
            q.taskDone();
            consumer(q, history);
        });
    }

    private static CompletableFuture<Void> producer(Queue<Integer> q, int from, int to) {
        if (from == to) {
            return CompletableFuture.completedFuture(null);
        }
        return q.put(from).thenCompose(v -> producer(q, from + 1, to));
    }

    @Test
    void producerAndConsumer() throws Exception {
        List<Integer> history = new ArrayList<>();
        run(() -> {
            Queue<Integer> q = new Queue<>(3);
            consumer(q, history);
            return producer(q, 0, 10).thenCompose(v -> q.join());
        });
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), history);
    }

    @Test
    void toStringShowsTheBound() {
        assertTrue(new Queue<Integer>(1).toString().contains("maxsize=1"));
        assertTrue(new LifoQueue<Integer>(4).toString().contains("LifoQueue"));
    }

    // ------------------------------------------------------------------ PriorityQueue and LifoQueue

    record Job(int priority, String name) {
    }

    @Test
    void priorityQueueGivesTheSmallestFirstIncludingWaitingPutters() throws Exception {
        List<Job> got = run(() -> {
            PriorityQueue<Job> q = new PriorityQueue<>(2, Comparator.comparingInt(Job::priority));
            q.putNowait(new Job(1, "a"));
            q.putNowait(new Job(0, "b"));
            assertTrue(q.full());
            q.put(new Job(3, "c"));
            q.put(new Job(2, "d"));
            List<Job> out = new ArrayList<>();
            out.add(q.getNowait());
            return q.get().thenCompose(j -> {
                out.add(j);
                out.add(q.getNowait());
                return q.get();
            }).thenApply(j -> {
                out.add(j);
                assertTrue(q.empty());
                return out;
            });
        });
        assertEquals(List.of(new Job(0, "b"), new Job(1, "a"), new Job(2, "d"), new Job(3, "c")), got);
    }

    @Test
    void priorityQueueUsesNaturalOrderByDefault() throws Exception {
        run(() -> {
            PriorityQueue<Integer> q = new PriorityQueue<>();
            for (int i : new int[] {5, 1, 4, 2, 3}) {
                q.putNowait(i);
            }
            assertEquals(5, q.qsize());
            assertFalse(q.full());
            List<Integer> out = new ArrayList<>();
            while (!q.empty()) {
                out.add(q.getNowait());
            }
            assertEquals(List.of(1, 2, 3, 4, 5), out);
            CompletableFuture<Integer> waiting = q.get();
            q.putNowait(9);
            assertEquals(9, waiting.getNow(null));
            return null;
        });
    }

    @Test
    void lifoQueueGivesTheNewestFirstIncludingWaitingPutters() throws Exception {
        List<Integer> got = run(() -> {
            LifoQueue<Integer> q = new LifoQueue<>(2);
            q.putNowait(1);
            q.putNowait(0);
            assertTrue(q.full());
            q.put(3);
            q.put(2);
            List<Integer> out = new ArrayList<>();
            out.add(q.getNowait());
            return q.get().thenCompose(i -> {
                out.add(i);
                out.add(q.getNowait());
                return q.get();
            }).thenApply(i -> {
                out.add(i);
                assertTrue(q.empty());
                return out;
            });
        });
        assertEquals(List.of(3, 2, 0, 1), got);
    }

    @Test
    void lifoQueueUnboundedOrder() throws Exception {
        run(() -> {
            LifoQueue<Integer> q = new LifoQueue<>();
            for (int i = 0; i < 5; i++) {
                q.putNowait(i);
            }
            List<Integer> out = new ArrayList<>();
            while (q.qsize() > 0) {
                out.add(q.getNowait());
            }
            assertEquals(List.of(4, 3, 2, 1, 0), out);
            assertThrows(QueueEmpty.class, q::getNowait);
            return null;
        });
    }
}
