package io.tornadoj.websocket;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.pkitesting.X509Bundle;
import io.tornadoj.httpserver.HTTPServer;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.testsupport.TestCerts;
import io.tornadoj.web.Application;
import io.tornadoj.web.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.net.ssl.SSLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.tornadoj.web.Web.url;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * wss:// over TLS with a self-signed certificate for "localhost": trusted through an SslContext, accepted
 * with validateCert(false), refused by default.
 */
@Timeout(60)
class WebSocketTlsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static TestServer server;
    private static IOLoop client;
    private static SslContext trusting;

    @BeforeAll
    static void start() throws Exception {
        X509Bundle cert = TestCerts.localhost();
        SslContext serverCtx = SslContextBuilder.forServer(cert.getKeyPair().getPrivate(), cert.getCertificatePath())
                .build();
        trusting = SslContextBuilder.forClient().trustManager(cert.getCertificate()).build();
        server = TestServer.start(new Application(List.of(url("/echo", WebSocketTest.Echo.class))),
                HTTPServer.Options.builder().sslContext(serverCtx).build());
        client = IOLoop.create();
    }

    @AfterAll
    static void stop() {
        server.close();
        client.close();
    }

    private String wss() {
        return "wss://localhost:" + server.port() + "/echo";
    }

    private void echo(WebSocketClientConnection.Options options) throws Exception {
        WebSocketClientConnection c = client.runSync(() -> WebSocket.connect(wss(), options), WAIT);
        client.runSync(() -> c.writeMessage("secret"), WAIT);
        assertEquals("secret", client.runSync(c::readMessage, WAIT));
        client.runSync(() -> {
            c.close();
            return CompletableFuture.completedFuture(null);
        }, WAIT);
        assertNull(client.runSync(c::readMessage, WAIT));
    }

    @Test
    void echoesOverTlsWithATrustedCertificate() throws Exception {
        echo(WebSocketClientConnection.Options.builder().sslContext(trusting).build());
    }

    @Test
    void validateCertFalseAcceptsAnyCertificate() throws Exception {
        echo(WebSocketClientConnection.Options.builder().validateCert(false).build());
    }

    @Test
    void anUntrustedCertificateFailsTheConnect() {
        assertThrows(SSLException.class, () -> client.runSync(() -> WebSocket.connect(wss()), WAIT));
    }
}
