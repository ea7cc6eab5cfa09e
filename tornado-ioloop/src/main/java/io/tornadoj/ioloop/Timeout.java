package io.tornadoj.ioloop;

/**
 * A callback scheduled on an {@link IOLoop} at a deadline, as returned by {@link IOLoop#callLater} and
 * {@link IOLoop#addTimeout}. Pass it to {@link IOLoop#removeTimeout} (or call {@link #cancel()}) to cancel.
 *
 * <p>Thread-safe: it may be cancelled from any thread.
 */
public final class Timeout {
    final IOLoop loop;
    final long deadlineNanos;
    /** Insertion order among equal deadlines; assigned on the loop thread. */
    long sequence;
    Runnable callback;
    /** Position in the loop's heap, -1 when not in it. Touched only on the loop thread. */
    int heapIndex = -1;
    private volatile boolean cancelled;

    Timeout(IOLoop loop, long deadlineNanos, Runnable callback) {
        this.loop = loop;
        this.deadlineNanos = deadlineNanos;
        this.callback = callback;
    }

    /**
     * The deadline on the loop's {@link IOLoop#time()} clock.
     *
     * @return seconds
     */
    public double deadline() {
        return IOLoop.nanosToSeconds(deadlineNanos);
    }

    /** Cancels this timeout; the same as {@link IOLoop#removeTimeout(Timeout)}. Any thread; idempotent. */
    public void cancel() {
        loop.removeTimeout(this);
    }

    /**
     * Whether {@link #cancel()} was called (before or after it ran).
     *
     * @return true once cancelled
     */
    public boolean isCancelled() {
        return cancelled;
    }

    /** Marks cancelled; returns false when it already was. */
    boolean markCancelled() {
        if (cancelled) {
            return false;
        }
        cancelled = true;
        return true;
    }

    int compareTo(Timeout o) {
        int c = Long.compare(deadlineNanos - o.deadlineNanos, 0);
        return c != 0 ? c : Long.compare(sequence, o.sequence);
    }

    @Override
    public String toString() {
        return "Timeout(deadline=" + deadline() + ", callback=" + callback + ")";
    }
}
