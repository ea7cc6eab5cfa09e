package io.tornadoj.netutil;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Tornado's {@code OverrideResolver}: rewrites hosts before asking another resolver, for tests and local
 * setups. A key {@code "host"} maps a host to another host; a key {@code "host:port"} maps that host and
 * port to a value {@code "otherhost:otherport"} (bracket IPv6 literals: {@code "[::1]:8080"}). The
 * more specific host:port entry wins. Any thread.
 */
public class OverrideResolver implements Resolver {
    private final Resolver resolver;
    private final Map<String, String> mapping;

    /**
     * A resolver that applies a mapping first.
     *
     * @param resolver resolves the mapped names
     * @param mapping  host (or host:port) to host (or host:port)
     */
    public OverrideResolver(Resolver resolver, Map<String, String> mapping) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.mapping = Map.copyOf(mapping);
    }

    @Override
    public CompletableFuture<List<InetSocketAddress>> resolve(String host, int port, Family family) {
        String withPort = mapping.get(hostPort(host, port));
        if (withPort != null) {
            int colon = withPort.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("mapping for " + host + ":" + port + " needs host:port, got " + withPort);
            }
            return resolver.resolve(unbracket(withPort.substring(0, colon)), Integer.parseInt(withPort.substring(colon + 1)), family);
        }
        return resolver.resolve(mapping.getOrDefault(host, host), port, family);
    }

    private static String hostPort(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    private static String unbracket(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** Closes the wrapped resolver. */
    @Override
    public void close() {
        resolver.close();
    }
}
