package io.tornadoj.testing;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.platform.testkit.engine.EngineExecutionResults;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * AsyncTestCase's failure modes, each run as a sample test through EngineTestKit: await timeouts, and a
 * callback that raised on the test's loop failing the test even though its body passed.
 */
@SuppressWarnings("try") // ExpectLog blocks often only need to be open
class AsyncTestCaseFailureTest {
    private static final String CALLBACK_LOG = "Exception in callback";

    @Test
    void anAwaitTimeoutFailsTheTestWithAClearMessage() {
        Throwable t = SampleRunner.onlyFailure(SampleRunner.run(AwaitTimeoutSample.class));
        assertEquals(AssertionError.class, t.getClass());
        assertEquals("Async operation timed out after 0.2 seconds", t.getMessage());
    }

    @Test
    void awaitWithoutADurationUsesTheDefaultTimeout() {
        long t0 = System.nanoTime();
        Throwable t = SampleRunner.onlyFailure(SampleRunner.run(DefaultTimeoutSample.class));
        assertEquals("Async operation timed out after 0.3 seconds", t.getMessage());
        assertTrue(System.nanoTime() - t0 < 4_000_000_000L);
    }

    @Test
    void anAwaitOnAStageThatNeverCompletesFailsTheTest() {
        Throwable t = SampleRunner.onlyFailure(SampleRunner.run(AwaitStageTimeoutSample.class));
        assertEquals(AssertionError.class, t.getClass());
        assertEquals("Async operation timed out after 0.2 seconds", t.getMessage());
        assertInstanceOf(TimeoutException.class, t.getCause());
    }

    @Test
    void aStrayCallbackExceptionFailsATestWhoseBodyPassed() {
        Throwable t;
        try (ExpectLog log = new ExpectLog("tornado.application", CALLBACK_LOG)) {
            t = SampleRunner.onlyFailure(SampleRunner.run(StrayCallbackSample.class));
            assertEquals(1, log.matched(), "the callback's exception is logged too");
        }
        assertEquals(AssertionError.class, t.getClass());
        assertEquals("a callback on the test's IOLoop raised: java.lang.IllegalStateException: stray boom", t.getMessage());
        assertSame(StrayCallbackSample.BOOM, t.getCause());
        assertTrue(StrayCallbackSample.bodyFinished, "the body passed");
    }

    @Test
    void everyStrayCallbackExceptionIsReported() {
        Throwable t;
        try (ExpectLog log = new ExpectLog("tornado.application", CALLBACK_LOG)) {
            t = SampleRunner.onlyFailure(SampleRunner.run(TwoStrayCallbacksSample.class));
            assertEquals(2, log.matched());
        }
        assertSame(TwoStrayCallbacksSample.FIRST, t.getCause());
        assertEquals(1, t.getSuppressed().length);
        assertSame(TwoStrayCallbacksSample.SECOND, t.getSuppressed()[0]);
    }

