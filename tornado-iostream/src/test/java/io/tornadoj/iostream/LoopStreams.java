package io.tornadoj.iostream;

import io.tornadoj.ioloop.IOLoop;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;

/** Helpers for tests that drive streams on an {@link IOLoop} from the test thread, bounded at 10 s. */
public final class LoopStreams {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private LoopStreams() {
    }

    /**
     * Runs {@code r} on the loop and waits for it (on the test thread).
     *
     * @param loop the loop
     * @param r what to run
     * @throws Exception what {@code r} threw, or a timeout
     */
    public static void run(IOLoop loop, Runnable r) throws Exception {
        loop.runSync(() -> {
            r.run();
            return null;
        }, WAIT);
    }

    /**
     * Runs {@code f} on the loop and waits for the stage it returns (on the test thread).
     *
     * @param loop the loop
     * @param f what to run
     * @param <T> the stage's result type
     * @return the stage's result
     * @throws Exception the stage's failure, or a timeout
     */
    public static <T> T sync(IOLoop loop, Callable<? extends CompletionStage<T>> f) throws Exception {
        return loop.runSync(f, WAIT);
    }

    /**
     * Writes back every line the stream reads, until a read or write fails (on the stream's loop).
     *
     * @param stream the stream to echo on
     */
    public static void echo(IOStream stream) {
        stream.readUntil("\n").thenCompose(stream::write).whenComplete((v, t) -> {
            if (t == null) {
                echo(stream);
            }
        });
    }

    /**
     * Writes {@code line} and a newline, then waits for a line back (on the test thread).
     *
     * @param loop the stream's loop
     * @param stream the stream
     * @param line the text to send
     * @return the line read back, with its newline
     * @throws Exception a failed write or read, or a timeout
     */
    public static String roundTrip(IOLoop loop, IOStream stream, String line) throws Exception {
        byte[] got = sync(loop, () -> stream.write(line + "\n").thenCompose(v -> stream.readUntil("\n")));
        return new String(got, StandardCharsets.UTF_8);
    }
}
