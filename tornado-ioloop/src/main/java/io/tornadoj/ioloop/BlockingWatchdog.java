package io.tornadoj.ioloop;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * Tornado's {@code set_blocking_log_threshold}: a daemon thread that samples the loop and, when one
 * callback, timeout or handler has run longer than the threshold, logs the loop thread's stack on
 * {@code tornado.general}, once per blocking run. The loop calls {@link #enter}/{@link #exit} around runs.
 */
final class BlockingWatchdog implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger("tornado.general");

    private final Thread loopThread;
    private final long thresholdNanos;
    private final Thread thread;
    private volatile boolean stopped;
    /** nanoTime when the current run started, 0 while idle. */
    private volatile long runStart;
    private volatile Object current;

    BlockingWatchdog(Thread loopThread, long thresholdNanos) {
        this.loopThread = loopThread;
        this.thresholdNanos = thresholdNanos;
        this.thread = new Thread(this, loopThread.getName() + "-watchdog");
        thread.setDaemon(true);
        thread.start();
    }

    void enter(Object callback) {
        current = callback;
        runStart = System.nanoTime() | 1L;
    }

    void exit() {
        runStart = 0;
    }

    void stop() {
        stopped = true;
        thread.interrupt();
    }

    @Override
    public void run() {
        long sampleNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(1), thresholdNanos / 4);
        long warnedFor = 0;
        while (!stopped) {
            try {
                TimeUnit.NANOSECONDS.sleep(sampleNanos);
            } catch (InterruptedException e) {
                return;
            }
            long start = runStart;
            if (start == 0 || start == warnedFor || System.nanoTime() - start < thresholdNanos) {
                continue;
            }
            StackTraceElement[] stack = loopThread.getStackTrace();
            Object callback = current;
            if (runStart != start) {
                continue; // it finished while we looked
            }
            warnedFor = start;
            StringBuilder msg = new StringBuilder(256).append(String.format(
                    "IOLoop blocked for %.3f seconds (threshold %.3f) in %s; loop thread stack:",
                    (System.nanoTime() - start) / 1e9, thresholdNanos / 1e9, callback));
            for (StackTraceElement frame : stack) {
                msg.append("\n\tat ").append(frame);
            }
            LOG.warn(msg.toString());
        }
    }
}
