package io.tornadoj.examples.ioloop;

import io.tornadoj.gen.Gen;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.ioloop.PeriodicCallback;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The IOLoop tour: callbacks, a timeout, a periodic callback, {@code runSync} and {@code start}/{@code stop},
 * the Tornado way. Run it with the README's first command.
 */
public final class LoopDemo {
    private LoopDemo() {
    }

    /**
     * Runs the tour on a fresh loop, printing each step.
     *
     * @param out where to print
     * @return how many times the periodic callback ran
     * @throws Exception if runSync fails
     */
    public static int run(PrintStream out) throws Exception {
        try (IOLoop loop = IOLoop.create()) {
            out.println("IOLoop on the " + loop.transport() + " transport");

            // 1. Callbacks run on the loop thread, in the order they were added.
            loop.addCallback(() -> out.println("callback 1 on " + Thread.currentThread().getName()));
            loop.addCallback(() -> out.println("callback 2"));

            // 2. runSync: call a "coroutine" on the loop and block this thread for its result.
            String answer = loop.runSync(() -> Gen.sleep(Duration.ofMillis(50)).thenApply(v -> "slept 50 ms"),
                    Duration.ofSeconds(5));
            out.println("runSync returned: " + answer);

            // 3. A periodic callback every 20 ms that stops itself after five runs,
            //    and a timeout that stops the loop once it is done.
            AtomicInteger ticks = new AtomicInteger();
            CompletableFuture<Void> done = new CompletableFuture<>();
            PeriodicCallback[] periodic = new PeriodicCallback[1];
            periodic[0] = new PeriodicCallback(() -> {
                out.printf("tick %d at %.3f%n", ticks.incrementAndGet(), loop.time());
                if (ticks.get() == 5) {
                    periodic[0].stop();
                    done.complete(null);
                }
            }, Duration.ofMillis(20));
            periodic[0].start(loop);
            loop.addFuture(done, f -> loop.callLater(0.01, () -> {
                out.println("timeout fired; stopping the loop");
                loop.stop();
            }));

            // 4. start() blocks this thread until stop().
            loop.start();
            out.println("loop stopped after " + ticks.get() + " ticks");
            return ticks.get();
        }
    }

    /**
     * Entry point.
     *
     * @param args unused
     * @throws Exception if the tour fails
     */
    public static void main(String[] args) throws Exception {
        run(System.out);
    }
}
