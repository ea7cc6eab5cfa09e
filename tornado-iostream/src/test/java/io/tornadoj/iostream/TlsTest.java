package io.tornadoj.iostream;

import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.pkitesting.X509Bundle;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.ioloop.Transport;
import io.tornadoj.tcpclient.TCPClient;
import io.tornadoj.tcpserver.TCPServer;
import io.tornadoj.testsupport.LeakDetector;
import io.tornadoj.testsupport.TestCerts;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.tornadoj.iostream.LoopStreams.echo;
import static io.tornadoj.iostream.LoopStreams.roundTrip;
import static io.tornadoj.iostream.LoopStreams.run;
import static io.tornadoj.iostream.LoopStreams.sync;
import static io.tornadoj.iostream.StreamFixture.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * TLS over real loopback sockets on every transport, with a self-signed certificate for "localhost"
 * generated per class: TCPServer/TCPClient with SSL contexts, {@code startTls} on both ends of a plain
 * connection, untrusted certificates, host name checks, and {@code startTls} on a busy stream.
 */
@org.junit.jupiter.api.Timeout(60)
@ExtendWith(LeakDetector.class) // fails the class on a ByteBuf leak (also when not auto-detected)
class TlsTest {
    private static final String TRANSPORTS = "io.tornadoj.testsupport.Transports#available";

    private static X509Bundle cert;
    private static SslContext serverCtx;
    private static SslContext clientCtx;
    private static SslContext untrustingClientCtx;

    @BeforeAll
    static void makeCertificate() throws Exception {
        cert = TestCerts.localhost();
        serverCtx = SslContextBuilder.forServer(cert.getKeyPair().getPrivate(), cert.getCertificatePath()).build();
        clientCtx = SslContextBuilder.forClient().trustManager(cert.getCertificate()).build();
        untrustingClientCtx = SslContextBuilder.forClient().build(); // the JDK's default trust store
    }

    /** Echoes lines and queues each accepted stream. */
    static class Server extends TCPServer {
        final LinkedBlockingQueue<IOStream> streams = new LinkedBlockingQueue<>();
        final List<IOStream> all = new CopyOnWriteArrayList<>();
        final boolean echo;

        Server(Options options, boolean echo) {
            super(options);
            this.echo = echo;
        }

        @Override
        protected CompletionStage<?> handleStream(IOStream stream, InetSocketAddress address) {
            streams.add(stream);
            all.add(stream);
            if (echo) {
                echo(stream);
            }
            return null;
        }

        IOStream next() throws InterruptedException {
            IOStream s = streams.poll(10, TimeUnit.SECONDS);
            if (s == null) {
                fail("no connection accepted");
            }
            return s;
        }
    }

    static String line(IOLoop loop, IOStream from) throws Exception {
        return new String(sync(loop, () -> from.readUntil("\n")), StandardCharsets.UTF_8);
    }

    static IOStream keep(List<IOStream> opened, IOStream stream) {
        opened.add(stream);
        return stream;
    }

    /**
     * Closes every stream (client side, server side, upgraded) and waits until the channels are closed, so
     * nothing is left open for IOLoop.close() (which does not reliably close channels still open). An
     * old stream detached by startTls does not close its channel: its upgraded stream does.
     */
    static void cleanUp(List<IOStream> opened, Server server) throws Exception {
        List<IOStream> streams = new ArrayList<>(opened);
        streams.addAll(server.all);
        for (IOStream s : streams) {
            s.close();
        }
        for (IOStream s : streams) {
            assertTrue(s.channel().closeFuture().await(5, TimeUnit.SECONDS), s + " did not close");
        }
        server.stop().get(10, TimeUnit.SECONDS);
    }

    static int listen(IOLoop loop, TCPServer server) throws Exception {
        run(loop, () -> server.listen(0, "127.0.0.1"));
        return server.boundAddresses().get(0).getPort();
    }

