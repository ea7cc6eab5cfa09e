package io.tornadoj.gen;

import io.tornadoj.testsupport.LogCapture;
import io.tornadoj.testsupport.LoopTestBase;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tornado's {@code gen} helpers: sleep, moment, multi, withTimeout, chainFuture, convert. */
@Timeout(30)
class GenTest extends LoopTestBase {
    private static final String APP_LOG = "tornado.application";

    /** A future the loop completes with {@code value} after {@code delay}. */
    private <T> CompletableFuture<T> later(Duration delay, T value) {
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.callLater(delay, () -> f.complete(value));
        return f;
    }

    /** A future that failed, the way a dependent stage fails: wrapped in a CompletionException. */
    private static <T> CompletableFuture<T> dependentFailure(RuntimeException e) {
        return CompletableFuture.completedFuture(0).thenApply(x -> {
            throw e;
        });
    }

    /**
     * Runs {@code action} in a later loop callback and then completes with {@code value}: by then the callback
     * that completed the current stage has returned (withTimeout attaches its late-failure logging after it
     * completed its result).
     */
    private <T> CompletableFuture<T> inALaterCallback(Runnable action, T value) {
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.addCallback(() -> {
            action.run();
            f.complete(value);
        });
        return f;
    }

    private static void assertNothingLogged(LogCapture log) {
        assertEquals(List.of(), log.messages());
    }

    // ------------------------------------------------------------------ sleep

    @Test
    void sleepCompletesOnTheLoopThreadAfterAtLeastTheDelay() throws Exception {
        record Outcome(long elapsedNanos, boolean onLoop) {
        }
        Outcome o = run(() -> {
            long start = System.nanoTime();
            CompletableFuture<Void> f = Gen.sleep(Duration.ofMillis(50));
            assertFalse(f.isDone());
            return f.thenApply(v -> new Outcome(System.nanoTime() - start, loop.inLoop()));
        });
        assertTrue(o.elapsedNanos() >= Duration.ofMillis(50).toNanos(), "woke after " + o.elapsedNanos() + " ns");
        assertTrue(o.onLoop());
    }

    @Test
    void sleepTakesFloatSeconds() throws Exception {
        long elapsed = run(() -> {
            long start = System.nanoTime();
            return Gen.sleep(0.05).thenApply(v -> System.nanoTime() - start);
        });
        assertTrue(elapsed >= Duration.ofMillis(50).toNanos(), "woke after " + elapsed + " ns");
    }

    @Test
    void shorterSleepsFinishFirstAndZeroSleepCompletes() throws Exception {
        List<String> order = new ArrayList<>();
        run(() -> {
            // wide gaps: a stall of the machine between these lines must not reorder the deadlines
            CompletableFuture<Void> slow = Gen.sleep(Duration.ofMillis(500)).thenRun(() -> order.add("slow"));
            CompletableFuture<Void> fast = Gen.sleep(Duration.ofMillis(150)).thenRun(() -> order.add("fast"));
            CompletableFuture<Void> zero = Gen.sleep(Duration.ZERO).thenRun(() -> order.add("zero"));
            return CompletableFuture.allOf(slow, fast, zero);
        });
        assertEquals(List.of("zero", "fast", "slow"), order);
    }

    // ------------------------------------------------------------------ moment

    @Test
    void momentIsPendingUntilTheLoopRunsAgainAndCompletesOnTheLoop() throws Exception {
        boolean onLoop = run(() -> {
            CompletableFuture<Void> m = Gen.moment();
            assertFalse(m.isDone());
            return m.thenApply(v -> loop.inLoop());
        });
        assertTrue(onLoop);
    }

