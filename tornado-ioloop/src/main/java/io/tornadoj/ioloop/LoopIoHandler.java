package io.tornadoj.ioloop;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoRegistration;
import io.netty.util.concurrent.Ticker;

/**
 * Wraps the transport's Netty {@link IoHandler} so that one Netty loop turn is one Tornado iteration:
 * poll I/O (the transport's own {@code run}), then the callbacks queued before, then the due timeouts.
 * The context handed to the transport also refuses to block while callbacks wait and wakes up at the
 * earliest Tornado timeout. Loop thread only, except {@link #wakeup()}.
 */
final class LoopIoHandler implements IoHandler, IoHandlerContext {
    private static final long TICKER_ORIGIN = Ticker.systemTicker().initialNanoTime();

    private final IOLoop loop;
    private final IoHandler transport;
    private IoHandlerContext netty;

    LoopIoHandler(IOLoop loop, IoHandler transport) {
        this.loop = loop;
        this.transport = transport;
    }

    @Override
    public void initialize() {
        loop.onLoopThreadStarted();
        transport.initialize();
    }

    @Override
    public int run(IoHandlerContext context) {
        netty = context;
        int handled = transport.run(this);
        loop.runIteration();
        return handled;
    }

    // ---- IoHandlerContext seen by the transport ----

    @Override
    public boolean canBlock() {
        return netty.canBlock() && !loop.hasReadyWork();
    }

    @Override
    public long delayNanos(long currentTimeNanos) {
        long delay = netty.delayNanos(currentTimeNanos);
        long ours = loop.nextTimeoutNanos();
        if (ours != Long.MAX_VALUE) {
            delay = Math.min(delay, Math.max(0, ours - currentTimeNanos));
        }
        return delay;
    }

    @Override
    public long deadlineNanos() {
        long deadline = netty.deadlineNanos();
        long ours = loop.nextTimeoutNanos();
        if (ours == Long.MAX_VALUE) {
            return deadline;
        }
        // Netty's deadlines are on its ticker (System.nanoTime() minus an origin); ours are raw nanoTime.
        long oursOnTicker = Math.max(0, ours - TICKER_ORIGIN);
        return deadline == -1 ? oursOnTicker : Math.min(deadline, oursOnTicker);
    }

    @Override
    public void reportActiveIoTime(long activeNanos) {
        netty.reportActiveIoTime(activeNanos);
    }

    @Override
    public boolean shouldReportActiveIoTime() {
        return netty.shouldReportActiveIoTime();
    }

    // ---- the rest is the transport's ----

    @Override
    public void prepareToDestroy() {
        transport.prepareToDestroy();
    }

    @Override
    public void destroy() {
        transport.destroy();
    }

    @Override
    public IoRegistration register(IoHandle handle) throws Exception {
        return transport.register(handle);
    }

    @Override
    public void wakeup() {
        transport.wakeup();
    }

    @Override
    public boolean isCompatible(Class<? extends IoHandle> handleType) {
        return transport.isCompatible(handleType);
    }
}
