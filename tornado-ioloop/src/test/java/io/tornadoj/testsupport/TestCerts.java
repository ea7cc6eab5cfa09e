package io.tornadoj.testsupport;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;

/** Self-signed certificates for TLS tests over loopback. */
public final class TestCerts {
    private static X509Bundle localhost;

    private TestCerts() {
    }

    /**
     * A self-signed CA certificate for "localhost" (subject and DNS SAN; no IP address), made once per JVM.
     * Any thread.
     *
     * @return the certificate with its key
     * @throws Exception if it cannot be made
     */
    public static synchronized X509Bundle localhost() throws Exception {
        if (localhost == null) {
            localhost = selfSigned("localhost", "localhost");
        }
        return localhost;
    }

    /**
     * A new self-signed CA certificate. Any thread.
     *
     * @param commonName the subject's CN
     * @param dnsNames the DNS names of its subject alternative names
     * @return the certificate with its key
     * @throws Exception if it cannot be made
     */
    public static X509Bundle selfSigned(String commonName, String... dnsNames) throws Exception {
        CertificateBuilder b = new CertificateBuilder().subject("CN=" + commonName).setIsCertificateAuthority(true);
        for (String name : dnsNames) {
            b.addSanDnsName(name);
        }
        return b.buildSelfSigned();
    }
}
