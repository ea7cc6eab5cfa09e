package io.tornadoj.httpclient;

import io.tornadoj.netutil.DefaultResolver;
import io.tornadoj.netutil.Family;
import io.tornadoj.netutil.Resolver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.tornadoj.httpclient.Fixture.await;
import static io.tornadoj.httpclient.Fixture.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Name resolution and address families: {@code hostnameMapping} (host and host:port forms), a custom
 * {@code resolver}, {@code allowIpv6} (the resolver is asked for IPv4 only), Happy Eyeballs falling back
 * from a refused IPv6 address, and IPv6 literals. IPv6 tests need ::1 on this machine.
 */
@org.junit.jupiter.api.Timeout(60)
class ResolverTest {
    private Fixture fx;

    @BeforeEach
    void setUp() {
        fx = new Fixture();
    }

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    private static boolean ipv6Loopback() {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Resolves every name to the given addresses (in order), filtered by family; records the families asked for. */
    static final class FixedResolver implements Resolver {
        final List<InetSocketAddress> addresses;
        final List<Family> asked = new CopyOnWriteArrayList<>();
        final List<String> hosts = new CopyOnWriteArrayList<>();

        FixedResolver(InetSocketAddress... addresses) {
            this.addresses = List.of(addresses);
        }

        @Override
        public CompletableFuture<List<InetSocketAddress>> resolve(String host, int port, Family family) {
            asked.add(family);
            hosts.add(host + ":" + port);
            List<InetSocketAddress> out = new ArrayList<>();
            for (InetSocketAddress a : addresses) {
                if (family.matches(a.getAddress())) {
                    out.add(a);
                }
            }
            return out.isEmpty() ? CompletableFuture.failedFuture(new java.net.UnknownHostException(host))
                    : CompletableFuture.completedFuture(out);
        }
    }

    private static InetSocketAddress at(String ip, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    @Test
    void allowIpv6FalseUsesIpv4() throws Exception {
        assumeTrue(ipv6Loopback(), "no ::1 here");
        RawServer v4 = fx.raw(RawServer.keepAlive("v4"));
        // a separate IPv6 peer bound on ::1
        RawServer v6only = fx.closeLater(new RawServer(RawServer.keepAlive("v6"), InetAddress.getByName("::1")));
        FixedResolver resolver = new FixedResolver(at("::1", v6only.port()), at("127.0.0.1", v4.port()));
        AsyncHTTPClient c = fx.client(AsyncHTTPClient.Options.builder().resolver(resolver).build());
        assertEquals("v6", await(c.fetch("http://dual.test/")).bodyAsString());
        assertEquals(Family.ANY, resolver.asked.get(0));
        assertEquals("v4", await(c.fetch(HTTPRequest.builder("http://dual.test/").allowIpv6(false).build())).bodyAsString());
        assertEquals(Family.IPV4, resolver.asked.get(1));
        assertEquals(1, v4.accepted.get());
        // as a client default too
        AsyncHTTPClient c4 = fx.client(AsyncHTTPClient.Options.builder().resolver(resolver)
                .defaults(Map.of("allow_ipv6", false)).build());
        assertEquals("v4", await(c4.fetch("http://dual.test/")).bodyAsString());
    }

    @Test
    void happyEyeballsFallsBackToIpv4() throws Exception {
        assumeTrue(ipv6Loopback(), "no ::1 here");
        int refused;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            refused = s.getLocalPort();
        }
        RawServer v4 = fx.raw(RawServer.keepAlive("v4"));
        FixedResolver resolver = new FixedResolver(at("::1", refused), at("127.0.0.1", v4.port()));
        AsyncHTTPClient c = fx.client(AsyncHTTPClient.Options.builder().resolver(resolver).build());
        assertEquals("v4", await(c.fetch("http://dual.test/")).bodyAsString());
    }

    @Test
    void onlyIpv6AddressesWithAllowIpv6False() throws Exception {
        FixedResolver resolver = new FixedResolver(at("::1", 1));
        AsyncHTTPClient c = fx.client(AsyncHTTPClient.Options.builder().resolver(resolver).build());
        HTTPClientError e = failure(HTTPClientError.class, c.fetch(HTTPRequest.builder("http://v6only.test/").allowIpv6(false).build()));
        assertEquals(599, e.code());
    }

    @Test
    void ipv6Literal() throws Exception {
        assumeTrue(ipv6Loopback(), "no ::1 here");
        RawServer v6 = fx.closeLater(new RawServer((conn, i) -> {
            RawServer.Request r;
            while ((r = conn.readRequest()) != null) {
                conn.respond(r.header("Host"));
            }
        }, InetAddress.getByName("::1")));
        AsyncHTTPClient c = fx.client();
        assertEquals("[::1]:" + v6.port(), await(c.fetch("http://[::1]:" + v6.port() + "/")).bodyAsString());
        // an IPv6 literal with allowIpv6(false) cannot be reached
        assertEquals(599, await(c.fetch(HTTPRequest.builder("http://[::1]:" + v6.port() + "/").allowIpv6(false).build(), false)).code());
    }

    @Test
    void hostnameMapping() throws Exception {
        RawServer raw = fx.raw((conn, i) -> {
            RawServer.Request r;
            while ((r = conn.readRequest()) != null) {
                conn.respond(r.header("Host"));
            }
        });
        AsyncHTTPClient c = fx.client(AsyncHTTPClient.Options.builder().hostnameMapping(Map.of(
                "www.example.invalid", "127.0.0.1",
                "api.example.invalid:80", "127.0.0.1:" + raw.port())).build());
        // host form: the port stays; the Host header keeps the name from the URL
        assertEquals("www.example.invalid:" + raw.port(),
                await(c.fetch("http://www.example.invalid:" + raw.port() + "/")).bodyAsString());
        // host:port form: both are rewritten (the default port is left out of Host)
        assertEquals("api.example.invalid", await(c.fetch("http://api.example.invalid/")).bodyAsString());
        // unmapped names still go to the resolver
        assertEquals(599, await(c.fetch(new HTTPRequest("http://other.example.invalid/"), false)).code());
    }

    @Test
    void hostnameMappingWrapsACustomResolver() throws Exception {
        RawServer raw = fx.raw(RawServer.keepAlive("ok"));
        FixedResolver resolver = new FixedResolver(at("127.0.0.1", raw.port()));
        AsyncHTTPClient c = fx.client(AsyncHTTPClient.Options.builder().resolver(resolver)
                .hostnameMapping(Map.of("alias.test", "real.test")).build());
        assertEquals("ok", await(c.fetch("http://alias.test:1234/")).bodyAsString());
        assertEquals(List.of("real.test:1234"), resolver.hosts);
    }

    @Test
    void defaultResolverFindsLocalhost() throws Exception {
        RawServer raw = fx.raw(RawServer.keepAlive("ok"));
        AsyncHTTPClient c = fx.client(AsyncHTTPClient.Options.builder().resolver(new DefaultResolver()).build());
        // localhost may resolve to ::1 first, where nothing listens: Happy Eyeballs reaches 127.0.0.1
        assertEquals("ok", await(c.fetch("http://localhost:" + raw.port() + "/")).bodyAsString());
    }
}
