package io.tornadoj.ioloop;

import io.netty.channel.IoHandle;
import io.netty.channel.IoRegistration;

import java.io.IOException;

/**
 * One fd or channel watched with {@link IOLoop#addHandler}: a Netty {@link IoHandle} registered on the
 * loop's transport. Subclasses translate Tornado's READ/WRITE/ERROR bits to the transport's interest
 * ops and back. Loop thread only.
 */
abstract class FdWatch implements IoHandle {
    final IOLoop loop;
    final FdHandler handler;
    int events;
    IoRegistration registration;
    boolean removed;

    FdWatch(IOLoop loop, FdHandler handler, int events) {
        this.loop = loop;
        this.handler = handler;
        this.events = events;
    }

    /** The fd handed to the handler (-1 for channel watches). */
    abstract int watchedFd();

    /** Tells the transport the current {@link #events}. */
    abstract void applyInterest();

    /** Stops watching; the fd itself stays open. */
    void remove() {
        removed = true;
        registration.cancel();
    }

    /** Closes the watched fd or channel (for {@link IOLoop#close(boolean)} with all fds). */
    abstract void closeFd() throws IOException;

    /** Hands ready events (Tornado bits) to the handler, filtered to the interest set plus ERROR. */
    final void dispatch(int ready) {
        int ev = ready & (events | IOLoop.ERROR);
        if (!removed && ev != 0) {
            loop.runFdHandler(this, ev);
        }
    }

    /** Called by Netty when the loop shuts down; the fd is the user's, so it is left open here. */
    @Override
    public void close() {
        removed = true;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(fd=" + watchedFd() + ", events=" + events + ", handler=" + handler + ")";
    }
}
