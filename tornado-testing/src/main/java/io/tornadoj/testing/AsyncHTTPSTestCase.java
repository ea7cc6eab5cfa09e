package io.tornadoj.testing;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.tornadoj.httpclient.AsyncHTTPClient;
import io.tornadoj.httpserver.HTTPServer;

import java.util.Map;

/**
 * Tornado's {@code AsyncHTTPSTestCase}: {@link AsyncHTTPTestCase} over TLS, with a self-signed certificate
 * for {@code localhost}/{@code 127.0.0.1} made once per run; the client does not validate it.
 */
public abstract class AsyncHTTPSTestCase extends AsyncHTTPTestCase {
    private static volatile SslContext serverContext;

    /** Test classes extend this. */
    protected AsyncHTTPSTestCase() {
    }

    /**
     * The server's TLS context: a self-signed certificate made once per JVM.
     *
     * @return the context
     */
    protected SslContext getSslContext() {
        SslContext ctx = serverContext;
        if (ctx == null) {
            synchronized (AsyncHTTPSTestCase.class) {
                if (serverContext == null) {
                    try {
                        X509Bundle cert = new CertificateBuilder().subject("CN=localhost").setIsCertificateAuthority(true)
                                .addSanDnsName("localhost").addSanIpAddress("127.0.0.1").buildSelfSigned();
                        serverContext = SslContextBuilder.forServer(cert.toKeyManagerFactory()).build();
                    } catch (Exception e) {
                        throw new IllegalStateException("cannot make a self-signed certificate", e);
                    }
                }
                ctx = serverContext;
            }
        }
        return ctx;
    }

    @Override
    protected HTTPServer.Options getHttpServerOptions() {
        return HTTPServer.Options.builder().sslContext(getSslContext()).build();
    }

    @Override
    protected AsyncHTTPClient.Options getHttpClientOptions() {
        return AsyncHTTPClient.Options.builder().defaults(Map.of("validate_cert", false)).build();
    }

    @Override
    protected String getProtocol() {
        return "https";
    }
}
