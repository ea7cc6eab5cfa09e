package io.tornadoj.httputil;

/**
 * Tornado's {@code HTTPServerConnectionDelegate}: what an {@code HTTPServer} serves, e.g. an
 * {@code Application}. Called on the connection's loop thread.
 */
public interface HTTPServerConnectionDelegate {
    /**
     * A new request begins on a connection.
     *
     * @param serverConnection  identifies the connection (the same object for each request on it)
     * @param requestConnection writes this request's response
     * @return the delegate that receives the request
     */
    HTTPMessageDelegate startRequest(Object serverConnection, HTTPConnection requestConnection);

    /**
     * A connection closed (Tornado's {@code on_close}). The default does nothing.
     *
     * @param serverConnection the connection
     */
    default void onClose(Object serverConnection) {
    }
}
