package io.tornadoj.websocket;

/**
 * The server refused the WebSocket handshake ({@link WebSocket#connect}): where Tornado raises an
 * {@code HTTPClientError}, Tornado-J fails the connect future with this error (tornado-web cannot use the
 * HTTP client's class). {@link #code()} is the response's status (e.g. 404, 403, 426), or 101 when the
 * server switched protocols with an invalid handshake response.
 */
public class WebSocketHandshakeError extends WebSocketError {
    private static final long serialVersionUID = 1L;
    private final int code;

    /**
     * @param code    the response's status
     * @param message what went wrong
     * @param cause   the underlying error, or null
     */
    public WebSocketHandshakeError(int code, String message, Throwable cause) {
        super("HTTP " + code + ": " + message, cause);
        this.code = code;
    }

    /** @return the response's HTTP status */
    public int code() {
        return code;
    }
}
