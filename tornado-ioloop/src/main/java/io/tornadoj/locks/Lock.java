package io.tornadoj.locks;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Tornado's {@code locks.Lock}: one holder at a time, waiters served in FIFO order. Not reentrant.
 * Loop-confined.
 */
public final class Lock {
    private final BoundedSemaphore block = new BoundedSemaphore(1);

    /**
     * Acquires the lock, waiting while another holds it.
     *
     * @return completes with a {@link Releaser} that unlocks once closed
     */
    public CompletableFuture<Releaser> acquire() {
        return block.acquire();
    }

    /**
     * Like {@link #acquire()} with a limit.
     *
     * @param timeout the limit, or null for none
     * @return the releaser; fails with {@link java.util.concurrent.TimeoutException} on timeout
     */
    public CompletableFuture<Releaser> acquire(Duration timeout) {
        return block.acquire(timeout);
    }

    /**
     * Unlocks and hands the lock to the oldest waiter.
     *
     * @throws IllegalStateException when not locked
     */
    public void release() {
        try {
            block.release();
        } catch (IllegalStateException e) {
            throw new IllegalStateException("release unlocked lock", e);
        }
    }

    /**
     * Whether someone holds the lock.
     *
     * @return true when locked
     */
    public boolean locked() {
        return block.locked();
    }

    @Override
    public String toString() {
        return "Lock(" + (locked() ? "locked" : "unlocked") + ")";
    }
}
