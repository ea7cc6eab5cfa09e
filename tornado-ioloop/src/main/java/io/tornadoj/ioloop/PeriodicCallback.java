package io.tornadoj.ioloop;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Tornado's {@code PeriodicCallback}: runs a callback every {@code callbackTime} on a loop. The schedule
 * is kept against the clock, not against the previous run's end: a run that overlaps later slots skips
 * them (no burst of catch-up runs). With jitter {@code j} each interval is multiplied by a random factor
 * in {@code [1 - j/2, 1 + j/2)}, as Tornado does.
 *
 * <p>{@link #start}, {@link #stop} and {@link #isRunning} may be called from any thread; the callback runs
 * on the loop thread. An exception from the callback goes to {@link IOLoop#handleCallbackException} and
 * the schedule goes on.
 */
public final class PeriodicCallback {
    private final Runnable callback;
    private final double periodSeconds;
    private final double jitter;
    private volatile boolean running;
    private IOLoop loop;
    private double nextDeadline;
    private volatile Timeout timeout;

    /**
     * A periodic callback without jitter.
     *
     * @param callback     what to run
     * @param callbackTime the period (positive)
     */
    public PeriodicCallback(Runnable callback, Duration callbackTime) {
        this(callback, callbackTime, 0);
    }

    /**
     * A periodic callback with jitter.
     *
     * @param callback     what to run
     * @param callbackTime the period (positive)
     * @param jitter       fraction of the period to vary by (0 = none; 0.1 = ±5%)
     */
    public PeriodicCallback(Runnable callback, Duration callbackTime, double jitter) {
        this.callback = Objects.requireNonNull(callback, "callback");
        if (callbackTime.isNegative() || callbackTime.isZero()) {
            throw new IllegalArgumentException("callbackTime must be positive");
        }
        if (jitter < 0) {
            throw new IllegalArgumentException("jitter must not be negative");
        }
        this.periodSeconds = callbackTime.toNanos() / 1e9;
        this.jitter = jitter;
    }

    /** Starts on {@link IOLoop#current()}; the first run is one period from now. Any thread. */
    public void start() {
        start(IOLoop.current());
    }

    /**
     * Starts on the given loop; the first run is one period from now. Any thread.
     *
     * @param ioLoop the loop to run on
     * @throws IllegalStateException when already running
     */
    public synchronized void start(IOLoop ioLoop) {
        if (running) {
            throw new IllegalStateException("PeriodicCallback is already running");
        }
        loop = Objects.requireNonNull(ioLoop, "ioLoop");
        running = true;
        nextDeadline = loop.time();
        scheduleNext();
    }

    /** Stops; a run already in progress finishes, none follows. Safe from inside the callback. Any thread. */
    public synchronized void stop() {
        running = false;
        Timeout t = timeout;
        if (t != null) {
            t.cancel();
            timeout = null;
        }
    }

    /**
     * Whether it is started and not stopped.
     *
     * @return true while running
     */
    public boolean isRunning() {
        return running;
    }

    private void run() {
        if (!running) {
            return;
        }
        try {
            callback.run();
        } catch (Throwable t) {
            loop.handleCallbackException(callback, t);
        } finally {
            synchronized (this) {
                scheduleNext();
            }
        }
    }

    private void scheduleNext() {
        if (!running) {
            return;
        }
        double now = loop.time();
        double period = periodSeconds;
        if (jitter > 0) {
            period *= 1 + jitter * (ThreadLocalRandom.current().nextDouble() - 0.5);
        }
        if (nextDeadline <= now) {
            nextDeadline += (Math.floor((now - nextDeadline) / period) + 1) * period;
        } else {
            nextDeadline += period;
        }
        timeout = loop.addTimeout(nextDeadline, this::run);
    }

    @Override
    public String toString() {
        return "PeriodicCallback(" + callback + ", every " + periodSeconds + " s)";
    }
}
