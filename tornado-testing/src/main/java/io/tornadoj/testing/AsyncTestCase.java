package io.tornadoj.testing;

import io.tornadoj.internal.Seconds;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.netutil.NetUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Tornado's {@code AsyncTestCase} for JUnit Jupiter: every test gets a fresh {@link IOLoop}
 * ({@link #ioLoop}, current on the test thread), closed after the test. The test thread waits for the
 * loop with {@link #await(CompletionStage)} (the Java form of {@code yield} in a {@code gen_test}) or with
 * {@link #stop()}/{@link #await()} (Tornado's {@code stop}/{@code wait}).
 *
 * <p>An exception that escapes a callback on the test's loop fails the test even if its body passed,
 * with that exception as the cause (like Tornado surfacing {@code handle_callback_exception}); an
 * {@code await} in progress fails at once.
 *
 * <p>The default timeout of every wait is the {@code ASYNC_TEST_TIMEOUT} environment variable (seconds),
 * else 5 s; {@link GenTest#timeout()} overrides it for one test.
 */
public abstract class AsyncTestCase {
    /** The test's loop; created by {@link #getNewIoLoop()} before each test, closed after it. */
    protected IOLoop ioLoop;

    private final Object lock = new Object();
    private final List<Throwable> failures = new ArrayList<>();
    private boolean stopped;
    private Object stopValue;
    private volatile Duration genTestTimeout;

    /** Test classes extend this. */
    protected AsyncTestCase() {
    }

    /**
     * Makes the loop for one test. Override to pick a transport, e.g. {@code IOLoop.create(Transport.NIO)}.
     *
     * @return a new loop
     */
    protected IOLoop getNewIoLoop() {
        return IOLoop.create();
    }

    /** Creates the test's loop and makes it current; runs before each test. */
    @BeforeEach
    public void setUpIOLoop() {
        // A test instance may serve several tests (@TestInstance(PER_CLASS)): each starts clean.
        genTestTimeout = null;
        synchronized (lock) {
            stopped = false;
            stopValue = null;
            failures.clear();
        }
        ioLoop = getNewIoLoop();
        ioLoop.makeCurrent();
        ioLoop.setCallbackExceptionHandler((callback, error) -> {
            org.slf4j.LoggerFactory.getLogger("tornado.application").error("Exception in callback {}", callback, error);
            synchronized (lock) {
                failures.add(error);
                lock.notifyAll();
            }
        });
    }

    /**
     * Closes the test's loop (and every fd/channel on it); fails the test if a callback raised.
     *
     * @throws AssertionError with the callback's exception as the cause
     */
    @AfterEach
    public void tearDownIOLoop() {
        IOLoop.clearCurrent();
        if (ioLoop != null) {
            ioLoop.close(true);
        }
        synchronized (lock) {
            if (!failures.isEmpty()) {
                Throwable first = failures.get(0);
                AssertionError e = new AssertionError("a callback on the test's IOLoop raised: " + first, first);
                for (Throwable more : failures.subList(1, failures.size())) {
                    e.addSuppressed(more);
                }
                failures.clear();
                throw e;
            }
        }
    }

    /** Called by {@link GenTest}'s extension: the timeout for this test's waits. */
    void setGenTestTimeout(Duration timeout) {
        this.genTestTimeout = timeout;
    }

    /**
     * The default limit of {@link #await()} and {@link #await(CompletionStage)}: the {@link GenTest}
     * timeout if any, else {@code ASYNC_TEST_TIMEOUT} seconds, else 5 s.
     *
     * @return the timeout
     */
    protected Duration defaultTimeout() {
        Duration g = genTestTimeout;
        return g != null ? g : envTimeout();
    }

    static Duration envTimeout() {
        String env = System.getenv("ASYNC_TEST_TIMEOUT");
        if (env != null && !env.isBlank()) {
            try {
                return Duration.ofNanos((long) (Double.parseDouble(env.trim()) * 1e9));
            } catch (NumberFormatException ignored) {
                // fall through to the default
            }
        }
        return Duration.ofSeconds(5);
    }

    /** Ends the current {@link #await()} (Tornado's {@code stop}). Any thread. */
    public void stop() {
        stop(null);
    }

    /**
     * Ends the current {@link #await()}, which returns {@code value}. A stop before the wait is kept.
     * Any thread.
     *
     * @param value what {@code await()} returns
     */
    public void stop(Object value) {
        synchronized (lock) {
            stopped = true;
            stopValue = value;
            lock.notifyAll();
        }
    }

    /**
     * Blocks the test thread until {@link #stop} is called (Tornado's {@code wait}), at most the default
     * timeout.
     *
     * @return the value given to {@code stop}
     * @throws AssertionError on timeout, or when a callback on the loop raised meanwhile
     */
    public Object await() {
        return await(defaultTimeout());
    }

    /**
     * Blocks the test thread until {@link #stop} is called, at most {@code timeoutSeconds} (Tornado's
     * {@code wait(timeout=)} with float seconds).
     *
     * @param timeoutSeconds the limit, in seconds
     * @return the value given to {@code stop}
     * @throws AssertionError on timeout, or when a callback on the loop raised meanwhile
     */
    public Object await(double timeoutSeconds) {
        return await(Seconds.toDuration(timeoutSeconds));
    }

    /**
     * Blocks the test thread until {@link #stop} is called, at most {@code timeout}.
     *
     * @param timeout the limit
     * @return the value given to {@code stop}
     * @throws AssertionError on timeout, or when a callback on the loop raised meanwhile
     */
    public Object await(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (!stopped) {
                checkFailures();
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("Async operation timed out after " + seconds(timeout) + " seconds");
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while waiting", e);
                }
            }
            checkFailures();
            stopped = false;
            Object v = stopValue;
            stopValue = null;
            return v;
        }
    }

    /**
     * Blocks the test thread until the stage completes, at most the default timeout, and returns its value
     * or rethrows its exception unwrapped (the Java form of {@code yield} in a {@code gen_test}).
     *
     * @param stage the stage
     * @param <T>   the value type
     * @return the value
     * @throws Exception the stage's exception
     * @throws AssertionError on timeout, or when a callback on the loop raised meanwhile
     */
    public <T> T await(CompletionStage<T> stage) throws Exception {
        return await(stage, defaultTimeout());
    }

    /**
     * As {@link #await(CompletionStage)} with a limit.
     *
     * @param stage   the stage
     * @param timeout the limit
     * @param <T>     the value type
     * @return the value
     * @throws Exception the stage's exception
     */
    public <T> T await(CompletionStage<T> stage, Duration timeout) throws Exception {
        CompletableFuture<T> f = stage.toCompletableFuture();
        f.whenComplete((v, t) -> {
            synchronized (lock) {
                lock.notifyAll();
            }
        });
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (!f.isDone()) {
                checkFailures();
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("Async operation timed out after " + seconds(timeout) + " seconds",
                            new TimeoutException("waiting for " + stage));
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while waiting", e);
                }
            }
        }
        try {
            return f.get();
        } catch (ExecutionException e) {
            throw unwrap(e);
        }
    }

    private static Exception unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof Error) {
            throw (Error) t;
        }
        return (Exception) t;
    }

    /** Fails now if a callback raised (caller holds the lock). */
    private void checkFailures() {
        if (!failures.isEmpty()) {
            Throwable first = failures.remove(0);
            throw new AssertionError("a callback on the test's IOLoop raised: " + first, first);
        }
    }

    private static String seconds(Duration d) {
        return String.valueOf(d.toNanos() / 1e9);
    }

    /**
     * A loopback port that was free a moment ago ({@link NetUtil#bindUnusedPort()}).
     *
     * @return the port
     */
    public static int bindUnusedPort() {
        return NetUtil.bindUnusedPort();
    }
}
