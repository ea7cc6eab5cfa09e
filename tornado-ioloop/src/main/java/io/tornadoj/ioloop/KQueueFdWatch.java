package io.tornadoj.ioloop;

import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.kqueue.KQueueIoEvent;
import io.netty.channel.kqueue.KQueueIoHandle;
import io.netty.channel.kqueue.KQueueIoOps;
import io.netty.channel.unix.FileDescriptor;

import java.io.IOException;

/**
 * A raw fd on the kqueue transport. Filters are added without EV_CLEAR, so they are level-triggered;
 * a filter not wanted is kept but disabled. EV_EOF and EV_ERROR are reported as {@link IOLoop#ERROR}.
 * The constants are the BSD/macOS kernel ABI (Netty keeps its copies package-private).
 */
final class KQueueFdWatch extends FdWatch implements KQueueIoHandle {
    private static final short EVFILT_READ = -1;
    private static final short EVFILT_WRITE = -2;
    private static final short EV_ADD = 0x0001;
    private static final short EV_DELETE = 0x0002;
    private static final short EV_ENABLE = 0x0004;
    private static final short EV_DISABLE = 0x0008;
    private static final short EV_ERROR = 0x4000;
    private static final short EV_EOF = (short) 0x8000;
    private final int fd;

    KQueueFdWatch(IOLoop loop, int fd, FdHandler handler, int events) {
        super(loop, handler, events);
        this.fd = fd;
    }

    @Override
    public int ident() {
        return fd;
    }

    @Override
    int watchedFd() {
        return fd;
    }

    @Override
    void applyInterest() {
        registration.submit(KQueueIoOps.newOps(EVFILT_READ, filterFlags(IOLoop.READ), 0));
        registration.submit(KQueueIoOps.newOps(EVFILT_WRITE, filterFlags(IOLoop.WRITE), 0));
    }

    private short filterFlags(int bit) {
        return (short) (EV_ADD | ((events & bit) != 0 ? EV_ENABLE : EV_DISABLE));
    }

    @Override
    void remove() {
        registration.submit(KQueueIoOps.newOps(EVFILT_READ, EV_DELETE, 0));
        registration.submit(KQueueIoOps.newOps(EVFILT_WRITE, EV_DELETE, 0));
        super.remove();
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        KQueueIoEvent e = (KQueueIoEvent) event;
        int ev = e.filter() == EVFILT_READ ? IOLoop.READ : e.filter() == EVFILT_WRITE ? IOLoop.WRITE : 0;
        if ((e.flags() & (EV_EOF | EV_ERROR)) != 0) {
            ev |= IOLoop.ERROR;
        }
        dispatch(ev);
    }

    @Override
    void closeFd() throws IOException {
        new FileDescriptor(fd).close();
    }
}