    @Test
    void callbackQueuedBeforeAMomentRunsFirst() throws Exception {
        List<String> order = new ArrayList<>();
        run(() -> {
            loop.addCallback(() -> order.add("before"));
            CompletableFuture<Void> m = Gen.moment().thenRun(() -> order.add("moment"));
            loop.addCallback(() -> order.add("after"));
            return m.thenCompose(v -> {
                CompletableFuture<Void> drained = new CompletableFuture<>();
                loop.addCallback(() -> drained.complete(null));
                return drained;
            });
        });
        assertEquals(List.of("before", "moment", "after"), order);
    }

    /** A "coroutine" that records its name and then yields, {@code steps} times. */
    private static CompletableFuture<Void> coroutine(List<String> calls, String name,
                                                     Supplier<CompletableFuture<Void>> yieldable, int steps) {
        if (steps == 0) {
            return CompletableFuture.completedFuture(null);
        }
        calls.add(name);
        return yieldable.get().thenCompose(v -> coroutine(calls, name, yieldable, steps - 1));
    }

    @Test
    void momentLetsCoroutinesTakeTurns() throws Exception {
        Supplier<CompletableFuture<Void>> immediate = () -> CompletableFuture.completedFuture(null);
        Supplier<CompletableFuture<Void>> moment = Gen::moment;

        List<String> calls = new ArrayList<>();
        run(() -> Gen.multi(List.of(coroutine(calls, "a", immediate, 5), coroutine(calls, "b", immediate, 5))));
        assertEquals("aaaaabbbbb", String.join("", calls));

        calls.clear();
        run(() -> Gen.multi(List.of(coroutine(calls, "a", moment, 5), coroutine(calls, "b", moment, 5))));
        assertEquals("ababababab", String.join("", calls));

        calls.clear();
        run(() -> Gen.multi(List.of(coroutine(calls, "a", moment, 5), coroutine(calls, "b", immediate, 5))));
        assertEquals("abbbbbaaaa", String.join("", calls));
    }

    // ------------------------------------------------------------------ multi(list)

    @Test
    void multiGivesResultsInListOrderNotCompletionOrder() throws Exception {
        List<Boolean> onLoop = new ArrayList<>();
        List<String> results = run(() -> {
            CompletableFuture<String> slow = later(Duration.ofMillis(30), "v1");
            CompletableFuture<String> fast = later(Duration.ofMillis(5), "v2");
            CompletableFuture<List<String>> m = Gen.multi(List.of(slow, fast));
            assertFalse(m.isDone());
            return m.thenApply(r -> {
                onLoop.add(loop.inLoop());
                return r;
            });
        });
        assertEquals(List.of("v1", "v2"), results);
        assertEquals(List.of(true), onLoop);
    }

    @Test
    void multiOfAnEmptyListIsAnEmptyList() throws Exception {
        List<Object> results = run(() -> Gen.multi(Collections.<CompletableFuture<Object>>emptyList()));
        assertEquals(List.of(), results);
    }

    @Test
    void multiAcceptsCompletedAndDuplicateChildren() throws Exception {
        List<Integer> results = run(() -> {
            CompletableFuture<Integer> shared = CompletableFuture.completedFuture(2);
            return Gen.multi(List.of(CompletableFuture.completedFuture(1), shared,
                    later(Duration.ofMillis(5), 3), shared));
        });
        assertEquals(List.of(1, 2, 3, 2), results);
    }

    @Test
    void multiCompletesOnTheLoopWhenChildrenCompleteOnAnotherThread() throws Exception {
        List<Boolean> onLoop = new ArrayList<>();
        List<Integer> results = run(() -> {
            CompletableFuture<Integer> a = new CompletableFuture<>();
            CompletableFuture<Integer> b = new CompletableFuture<>();
            CompletableFuture<List<Integer>> m = Gen.multi(List.of(a, b)).thenApply(r -> {
                onLoop.add(loop.inLoop());
                return r;
            });
            Thread t = new Thread(() -> {
                b.complete(2);
                a.complete(1);
            }, "gen-test-completer");
            t.start();
            return m;
        });
        assertEquals(List.of(1, 2), results);
        assertEquals(List.of(true), onLoop);
    }

