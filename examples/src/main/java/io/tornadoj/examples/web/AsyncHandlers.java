package io.tornadoj.examples.web;

import io.tornadoj.gen.Gen;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.web.Application;
import io.tornadoj.web.RequestHandler;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

import static io.tornadoj.web.Web.url;

/**
 * Asynchronous handlers: a "coroutine" is a method returning a {@code CompletionStage}; the response
 * finishes when it completes, and the loop serves other requests meanwhile.
 * <ul>
 *   <li>{@code GET /sleep/250} waits 250 ms on the loop ({@code Gen.sleep}, Tornado's {@code gen.sleep}),
 *       then answers</li>
 *   <li>{@code GET /stream} streams three chunks 100 ms apart with {@code flush()} (chunked encoding)</li>
 * </ul>
 */
public final class AsyncHandlers {
    private AsyncHandlers() {
    }

    /** Waits for a timeout before answering. */
    public static class SleepHandler extends RequestHandler {
        /**
         * Sleeps, then writes JSON.
         *
         * @param millis how long, from the URL
         * @return completes after the sleep
         */
        public CompletionStage<Void> get(String millis) {
            long ms = Math.min(Long.parseLong(millis), 10_000);
            double start = IOLoop.current().time();
            return Gen.sleep(Duration.ofMillis(ms)).thenRun(() ->
                    write(Map.of("slept_ms", ms, "elapsed_ms", Math.round((IOLoop.current().time() - start) * 1000))));
        }
    }

    /** Streams a response in pieces. */
    public static class StreamHandler extends RequestHandler {
        /**
         * Writes and flushes three lines, 100 ms apart.
         *
         * @return completes after the last chunk
         */
        public CompletionStage<Void> get() {
            setHeader("Content-Type", "text/plain; charset=UTF-8");
            return chunk(1);
        }

        private CompletionStage<Void> chunk(int n) {
            write("chunk " + n + "\n");
            if (n == 3) {
                return flush();
            }
            return flush().thenCompose(v -> Gen.sleep(Duration.ofMillis(100))).thenCompose(v -> chunk(n + 1));
        }
    }

    /** @return the application */
    public static Application makeApp() {
        return new Application(List.of(
                url("/sleep/(\\d+)", SleepHandler.class),
                url("/stream", StreamHandler.class)));
    }

    /**
     * Serves on the port given as the first argument (default 8888).
     *
     * @param args [port]
     */
    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8888;
        makeApp().listen(port);
        System.out.println("Try: curl http://localhost:" + port + "/sleep/250 and curl -N http://localhost:" + port + "/stream");
        IOLoop.current().start();
    }
}
