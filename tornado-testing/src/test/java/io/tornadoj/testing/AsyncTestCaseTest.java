package io.tornadoj.testing;

import io.tornadoj.gen.Gen;
import io.tornadoj.httpserver.HTTPServer;
import io.tornadoj.ioloop.IOLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * AsyncTestCase's passing behaviour: a fresh current loop per test, stop/await (Tornado's stop/wait),
 * await(stage) (yield in a gen_test), timeouts as thrown errors, callback failures surfacing in an await.
 * The cases where the test itself fails are in {@link AsyncTestCaseFailureTest}.
 */
@SuppressWarnings("try") // ExpectLog blocks often only need to be open
class AsyncTestCaseTest extends AsyncTestCase {
    private static final List<IOLoop> EARLIER_LOOPS = new ArrayList<>();

    private IOLoop loopInSubclassSetUp;
    private IOLoop currentInSubclassSetUp;

    @BeforeEach
    void subclassSetUp() {
        // A subclass's @BeforeEach runs after the loop is made (JUnit runs superclass methods first).
        loopInSubclassSetUp = ioLoop;
        currentInSubclassSetUp = IOLoop.currentOrNull();
    }

    @AfterEach
    void subclassTearDown() throws Exception {
        // ...and its @AfterEach before the loop is closed: it is still usable.
        assertEquals("still open", ioLoop.runSync(() -> CompletableFuture.completedFuture("still open")));
    }

    @RepeatedTest(3)
    void eachTestGetsAFreshCurrentLoopAndEarlierOnesAreClosed() {
        assertNotNull(ioLoop);
        assertSame(ioLoop, loopInSubclassSetUp);
        assertSame(ioLoop, currentInSubclassSetUp);
        assertSame(ioLoop, IOLoop.current());
        assertFalse(ioLoop.inLoop());
        assertFalse(ioLoop.eventLoop().isShuttingDown());
        synchronized (EARLIER_LOOPS) {
            for (IOLoop earlier : EARLIER_LOOPS) {
                assertNotSame(earlier, ioLoop);
                assertTrue(earlier.eventLoop().isTerminated(), earlier + " was not closed after its test");
            }
            EARLIER_LOOPS.add(ioLoop);
        }
    }

    // ------------------------------------------------------------------ stop / await

    @Test
    void stopBeforeAwaitIsKept() {
        stop("early");
        assertEquals("early", await(Duration.ofMillis(200)));
    }

    @Test
    void stopAfterAwaitBeganEndsIt() {
        ioLoop.callLater(0.05, () -> stop(42));
        long t0 = System.nanoTime();
        assertEquals(42, await());
        assertTrue(System.nanoTime() - t0 >= 40_000_000L, "await returned before the stop");
    }

    @Test
    void stopWithoutAValueMakesAwaitReturnNull() {
        ioLoop.addCallback(this::stop);
        assertNull(await());
    }

    @Test
    void stopFromAnyThread() throws Exception {
        Thread t = new Thread(() -> stop("from a plain thread"));
        t.start();
        assertEquals("from a plain thread", await());
        t.join();
    }

    @Test
    void oneStopEndsOneAwait() {
        stop("once");
        assertEquals("once", await());
        AssertionError e = assertThrows(AssertionError.class, () -> await(Duration.ofMillis(100)));
        assertEquals("Async operation timed out after 0.1 seconds", e.getMessage());
    }

    /** Tornado's test_subsequent_wait_calls: a second wait does not inherit the first one's deadline. */
    @Test
    void eachAwaitHasItsOwnDeadline() {
        ioLoop.callLater(0, this::stop);
        await(Duration.ofMillis(100));
        ioLoop.callLater(0.2, this::stop);
        await(0.4); // Tornado's wait(timeout=0.4)
    }

    @Test
    void awaitTakesFloatSeconds() {
        long t0 = System.nanoTime();
        AssertionError e = assertThrows(AssertionError.class, () -> await(0.15));
        assertEquals("Async operation timed out after 0.15 seconds", e.getMessage());
        assertTrue(System.nanoTime() - t0 >= 140_000_000L, "timed out early");
    }

    @Test
    void awaitTimesOutWithAClearMessage() {
        long t0 = System.nanoTime();
        AssertionError e = assertThrows(AssertionError.class, () -> await(Duration.ofMillis(200)));
        long elapsed = System.nanoTime() - t0;
        assertEquals("Async operation timed out after 0.2 seconds", e.getMessage());
        assertTrue(elapsed >= 190_000_000L, "timed out early: " + elapsed + " ns");
        assertTrue(elapsed < 3_000_000_000L, "timed out late: " + elapsed + " ns");
    }

    /** Tornado's test_wait_timeout, first part: a stop well within the default timeout passes. */
    @Test
    void aStopWithinTheDefaultTimeoutPasses() {
        ioLoop.addTimeout(ioLoop.time() + 0.01, this::stop);
        await();
    }

    // ------------------------------------------------------------------ await(stage)

