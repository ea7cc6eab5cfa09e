package io.tornadoj.ioloop;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.kqueue.KQueue;
import io.netty.channel.uring.IoUring;

import java.util.Locale;

/**
 * The Netty I/O transport an {@link IOLoop} runs on. Every value can be asked whether it works on
 * this machine; {@link #AUTO} stands for {@link #best()}.
 *
 * <p>All methods are thread-safe.
 */
public enum Transport {
    /** Pick {@link #best()} when the loop is created. */
    AUTO,
    /** Linux epoll (native, netty-transport-native-epoll). */
    EPOLL,
    /** BSD/macOS kqueue (native, netty-transport-native-kqueue). */
    KQUEUE,
    /** Linux io_uring (native, netty-transport-native-io_uring); used only when asked for. */
    IO_URING,
    /** Java NIO selectors; works everywhere. */
    NIO;

    /**
     * Whether this transport can be used on this machine. {@link #AUTO} and {@link #NIO} are always available.
     *
     * @return true when a loop can be created with it
     */
    public boolean isAvailable() {
        return unavailabilityCause() == null;
    }

    /**
     * Why this transport cannot be used here, or null when it can.
     *
     * @return the cause reported by Netty's native loader, or null
     */
    public Throwable unavailabilityCause() {
        try {
            switch (this) {
                case EPOLL:
                    return Epoll.unavailabilityCause();
                case KQUEUE:
                    return KQueue.unavailabilityCause();
                case IO_URING:
                    return IoUring.unavailabilityCause();
                default:
                    return null;
            }
        } catch (Throwable t) {
            return t;
        }
    }

    /**
     * The best transport for this OS: epoll on Linux, kqueue on macOS/BSD, NIO otherwise (or when the native
     * library cannot load). io_uring is never chosen automatically.
     *
     * @return a concrete transport, never {@link #AUTO}
     */
    public static Transport best() {
        if (EPOLL.isAvailable()) {
            return EPOLL;
        }
        if (KQUEUE.isAvailable()) {
            return KQUEUE;
        }
        return NIO;
    }

    /**
     * Parses the value of the {@code tornado.transport} system property ({@code auto}, {@code epoll},
     * {@code kqueue}, {@code io_uring}, {@code nio}; case-insensitive, {@code -} accepted for {@code _}).
     *
     * @param name the name
     * @return the transport
     * @throws IllegalArgumentException for an unknown name
     */
    static Transport parse(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        if (n.equals("IOURING") || n.equals("URING")) {
            return IO_URING;
        }
        return valueOf(n);
    }

    /** This transport with {@link #AUTO} resolved to {@link #best()}. */
    Transport resolve() {
        return this == AUTO ? best() : this;
    }
}
