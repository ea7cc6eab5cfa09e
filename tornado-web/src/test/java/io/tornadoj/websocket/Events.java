package io.tornadoj.websocket;

import io.tornadoj.web.RequestHandler;

import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Test fixture: what server-side handlers saw, tagged with the test that connected (its {@code ?t=}
 * argument), so that a late event of one test (an onClose after its end) never reaches the next.
 */
final class Events {
    private final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
    private volatile String tag = "";

    /** Starts a test: from now on only its events count. */
    void startTest(String name) {
        tag = name;
    }

    /** @return the path with the current test's tag */
    String path(String path) {
        return path + (path.contains("?") ? "&" : "?") + "t=" + tag;
    }

    /** Records an event of a handler (any thread). */
    void record(RequestHandler handler, String event) {
        queue.add(handler.getQueryArgument("t", "") + "|" + event);
    }

    /** @return the current test's next event, or null after 10 s without one */
    String next() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String prefix = tag + "|";
        String e;
        while ((e = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) != null) {
            if (e.startsWith(prefix)) {
                return e.substring(prefix.length());
            }
        }
        return null;
    }

    /** @return the current test's events not taken yet (the queue keeps them) */
    List<String> pending() {
        String prefix = tag + "|";
        return queue.stream().filter(e -> e.startsWith(prefix)).map(e -> e.substring(prefix.length())).toList();
    }
}
