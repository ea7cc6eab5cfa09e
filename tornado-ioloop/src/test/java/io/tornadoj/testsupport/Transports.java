package io.tornadoj.testsupport;

import io.tornadoj.ioloop.Transport;

import java.util.Arrays;
import java.util.stream.Stream;

/** The transports that work on this machine, for parameterized tests. */
public final class Transports {
    private Transports() {
    }

    /**
     * Every concrete transport available here (epoll, kqueue and io_uring only where they load).
     *
     * @return the transports to test
     */
    public static Stream<Transport> available() {
        return Arrays.stream(Transport.values()).filter(t -> t != Transport.AUTO && t.isAvailable());
    }
}
