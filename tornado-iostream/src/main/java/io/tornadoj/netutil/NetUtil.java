package io.tornadoj.netutil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Tornado's {@code netutil} helpers. */
public final class NetUtil {
    private NetUtil() {
    }

    /**
     * A loopback TCP port that was free a moment ago (Tornado's {@code bind_unused_port}). Another process
     * may take it before you bind: prefer {@code listen(0)} and {@code boundAddresses()}. Any thread.
     *
     * @return the port number
     */
    public static int bindUnusedPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }
}
