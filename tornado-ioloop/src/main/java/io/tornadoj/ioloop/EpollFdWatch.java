package io.tornadoj.ioloop;

import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;

import java.io.IOException;

/** A raw fd on the epoll transport, level-triggered (no EPOLLET). Tornado's bits are epoll's bits. */
final class EpollFdWatch extends FdWatch implements EpollIoHandle {
    private static final int EPOLLERR = 0x008;
    private final FileDescriptor fd;

    EpollFdWatch(IOLoop loop, int fd, FdHandler handler, int events) {
        super(loop, handler, events);
        this.fd = new FileDescriptor(fd);
    }

    @Override
    public FileDescriptor fd() {
        return fd;
    }

    @Override
    int watchedFd() {
        return fd.intValue();
    }

    @Override
    void applyInterest() {
        // EPOLLERR is always part of the set, which also keeps Netty from treating "0" as a removal.
        registration.submit(EpollIoOps.valueOf((events & (IOLoop.READ | IOLoop.WRITE)) | EPOLLERR));
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        dispatch(((EpollIoEvent) event).ops().value() & (IOLoop.READ | IOLoop.WRITE | IOLoop.ERROR));
    }

    @Override
    void closeFd() throws IOException {
        fd.close();
    }
}
