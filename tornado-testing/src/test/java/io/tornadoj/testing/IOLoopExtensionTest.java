package io.tornadoj.testing;

import io.tornadoj.ioloop.IOLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ParameterResolutionException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** IOLoopExtension: a fresh loop per test, current on the test thread, closed after the test. */
@ExtendWith(IOLoopExtension.class)
class IOLoopExtensionTest {
    @Test
    void injectsAUsableCurrentLoop(IOLoop loop) throws Exception {
        assertSame(loop, IOLoop.currentOrNull());
        assertFalse(loop.inLoop());
        assertEquals(42, loop.runSync(() -> CompletableFuture.completedFuture(42)));
    }

    @GenTest(timeout = 2)
    void aGenTestBodyHasTheInjectedLoopCurrent(IOLoop loop) throws Exception {
        assertSame(loop, IOLoop.current());
        assertEquals("ok", loop.runSync(() -> CompletableFuture.completedFuture("ok")));
    }

    @Test
    void eachTestGetsAFreshLoopClosedAfterIt() {
        IOLoop.clearCurrent();
        LoopsSample.reset();
        SampleRunner.assertAllPassed(SampleRunner.run(LoopsSample.class), 2);
        assertEquals(2, LoopsSample.IN_TESTS.size());
        IOLoop first = LoopsSample.IN_TESTS.get(0);
        IOLoop second = LoopsSample.IN_TESTS.get(1);
        assertNotSame(first, second);
        assertEquals(LoopsSample.IN_TESTS, LoopsSample.IN_BEFORE_EACH, "@BeforeEach and its test share the loop");
        assertEquals(LoopsSample.IN_TESTS, LoopsSample.IN_AFTER_EACH, "@AfterEach and its test share the loop");
        for (IOLoop loop : LoopsSample.IN_TESTS) {
            assertTrue(loop.eventLoop().isTerminated(), loop + " was not closed after its test");
        }
        assertNull(IOLoop.currentOrNull(), "the closed loop is no longer current");
    }

    @Test
    void aBeforeAllLoopIsTheClasssOwnNotTheTests() {
        IOLoop.clearCurrent();
        BeforeAllSample.IN_TESTS.clear();
        SampleRunner.assertAllPassed(SampleRunner.run(BeforeAllSample.class), 2);
        IOLoop classLoop = BeforeAllSample.classLoop;
        assertEquals(2, BeforeAllSample.IN_TESTS.size());
        assertNotSame(BeforeAllSample.IN_TESTS.get(0), BeforeAllSample.IN_TESTS.get(1));
        for (IOLoop loop : BeforeAllSample.IN_TESTS) {
            assertNotSame(classLoop, loop);
            assertTrue(loop.eventLoop().isTerminated());
        }
        assertTrue(classLoop.eventLoop().isTerminated(), "the @BeforeAll loop is closed after the class");
    }

    @Test
    void onlyIOLoopParametersAreResolved() {
        Throwable t = SampleRunner.onlyFailure(SampleRunner.run(OtherParameterSample.class));
        assertInstanceOf(ParameterResolutionException.class, t);
    }

    // ------------------------------------------------------------------ samples (run only by EngineTestKit)

    @ExtendWith(IOLoopExtension.class)
    static class LoopsSample {
        static final List<IOLoop> IN_BEFORE_EACH = new ArrayList<>();
        static final List<IOLoop> IN_TESTS = new ArrayList<>();
        static final List<IOLoop> IN_AFTER_EACH = new ArrayList<>();

        static void reset() {
            IN_BEFORE_EACH.clear();
            IN_TESTS.clear();
            IN_AFTER_EACH.clear();
        }

        @BeforeEach
        void before(IOLoop loop) {
            IN_BEFORE_EACH.add(loop);
        }

        @Test
        void first(IOLoop loop) throws Exception {
            check(loop);
        }

        @Test
        void second(IOLoop loop) throws Exception {
            check(loop);
        }

        private static void check(IOLoop loop) throws Exception {
            assertSame(loop, IOLoop.currentOrNull());
            assertFalse(loop.eventLoop().isShuttingDown());
            for (IOLoop earlier : IN_TESTS) {
                assertTrue(earlier.eventLoop().isTerminated(), "the previous test's loop is closed");
            }
            assertEquals(1, loop.runSync(() -> CompletableFuture.completedFuture(1)));
            IN_TESTS.add(loop);
        }

        @AfterEach
        void after(IOLoop loop) throws Exception {
            assertEquals(2, loop.runSync(() -> CompletableFuture.completedFuture(2)), "still open in @AfterEach");
            IN_AFTER_EACH.add(loop);
        }
    }

    @ExtendWith(IOLoopExtension.class)
    static class BeforeAllSample {
        static final List<IOLoop> IN_TESTS = new ArrayList<>();
        static volatile IOLoop classLoop;

        @BeforeAll
        static void beforeAll(IOLoop loop) {
            classLoop = loop;
        }

        @Test
        void first(IOLoop loop) {
            check(loop);
        }

        @Test
        void second(IOLoop loop) {
            check(loop);
        }

        private static void check(IOLoop loop) {
            assertSame(loop, IOLoop.currentOrNull());
            assertFalse(classLoop.eventLoop().isShuttingDown(), "the class's loop lives until the class ends");
            IN_TESTS.add(loop);
        }
    }

    @ExtendWith(IOLoopExtension.class)
    static class OtherParameterSample {
        @Test
        void wantsAString(String notALoop) {
        }
    }
}
