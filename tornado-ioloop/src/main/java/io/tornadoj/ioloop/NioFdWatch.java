package io.tornadoj.ioloop;

import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.nio.NioIoEvent;
import io.netty.channel.nio.NioIoHandle;
import io.netty.channel.nio.NioIoOps;

import java.io.IOException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;

/**
 * A {@link SelectableChannel} on the NIO transport. Selectors are level-triggered. NIO has no separate
 * hang-up event: a closed peer shows up as READ (a read then returns -1), as with Tornado's select poller.
 */
final class NioFdWatch extends FdWatch implements NioIoHandle {
    private static final int READ_OPS = SelectionKey.OP_READ | SelectionKey.OP_ACCEPT;
    private static final int WRITE_OPS = SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT;
    private final SelectableChannel channel;

    NioFdWatch(IOLoop loop, SelectableChannel channel, FdHandler handler, int events) {
        super(loop, handler, events);
        this.channel = channel;
    }

    @Override
    public SelectableChannel selectableChannel() {
        return channel;
    }

    @Override
    int watchedFd() {
        return -1;
    }

    @Override
    void applyInterest() {
        int valid = channel.validOps();
        int ops = 0;
        if ((events & IOLoop.READ) != 0) {
            ops |= valid & READ_OPS;
        }
        if ((events & IOLoop.WRITE) != 0) {
            ops |= valid & WRITE_OPS;
        }
        registration.submit(NioIoOps.valueOf(ops));
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        int ready = ((NioIoEvent) event).ops().value();
        int ev = 0;
        if ((ready & READ_OPS) != 0) {
            ev |= IOLoop.READ;
        }
        if ((ready & WRITE_OPS) != 0) {
            ev |= IOLoop.WRITE;
        }
        dispatch(ev);
    }

    @Override
    void closeFd() throws IOException {
        channel.close();
    }
}
