package io.tornadoj.netutil;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Tornado's {@code Resolver}: turns a host name into socket addresses without blocking the loop.
 * Implementations complete their futures on the calling thread's current {@link io.tornadoj.ioloop.IOLoop}.
 */
public interface Resolver extends AutoCloseable {
    /**
     * Resolves a host.
     *
     * @param host   a name or an address literal
     * @param port   the port to put in each address
     * @param family which families to return
     * @return the addresses, in the order the system prefers; fails with
     *         {@link java.net.UnknownHostException} when there are none
     */
    CompletableFuture<List<InetSocketAddress>> resolve(String host, int port, Family family);

    /** Releases what the resolver holds (threads, sockets). The default does nothing. */
    @Override
    default void close() {
    }
}
