package io.tornadoj.httpclient;

import io.tornadoj.httpserver.HTTPServer;
import io.tornadoj.testsupport.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static io.tornadoj.httpclient.Fixture.await;
import static io.tornadoj.httpclient.Fixture.causedBy;
import static io.tornadoj.httpclient.Fixture.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTP proxies: plain HTTP with the absolute URL in the request line and Proxy-Authorization, and HTTPS
 * through a CONNECT tunnel with TLS to the origin inside it. The proxies are raw-socket peers.
 */
@org.junit.jupiter.api.Timeout(60)
class ProxyTest {
    private Fixture fx;
    /** The TLS server logs each refused handshake ("Error on HTTP connection"): expected here, kept quiet. */
    private LogCapture serverLog;
    private AsyncHTTPClient client;

    @BeforeEach
    void setUp() throws Exception {
        serverLog = new LogCapture("tornado.general");
        fx = new Fixture();
        client = fx.client();
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            fx.close();
        } finally {
            serverLog.close();
        }
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** A forward proxy that answers itself: "proxied <request line>". */
    private RawServer answeringProxy() throws Exception {
        return fx.raw((c, i) -> {
            RawServer.Request r;
            while ((r = c.readRequest()) != null) {
                c.respond("proxied " + r.requestLine);
            }
        });
    }

    @Test
    void plainHttpThroughAProxy() throws Exception {
        RawServer proxy = answeringProxy();
        HTTPRequest req = HTTPRequest.builder("http://proxied.invalid:8888/path/x?q=1#frag")
                .proxyHost("127.0.0.1").proxyPort(proxy.port()).proxyUsername("puser").proxyPassword("ppass").build();
        HTTPResponse r = await(client.fetch(req));
        assertEquals("proxied GET http://proxied.invalid:8888/path/x?q=1 HTTP/1.1", r.bodyAsString());
        RawServer.Request seen = proxy.requests.get(0);
        assertEquals("proxied.invalid:8888", seen.header("Host"));
        assertEquals(basic("puser", "ppass"), seen.header("Proxy-Authorization"));
        // without a proxy user there is no Proxy-Authorization; the default port is left out
        HTTPResponse r2 = await(client.fetch(HTTPRequest.builder("http://proxied.invalid/")
                .proxyHost("127.0.0.1").proxyPort(proxy.port()).build()));
        assertEquals("proxied GET http://proxied.invalid/ HTTP/1.1", r2.bodyAsString());
        assertNull(proxy.requests.get(1).header("Proxy-Authorization"));
        assertEquals("proxied.invalid", proxy.requests.get(1).header("Host"));
    }

    @Test
    void proxyConnectionsAreKeptAlive() throws Exception {
        RawServer proxy = answeringProxy();
        for (String host : List.of("a.invalid", "a.invalid", "a.invalid")) {
            await(client.fetch(HTTPRequest.builder("http://" + host + "/").proxyHost("127.0.0.1").proxyPort(proxy.port()).build()));
        }
        assertEquals(1, proxy.accepted.get());
        assertEquals(3, proxy.requests.size());
    }

    @Test
    void credentialsInTheUrlAreNotSentToTheProxyRequestLine() throws Exception {
        RawServer proxy = answeringProxy();
        HTTPResponse r = await(client.fetch(HTTPRequest.builder("http://me:secret@origin.invalid/p")
                .proxyHost("127.0.0.1").proxyPort(proxy.port()).build()));
        assertEquals("proxied GET http://origin.invalid/p HTTP/1.1", r.bodyAsString());
        assertEquals(basic("me", "secret"), proxy.requests.get(0).header("Authorization"));
    }

    @Test
    void postThroughAProxy() throws Exception {
        RawServer proxy = fx.raw((c, i) -> {
            RawServer.Request r = c.readRequest();
            c.respond(r.requestLine + " " + r.bodyAsString());
        });
        HTTPResponse r = await(client.fetch(HTTPRequest.builder("http://origin.invalid/form").method("POST").body("a=1")
                .proxyHost("127.0.0.1").proxyPort(proxy.port()).build()));
        assertEquals("POST http://origin.invalid/form HTTP/1.1 a=1", r.bodyAsString());
    }

