package io.tornadoj.httpclient;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.tornadoj.httpserver.HTTPServer;
import io.tornadoj.testsupport.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLException;
import java.util.List;
import java.util.Map;

import static io.tornadoj.httpclient.Fixture.await;
import static io.tornadoj.httpclient.Fixture.causedBy;
import static io.tornadoj.httpclient.Fixture.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTPS against the project's TLS HTTPServer with a self-signed "localhost" certificate: validateCert,
 * caCerts, the JDK trust store, host name checks, SNI, client certificates, a ready sslContext, keep-alive
 * over TLS, and that connections made with different TLS settings are never mixed in the pool.
 */
@org.junit.jupiter.api.Timeout(60)
class HttpsTest {
    private Fixture fx;
    /** The TLS server logs each refused handshake ("Error on HTTP connection"): expected here, kept quiet. */
    private LogCapture serverLog;
    private Certs.Recorder recorder;
    private HTTPServer server;
    private AsyncHTTPClient client;

    @BeforeEach
    void setUp() throws Exception {
        serverLog = new LogCapture("tornado.general");
        fx = new Fixture();
        recorder = new Certs.Recorder();
        server = fx.serve(TestApp.app(), recorder.options(false));
        // "localhost" always means 127.0.0.1 here, where the server listens
        client = fx.client(AsyncHTTPClient.Options.builder()
                .hostnameMapping(Map.of("localhost", "127.0.0.1", "wrong.test", "127.0.0.1", "www.tornado.test", "127.0.0.1")).build());
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            fx.close();
        } finally {
            serverLog.close();
        }
    }

    private String url(String host, String path) {
        return "https://" + host + ":" + Fixture.port(server) + path;
    }

    @Test
    void validateCertFalse() throws Exception {
        HTTPResponse r = await(client.fetch(HTTPRequest.builder(url("127.0.0.1", "/hello")).validateCert(false).build()));
        assertEquals("Hello world!", r.bodyAsString());
        assertEquals(url("127.0.0.1", "/hello"), r.effectiveUrl());
        // the Host header has the port; the server sees https
        assertEquals("127.0.0.1:" + Fixture.port(server),
                await(client.fetch(HTTPRequest.builder(url("127.0.0.1", "/header/Host")).validateCert(false).build())).bodyAsString());
    }

    @Test
    void caCertsPemFile() throws Exception {
        HTTPResponse r = await(client.fetch(HTTPRequest.builder(url("localhost", "/hello")).caCerts(Certs.serverPem()).build()));
        assertEquals(200, r.code());
        assertEquals("Hello world!", r.bodyAsString());
    }

    @Test
    void defaultTrustStoreRejectsTheSelfSignedCertificate() throws Exception {
        HTTPClientError e = failure(HTTPClientError.class, client.fetch(url("localhost", "/hello")));
        assertEquals(599, e.code());
        assertFalse(e instanceof HTTPTimeoutError);
        assertTrue(causedBy(e, SSLException.class), () -> "cause: " + e.getCause());
        HTTPResponse r = await(client.fetch(new HTTPRequest(url("localhost", "/hello")), false));
        assertEquals(599, r.code());
        assertEquals(0, fx.idle(client));
        // the server saw the client give up on its certificate
        Fixture.eventually("the server logged the refused handshake",
                () -> serverLog.messages().stream().anyMatch(m -> m.contains("Error on HTTP connection")));
    }

    @Test
    void hostNameMismatch() throws Exception {
        // the certificate names "localhost" only: an IP literal and another name fail the check
        for (String host : List.of("127.0.0.1", "wrong.test")) {
            HTTPClientError e = failure(HTTPClientError.class,
                    client.fetch(HTTPRequest.builder(url(host, "/hello")).caCerts(Certs.serverPem()).build()));
            assertEquals(599, e.code());
            assertTrue(causedBy(e, SSLException.class), () -> host + ": " + e.getCause());
        }
        // without validation the name is not checked
        assertEquals(200, await(client.fetch(HTTPRequest.builder(url("wrong.test", "/hello")).validateCert(false).build())).code());
    }

    @Test
    void sniCarriesTheHostName() throws Exception {
        HTTPResponse r = await(client.fetch(HTTPRequest.builder(url("www.tornado.test", "/hello")).caCerts(Certs.serverPem()).build()));
        assertEquals(200, r.code());
        assertEquals(List.of("www.tornado.test"), recorder.sniNames);
        // no SNI for an IP literal (and the JDK sends none for a name without a dot, such as "localhost")
        await(client.fetch(HTTPRequest.builder(url("127.0.0.1", "/hello")).validateCert(false).build()));
        assertEquals(List.of("www.tornado.test"), recorder.sniNames);
        // the name from the URL, not the mapped address, even without validation
        await(client.fetch(HTTPRequest.builder(url("wrong.test", "/hello")).validateCert(false).build()));
        assertEquals(List.of("www.tornado.test", "wrong.test"), recorder.sniNames);
    }

    @Test
    void readySslContext() throws Exception {
        SslContext ctx = SslContextBuilder.forClient().trustManager(Certs.server().getCertificate()).build();
        HTTPResponse r = await(client.fetch(HTTPRequest.builder(url("localhost", "/hello")).sslContext(ctx).build()));
        assertEquals("Hello world!", r.bodyAsString());
        // it overrides validateCert/caCerts: the name is still checked
        failure(HTTPClientError.class, client.fetch(HTTPRequest.builder(url("wrong.test", "/hello")).sslContext(ctx)
                .validateCert(false).build()));
    }

    @Test
    void keepAliveOverTls() throws Exception {
        HTTPRequest req = HTTPRequest.builder(url("localhost", "/hello")).caCerts(Certs.serverPem()).build();
        for (int i = 0; i < 3; i++) {
            assertEquals("Hello world!", await(client.fetch(req)).bodyAsString());
        }
        assertEquals(1, recorder.connections.get());
        assertEquals(1, fx.idle(client));
        assertEquals(TestApp.BIG, await(client.fetch(HTTPRequest.builder(url("localhost", "/big"))
                .caCerts(Certs.serverPem()).build())).bodyAsString());
    }

    @Test
    void connectionsWithDifferentTlsSettingsAreNotShared() throws Exception {
        // a connection made without certificate checks must never serve a request that asks for them
        await(client.fetch(HTTPRequest.builder(url("localhost", "/hello")).validateCert(false).build()));
        assertEquals(1, fx.idle(client));
        HTTPClientError e = failure(HTTPClientError.class, client.fetch(url("localhost", "/hello")));
        assertEquals(599, e.code());
        assertTrue(causedBy(e, SSLException.class), () -> "cause: " + e.getCause());
        // and one made with caCerts is not used for a request with other settings
        await(client.fetch(HTTPRequest.builder(url("localhost", "/hello")).caCerts(Certs.serverPem()).build()));
        await(client.fetch(HTTPRequest.builder(url("localhost", "/hello")).validateCert(false).build()));
        assertEquals(3, recorder.connections.get());
        // http and https to the same host:port are different pools too
        HTTPResponse plain = await(client.fetch(new HTTPRequest("http://localhost:" + Fixture.port(server) + "/hello"), false));
        assertEquals(599, plain.code());
    }

    @Test
    void redirectFromHttpToHttps() throws Exception {
        String target = url("localhost", "/hello");
        RawServer plain = fx.raw((c, i) -> {
            while (c.readRequest() != null) {
                c.write("HTTP/1.1 301 Moved Permanently\r\nLocation: " + target + "\r\nContent-Length: 0\r\n\r\n");
            }
        });
        HTTPResponse r = await(client.fetch(HTTPRequest.builder(plain.url("/")).caCerts(Certs.serverPem()).build()));
        assertEquals("Hello world!", r.bodyAsString());
        assertEquals(target, r.effectiveUrl());
    }

    @Test
    void clientCertificate() throws Exception {
        Certs.Recorder mtls = new Certs.Recorder();
        HTTPServer strict = fx.serve(TestApp.app(), mtls.options(true));
        String u = "https://localhost:" + Fixture.port(strict) + "/hello";
        HTTPRequest withCert = HTTPRequest.builder(u).caCerts(Certs.serverPem())
                .clientCert(Certs.client().toTempCertChainPem().getAbsolutePath())
                .clientKey(Certs.client().toTempPrivateKeyPem().getAbsolutePath()).build();
        assertEquals("Hello world!", await(client.fetch(withCert)).bodyAsString());
        assertEquals(List.of("CN=test-client"), mtls.peers);
        // without one the server refuses (during or right after the handshake)
        HTTPResponse refused = await(client.fetch(HTTPRequest.builder(u).caCerts(Certs.serverPem()).build(), false));
        assertEquals(599, refused.code());
    }

    @Test
    void badCaCertsFile() throws Exception {
        HTTPClientError e = failure(HTTPClientError.class,
                client.fetch(HTTPRequest.builder(url("localhost", "/hello")).caCerts("/no/such/file.pem").build()));
        assertEquals(599, e.code());
        assertTrue(e.getMessage().contains("TLS setup failed"), e.getMessage());
    }
}
