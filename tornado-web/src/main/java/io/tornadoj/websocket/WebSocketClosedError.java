package io.tornadoj.websocket;

/**
 * Tornado's {@code WebSocketClosedError}: a write or ping on a WebSocket connection that is closed or
 * closing (a close frame was sent or received). Futures of {@code writeMessage} and {@code ping} fail
 * with it.
 */
public class WebSocketClosedError extends WebSocketError {
    private static final long serialVersionUID = 1L;

    /** The connection is closed or closing. */
    public WebSocketClosedError() {
        super("WebSocket connection closed");
    }

    /**
     * @param cause why the write failed (the channel's error), or null
     */
    public WebSocketClosedError(Throwable cause) {
        super("WebSocket connection closed", cause);
    }
}
