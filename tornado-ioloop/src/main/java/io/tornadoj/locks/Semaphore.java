package io.tornadoj.locks;

import io.tornadoj.internal.Waiters;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Tornado's {@code locks.Semaphore}: a counter that {@link #acquire()} decrements (waiting at zero) and
 * {@link #release()} increments. Waiters are served in FIFO order. Loop-confined.
 */
public class Semaphore {
    private final Waiters<Releaser> waiters = new Waiters<>();
    private final Releaser releaser = this::release;
    private int value;

    /** A semaphore with the initial value 1 (Tornado's default). Loop-confined like every method. */
    public Semaphore() {
        this(1);
    }

    /**
     * A semaphore with an initial value.
     *
     * @param value the initial count, not negative
     */
    public Semaphore(int value) {
        if (value < 0) {
            throw new IllegalArgumentException("semaphore initial value must be >= 0");
        }
        this.value = value;
    }

    /**
     * Decrements the counter, waiting while it is zero.
     *
     * @return completes with a {@link Releaser} that releases once closed
     */
    public CompletableFuture<Releaser> acquire() {
        return acquire(null);
    }

    /**
     * Like {@link #acquire()} with a limit.
     *
     * @param timeout the limit, or null for none
     * @return the releaser; fails with {@link java.util.concurrent.TimeoutException} on timeout (the
     *         waiter then takes nothing later)
     */
    public CompletableFuture<Releaser> acquire(Duration timeout) {
        if (value > 0) {
            value--;
            return CompletableFuture.completedFuture(releaser);
        }
        return waiters.add(timeout);
    }

    /** Increments the counter and wakes the oldest waiter. */
    public void release() {
        value++;
        CompletableFuture<Releaser> w = waiters.poll();
        if (w != null) {
            value--;
            w.complete(releaser);
        }
    }

    /**
     * The current count.
     *
     * @return how many more acquires would succeed at once
     */
    public int value() {
        return value;
    }

    /**
     * Whether an acquire would wait now.
     *
     * @return true at zero
     */
    public boolean locked() {
        return value == 0;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(value=" + value + ", waiters=" + waiters.size() + ")";
    }
}
