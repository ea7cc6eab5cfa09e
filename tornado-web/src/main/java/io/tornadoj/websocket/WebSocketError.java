package io.tornadoj.websocket;

import java.io.IOException;

/**
 * Tornado's {@code WebSocketError}: the base of this package's errors. Checked, an {@link IOException}, as
 * the other I/O errors of Tornado-J; it usually arrives as the cause of a failed future.
 */
public class WebSocketError extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong
     */
    public WebSocketError(String message) {
        super(message);
    }

    /**
     * @param message what went wrong
     * @param cause   the underlying error, or null
     */
    public WebSocketError(String message, Throwable cause) {
        super(message, cause);
    }
}
