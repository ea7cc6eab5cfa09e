package io.tornadoj.netutil;

import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.ioloop.Transport;
import io.tornadoj.iostream.IOStream;
import io.tornadoj.tcpserver.TCPServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Resolvers (JDK, Netty DNS, override mapping) and {@code bindUnusedPort}. Only "localhost" (hosts
 * file), address literals and a {@code .invalid} name (JDK lookup only) are resolved: nothing is asked of
 * a name server outside the machine.
 */
@org.junit.jupiter.api.Timeout(60)
class NetUtilTest {
    private static final String TRANSPORTS = "io.tornadoj.testsupport.Transports#available";

    static <T> T sync(IOLoop loop, Callable<? extends CompletionStage<T>> f) throws Exception {
        return loop.runSync(f, Duration.ofSeconds(20));
    }

    /** Resolves on the loop and checks that the future completed on the loop thread. */
    static List<InetSocketAddress> resolve(IOLoop loop, Resolver r, String host, int port, Family family) throws Exception {
        AtomicBoolean completedOnLoop = new AtomicBoolean();
        List<InetSocketAddress> out = sync(loop, () -> r.resolve(host, port, family).whenComplete((v, t) ->
                completedOnLoop.set(loop.inLoop())));
        assertTrue(completedOnLoop.get(), "the future completes on the current loop");
        return out;
    }

