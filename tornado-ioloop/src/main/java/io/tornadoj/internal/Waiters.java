package io.tornadoj.internal;

import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.ioloop.Timeout;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Not public API. A FIFO of waiting futures shared by the locks and queues: a waiter that times out is removed at once
 * and never takes anything later. Loop thread only.
 *
 * @param <T> what a waiter receives
 */
public final class Waiters<T> {
    private final ArrayDeque<CompletableFuture<T>> queue = new ArrayDeque<>();

    /**
     * Queues a new waiter. With a timeout, the returned future fails with {@link TimeoutException} when
     * nothing came in time, and the waiter leaves the queue.
     *
     * @param timeout null for no limit
     * @return the waiter's future
     */
    public CompletableFuture<T> add(Duration timeout) {
        return add(timeout, w -> w.completeExceptionally(new TimeoutException("Timeout after " + timeout)));
    }

    /**
     * Queues a new waiter. The returned future is the waiter itself, so a caller that cancels it gives up its
     * place. With a timeout, when nothing came in time the waiter leaves the queue and then {@code expire}
     * completes it (so whoever sees the timeout finds the waiter already gone).
     *
     * @param timeout null for no limit
     * @param expire  completes the waiter on timeout
     * @return the waiter's future
     */
    public CompletableFuture<T> add(Duration timeout, Consumer<CompletableFuture<T>> expire) {
        CompletableFuture<T> waiter = new CompletableFuture<>();
        queue.add(waiter);
        if (timeout == null) {
            return waiter;
        }
        Timeout timer = IOLoop.current().callLater(timeout, () -> {
            if (!waiter.isDone()) {
                queue.remove(waiter);
                expire.accept(waiter);
            }
        });
        waiter.whenComplete((v, t) -> {
            timer.cancel();
            if (t != null) {
                queue.remove(waiter); // cancelled by the caller
            }
        });
        return waiter;
    }

    /**
     * Removes and returns the first waiter that is still waiting (skipping ones a caller cancelled).
     *
     * @return the waiter, or null when none waits
     */
    public CompletableFuture<T> poll() {
        CompletableFuture<T> w;
        while ((w = queue.poll()) != null) {
            if (!w.isDone()) {
                return w;
            }
        }
        return null;
    }

    /**
     * Whether some waiter is still waiting.
     *
     * @return true when {@link #poll()} would return one
     */
    public boolean isEmpty() {
        queue.removeIf(CompletableFuture::isDone);
        return queue.isEmpty();
    }

    /**
     * How many wait (cancelled ones included until they are skipped).
     *
     * @return the count
     */
    public int size() {
        return queue.size();
    }
}
