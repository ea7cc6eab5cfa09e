package io.tornadoj.httpclient;

import io.tornadoj.httpserver.HTTPServer;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.web.Application;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Per-test fixture: a fresh {@link IOLoop}, clients made on it, tornado-web servers on 127.0.0.1 and an
 * ephemeral port, and raw-socket peers; {@link #close()} closes them all (clients first, the loop last).
 */
@SuppressWarnings("try") // close() may throw what the things it closes throw
final class Fixture implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(15);

    final IOLoop loop = IOLoop.create();
    private final Deque<AutoCloseable> closers = new ArrayDeque<>();

    /** Runs {@code c} on the loop thread and returns its value. */
    <T> T onLoop(Callable<T> c) throws Exception {
        return loop.runSync(() -> CompletableFuture.completedFuture(c.call()), WAIT);
    }

    /** A client with default options, made on the loop (a client belongs to the loop current at construction). */
    AsyncHTTPClient client() throws Exception {
        return client(AsyncHTTPClient.Options.builder().build());
    }

    AsyncHTTPClient client(AsyncHTTPClient.Options options) throws Exception {
        AsyncHTTPClient c = onLoop(() -> new AsyncHTTPClient(options));
        closers.push(c);
        return c;
    }

    /** Serves an application on 127.0.0.1 (ephemeral port) on this fixture's loop. */
    HTTPServer serve(Application app) throws Exception {
        return serve(app, HTTPServer.Options.builder().build());
    }

    HTTPServer serve(Application app, HTTPServer.Options options) throws Exception {
        HTTPServer s = onLoop(() -> app.listen(0, "127.0.0.1", options));
        closers.push(() -> {
            s.closeAllConnections().get(10, TimeUnit.SECONDS);
            s.stop().get(10, TimeUnit.SECONDS);
        });
        return s;
    }

    /** A raw-socket server closed with the fixture. */
    RawServer raw(RawServer.Handler handler) throws Exception {
        RawServer s = new RawServer(handler);
        closers.push(s);
        return s;
    }

    /** Registers something to close with the fixture (before the loop). */
    <T extends AutoCloseable> T closeLater(T c) {
        closers.push(c);
        return c;
    }

    static int port(HTTPServer s) {
        return s.boundAddresses().get(0).getPort();
    }

    static String url(HTTPServer s, String path) {
        return "http://127.0.0.1:" + port(s) + path;
    }

    /** Idle pooled connections of a client (read on its loop). */
    int idle(AsyncHTTPClient c) throws Exception {
        return onLoop(c::idleConnections);
    }

    /** Waits for a fetch; rethrows its failure unwrapped. */
    static <T> T await(CompletableFuture<T> f) throws Exception {
        try {
            return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof Exception) {
                throw (Exception) c;
            }
            throw e;
        }
    }

    /** Waits for a future that must fail with {@code type}, and returns the failure. */
    static <E extends Throwable> E failure(Class<E> type, CompletableFuture<?> f) throws Exception {
        try {
            Object v = f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            fail("expected " + type.getSimpleName() + " but the future completed with " + v);
            return null;
        } catch (ExecutionException e) {
            Throwable c = e.getCause() instanceof CompletionException && e.getCause().getCause() != null
                    ? e.getCause().getCause() : e.getCause();
            return assertInstanceOf(type, c, () -> "unexpected failure: " + c);
        }
    }

    /** Waits (bounded) until a condition holds. */
    static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what);
            }
            Thread.sleep(5);
        }
    }

    /** Whether a throwable or one of its causes is an instance of {@code type}. */
    static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        while (!closers.isEmpty()) {
            try {
                closers.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        loop.close();
        if (first != null) {
            throw first;
        }
    }
}