    @Test
    void multiFailsWithTheFirstFailureAndLogsLaterOnes() throws Exception {
        RuntimeException first = new RuntimeException("error 1");
        RuntimeException second = new RuntimeException("error 2");
        try (LogCapture log = new LogCapture(APP_LOG)) {
            Throwable t = run(() -> {
                CompletableFuture<Integer> a = new CompletableFuture<>();
                CompletableFuture<Integer> b = new CompletableFuture<>();
                CompletableFuture<List<Integer>> m = Gen.multi(List.of(a, b));
                a.completeExceptionally(first);
                b.completeExceptionally(second);
                return failureOf(m);
            });
            assertSame(first, t);
            List<ILoggingEvent> events = log.events();
            assertEquals(1, events.size(), log.messages().toString());
            assertEquals(Level.ERROR, events.get(0).getLevel());
            assertTrue(events.get(0).getFormattedMessage().contains("Multiple exceptions in yield list"));
            assertSame(second, LogCapture.thrown(events.get(0)));
        }
    }

    @Test
    void multiWithASingleFailureRaisesItAndLogsNothing() throws Exception {
        IllegalStateException boom = new IllegalStateException("boom");
        try (LogCapture log = new LogCapture(APP_LOG)) {
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> run(() -> {
                CompletableFuture<Integer> bad = new CompletableFuture<>();
                CompletableFuture<List<Integer>> m = Gen.multi(List.of(bad, later(Duration.ofMillis(10), 2)));
                bad.completeExceptionally(boom);
                return m;
            }));
            assertSame(boom, thrown);
            assertNothingLogged(log);
        }
    }

    @Test
    void quietExceptionsAreNotLogged() throws Exception {
        RuntimeException first = new RuntimeException("error 1");
        IllegalStateException quiet = new IllegalStateException("quiet subclass");
        try (LogCapture log = new LogCapture(APP_LOG)) {
            Throwable t = run(() -> {
                CompletableFuture<Integer> a = new CompletableFuture<>();
                CompletableFuture<Integer> b = new CompletableFuture<>();
                CompletableFuture<List<Integer>> m = Gen.multi(List.of(a, b), Set.of(RuntimeException.class));
                a.completeExceptionally(first);
                b.completeExceptionally(quiet);
                return failureOf(m);
            });
            assertSame(first, t);
            assertNothingLogged(log);
        }
    }

    @Test
    void failuresOfOtherTypesThanTheQuietOnesAreStillLogged() throws Exception {
        RuntimeException first = new RuntimeException("error 1");
        RuntimeException loud = new RuntimeException("loud");
        try (LogCapture log = new LogCapture(APP_LOG)) {
            Throwable t = run(() -> {
                CompletableFuture<Integer> a = new CompletableFuture<>();
                CompletableFuture<Integer> b = new CompletableFuture<>();
                CompletableFuture<List<Integer>> m = Gen.multi(List.of(a, b), Set.of(IOException.class));
                a.completeExceptionally(first);
                b.completeExceptionally(loud);
                return failureOf(m);
            });
            assertSame(first, t);
            assertEquals(1, log.events().size());
            assertSame(loud, LogCapture.thrown(log.events().get(0)));
        }
    }

    @Test
    void multiFailsWithTheUnwrappedCauseOfAFailedDependentStage() throws Exception {
        IllegalArgumentException cause = new IllegalArgumentException("inner");
        Throwable t = run(() -> failureOf(Gen.multi(List.of(CompletableFuture.completedFuture(1),
                Gen.<Integer>convert(dependentFailure(cause))))));
        assertSame(cause, t);
    }

    @Test
    void failuresOnAnotherThreadCompleteOnTheLoopAndLaterOnesAreStillLogged() throws Exception {
        RuntimeException first = new RuntimeException("error 1");
        RuntimeException second = new RuntimeException("error 2");
        List<Boolean> onLoop = new ArrayList<>();
        try (LogCapture log = new LogCapture(APP_LOG)) {
            Throwable t = run(() -> {
                CompletableFuture<Integer> a = new CompletableFuture<>();
                CompletableFuture<Integer> b = new CompletableFuture<>();
                CompletableFuture<Throwable> failure = failureOf(Gen.multi(List.of(a, b))).thenApply(x -> {
                    onLoop.add(loop.inLoop());
                    return x;
                });
                Thread other = new Thread(() -> {
                    a.completeExceptionally(first);
                    b.completeExceptionally(second);
                }, "gen-test-failer");
                other.start();
                // Hold the loop until both failed, so the first one's completion is still queued when the
                // second one arrives.
                other.join();
                return failure;
            });
            assertSame(first, t);
            assertEquals(List.of(true), onLoop);
            assertEquals(1, log.events().size(), log.messages().toString());
            assertSame(second, LogCapture.thrown(log.events().get(0)));
        }
    }

    // ------------------------------------------------------------------ multi(map)

    @Test
    void multiMapKeepsTheKeysInInsertionOrder() throws Exception {
        List<Boolean> onLoop = new ArrayList<>();
        Map<String, String> results = run(() -> {
            Map<String, CompletableFuture<String>> children = new LinkedHashMap<>();
            children.put("zeta", later(Duration.ofMillis(30), "z"));
            children.put("alpha", CompletableFuture.completedFuture("a"));
            children.put("mid", later(Duration.ofMillis(5), "m"));
            children.put("beta", later(Duration.ofMillis(15), "b"));
            return Gen.multi(children).thenApply(r -> {
                onLoop.add(loop.inLoop());
                return r;
            });
        });
        assertEquals(List.of("zeta", "alpha", "mid", "beta"), new ArrayList<>(results.keySet()));
        assertEquals(List.of("z", "a", "m", "b"), new ArrayList<>(results.values()));
        assertEquals(List.of(true), onLoop);
    }

    @Test
    void multiOfAnEmptyMapIsAnEmptyMap() throws Exception {
        Map<String, Object> results = run(() -> Gen.multi(Collections.<String, CompletableFuture<Object>>emptyMap()));
        assertEquals(Map.of(), results);
    }

    @Test
    void multiMapFailsWithTheChildsExceptionUnwrapped() throws Exception {
        IllegalStateException boom = new IllegalStateException("boom");
        Throwable t = run(() -> {
            Map<String, CompletableFuture<Integer>> children = new LinkedHashMap<>();
            children.put("ok", later(Duration.ofMillis(5), 1));
            CompletableFuture<Integer> bad = new CompletableFuture<>();
            children.put("bad", bad);
            CompletableFuture<Map<String, Integer>> m = Gen.multi(children);
            bad.completeExceptionally(boom);
            return failureOf(m);
        });
        assertSame(boom, t);
    }

    // ------------------------------------------------------------------ withTimeout

    @Test
    void withTimeoutFailsWithTimeoutExceptionOnTheLoopAndDoesNotCancelTheInner() throws Exception {
        record Outcome(Throwable failure, long elapsedNanos, boolean onLoop, boolean innerDone, Object innerLater) {
        }
        Outcome o = run(() -> {
            CompletableFuture<String> inner = new CompletableFuture<>();
            long start = System.nanoTime();
            CompletableFuture<String> timed = Gen.withTimeout(Duration.ofMillis(30), inner);
            assertFalse(timed.isDone());
            return failureOf(timed).thenApply(t -> {
                long elapsed = System.nanoTime() - start;
                boolean onLoop = loop.inLoop();
                boolean innerDone = inner.isDone();
                inner.complete("still usable");
                return new Outcome(t, elapsed, onLoop, innerDone, inner.getNow(null));
            });
        });
        assertInstanceOf(TimeoutException.class, o.failure());
        assertTrue(o.elapsedNanos() >= Duration.ofMillis(30).toNanos(), "timed out after " + o.elapsedNanos() + " ns");
        assertTrue(o.onLoop());
        assertFalse(o.innerDone());
        assertEquals("still usable", o.innerLater());
    }

    @Test
    void withTimeoutPassesThroughAValueThatArrivesInTime() throws Exception {
        try (LogCapture log = new LogCapture(APP_LOG)) {
            assertEquals("asdf", run(() -> Gen.withTimeout(Duration.ofSeconds(3600),
                    later(Duration.ofMillis(10), "asdf"))));
            assertNothingLogged(log);
        }
    }

    @Test
    void withTimeoutPassesThroughAFailureThatArrivesInTime() throws Exception {
        ArithmeticException boom = new ArithmeticException("/ by zero");
        try (LogCapture log = new LogCapture(APP_LOG)) {
            Throwable t = run(() -> {
                CompletableFuture<String> inner = new CompletableFuture<>();
                loop.callLater(Duration.ofMillis(10), () -> inner.completeExceptionally(boom));
                return failureOf(Gen.withTimeout(Duration.ofSeconds(3600), inner));
            });
            assertSame(boom, t);
            // A dependent stage's CompletionException wrapper is removed too.
            IllegalStateException cause = new IllegalStateException("dependent");
            assertSame(cause, run(() -> failureOf(Gen.withTimeout(Duration.ofSeconds(3600),
                    GenTest.<String>dependentFailure(cause)))));
            assertNothingLogged(log);
        }
    }

    @Test
    void withTimeoutOfACompletedStageCompletesAtOnce() throws Exception {
        assertEquals("done", run(() -> {
            CompletableFuture<String> timed = Gen.withTimeout(Duration.ofSeconds(3600),
                    CompletableFuture.completedFuture("done"));
            assertTrue(timed.isDone());
            return timed;
        }));
    }

    @Test
    void withTimeoutCompletesOnTheLoopWhenTheInnerCompletesOnAnotherThread() throws Exception {
        List<Boolean> onLoop = new ArrayList<>();
        assertEquals("x", run(() -> {
            CompletableFuture<String> inner = new CompletableFuture<>();
            CompletableFuture<String> timed = Gen.withTimeout(Duration.ofSeconds(3600), inner).thenApply(v -> {
                onLoop.add(loop.inLoop());
                return v;
            });
            new Thread(() -> inner.complete("x"), "gen-test-completer").start();
            return timed;
        }));
        assertEquals(List.of(true), onLoop);
    }

    @Test
    void aFailureAfterTheTimeoutIsLogged() throws Exception {
        IllegalStateException late = new IllegalStateException("late");
        try (LogCapture log = new LogCapture(APP_LOG)) {
            Throwable t = run(() -> {
                CompletableFuture<String> inner = new CompletableFuture<>();
                return failureOf(Gen.withTimeout(Duration.ofMillis(20), inner))
                        .thenCompose(x -> inALaterCallback(() -> inner.completeExceptionally(late), x));
            });
            assertInstanceOf(TimeoutException.class, t);
            List<ILoggingEvent> events = log.events();
            assertEquals(1, events.size(), log.messages().toString());
            assertEquals(Level.ERROR, events.get(0).getLevel());
            assertTrue(events.get(0).getFormattedMessage().contains("after timeout"),
                    events.get(0).getFormattedMessage());
            assertSame(late, LogCapture.thrown(events.get(0)));
        }
    }

    @Test
    void aQuietFailureAfterTheTimeoutIsNotLoggedButOthersAre() throws Exception {
        try (LogCapture log = new LogCapture(APP_LOG)) {
            Throwable t = run(() -> {
                CompletableFuture<String> inner = new CompletableFuture<>();
                return failureOf(Gen.withTimeout(Duration.ofMillis(20), inner, Set.of(IOException.class)))
                        .thenCompose(x -> inALaterCallback(
                                () -> inner.completeExceptionally(new FileNotFoundException("quiet subclass")), x));
            });
            assertInstanceOf(TimeoutException.class, t);
            assertNothingLogged(log);

            IllegalStateException loud = new IllegalStateException("loud");
            run(() -> {
                CompletableFuture<String> inner = new CompletableFuture<>();
                return failureOf(Gen.withTimeout(Duration.ofMillis(20), inner, Set.of(IOException.class)))
                        .thenCompose(x -> inALaterCallback(() -> inner.completeExceptionally(loud), x));
            });
            assertEquals(1, log.events().size(), log.messages().toString());
            assertSame(loud, LogCapture.thrown(log.events().get(0)));
        }
    }

    @Test
    void aSuccessOrACancellationAfterTheTimeoutIsNotLogged() throws Exception {
        try (LogCapture log = new LogCapture(APP_LOG)) {
            run(() -> {
                CompletableFuture<String> inner = new CompletableFuture<>();
                return failureOf(Gen.withTimeout(Duration.ofMillis(20), inner))
                        .thenCompose(x -> inALaterCallback(() -> inner.complete("late value"), x));
            });
            // Tornado treats a cancelled inner future as quiet.
            Throwable t = run(() -> {
                CompletableFuture<String> inner = new CompletableFuture<>();
                return failureOf(Gen.withTimeout(Duration.ofMillis(20), inner))
                        .thenCompose(x -> inALaterCallback(() -> inner.cancel(false), x));
            });
            assertInstanceOf(TimeoutException.class, t);
            assertNothingLogged(log);
        }
    }

    @Test
    void runSyncRethrowsTheTimeoutException() {
        assertThrows(TimeoutException.class, () -> run(() -> Gen.withTimeout(Duration.ofMillis(10),
                new CompletableFuture<String>())));
    }

    // ------------------------------------------------------------------ chainFuture

    @Test
    void chainFutureCopiesAValue() throws Exception {
        assertEquals(7, run(() -> {
            CompletableFuture<Integer> a = new CompletableFuture<>();
            CompletableFuture<Integer> b = new CompletableFuture<>();
            Gen.chainFuture(a, b);
            assertFalse(b.isDone());
            loop.callLater(Duration.ofMillis(5), () -> a.complete(7));
            return b;
        }));
        assertEquals(8, run(() -> {
            CompletableFuture<Integer> b = new CompletableFuture<>();
            Gen.chainFuture(CompletableFuture.completedFuture(8), b);
            assertTrue(b.isDone());
            return b;
        }));
    }

    @Test
    void chainFutureCopiesAFailureUnwrapped() throws Exception {
        IllegalStateException boom = new IllegalStateException("boom");
        assertSame(boom, run(() -> {
            CompletableFuture<Integer> a = new CompletableFuture<>();
            CompletableFuture<Integer> b = new CompletableFuture<>();
            Gen.chainFuture(a, b);
            a.completeExceptionally(boom);
            return failureOf(b);
        }));
        IllegalArgumentException cause = new IllegalArgumentException("dependent");
        assertSame(cause, run(() -> {
            CompletableFuture<Integer> b = new CompletableFuture<>();
            Gen.chainFuture(GenTest.<Integer>dependentFailure(cause), b);
            return failureOf(b);
        }));
    }

    @Test
    void chainFutureDoesNotOverwriteADoneTarget() throws Exception {
        run(() -> {
            CompletableFuture<String> a = new CompletableFuture<>();
            CompletableFuture<String> done = new CompletableFuture<>();
            CompletableFuture<String> failed = new CompletableFuture<>();
            CompletableFuture<String> cancelled = new CompletableFuture<>();
            IOException mine = new IOException("mine");
            Gen.chainFuture(a, done);
            Gen.chainFuture(a, failed);
            Gen.chainFuture(a, cancelled);
            done.complete("mine");
            failed.completeExceptionally(mine);
            cancelled.cancel(false);
            a.complete("theirs");
            assertEquals("mine", done.getNow(null));
            assertSame(mine, failureOf(failed).getNow(null));
            assertInstanceOf(CancellationException.class, failureOf(cancelled).getNow(null));

            CompletableFuture<String> target = CompletableFuture.completedFuture("kept");
            CompletableFuture<String> failing = new CompletableFuture<>();
            Gen.chainFuture(failing, target);
            failing.completeExceptionally(new IllegalStateException("ignored"));
            assertEquals("kept", target.getNow(null));
            return null;
        });
    }

    // ------------------------------------------------------------------ convert

    @Test
    void convertNullIsAMoment() throws Exception {
        List<String> order = new ArrayList<>();
        run(() -> {
            loop.addCallback(() -> order.add("before"));
            CompletableFuture<Object> m = Gen.convert(null);
            assertFalse(m.isDone());
            return m.thenAccept(v -> {
                assertNull(v);
                order.add("converted");
            });
        });
        assertEquals(List.of("before", "converted"), order);
    }

    @Test
    void convertReturnsACompletableFutureItself() throws Exception {
        run(() -> {
            CompletableFuture<String> f = new CompletableFuture<>();
            assertSame(f, Gen.convert(f));
            return null;
        });
    }

    @Test
    void convertAdaptsOtherCompletionStages() throws Exception {
        assertEquals("minimal", run(() -> {
            CompletableFuture<String> source = new CompletableFuture<>();
            CompletionStage<String> minimal = source.minimalCompletionStage();
            CompletableFuture<String> converted = Gen.convert(minimal);
            assertFalse(converted.isDone());
            loop.callLater(Duration.ofMillis(5), () -> source.complete("minimal"));
            return converted;
        }));
    }

    @Test
    void convertRunsAListThroughMulti() throws Exception {
        List<Integer> results = run(() -> Gen.convert(List.of(later(Duration.ofMillis(20), 1),
                CompletableFuture.completedFuture(2), later(Duration.ofMillis(5), 3))));
        assertEquals(List.of(1, 2, 3), results);
        List<Integer> empty = run(() -> Gen.convert(new ArrayList<>()));
        assertEquals(List.of(), empty);
    }

    @Test
    void convertRunsAMapThroughMulti() throws Exception {
        Map<String, Integer> results = run(() -> {
            Map<String, CompletableFuture<Integer>> children = new LinkedHashMap<>();
            children.put("foo", later(Duration.ofMillis(20), 1));
            children.put("bar", CompletableFuture.completedFuture(2));
            return Gen.convert(children);
        });
        assertEquals(List.of("foo", "bar"), new ArrayList<>(results.keySet()));
        assertEquals(List.of(1, 2), new ArrayList<>(results.values()));
    }

    @Test
    void convertRejectsAnythingElse() throws Exception {
        run(() -> {
            assertThrows(IllegalArgumentException.class, () -> Gen.convert("a string"));
            assertThrows(IllegalArgumentException.class, () -> Gen.convert(42));
            assertThrows(IllegalArgumentException.class, () -> Gen.convert(new Object()));
            assertThrows(IllegalArgumentException.class, () -> Gen.convert(new Object[] {CompletableFuture.completedFuture(1)}));
            return null;
        });
    }

    @Test
    void convertRejectsAListOrMapOfNonStages() throws Exception {
        run(() -> {
            assertThrows(IllegalArgumentException.class, () -> Gen.convert(List.of("not a stage")));
            assertThrows(IllegalArgumentException.class,
                    () -> Gen.convert(List.of(CompletableFuture.completedFuture(1), 2)));
            assertThrows(IllegalArgumentException.class, () -> Gen.convert(Map.of("k", "not a stage")));
            return null;
        });
    }
}