    @Test
    void aFailingTimeoutCallbackFailsAnAwaitInProgressAtOnce() {
        long t0 = System.nanoTime();
        Throwable t;
        try (ExpectLog log = new ExpectLog("tornado.application", CALLBACK_LOG)) {
            t = SampleRunner.onlyFailure(SampleRunner.run(StrayCallbackDuringAwaitSample.class));
        }
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "the await did not fail at once");
        assertEquals(AssertionError.class, t.getClass());
        assertSame(StrayCallbackDuringAwaitSample.BOOM, t.getCause());
        // reported once: by the await, not again by tearDown
        assertEquals(0, t.getSuppressed().length);
    }

    @Test
    void aFailingFutureCallbackFailsAnAwaitOnAStageAtOnce() {
        long t0 = System.nanoTime();
        Throwable t;
        try (ExpectLog log = new ExpectLog("tornado.application", CALLBACK_LOG)) {
            t = SampleRunner.onlyFailure(SampleRunner.run(StrayFutureCallbackDuringAwaitSample.class));
        }
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "the await did not fail at once");
        assertSame(StrayFutureCallbackDuringAwaitSample.BOOM, t.getCause());
    }

    @Test
    void aFailingTestKeepsItsOwnFailureAndReportsTheCallbackToo() {
        Throwable t;
        try (ExpectLog log = new ExpectLog("tornado.application", CALLBACK_LOG)) {
            t = SampleRunner.onlyFailure(SampleRunner.run(FailingBodyAndCallbackSample.class));
        }
        assertEquals("the body's own failure", t.getMessage());
        assertEquals(1, t.getSuppressed().length);
        assertSame(FailingBodyAndCallbackSample.BOOM, t.getSuppressed()[0].getCause());
    }

    /** With one instance for all tests, each test still starts with no stop, failure or @GenTest timeout. */
    @Test
    void stateDoesNotLeakBetweenTestsSharingAnInstance() {
        EngineExecutionResults r = SampleRunner.run(PerClassSample.class);
        SampleRunner.assertAllPassed(r, 2);
    }

    // ------------------------------------------------------------------ samples (run only by EngineTestKit)

    static class AwaitTimeoutSample extends AsyncTestCase {
        @Test
        void neverStopped() {
            await(Duration.ofMillis(200));
        }
    }

    static class DefaultTimeoutSample extends AsyncTestCase {
        @Override
        protected Duration defaultTimeout() {
            return Duration.ofMillis(300);
        }

        @Test
        void neverStopped() {
            await();
        }
    }

    static class AwaitStageTimeoutSample extends AsyncTestCase {
        @Test
        void neverCompletes() throws Exception {
            await(new CompletableFuture<>(), Duration.ofMillis(200));
        }
    }

    static class StrayCallbackSample extends AsyncTestCase {
        static final IllegalStateException BOOM = new IllegalStateException("stray boom");
        static volatile boolean bodyFinished;

        @Test
        void bodyPasses() throws Exception {
            ioLoop.addCallback(() -> {
                throw BOOM;
            });
            // runs after the failing callback: it has run by the time this returns
            ioLoop.runSync(() -> CompletableFuture.completedFuture(null));
            bodyFinished = true;
        }
    }

    static class TwoStrayCallbacksSample extends AsyncTestCase {
        static final IllegalStateException FIRST = new IllegalStateException("first");
        static final IllegalArgumentException SECOND = new IllegalArgumentException("second");

        @Test
        void bodyPasses() throws Exception {
            ioLoop.addCallback(() -> {
                throw FIRST;
            });
            ioLoop.addCallback(() -> {
                throw SECOND;
            });
            ioLoop.runSync(() -> CompletableFuture.completedFuture(null));
        }
    }

    static class StrayCallbackDuringAwaitSample extends AsyncTestCase {
        static final IllegalStateException BOOM = new IllegalStateException("timeout callback failed");

        @Test
        void awaitsLong() {
            ioLoop.callLater(0.05, () -> {
                throw BOOM;
            });
            await(Duration.ofSeconds(30));
        }
    }

    static class StrayFutureCallbackDuringAwaitSample extends AsyncTestCase {
        static final IllegalStateException BOOM = new IllegalStateException("future callback failed");

        @Test
        void awaitsAStageLong() throws Exception {
            CompletableFuture<String> f = new CompletableFuture<>();
            ioLoop.addFuture(f, done -> {
                throw BOOM;
            });
            ioLoop.callLater(0.05, () -> f.complete("x"));
            await(new CompletableFuture<>(), Duration.ofSeconds(30));
        }
    }

    static class FailingBodyAndCallbackSample extends AsyncTestCase {
        static final IllegalStateException BOOM = new IllegalStateException("also a callback");

        @Test
        void fails() throws Exception {
            ioLoop.addCallback(() -> {
                throw BOOM;
            });
            ioLoop.runSync(() -> CompletableFuture.completedFuture(null));
            throw new AssertionError("the body's own failure");
        }
    }

    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class PerClassSample extends AsyncTestCase {
        @Order(1)
        @GenTest(timeout = 0.5)
        void leavesAStopBehind() {
            assertEquals(Duration.ofMillis(500), defaultTimeout());
            stop("left over");
        }

        @Order(2)
        @Test
        void startsClean() {
            assertEquals(envTimeout(), defaultTimeout());
            assertThrows(AssertionError.class, () -> await(Duration.ofMillis(50)));
        }
    }
}
