package io.tornadoj.httpclient;

import java.io.IOException;

/**
 * Tornado's {@code HTTPClientError}: a fetch that failed. {@link #code()} is the HTTP status of a non-2xx
 * response, or 599 when no response came (connection error, timeout, closed stream).
 */
public class HTTPClientError extends IOException {
    private static final long serialVersionUID = 1L;
    private final int code;
    private final transient HTTPResponse response;

    /**
     * A new error.
     *
     * @param code     the status, or 599
     * @param message  what happened (null: the standard reason phrase)
     * @param response the response, if there was one
     */
    public HTTPClientError(int code, String message, HTTPResponse response) {
        this(code, message, response, null);
    }

    /**
     * A new error with a cause.
     *
     * @param code     the status, or 599
     * @param message  what happened
     * @param response the response, or null
     * @param cause    the underlying exception
     */
    public HTTPClientError(int code, String message, HTTPResponse response, Throwable cause) {
        super("HTTP " + code + ": " + (message != null ? message : reasonOf(code)), cause);
        this.code = code;
        this.response = response;
    }

    static String reasonOf(int code) {
        return code == 599 ? "Unknown" : io.netty.handler.codec.http.HttpResponseStatus.valueOf(code).reasonPhrase();
    }

    /** @return the HTTP status, or 599 */
    public int code() {
        return code;
    }

    /** @return the message, e.g. "HTTP 404: Not Found" */
    public String message() {
        return getMessage();
    }

    /** @return the response (for non-2xx statuses and with {@code raiseError=false}), or null */
    public HTTPResponse response() {
        return response;
    }
}
