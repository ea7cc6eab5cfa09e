package io.tornadoj.testing;

import io.tornadoj.gen.Gen;
import io.tornadoj.ioloop.IOLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code @GenTest} on passing tests (Tornado's GenTest cases): the body runs with the test's loop current,
 * awaits work, the timeout becomes every await's default. Timeouts and failures are in
 * {@link GenTestFailureTest}.
 */
class GenTestTest extends AsyncTestCase {
    private boolean finished;
    private Thread setUpThread;

    @BeforeEach
    void notFinishedYet() {
        finished = false;
        setUpThread = Thread.currentThread();
    }

    @AfterEach
    void theBodyRan() {
        // Tornado's GenTest.tearDown: every test must have reached its end
        assertTrue(finished, "the test body did not finish");
    }

    @GenTest
    void aSynchronousBody() {
        finished = true;
    }

    @GenTest
    void anAsynchronousBody() throws Exception {
        await(Gen.moment());
        finished = true;
    }

    @GenTest
    void theBodyRunsOffTheLoopWithTheTestLoopCurrent() throws Exception {
        assertSame(ioLoop, IOLoop.current());
        assertFalse(ioLoop.inLoop());
        assertNotSame(setUpThread, Thread.currentThread(), "the body has a thread of its own (it can be abandoned)");
        assertSame(ioLoop, ioLoop.runSync(() -> CompletableFuture.completedFuture(IOLoop.current())));
        finished = true;
    }

    @GenTest(timeout = 1)
    void aTestWithinItsTimeoutPasses() throws Exception {
        await(Gen.sleep(Duration.ofMillis(100)));
        finished = true;
    }

    @GenTest(timeout = 0.75)
    void theTimeoutBoundsEveryAwait() {
        assertEquals(Duration.ofMillis(750), defaultTimeout());
        ioLoop.callLater(0.01, () -> stop("stopped"));
        assertEquals("stopped", await());
        finished = true;
    }

    @GenTest
    void withoutATimeoutTheEnvironmentDefaultApplies() {
        assertEquals(envTimeout(), defaultTimeout());
        finished = true;
    }

    @GenTest(timeout = 0)
    void aZeroTimeoutMeansTheDefault() {
        assertEquals(envTimeout(), defaultTimeout());
        finished = true;
    }

    @Test
    void aPlainTestKeepsTheEnvironmentDefault() {
        assertEquals(envTimeout(), defaultTimeout());
        finished = true;
    }

    @GenTest(timeout = 2)
    void stopAndAwaitWorkInAGenTest() throws Exception {
        double start = ioLoop.time();
        await(Gen.sleep(Duration.ofMillis(50)));
        assertTrue(ioLoop.time() - start >= 0.05);
        ioLoop.callLater(0.01, () -> stop("done"));
        assertEquals("done", await());
        finished = true;
    }
}
