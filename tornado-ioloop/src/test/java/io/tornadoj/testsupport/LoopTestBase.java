package io.tornadoj.testsupport;

import io.tornadoj.ioloop.IOLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Base of tests that each run on a fresh {@link IOLoop}, created before and closed after every test. */
public abstract class LoopTestBase {
    private static final Duration WAIT = Duration.ofSeconds(5);

    /** The loop of the running test. */
    protected IOLoop loop;

    /** Creates the test's loop (on the JUnit thread). */
    @BeforeEach
    protected final void openLoop() {
        loop = IOLoop.create();
    }

    /** Closes the test's loop (on the JUnit thread). */
    @AfterEach
    protected final void closeLoop() {
        loop.close();
    }

    /**
     * Runs {@code body} on the loop and waits (at most 5 seconds) for the stage it returns.
     *
     * @param body what to run on the loop
     * @param <T> the stage's result type
     * @return the stage's result
     * @throws Exception the stage's failure, or a timeout
     */
    protected <T> T run(Callable<? extends CompletionStage<T>> body) throws Exception {
        return loop.runSync(body, WAIT);
    }

    /**
     * The failure a stage completed with, exactly as it reports it (null when it succeeded).
     *
     * @param stage the stage to watch
     * @return a future completed normally with the stage's failure, or null
     */
    protected static CompletableFuture<Throwable> failureOf(CompletionStage<?> stage) {
        return stage.handle((v, t) -> t).toCompletableFuture();
    }
}
