package io.tornadoj.routing;

import io.tornadoj.httputil.HTTPConnection;
import io.tornadoj.httputil.HTTPMessageDelegate;
import io.tornadoj.httputil.HTTPServerConnectionDelegate;
import io.tornadoj.httputil.HTTPServerRequest;

import java.util.Map;

/**
 * Tornado's {@code Router}: picks the delegate for each request once its headers arrived. A router can be
 * served directly by an {@code HTTPServer}. Called on the connection's loop thread.
 */
public interface Router extends HTTPServerConnectionDelegate {
    /**
     * Finds the delegate for a request.
     *
     * @param request the request (body not yet read)
     * @param kwargs  arguments collected by enclosing routers
     * @return the delegate, or null when nothing matches
     */
    HTTPMessageDelegate findHandler(HTTPServerRequest request, Map<String, Object> kwargs);

    @Override
    default HTTPMessageDelegate startRequest(Object serverConnection, HTTPConnection requestConnection) {
        return new RoutingDelegate(this, serverConnection, requestConnection);
    }
}
