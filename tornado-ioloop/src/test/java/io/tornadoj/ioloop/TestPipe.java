package io.tornadoj.ioloop;

import io.netty.channel.unix.FileDescriptor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * A pipe watched through the loop's native form (raw fds on epoll/io_uring/kqueue, channels on NIO), so
 * the same fd-handler test runs on every transport.
 */
final class TestPipe implements AutoCloseable {
    private final IOLoop loop;
    private FileDescriptor rfd;
    private FileDescriptor wfd;
    private Pipe pipe;

    TestPipe(IOLoop loop) throws IOException {
        this.loop = loop;
        if (loop.transport() == Transport.NIO) {
            pipe = Pipe.open();
        } else {
            FileDescriptor[] fds = FileDescriptor.pipe();
            rfd = fds[0];
            wfd = fds[1];
        }
    }

    void watchReader(FdHandler handler, int events) {
        if (pipe != null) {
            loop.addHandler(pipe.source(), handler, events);
        } else {
            loop.addHandler(rfd.intValue(), handler, events);
        }
    }

    void watchWriter(FdHandler handler, int events) {
        if (pipe != null) {
            loop.addHandler(pipe.sink(), handler, events);
        } else {
            loop.addHandler(wfd.intValue(), handler, events);
        }
    }

    void updateReader(int events) {
        if (pipe != null) {
            loop.updateHandler(pipe.source(), events);
        } else {
            loop.updateHandler(rfd.intValue(), events);
        }
    }

    void removeReader() {
        if (pipe != null) {
            loop.removeHandler(pipe.source());
        } else {
            loop.removeHandler(rfd.intValue());
        }
    }

    void write(byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(data.length).put(data).flip();
        if (pipe != null) {
            while (b.hasRemaining()) {
                pipe.sink().write(b);
            }
        } else {
            while (b.hasRemaining()) {
                b.position(b.position() + wfd.write(b, b.position(), b.limit()));
            }
        }
    }

    /** Reads what is there (at most n bytes); -1 at EOF. */
    int read(int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(n);
        return pipe != null ? pipe.source().read(b) : rfd.read(b, 0, n);
    }

    void closeWriter() throws IOException {
        if (pipe != null) {
            pipe.sink().close();
        } else {
            wfd.close();
        }
    }

    /** Whether the OS still has the reader open (for raw fds: looked up in /proc, not Netty's object state). */
    boolean readerOpen() {
        return pipe != null ? pipe.source().isOpen() : osHasFd(rfd.intValue());
    }

    boolean writerOpen() {
        return pipe != null ? pipe.sink().isOpen() : osHasFd(wfd.intValue());
    }

    private static boolean osHasFd(int fd) {
        return Files.exists(Path.of("/proc/self/fd/" + fd), LinkOption.NOFOLLOW_LINKS);
    }

    /** Someone else closed the fds: close() must not close their numbers again. */
    void forget() {
        rfd = null;
        wfd = null;
        pipe = null;
    }

    @Override
    public void close() throws IOException {
        if (rfd == null && pipe == null) {
            return;
        }
        if (pipe != null) {
            pipe.source().close();
            pipe.sink().close();
        } else {
            rfd.close();
            wfd.close();
        }
    }
}
