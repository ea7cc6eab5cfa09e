package io.tornadoj.internal;

import io.netty.channel.Channel;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.kqueue.KQueueIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.kqueue.KQueueDatagramChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.kqueue.KQueueServerSocketChannel;
import io.netty.channel.kqueue.KQueueSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.ioloop.Transport;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Not public API: what the other Tornado-J modules need to know about loops — which {@link IOLoop} owns
 * a Netty event loop, and the Netty channel classes of each transport. Thread-safe.
 */
public final class Loops {
    private static final Map<EventExecutor, IOLoop> BY_EVENT_LOOP = new ConcurrentHashMap<>();

    private Loops() {
    }

    /**
     * Called by IOLoop when it starts.
     *
     * @param loop the loop
     */
    public static void register(IOLoop loop) {
        BY_EVENT_LOOP.put(loop.eventLoop(), loop);
    }

    /**
     * Called by IOLoop when it closes.
     *
     * @param loop the loop
     */
    public static void unregister(IOLoop loop) {
        BY_EVENT_LOOP.remove(loop.eventLoop(), loop);
    }

    /**
     * The IOLoop that runs on a Netty event loop.
     *
     * @param executor a Netty event loop
     * @return its IOLoop, or null when it is not one of ours
     */
    public static IOLoop of(EventExecutor executor) {
        return BY_EVENT_LOOP.get(executor);
    }

    /**
     * Netty's own I/O handler factory for a transport (what an IOLoop wraps, and what a raw Netty
     * application on the same transport would use).
     *
     * @param t a concrete transport
     * @return the factory
     */
    public static IoHandlerFactory ioHandlerFactory(Transport t) {
        switch (t) {
            case EPOLL:
                return EpollIoHandler.newFactory();
            case KQUEUE:
                return KQueueIoHandler.newFactory();
            case IO_URING:
                return IoUringIoHandler.newFactory();
            case NIO:
                return NioIoHandler.newFactory();
            default:
                throw new IllegalArgumentException("AUTO must be resolved first");
        }
    }

    /**
     * The TCP server channel class of a transport.
     *
     * @param t a concrete transport
     * @return the channel class
     */
    public static Class<? extends ServerChannel> serverSocketChannel(Transport t) {
        switch (t) {
            case EPOLL:
                return EpollServerSocketChannel.class;
            case KQUEUE:
                return KQueueServerSocketChannel.class;
            case IO_URING:
                return IoUringServerSocketChannel.class;
            default:
                return NioServerSocketChannel.class;
        }
    }

    /**
     * The TCP client channel class of a transport.
     *
     * @param t a concrete transport
     * @return the channel class
     */
    public static Class<? extends Channel> socketChannel(Transport t) {
        switch (t) {
            case EPOLL:
                return EpollSocketChannel.class;
            case KQUEUE:
                return KQueueSocketChannel.class;
            case IO_URING:
                return IoUringSocketChannel.class;
            default:
                return NioSocketChannel.class;
        }
    }

    /**
     * The UDP channel class of a transport (for Netty's DNS resolver).
     *
     * @param t a concrete transport
     * @return the channel class
     */
    public static Class<? extends DatagramChannel> datagramChannel(Transport t) {
        switch (t) {
            case EPOLL:
                return EpollDatagramChannel.class;
            case KQUEUE:
                return KQueueDatagramChannel.class;
            case IO_URING:
                return IoUringDatagramChannel.class;
            default:
                return NioDatagramChannel.class;
        }
    }

    /**
     * Whether the transport can give each loop its own SO_REUSEPORT listener on one port.
     *
     * @param t a concrete transport
     * @return true on epoll, kqueue and io_uring
     */
    public static boolean supportsReusePort(Transport t) {
        return t != Transport.NIO;
    }
}