    @Test
    void awaitStageReturnsTheValue() throws Exception {
        CompletableFuture<String> f = new CompletableFuture<>();
        ioLoop.callLater(0.02, () -> f.complete("value"));
        assertEquals("value", await(f));
        assertEquals("value", await(f, Duration.ofMillis(10)), "a completed stage answers at once");
    }

    @Test
    void awaitStageOfLoopFutures() throws Exception {
        double start = ioLoop.time();
        assertNull(await(Gen.sleep(Duration.ofMillis(30))));
        assertTrue(ioLoop.time() - start >= 0.03);
        CompletionStage<Integer> chained = Gen.moment().thenApply(v -> 7).minimalCompletionStage();
        assertEquals(7, await(chained));
    }

    @Test
    void awaitStageRethrowsACheckedCauseUnwrapped() {
        IOException boom = new IOException("disk on fire");
        CompletableFuture<String> f = new CompletableFuture<>();
        ioLoop.callLater(0.01, () -> f.completeExceptionally(boom));
        IOException thrown = assertThrows(IOException.class, () -> await(f));
        assertSame(boom, thrown);
    }

    @Test
    void awaitStageRethrowsTheCauseOfADependentStageUnwrapped() {
        IllegalStateException boom = new IllegalStateException("in a thenApply");
        CompletionStage<String> f = Gen.moment().thenApply(v -> {
            throw boom;
        });
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> await(f));
        assertSame(boom, thrown);
    }

    @Test
    void awaitStageRethrowsAnError() {
        AssertionError boom = new AssertionError("asserted on the loop");
        CompletableFuture<Void> f = new CompletableFuture<>();
        ioLoop.addCallback(() -> f.completeExceptionally(boom));
        assertSame(boom, assertThrows(AssertionError.class, () -> await(f)));
    }

    @Test
    void awaitStageTimesOut() {
        CompletableFuture<String> never = new CompletableFuture<>();
        long t0 = System.nanoTime();
        AssertionError e = assertThrows(AssertionError.class, () -> await(never, Duration.ofMillis(150)));
        assertEquals("Async operation timed out after 0.15 seconds", e.getMessage());
        assertInstanceOf(TimeoutException.class, e.getCause());
        assertTrue(System.nanoTime() - t0 >= 140_000_000L);
        assertFalse(never.isDone(), "a timed out await leaves the stage alone");
    }

    // ------------------------------------------------------------------ callback failures

    @Test
    void aFailingCallbackFailsAnAwaitInProgressAtOnce() throws Exception {
        IllegalStateException boom = new IllegalStateException("callback failed");
        try (ExpectLog log = new ExpectLog("tornado.application", "Exception in callback")) {
            ioLoop.callLater(0.05, () -> {
                throw boom;
            });
            long t0 = System.nanoTime();
            AssertionError e = assertThrows(AssertionError.class, () -> await(Duration.ofSeconds(20)));
            assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "await did not fail at once");
            assertSame(boom, e.getCause());
            assertTrue(e.getMessage().contains("callback failed"), e.getMessage());
            assertEquals(1, log.matched());
        }
        // The failure was reported by the await: the test itself passes.
    }

    @Test
    void aFailingCallbackFailsAnAwaitOnAStageAtOnce() throws Exception {
        IllegalStateException boom = new IllegalStateException("timeout callback failed");
        try (ExpectLog log = new ExpectLog("tornado.application", "Exception in callback")) {
            ioLoop.callLater(0.05, () -> {
                throw boom;
            });
            long t0 = System.nanoTime();
            AssertionError e = assertThrows(AssertionError.class,
                    () -> await(new CompletableFuture<>(), Duration.ofSeconds(20)));
            assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "await did not fail at once");
            assertSame(boom, e.getCause());
        }
    }

    // ------------------------------------------------------------------ timeouts and ports

    @Test
    void theDefaultTimeoutIsAsyncTestTimeoutElseFiveSeconds() {
        // ASYNC_TEST_TIMEOUT cannot be set from inside the JVM: check what this run has.
        assertEquals(envTimeout(), defaultTimeout(), "a plain @Test uses the environment's timeout");
        String env = System.getenv("ASYNC_TEST_TIMEOUT");
        if (env == null || env.isBlank()) {
            assertEquals(Duration.ofSeconds(5), envTimeout());
        } else {
            assertEquals(Duration.ofNanos((long) (Double.parseDouble(env.trim()) * 1e9)), envTimeout());
        }
    }

    @Test
    void bindUnusedPortGivesAFreeLoopbackPort() throws Exception {
        int port = bindUnusedPort();
        assertTrue(port > 0 && port < 65536, "port " + port);
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            assertEquals(port, s.getLocalPort());
        }
    }

    @Test
    void aServerCanListenOnAnUnusedPort() throws Exception {
        int port = bindUnusedPort();
        HTTPServer server = ioLoop.runSync(() -> {
            HTTPServer s = new HTTPServer(request -> { });
            s.listen(port, "127.0.0.1");
            return CompletableFuture.completedFuture(s);
        });
        assertEquals(port, server.boundAddresses().get(0).getPort());
        ioLoop.runSync(server::stop);
    }
}
