package io.tornadoj.httpclient;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.pkitesting.X509Bundle;
import io.tornadoj.httpserver.HTTPServer;
import io.tornadoj.testsupport.TestCerts;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLSession;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Self-signed test certificates (made once per JVM) and a TLS server fixture that records handshakes. */
final class Certs {
    private static X509Bundle server;
    private static X509Bundle client;
    private static File serverPem;

    private Certs() {
    }

    /** A self-signed CA certificate for "localhost" and "www.tornado.test" (DNS SANs only: no IP address). */
    static synchronized X509Bundle server() throws Exception {
        if (server == null) {
            server = TestCerts.selfSigned("localhost", "localhost", "www.tornado.test");
        }
        return server;
    }

    /** A self-signed client certificate. */
    static synchronized X509Bundle client() throws Exception {
        if (client == null) {
            client = TestCerts.selfSigned("test-client");
        }
        return client;
    }

    /** The server certificate as a PEM file (for {@code caCerts}). */
    static synchronized String serverPem() throws Exception {
        if (serverPem == null) {
            serverPem = File.createTempFile("tornadoj-ca", ".pem");
            serverPem.deleteOnExit();
            Files.writeString(serverPem.toPath(), server().getCertificatePEM(), StandardCharsets.US_ASCII);
        }
        return serverPem.getAbsolutePath();
    }

    static SslContext serverContext(boolean requireClientCert) throws Exception {
        SslContextBuilder b = SslContextBuilder.forServer(server().getKeyPair().getPrivate(), server().getCertificatePath());
        if (requireClientCert) {
            b.clientAuth(ClientAuth.REQUIRE).trustManager(client().getCertificate());
        }
        return b.build();
    }

    /** Records each TLS handshake an HTTPServer completes: SNI names asked for, client principals. */
    static final class Recorder {
        final AtomicInteger connections = new AtomicInteger();
        final List<String> sniNames = new CopyOnWriteArrayList<>();
        final List<String> peers = new CopyOnWriteArrayList<>();
        final List<Throwable> failures = new CopyOnWriteArrayList<>();

        HTTPServer.Options options(boolean requireClientCert) throws Exception {
            return HTTPServer.Options.builder().sslContext(serverContext(requireClientCert))
                    .pipeline(p -> p.addLast(new Tap(this))).build();
        }
    }

    private static final class Tap extends ChannelInboundHandlerAdapter {
        private final Recorder recorder;

        Tap(Recorder recorder) {
            this.recorder = recorder;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            recorder.connections.incrementAndGet();
            super.channelActive(ctx);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof SslHandshakeCompletionEvent) {
                SslHandshakeCompletionEvent e = (SslHandshakeCompletionEvent) evt;
                if (e.isSuccess()) {
                    SSLSession session = ctx.pipeline().get(SslHandler.class).engine().getSession();
                    if (session instanceof ExtendedSSLSession) {
                        for (SNIServerName n : ((ExtendedSSLSession) session).getRequestedServerNames()) {
                            if (n instanceof SNIHostName) {
                                recorder.sniNames.add(((SNIHostName) n).getAsciiName());
                            }
                        }
                    }
                    try {
                        recorder.peers.add(session.getPeerPrincipal().getName());
                    } catch (javax.net.ssl.SSLPeerUnverifiedException none) {
                        // no client certificate
                    }
                } else {
                    recorder.failures.add(e.cause());
                }
            }
            super.userEventTriggered(ctx, evt);
        }
    }
}
