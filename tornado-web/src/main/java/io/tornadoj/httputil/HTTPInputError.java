package io.tornadoj.httputil;

import java.io.IOException;

/** Tornado's {@code HTTPInputError}: a malformed HTTP message from the peer (answered with a 4xx, never a crash). */
public class HTTPInputError extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * A new error.
     *
     * @param message what was malformed
     */
    public HTTPInputError(String message) {
        super(message);
    }
}
