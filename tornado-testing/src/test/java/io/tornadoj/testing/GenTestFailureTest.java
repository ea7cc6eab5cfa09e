package io.tornadoj.testing;

import io.tornadoj.ioloop.IOLoop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** {@code @GenTest}'s failure modes, each run as a sample through EngineTestKit. */
@SuppressWarnings("try") // ExpectLog blocks often only need to be open
class GenTestFailureTest {
    @Test
    void aTimeoutNamesTheTestAndTheTimeoutAndShowsWhereTheLoopWas() {
        long t0 = System.nanoTime();
        Throwable t = SampleRunner.onlyFailure(SampleRunner.run(HungLoopSample.class));
        assertTrue(System.nanoTime() - t0 < 8_000_000_000L);
        assertEquals(AssertionError.class, t.getClass());
        String m = t.getMessage();
        assertTrue(m.contains("hangsTheLoop()"), m);
        assertTrue(m.contains(HungLoopSample.class.getName() + ".hangsTheLoop"), m);
        assertTrue(m.contains("timed out after 0.3 seconds"), m);
        Throwable where = t.getCause();
        assertTrue(where != null && where.getMessage().startsWith("IOLoop thread tornado-ioloop-")
                && where.getMessage().endsWith("was here at the timeout"), String.valueOf(where));
        assertTrue(Arrays.stream(where.getStackTrace())
                        .anyMatch(f -> f.getClassName().equals(HungLoopSample.class.getName())
                                && f.getMethodName().equals("sleepOnTheLoop")),
                () -> "the loop's stack does not show the sleeping callback:\n" + SampleRunner.stack(t));
        assertTrue(HungLoopSample.bodyInterrupted, "the abandoned body was interrupted");
    }

    @Test
    void theTimeoutBoundsAnAwaitThatNeverEnds() {
        long t0 = System.nanoTime();
        Throwable t = SampleRunner.onlyFailure(SampleRunner.run(AwaitForeverSample.class));
        long elapsed = System.nanoTime() - t0;
        assertEquals(AssertionError.class, t.getClass());
        assertTrue(t.getMessage().contains("timed out after 0.4 seconds"), t.getMessage());
        assertTrue(elapsed < 4_000_000_000L, "took " + elapsed + " ns: the 5 s default applied");
    }

    @Test
    void theTimeoutBoundsAnAwaitOnAStageThatNeverCompletes() {
        long t0 = System.nanoTime();
        Throwable t = SampleRunner.onlyFailure(SampleRunner.run(AwaitStageForeverSample.class));
        assertTrue(t.getMessage().contains("timed out after 0.4 seconds"), t.getMessage());
        assertTrue(System.nanoTime() - t0 < 4_000_000_000L);
    }

    @Test
    void theTimeoutBoundsABodyThatBlocksWithoutAwaiting() {
        Throwable t = SampleRunner.onlyFailure(SampleRunner.run(SleepingBodySample.class));
        assertTrue(t.getMessage().startsWith("sleeps() (" + SleepingBodySample.class.getName()
                + ".sleeps) timed out after 0.2 seconds"), t.getMessage());
        // the loop was idle: its stack is shown all the same
        assertTrue(t.getCause().getStackTrace().length > 0);
    }

    @Test
    void anAssertionInTheBodyFailsTheTestUnwrapped() {
        Throwable t = SampleRunner.onlyFailure(SampleRunner.run(AssertingBodySample.class));
        assertEquals("org.opentest4j.AssertionFailedError", t.getClass().getName());
        assertEquals("one is not two ==> expected: <1> but was: <2>", t.getMessage());
    }

    @Test
    void aCheckedExceptionFromTheBodyFailsTheTestUnwrapped() {
        Throwable t = SampleRunner.onlyFailure(SampleRunner.run(ThrowingBodySample.class));
        assertSame(ThrowingBodySample.BOOM, t);
    }

    @Test
    void aStrayCallbackFailsAGenTestToo() {
        Throwable t;
        try (ExpectLog log = new ExpectLog("tornado.application", "Exception in callback")) {
            t = SampleRunner.onlyFailure(SampleRunner.run(StrayCallbackGenSample.class));
        }
        assertEquals(AssertionError.class, t.getClass());
        assertSame(StrayCallbackGenSample.BOOM, t.getCause());
    }

    @Test
    void withIOLoopExtensionTheTimeoutShowsTheInjectedLoop() {
        Throwable t = SampleRunner.onlyFailure(SampleRunner.run(ExtensionHungLoopSample.class));
        assertTrue(t.getMessage().contains("timed out after 0.3 seconds"), t.getMessage());
        assertTrue(Arrays.stream(t.getCause().getStackTrace())
                        .anyMatch(f -> f.getMethodName().equals("sleepOnTheInjectedLoop")),
                () -> SampleRunner.stack(t));
    }

    @Test
    void passingGenTestsPassThroughTheTestKitToo() {
        SampleRunner.assertAllPassed(SampleRunner.run(PassingSample.class), 2);
    }

    // ------------------------------------------------------------------ samples (run only by EngineTestKit)

    static class HungLoopSample extends AsyncTestCase {
        static volatile boolean bodyInterrupted;

        @GenTest(timeout = 0.3)
        void hangsTheLoop() {
            ioLoop.addCallback(HungLoopSample::sleepOnTheLoop);
            try {
                Thread.sleep(20_000);
                fail("not interrupted");
            } catch (InterruptedException e) {
                bodyInterrupted = true;
            }
        }

        static void sleepOnTheLoop() {
            try {
                Thread.sleep(1_500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static class AwaitForeverSample extends AsyncTestCase {
        @GenTest(timeout = 0.4)
        void awaitsForever() {
            await();
        }
    }

    static class AwaitStageForeverSample extends AsyncTestCase {
        @GenTest(timeout = 0.4)
        void awaitsForever() throws Exception {
            await(new CompletableFuture<>());
        }
    }

    static class SleepingBodySample extends AsyncTestCase {
        @GenTest(timeout = 0.2)
        void sleeps() throws Exception {
            Thread.sleep(20_000);
        }
    }

    static class AssertingBodySample extends AsyncTestCase {
        @GenTest
        void fails() {
            assertEquals(1, 2, "one is not two");
        }
    }

    static class ThrowingBodySample extends AsyncTestCase {
        static final IOException BOOM = new IOException("checked");

        @GenTest
        void throwsChecked() throws IOException {
            throw BOOM;
        }
    }

    static class StrayCallbackGenSample extends AsyncTestCase {
        static final IllegalStateException BOOM = new IllegalStateException("stray in a gen test");

        @GenTest
        void bodyPasses() throws Exception {
            ioLoop.addCallback(() -> {
                throw BOOM;
            });
            ioLoop.runSync(() -> CompletableFuture.completedFuture(null));
        }
    }

    @ExtendWith(IOLoopExtension.class)
    static class ExtensionHungLoopSample {
        @GenTest(timeout = 0.3)
        void hangs(IOLoop loop) throws Exception {
            loop.addCallback(ExtensionHungLoopSample::sleepOnTheInjectedLoop);
            Thread.sleep(20_000);
        }

        static void sleepOnTheInjectedLoop() {
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static class PassingSample extends AsyncTestCase {
        @GenTest(timeout = 1)
        void quick() throws Exception {
            await(io.tornadoj.gen.Gen.sleep(Duration.ofMillis(10)));
        }

        @GenTest
        void quickToo() {
        }
    }
}
