package io.tornadoj.netutil;

import io.netty.channel.EventLoop;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.tornadoj.internal.Loops;
import io.tornadoj.ioloop.IOLoop;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An asynchronous resolver on Netty's DNS client ({@code netty-resolver-dns}): queries go out from the
 * loop itself, no thread is blocked. Reads the system's name servers and hosts file. One Netty resolver
 * per loop, made on first use. The future completes on the current loop. Any thread.
 */
public class NettyResolver implements Resolver {
    private final Map<EventLoop, DnsNameResolver> resolvers = new ConcurrentHashMap<>();

    /** A resolver using Netty's DNS client. */
    public NettyResolver() {
    }

    @Override
    public CompletableFuture<List<InetSocketAddress>> resolve(String host, int port, Family family) {
        IOLoop loop = IOLoop.current();
        CompletableFuture<List<InetSocketAddress>> result = new CompletableFuture<>();
        loop.addCallback(() -> {
            DnsNameResolver dns = resolvers.computeIfAbsent(loop.eventLoop(), el ->
                    new DnsNameResolverBuilder(el).datagramChannelType(Loops.datagramChannel(loop.transport())).build());
            dns.resolveAll(host).addListener(f -> {
                if (!f.isSuccess()) {
                    result.completeExceptionally(f.cause());
                    return;
                }
                List<InetSocketAddress> out = new ArrayList<>();
                @SuppressWarnings("unchecked")
                List<InetAddress> addresses = (List<InetAddress>) f.getNow();
                for (InetAddress a : addresses) {
                    if (family.matches(a)) {
                        out.add(new InetSocketAddress(a, port));
                    }
                }
                if (out.isEmpty()) {
                    result.completeExceptionally(new UnknownHostException(host + " has no " + family + " address"));
                } else {
                    result.complete(out);
                }
            });
        });
        return result;
    }

    /** Closes the Netty resolvers (their sockets). Any thread. */
    @Override
    public void close() {
        resolvers.values().forEach(DnsNameResolver::close);
        resolvers.clear();
    }
}
