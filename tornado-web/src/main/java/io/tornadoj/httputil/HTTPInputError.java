package io.tornadoj.httputil;

/**
 * Tornado's {@code HTTPInputError}: a malformed HTTP message from the peer (answered with a 4xx, never a
 * crash). Unchecked, like the {@code ValueError}-style exceptions of Tornado's {@code httputil} helpers
 * ({@link HTTPUtil#parseBodyArguments}, {@link HTTPUtil#parseMultipartFormData},
 * {@link HTTPUtil#parseRequestStartLine}, {@link HTTPUtil#parseResponseStartLine}) that raise it.
 */
public class HTTPInputError extends RuntimeException {
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