    @Test
    void proxyRefused() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        HTTPClientError e = failure(HTTPClientError.class, client.fetch(HTTPRequest.builder("http://origin.invalid/")
                .proxyHost("127.0.0.1").proxyPort(port).build()));
        assertEquals(599, e.code());
    }

    // ------------------------------------------------------------------ CONNECT

    /**
     * A tunnelling proxy: answers CONNECT (checking Proxy-Authorization when {@code auth} is set) by
     * connecting to 127.0.0.1 at the requested port and relaying bytes both ways.
     */
    private RawServer tunnellingProxy(String auth) throws Exception {
        return fx.raw((c, i) -> {
            RawServer.Request head;
            while ((head = c.readHead()) != null) {
                c.readBody(head);
                if (!head.method().equals("CONNECT")) {
                    c.respond(405, "Method Not Allowed", "CONNECT only");
                    continue;
                }
                if (auth != null && !auth.equals(head.header("Proxy-Authorization"))) {
                    c.write("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\nContent-Length: 0\r\n\r\n");
                    continue;
                }
                int port = Integer.parseInt(head.target().substring(head.target().lastIndexOf(':') + 1));
                try (Socket up = new Socket("127.0.0.1", port)) {
                    c.write("HTTP/1.1 200 Connection established\r\n\r\n");
                    Thread back = new Thread(() -> relay(up, c.out, c.socket), "proxy-relay-back");
                    back.setDaemon(true);
                    back.start();
                    relay(c.in, up.getOutputStream(), up);
                } // closing the upstream socket ends the other relay

                return;
            }
        });
    }

    private static void relay(Socket from, OutputStream to, Socket toSocket) {
        try {
            relay(from.getInputStream(), to, toSocket);
        } catch (Exception e) {
            // closed
        }
    }

    private static void relay(InputStream in, OutputStream out, Socket outSocket) {
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) != -1) {
                out.write(buf, 0, n);
                out.flush();
            }
            outSocket.shutdownOutput();
        } catch (Exception e) {
            // one side closed
        }
    }

    private HTTPServer tlsServer(Certs.Recorder recorder) throws Exception {
        return fx.serve(TestApp.app(), recorder.options(false));
    }

    @Test
    void httpsThroughConnectTunnel() throws Exception {
        Certs.Recorder recorder = new Certs.Recorder();
        HTTPServer origin = tlsServer(recorder);
        RawServer proxy = tunnellingProxy(basic("pu", "pp"));
        String base = "https://www.tornado.test:" + Fixture.port(origin);
        HTTPRequest.Builder b = HTTPRequest.builder(base + "/hello").caCerts(Certs.serverPem())
                .proxyHost("127.0.0.1").proxyPort(proxy.port()).proxyUsername("pu").proxyPassword("pp");
        HTTPResponse r = await(client.fetch(b.build()));
        assertEquals(200, r.code());
        assertEquals("Hello world!", r.bodyAsString());
        // the proxy saw only the CONNECT (the origin name is never resolved by the client)
        RawServer.Request connect = proxy.requests.get(0);
        assertEquals("CONNECT www.tornado.test:" + Fixture.port(origin) + " HTTP/1.1", connect.requestLine);
        assertEquals("www.tornado.test:" + Fixture.port(origin), connect.header("Host"));
        assertEquals(basic("pu", "pp"), connect.header("Proxy-Authorization"));
        // TLS inside the tunnel: SNI and the certificate check use the origin's name
        assertEquals(List.of("www.tornado.test"), recorder.sniNames);
        // the request inside the tunnel is origin-form with the origin's Host, without proxy credentials
        HTTPResponse headers = await(client.fetch(HTTPRequest.builder(base + "/headers").caCerts(Certs.serverPem())
                .proxyHost("127.0.0.1").proxyPort(proxy.port()).proxyUsername("pu").proxyPassword("pp").build()));
        String body = headers.bodyAsString();
        assertTrue(body.contains("Host: www.tornado.test:" + Fixture.port(origin) + "\n"), body);
        assertFalse(body.contains("Proxy-Authorization"), body);
        // and the tunnel was kept alive: one proxy connection, one CONNECT, one TLS connection
        assertEquals(1, proxy.accepted.get());
        assertEquals(1, proxy.requests.size());
        assertEquals(1, recorder.connections.get());
    }

    @Test
    void connectRejectedByTheProxy() throws Exception {
        RawServer proxy = tunnellingProxy(basic("pu", "pp"));
        HTTPClientError e = failure(HTTPClientError.class, client.fetch(HTTPRequest.builder("https://www.tornado.test:1/")
                .proxyHost("127.0.0.1").proxyPort(proxy.port()).proxyUsername("pu").proxyPassword("wrong").build()));
        assertEquals(599, e.code());
        assertTrue(e.getMessage().contains("407"), e.getMessage());
        assertEquals(0, fx.idle(client));
    }

    @Test
    void proxyClosesDuringConnect() throws Exception {
        RawServer proxy = fx.raw((c, i) -> c.readHead());
        HTTPClientError e = failure(HTTPStreamClosedError.class, client.fetch(HTTPRequest.builder("https://www.tornado.test:1/")
                .proxyHost("127.0.0.1").proxyPort(proxy.port()).build()));
        assertEquals(599, e.code());
    }

    @Test
    void untrustedOriginThroughTheTunnel() throws Exception {
        HTTPServer origin = tlsServer(new Certs.Recorder());
        RawServer proxy = tunnellingProxy(null);
        HTTPClientError e = failure(HTTPClientError.class, client.fetch(HTTPRequest.builder(
                "https://www.tornado.test:" + Fixture.port(origin) + "/hello").proxyHost("127.0.0.1").proxyPort(proxy.port()).build()));
        assertEquals(599, e.code());
        assertTrue(causedBy(e, SSLException.class), () -> "cause: " + e.getCause());
        // with validateCert(false) it works
        HTTPResponse r = await(client.fetch(HTTPRequest.builder("https://www.tornado.test:" + Fixture.port(origin) + "/hello")
                .validateCert(false).proxyHost("127.0.0.1").proxyPort(proxy.port()).build()));
        assertEquals("Hello world!", r.bodyAsString());
    }

    @Test
    void proxiedAndDirectConnectionsAreSeparatePools() throws Exception {
        RawServer proxy = answeringProxy();
        RawServer direct = fx.raw(RawServer.keepAlive("direct"));
        assertEquals("direct", await(client.fetch(direct.url("/"))).bodyAsString());
        HTTPResponse viaProxy = await(client.fetch(HTTPRequest.builder(direct.url("/")).proxyHost("127.0.0.1")
                .proxyPort(proxy.port()).build()));
        assertTrue(viaProxy.bodyAsString().startsWith("proxied GET http://127.0.0.1:"), viaProxy.bodyAsString());
        assertEquals("direct", await(client.fetch(direct.url("/"))).bodyAsString());
        assertEquals(Map.of("direct", 1, "proxy", 1), Map.of("direct", direct.accepted.get(), "proxy", proxy.accepted.get()));
    }
}
