package io.tornadoj.netutil;

import io.tornadoj.ioloop.IOLoop;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Tornado's {@code DefaultExecutorResolver}: the JDK's blocking {@link InetAddress#getAllByName} run in
 * the current loop's default executor ({@link IOLoop#runInExecutor}). Uses the system's resolver
 * configuration, hosts file included. The future completes on the current loop. Any thread.
 */
public class DefaultResolver implements Resolver {
    /** A resolver using the JDK lookup. */
    public DefaultResolver() {
    }

    @Override
    public CompletableFuture<List<InetSocketAddress>> resolve(String host, int port, Family family) {
        return IOLoop.current().runInExecutor(null, () -> {
            List<InetSocketAddress> out = new ArrayList<>();
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (family.matches(a)) {
                    out.add(new InetSocketAddress(a, port));
                }
            }
            if (out.isEmpty()) {
                throw new UnknownHostException(host + " has no " + family + " address");
            }
            return out;
        });
    }
}