    static InetSocketAddress addr(String ip, int port) throws UnknownHostException {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ DefaultResolver

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void defaultResolverResolvesLocalhostAndLiterals(Transport t) throws Exception {
        IOLoop loop = IOLoop.create(t);
        try (Resolver r = new DefaultResolver()) {
            List<InetSocketAddress> local = resolve(loop, r, "localhost", 80, Family.ANY);
            assertTrue(local.contains(addr("127.0.0.1", 80)) || local.contains(addr("::1", 80)),
                    "a loopback address for localhost: " + local);
            for (InetSocketAddress a : local) {
                assertTrue(a.getAddress().isLoopbackAddress(), local.toString());
                assertEquals(80, a.getPort());
            }
            assertEquals(List.of(addr("127.0.0.1", 8080)), resolve(loop, r, "127.0.0.1", 8080, Family.ANY));
            assertEquals(List.of(addr("::1", 8080)), resolve(loop, r, "::1", 8080, Family.ANY));
        } finally {
            loop.close();
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void defaultResolverFiltersByFamily(Transport t) throws Exception {
        IOLoop loop = IOLoop.create(t);
        try (Resolver r = new DefaultResolver()) {
            List<InetSocketAddress> v4 = resolve(loop, r, "localhost", 443, Family.IPV4);
            assertFalse(v4.isEmpty());
            for (InetSocketAddress a : v4) {
                assertInstanceOf(Inet4Address.class, a.getAddress());
            }
            assertEquals(List.of(addr("::1", 1)), resolve(loop, r, "::1", 1, Family.IPV6));
            assertEquals(List.of(addr("127.0.0.1", 1)), resolve(loop, r, "127.0.0.1", 1, Family.IPV4));

            // a literal of the other family has no address of the wanted one
            UnknownHostException e = assertThrows(UnknownHostException.class, () -> resolve(loop, r, "127.0.0.1", 1, Family.IPV6));
            assertTrue(e.getMessage().contains("127.0.0.1"), e.getMessage());
            assertThrows(UnknownHostException.class, () -> resolve(loop, r, "::1", 1, Family.IPV4));

            assertTrue(Family.ANY.matches(InetAddress.getByName("::1")));
            assertTrue(Family.IPV6.matches(InetAddress.getByName("::1")));
            assertFalse(Family.IPV4.matches(InetAddress.getByName("::1")));
            assertTrue(Family.IPV4.matches(InetAddress.getByName("127.0.0.1")));
            assertFalse(Family.IPV6.matches(InetAddress.getByName("127.0.0.1")));
        } finally {
            loop.close();
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void defaultResolverFailsForAnUnknownHost(Transport t) throws Exception {
        IOLoop loop = IOLoop.create(t);
        try (Resolver r = new DefaultResolver()) {
            // .invalid never resolves (RFC 6761)
            Exception e = assertThrows(Exception.class, () -> resolve(loop, r, "no-such-host.invalid", 80, Family.ANY));
            assertTrue(hasCause(e, UnknownHostException.class), e.toString());
        } finally {
            loop.close();
        }
    }

    // ------------------------------------------------------------------ NettyResolver

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void nettyResolverResolvesLocalhostFromTheHostsFileAndLiterals(Transport t) throws Exception {
        IOLoop loop = IOLoop.create(t);
        NettyResolver r = new NettyResolver();
        try {
            List<InetSocketAddress> local = resolve(loop, r, "localhost", 80, Family.ANY);
            assertTrue(local.contains(addr("127.0.0.1", 80)) || local.contains(addr("::1", 80)),
                    "a loopback address for localhost: " + local);
            for (InetSocketAddress a : local) {
                assertTrue(a.getAddress().isLoopbackAddress(), local.toString());
            }
            assertEquals(List.of(addr("127.0.0.1", 8080)), resolve(loop, r, "127.0.0.1", 8080, Family.ANY));
            assertEquals(List.of(addr("::1", 8081)), resolve(loop, r, "::1", 8081, Family.IPV6));
            List<InetSocketAddress> v4 = resolve(loop, r, "localhost", 80, Family.IPV4);
            for (InetSocketAddress a : v4) {
                assertInstanceOf(Inet4Address.class, a.getAddress());
            }
            assertThrows(UnknownHostException.class, () -> resolve(loop, r, "127.0.0.1", 1, Family.IPV6));
            assertThrows(UnknownHostException.class, () -> resolve(loop, r, "::1", 1, Family.IPV4));
            // from a thread that is not the loop's, with the loop made current
            loop.makeCurrent();
            try {
                assertEquals(List.of(addr("127.0.0.1", 9)), r.resolve("127.0.0.1", 9, Family.ANY).get());
            } finally {
                IOLoop.clearCurrent();
            }
        } finally {
            r.close();
            r.close(); // idempotent
            loop.close();
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void nettyResolverServesSeveralLoopsAndCloses(Transport t) throws Exception {
        IOLoop a = IOLoop.create(t);
        IOLoop b = IOLoop.create(t);
        NettyResolver r = new NettyResolver();
        try {
            assertEquals(List.of(addr("127.0.0.1", 1)), resolve(a, r, "127.0.0.1", 1, Family.ANY));
            assertFalse(resolve(b, r, "localhost", 2, Family.ANY).isEmpty());
            r.close();
            // a closed resolver may be used again: it makes a new Netty resolver on demand
            assertEquals(List.of(addr("::1", 3)), resolve(a, r, "::1", 3, Family.ANY));
        } finally {
            r.close();
            a.close();
            b.close();
        }
    }

    // ------------------------------------------------------------------ OverrideResolver

    /** Records what it is asked and answers from the JDK lookup (used with literals only). */
    static final class Recording implements Resolver {
        final List<String> asked = new ArrayList<>();
        final DefaultResolver inner = new DefaultResolver();
        boolean closed;

        @Override
        public CompletableFuture<List<InetSocketAddress>> resolve(String host, int port, Family family) {
            synchronized (asked) {
                asked.add(host + "|" + port + "|" + family);
            }
            return inner.resolve(host, port, family);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void overrideResolverMapsHostsAndHostPorts(Transport t) throws Exception {
        IOLoop loop = IOLoop.create(t);
        Recording inner = new Recording();
        OverrideResolver r = new OverrideResolver(inner, Map.of(
                "host", "127.0.0.1",
                "host:80", "127.0.0.1:8080",
                "[::1]:81", "[::1]:9090",
                "v6host", "::1"));
        try {
            assertEquals(List.of(addr("127.0.0.1", 443)), resolve(loop, r, "host", 443, Family.ANY));
            // the more specific host:port entry wins
            assertEquals(List.of(addr("127.0.0.1", 8080)), resolve(loop, r, "host", 80, Family.ANY));
            assertEquals(List.of(addr("::1", 9090)), resolve(loop, r, "::1", 81, Family.ANY));
            assertEquals(List.of(addr("::1", 82)), resolve(loop, r, "v6host", 82, Family.IPV6));
            // anything else goes through unchanged
            assertEquals(List.of(addr("127.0.0.1", 5)), resolve(loop, r, "127.0.0.1", 5, Family.IPV4));
            assertEquals(List.of("127.0.0.1|443|ANY", "127.0.0.1|8080|ANY", "::1|9090|ANY", "::1|82|IPV6",
                    "127.0.0.1|5|IPV4"), inner.asked, "the family is passed on");
            // the wrapped resolver's errors come through
            assertThrows(UnknownHostException.class, () -> resolve(loop, r, "v6host", 82, Family.IPV4));

            // a host:port key needs a host:port value
            OverrideResolver bad = new OverrideResolver(inner, Map.of("host:80", "127.0.0.1"));
            assertThrows(IllegalArgumentException.class, () -> bad.resolve("host", 80, Family.ANY));
        } finally {
            r.close();
            assertTrue(inner.closed, "close() closes the wrapped resolver");
            loop.close();
        }
    }

    // ------------------------------------------------------------------ bindUnusedPort

    @Test
    void bindUnusedPortReturnsABindableLoopbackPort() throws Exception {
        int port = NetUtil.bindUnusedPort();
        assertTrue(port > 0 && port < 65536, "port " + port);
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
            assertEquals(port, s.getLocalPort());
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void aTcpServerCanListenOnTheUnusedPort(Transport t) throws Exception {
        IOLoop loop = IOLoop.create(t);
        TCPServer server = new TCPServer() {
            @Override
            protected CompletionStage<?> handleStream(IOStream stream, InetSocketAddress address) {
                stream.close();
                return null;
            }
        };
        try {
            int port = NetUtil.bindUnusedPort();
            loop.runSync(() -> {
                server.listen(port, "127.0.0.1");
                return null;
            });
            assertEquals(List.of(addr("127.0.0.1", port)), server.boundAddresses());
        } finally {
            server.stop().get();
            loop.close();
        }
    }
}
