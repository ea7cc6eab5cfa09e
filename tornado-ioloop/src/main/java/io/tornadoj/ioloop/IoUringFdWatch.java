package io.tornadoj.ioloop;

import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.uring.IoUringIoEvent;
import io.netty.channel.uring.IoUringIoHandle;
import io.netty.channel.uring.IoUringIoOps;

import java.io.IOException;

/**
 * A raw fd on the io_uring transport. io_uring polls are one-shot, so level-triggered behaviour comes
 * from re-arming an {@code IORING_OP_POLL_ADD} after every completion (it completes at once while the
 * fd stays ready). Each poll carries a generation number; a completion of a poll that an interest change
 * or removal superseded is ignored. Poll bits are Tornado's bits. Opcodes are the Linux kernel ABI.
 */
final class IoUringFdWatch extends FdWatch implements IoUringIoHandle {
    private static final byte IORING_OP_POLL_ADD = 6;
    private static final byte IORING_OP_POLL_REMOVE = 7;
    private final int fd;
    private short generation;
    /** Netty's id (the kernel user_data) of the armed poll, or -1. */
    private long armedPoll = -1;

    IoUringFdWatch(IOLoop loop, int fd, FdHandler handler, int events) {
        super(loop, handler, events);
        this.fd = fd;
    }

    @Override
    int watchedFd() {
        return fd;
    }

    @Override
    void applyInterest() {
        disarm();
        arm();
    }

    @Override
    void remove() {
        removed = true;
        disarm();
        registration.cancel();
    }

    private void arm() {
        if (removed) {
            return;
        }
        generation = (short) (generation == Short.MAX_VALUE ? 1 : generation + 1);
        int mask = (events & (IOLoop.READ | IOLoop.WRITE)) | IOLoop.ERROR;
        armedPoll = registration.submit(new IoUringIoOps(IORING_OP_POLL_ADD, (byte) 0, (short) 0, fd,
                0L, 0L, 0, mask, generation, (short) 0, (short) 0, 0, 0L));
    }

    private void disarm() {
        if (armedPoll != -1) {
            registration.submit(new IoUringIoOps(IORING_OP_POLL_REMOVE, (byte) 0, (short) 0, -1,
                    0L, armedPoll, 0, 0, 0L, (short) 0, (short) 0, 0, 0L));
            armedPoll = -1;
        }
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        IoUringIoEvent e = (IoUringIoEvent) event;
        if (e.opcode() != IORING_OP_POLL_ADD || e.userData() != generation || armedPoll == -1) {
            return; // a removal's completion, or a superseded poll
        }
        armedPoll = -1;
        if (e.res() < 0) {
            // The poll itself failed (e.g. the fd was closed): report once, do not spin re-arming it.
            dispatch(IOLoop.ERROR);
            return;
        }
        dispatch(e.res() & (IOLoop.READ | IOLoop.WRITE | IOLoop.ERROR));
        if (armedPoll == -1) { // the handler did not change the interest (which re-arms)
            arm();
        }
    }

    @Override
    void closeFd() throws IOException {
        new FileDescriptor(fd).close();
    }
}
