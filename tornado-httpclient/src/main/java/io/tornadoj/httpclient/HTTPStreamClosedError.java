package io.tornadoj.httpclient;

/** The connection closed before the response was complete: code 599. */
public class HTTPStreamClosedError extends HTTPClientError {
    private static final long serialVersionUID = 1L;

    /**
     * A new error.
     *
     * @param message what closed
     * @param cause   the underlying error, or null
     */
    public HTTPStreamClosedError(String message, Throwable cause) {
        super(599, message, null, cause);
    }
}
