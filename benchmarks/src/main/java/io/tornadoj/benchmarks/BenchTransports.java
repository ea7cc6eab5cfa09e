package io.tornadoj.benchmarks;

import io.netty.channel.EventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.tornadoj.internal.Loops;
import io.tornadoj.ioloop.Transport;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Transport helpers shared by the benchmarks: the transport named by a JMH {@code @Param}, the raw Netty
 * I/O handler factory for it (the same one an {@link io.tornadoj.ioloop.IOLoop} on that transport wraps),
 * and a {@code main} that prints which of the benchmarked transports work here (used by {@code run.sh}).
 */
public final class BenchTransports {
    /** The transports every benchmark is parameterized over (keep in sync with the {@code @Param}s). */
    static final String[] ALL = {"EPOLL", "NIO", "IO_URING"};

    private BenchTransports() {
    }

    /**
     * The transport named {@code name}, or an exception explaining why it cannot run here. JMH reports a
     * failing {@code @Setup} for that parameter value and goes on with the others.
     */
    static Transport require(String name) {
        Transport t = Transport.valueOf(name);
        Throwable cause = t.unavailabilityCause();
        if (cause != null) {
            throw new IllegalStateException("Transport " + t + " is not available on this machine; skip it with "
                    + "-p transport=" + String.join(",", available()) + " (cause: " + cause + ")", cause);
        }
        return t;
    }

    /** Netty's own I/O handler factory for the transport: what a raw Netty application would use. */
    static IoHandlerFactory ioHandlerFactory(Transport t) {
        return Loops.ioHandlerFactory(t);
    }

    /** A raw Netty single-thread loop group on the transport, its thread already started. */
    static MultiThreadIoEventLoopGroup rawNettyGroup(Transport t) {
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
                new DefaultThreadFactory("raw-netty-" + t.name().toLowerCase(), true), ioHandlerFactory(t));
        group.next().submit(() -> { }).syncUninterruptibly();
        return group;
    }

    static EventLoop loopOf(MultiThreadIoEventLoopGroup group) {
        return (EventLoop) group.next();
    }

    static void shutdown(MultiThreadIoEventLoopGroup group) {
        if (group != null) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }

    /** The benchmarked transports that work on this machine, in {@link #ALL} order. */
    static List<String> available() {
        List<String> names = new ArrayList<>();
        for (String n : ALL) {
            if (Transport.valueOf(n).isAvailable()) {
                names.add(n);
            }
        }
        return names;
    }

    /**
     * Prints the available benchmarked transports comma-separated on stdout (for {@code -p transport=...})
     * and why the others are missing on stderr.
     */
    public static void main(String[] args) {
        for (String n : ALL) {
            Throwable cause = Transport.valueOf(n).unavailabilityCause();
            if (cause != null) {
                System.err.println("Transport " + n + " not available here, skipped: " + cause);
            }
        }
        System.out.println(String.join(",", available()));
    }
}
