package io.tornadoj.internal;

import io.tornadoj.gen.Gen;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

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
        CompletableFuture<T> waiter = new CompletableFuture<>();
        queue.add(waiter);
        if (timeout == null) {
            return waiter;
        }
        CompletableFuture<T> timed = Gen.withTimeout(timeout, waiter);
        timed.whenComplete((v, t) -> {
            if (t instanceof TimeoutException) {
                queue.remove(waiter);
            }
        });
        return timed;
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
