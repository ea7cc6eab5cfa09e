package io.tornadoj.locks;

import io.tornadoj.internal.Waiters;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Tornado's {@code locks.Condition}: callers wait until notified. Loop-confined: use it from one loop's
 * thread. ({@code Object}'s final {@code wait}/{@code notify}/{@code notifyAll} force the names
 * {@link #await}, {@link #notify(int)} and {@link #notifyAllWaiters}.)
 */
public final class Condition {
    private final Waiters<Boolean> waiters = new Waiters<>();

    /**
     * Waits for a notification.
     *
     * @return completes with true when notified
     */
    public CompletableFuture<Boolean> await() {
        return waiters.add(null);
    }

    /**
     * Waits for a notification, at most {@code timeout}.
     *
     * @param timeout the limit
     * @return true when notified, false on timeout
     */
    public CompletableFuture<Boolean> await(Duration timeout) {
        return waiters.add(timeout, w -> w.complete(false));
    }

    /**
     * Wakes up to {@code n} waiters, oldest first.
     *
     * @param n how many
     */
    public void notify(int n) {
        List<CompletableFuture<Boolean>> woken = new ArrayList<>();
        CompletableFuture<Boolean> w;
        while (woken.size() < n && (w = waiters.poll()) != null) {
            woken.add(w);
        }
        for (CompletableFuture<Boolean> f : woken) {
            f.complete(true);
        }
    }

    /** Wakes every waiter. */
    public void notifyAllWaiters() {
        notify(Integer.MAX_VALUE);
    }

    @Override
    public String toString() {
        return "Condition(waiters=" + waiters.size() + ")";
    }
}
