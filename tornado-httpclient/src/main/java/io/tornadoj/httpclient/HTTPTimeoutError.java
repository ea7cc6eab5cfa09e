package io.tornadoj.httpclient;

/** A request that timed out (connecting, waiting in the queue, or in progress): code 599. */
public class HTTPTimeoutError extends HTTPClientError {
    private static final long serialVersionUID = 1L;

    /**
     * A new error.
     *
     * @param message e.g. "Timeout while connecting"
     */
    public HTTPTimeoutError(String message) {
        super(599, message, null);
    }
}
