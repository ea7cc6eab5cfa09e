package io.tornadoj.testing;

import io.netty.handler.ssl.SslContext;
import io.tornadoj.httpclient.HTTPResponse;
import io.tornadoj.web.Application;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static io.tornadoj.web.Web.url;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** AsyncHTTPSTestCase: the same helpers over TLS with a self-signed certificate. */
@SuppressWarnings("try") // ExpectLog blocks often only need to be open
class AsyncHTTPSTestCaseTest extends AsyncHTTPSTestCase {
    private static final AtomicReference<SslContext> FIRST_CONTEXT = new AtomicReference<>();

    @Override
    protected Application getApp() {
        return new Application(List.of(url("/hello", AsyncHTTPTestCaseTest.Hello.class)));
    }

    @Test
    void fetchWorksOverHttps() throws Exception {
        HTTPResponse r = fetch("/hello");
        assertEquals(200, r.code());
        assertEquals("Hello", r.bodyAsString());
        assertTrue(r.effectiveUrl().startsWith("https://127.0.0.1:" + getHttpPort() + "/"), r.effectiveUrl());
    }

    @Test
    void fetchDoesNotRaiseOnAStatus() throws Exception {
        try (ExpectLog log = new ExpectLog("tornado.access", "404 GET /missing")) {
            assertEquals(404, fetch("/missing").code());
        }
    }

    @Test
    void urlsSayHttps() {
        assertEquals("https", getProtocol());
        assertEquals("https://127.0.0.1:" + getHttpPort() + "/x", getUrl("/x"));
    }

    @Test
    void aClientThatValidatesTheCertificateIsRefused() throws Exception {
        // the server logs the client's alert, maybe after the client gave up: wait for it (briefly)
        try (ExpectLog log = new ExpectLog("tornado.general", "Error on HTTP connection", false)) {
            HTTPResponse r = fetch("/hello", b -> b.validateCert(true));
            assertEquals(599, r.code());
            assertNotNull(r.error());
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (log.matched() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }
    }

    @Test
    void theCertificateIsSelfSignedForLocalhostAnd127001() throws Exception {
        SSLContext trustAll = SSLContext.getInstance("TLS");
        trustAll.init(null, new TrustManager[]{new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        try (SSLSocket s = (SSLSocket) trustAll.getSocketFactory().createSocket("127.0.0.1", getHttpPort())) {
            s.startHandshake();
            X509Certificate cert = (X509Certificate) s.getSession().getPeerCertificates()[0];
            assertEquals(cert.getSubjectX500Principal(), cert.getIssuerX500Principal());
            assertTrue(cert.getSubjectX500Principal().getName().contains("CN=localhost"));
            String sans = String.valueOf(cert.getSubjectAlternativeNames());
            assertTrue(sans.contains("localhost") && sans.contains("127.0.0.1"), sans);
        }
    }

    @RepeatedTest(2)
    void theCertificateIsMadeOncePerRun() {
        SslContext ctx = getSslContext();
        assertSame(ctx, getSslContext());
        FIRST_CONTEXT.compareAndSet(null, ctx);
        assertSame(FIRST_CONTEXT.get(), ctx);
        assertNotEquals(null, getHttpServerOptions().sslContext());
    }
}
