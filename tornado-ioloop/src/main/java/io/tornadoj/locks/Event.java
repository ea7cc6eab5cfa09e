package io.tornadoj.locks;

import io.tornadoj.internal.Waiters;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Tornado's {@code locks.Event}: waiters block until the flag is set. Loop-confined.
 */
public final class Event {
    private final Waiters<Void> waiters = new Waiters<>();
    private boolean value;

    /**
     * Whether the flag is set.
     *
     * @return the flag
     */
    public boolean isSet() {
        return value;
    }

    /** Sets the flag and wakes every waiter; later waits complete at once until {@link #clear()}. */
    public void set() {
        if (!value) {
            value = true;
            // Take every current waiter first: one that clears and waits again from its callback must block.
            List<CompletableFuture<Void>> woken = new ArrayList<>();
            CompletableFuture<Void> w;
            while ((w = waiters.poll()) != null) {
                woken.add(w);
            }
            for (CompletableFuture<Void> f : woken) {
                f.complete(null);
            }
        }
    }

    /** Resets the flag: later waits block again. */
    public void clear() {
        value = false;
    }

    /**
     * Waits until the flag is set.
     *
     * @return completes when set
     */
    public CompletableFuture<Void> await() {
        return await(null);
    }

    /**
     * Waits until the flag is set, at most {@code timeout}.
     *
     * @param timeout the limit, or null for none
     * @return completes when set; fails with {@link java.util.concurrent.TimeoutException} on timeout
     */
    public CompletableFuture<Void> await(Duration timeout) {
        return value ? CompletableFuture.completedFuture(null) : waiters.add(timeout);
    }

    @Override
    public String toString() {
        return "Event(" + (value ? "set" : "clear") + ")";
    }
}