    static TCPClient.ConnectOptions tls(SslContext ctx, String serverHostname) {
        return TCPClient.ConnectOptions.builder().sslContext(ctx).serverHostname(serverHostname).build();
    }

    static void assertSslFailure(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof SSLHandshakeException || c instanceof SSLException) {
                return;
            }
        }
        fail("expected an SSL error in the cause chain of " + e, e);
    }

    static boolean closedOnLoop(IOStream s) throws Exception {
        return sync(s.ioLoop(), () -> CompletableFuture.completedFuture(s.closed()));
    }

    static void waitUntilClosed(IOStream s) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!closedOnLoop(s)) {
            assertTrue(System.nanoTime() < deadline, s + " did not close");
            Thread.sleep(5);
        }
    }

    static void assertPeerIsOurCertificate(IOStream s) throws Exception {
        SslHandler ssl = s.channel().pipeline().get(SslHandler.class);
        assertNotNull(ssl, "an SslHandler in " + s.channel().pipeline().names());
        Certificate[] peer = ssl.engine().getSession().getPeerCertificates();
        assertEquals(cert.getCertificate(), peer[0]);
        assertTrue(ssl.engine().getSession().getProtocol().startsWith("TLS"), ssl.engine().getSession().getProtocol());
    }

    // ------------------------------------------------------------------ TCPServer + TCPClient with contexts

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void tlsServerAndTlsClientEcho(Transport t) throws Exception {
        IOLoop loop = IOLoop.create(t);
        List<IOStream> opened = new ArrayList<>();
        TCPServer.Options options = TCPServer.Options.builder().sslContext(serverCtx).build();
        assertSame(serverCtx, options.sslContext());
        Server server = new Server(options, true);
        TCPClient client = new TCPClient();
        try {
            int port = listen(loop, server);
            // by name: SNI and the certificate check use "localhost"
            IOStream byName = keep(opened, sync(loop, () -> client.connect("localhost", port, tls(clientCtx, null))));
            assertEquals("secret\n", roundTrip(loop, byName, "secret"));
            assertPeerIsOurCertificate(byName);
            assertNotNull(server.next().channel().pipeline().get("ssl"));

            // by address, naming the server explicitly
            TCPClient.ConnectOptions named = tls(clientCtx, "localhost");
            assertEquals("localhost", named.serverHostname());
            assertSame(clientCtx, named.sslContext());
            IOStream byAddress = keep(opened, sync(loop, () -> client.connect("127.0.0.1", port, named)));
            assertEquals("again\n", roundTrip(loop, byAddress, "again"));
            // a bigger payload through the record layer
            StringBuilder big = new StringBuilder();
            while (big.length() < 100_000) {
                big.append("0123456789abcdef");
            }
            assertEquals(big + "\n", roundTrip(loop, byAddress, big.toString()));
            byName.close();
            byAddress.close();
        } finally {
            client.close();
            cleanUp(opened, server);
            loop.close();
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void anUntrustedCertificateFailsTheClientAndTheServerKeepsServing(Transport t) throws Exception {
        IOLoop loop = IOLoop.create(t);
        List<IOStream> opened = new ArrayList<>();
        Server server = new Server(TCPServer.Options.builder().sslContext(serverCtx).build(), true);
        TCPClient client = new TCPClient();
        try {
            int port = listen(loop, server);
            Exception e = assertThrows(Exception.class, () -> sync(loop, () -> client.connect("localhost", port,
                    tls(untrustingClientCtx, null))));
            assertSslFailure(e);
            IOStream failed = server.next();
            waitUntilClosed(failed);
            assertSslFailure(failed.error());

            IOStream good = keep(opened, sync(loop, () -> client.connect("localhost", port, tls(clientCtx, null))));
            assertEquals("still serving\n", roundTrip(loop, good, "still serving"));
            good.close();
        } finally {
            client.close();
            cleanUp(opened, server);
            loop.close();
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void aHostNameTheCertificateDoesNotNameFails(Transport t) throws Exception {
        IOLoop loop = IOLoop.create(t);
        List<IOStream> opened = new ArrayList<>();
        Server server = new Server(TCPServer.Options.builder().sslContext(serverCtx).build(), true);
        TCPClient client = new TCPClient();
        try {
            int port = listen(loop, server);
            Exception e = assertThrows(Exception.class, () -> sync(loop, () -> client.connect("127.0.0.1", port,
                    tls(clientCtx, "wrong.example"))));
            assertSslFailure(e);
            // without serverHostname the host connected to is checked: the certificate does not name 127.0.0.1
            Exception e2 = assertThrows(Exception.class, () -> sync(loop, () -> client.connect("127.0.0.1", port,
                    tls(clientCtx, null))));
            assertSslFailure(e2);

            IOStream good = keep(opened, sync(loop, () -> client.connect("127.0.0.1", port, tls(clientCtx, "localhost"))));
            assertEquals("ok\n", roundTrip(loop, good, "ok"));
            good.close();
        } finally {
            client.close();
            cleanUp(opened, server);
            loop.close();
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void theSslHandlerComesBeforeThePipelineHandlers(Transport t) throws Exception {
        IOLoop loop = IOLoop.create(t);
        List<IOStream> opened = new ArrayList<>();
        Server server = new Server(TCPServer.Options.builder().sslContext(serverCtx)
                .pipeline(p -> p.addLast("lines", new LineBasedFrameDecoder(1024))).build(), false);
        TCPClient client = new TCPClient();
        try {
            int port = listen(loop, server);
            IOStream c = keep(opened, sync(loop, () -> client.connect("localhost", port, tls(clientCtx, null))));
            IOStream s = server.next();
            List<String> names = s.channel().pipeline().names();
            assertTrue(names.indexOf("ssl") == 0 && names.indexOf("lines") == 1
                    && names.indexOf("tornado.iostream") == 2, names.toString());
            // the decoder works on the decrypted bytes
            get(c.write("alpha\nbeta\n"));
            assertEquals("alphabeta", new String(sync(loop, () -> s.readBytes(9)), StandardCharsets.US_ASCII));
            c.close();
        } finally {
            client.close();
            cleanUp(opened, server);
            loop.close();
        }
    }

    // ------------------------------------------------------------------ startTls

    /** A plain connection: the client stream and the server's stream of it. */
    private static IOStream[] plainPair(IOLoop loop, Server server, TCPClient client, List<IOStream> opened) throws Exception {
        int port = server.boundAddresses().get(0).getPort();
        IOStream c = keep(opened, sync(loop, () -> client.connect("127.0.0.1", port)));
        IOStream s = server.next();
        return new IOStream[] {c, s};
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void startTlsOnBothEndsOfAPlainConnection(Transport t) throws Exception {
        IOLoop loop = IOLoop.create(t);
        List<IOStream> opened = new ArrayList<>();
        Server server = new Server(TCPServer.Options.builder().build(), false);
        TCPClient client = new TCPClient();
        try {
            listen(loop, server);
            IOStream[] pair = plainPair(loop, server, client, opened);
            IOStream c = pair[0];
            IOStream s = pair[1];
            // an SMTP-like STARTTLS exchange in the clear (RFC 3207, as Tornado's test_start_tls_smtp)
            get(s.write("220 ready\n"));
            assertEquals("220 ready\n", line(loop, c));
            get(c.write("STARTTLS\n"));
            assertEquals("STARTTLS\n", line(loop, s));
            get(s.write("220 go ahead\n"));
            assertEquals("220 go ahead\n", line(loop, c));

            // the server upgrades first, so the client's hello cannot reach the plain stream
            CompletableFuture<IOStream> serverTls = sync(loop, () ->
                    CompletableFuture.completedFuture(s.startTls(true, serverCtx, null)));
            CompletableFuture<IOStream> clientTls = c.startTls(false, clientCtx, "localhost");
            IOStream ct = keep(opened, get(clientTls));
            IOStream st = keep(opened, get(serverTls));
            assertSame(c.channel(), ct.channel(), "upgraded in place");
            assertSame(s.channel(), st.channel());
            assertPeerIsOurCertificate(ct);
            assertNotNull(st.channel().pipeline().get(SslHandler.class));

            get(ct.write("EHLO client\n"));
            assertEquals("EHLO client\n", line(loop, st));
            get(st.write("250 welcome\n"));
            assertEquals("250 welcome\n", line(loop, ct));

            // closing the TLS client ends the server's stream
            ct.close();
            assertThrows(StreamClosedError.class, () -> sync(loop, () -> st.readBytes(1)));
            waitUntilClosed(st);
        } finally {
            client.close();
            cleanUp(opened, server);
            loop.close();
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void startTlsWithAnUntrustingClientFailsBothEnds(Transport t) throws Exception {
        IOLoop loop = IOLoop.create(t);
        List<IOStream> opened = new ArrayList<>();
        Server server = new Server(TCPServer.Options.builder().build(), false);
        TCPClient client = new TCPClient();
        try {
            listen(loop, server);
            IOStream[] pair = plainPair(loop, server, client, opened);
            CompletableFuture<IOStream> serverTls = sync(loop, () ->
                    CompletableFuture.completedFuture(pair[1].startTls(true, serverCtx, null)));
            CompletableFuture<IOStream> clientTls = pair[0].startTls(false, untrustingClientCtx, "localhost");
            Exception ce = assertThrows(Exception.class, () -> get(clientTls));
            assertSslFailure(ce);
            assertThrows(Exception.class, () -> get(serverTls), "the server's handshake fails too");
            assertTrue(pair[0].channel().closeFuture().await(5, TimeUnit.SECONDS), "the connection is closed");
        } finally {
            client.close();
            cleanUp(opened, server);
            loop.close();
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void startTlsNeedsAnIdleStream(Transport t) throws Exception {
        IOLoop loop = IOLoop.create(t);
        List<IOStream> opened = new ArrayList<>();
        Server server = new Server(TCPServer.Options.builder().build(), false);
        TCPClient client = new TCPClient();
        try {
            listen(loop, server);
            IOStream[] pair = plainPair(loop, server, client, opened);
            IOStream c = pair[0];
            IOStream s = pair[1];

            // a pending read
            CompletableFuture<byte[]> pending = s.readUntil("\n");
            IllegalStateException e1 = assertThrows(IllegalStateException.class, () -> get(s.startTls(true, serverCtx, null)));
            assertTrue(e1.getMessage().contains("startTls"), e1.getMessage());
            // the stream is untouched: the read still completes
            get(c.write("line\n"));
            assertEquals("line\n", new String(get(pending), StandardCharsets.US_ASCII));
            assertNull(s.channel().pipeline().get(SslHandler.class));

            // buffered data
            get(c.write("abc"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (sync(loop, () -> CompletableFuture.completedFuture(s.bufferedBytes())) < 3) {
                assertTrue(System.nanoTime() < deadline, "the bytes never arrived");
                Thread.sleep(5);
            }
            assertThrows(IllegalStateException.class, () -> get(s.startTls(true, serverCtx, null)));
            assertEquals("abc", new String(get(s.readBytes(3)), StandardCharsets.US_ASCII));
            assertNull(s.channel().pipeline().get(SslHandler.class));

            // a closed stream
            c.close();
            waitUntilClosed(s);
            assertThrows(IllegalStateException.class, () -> get(s.startTls(true, serverCtx, null)));
            assertThrows(NullPointerException.class, () -> s.startTls(true, null, null));
        } finally {
            client.close();
            cleanUp(opened, server);
            loop.close();
        }
    }
}
