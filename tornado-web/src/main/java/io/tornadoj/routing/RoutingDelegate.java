package io.tornadoj.routing;

import io.tornadoj.httputil.HTTPConnection;
import io.tornadoj.httputil.HTTPHeaders;
import io.tornadoj.httputil.HTTPInputError;
import io.tornadoj.httputil.HTTPMessageDelegate;
import io.tornadoj.httputil.HTTPServerRequest;
import io.tornadoj.httputil.RequestStartLine;
import io.tornadoj.httputil.ResponseStartLine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Tornado's {@code _RoutingDelegate}: builds the request when its headers arrive, asks the router for
 * the real delegate and forwards everything to it. A request the router finds no delegate for gets a
 * 404 once its body has been read; a request line or query that is not valid gets a 400 at once. Loop
 * thread.
 */
final class RoutingDelegate implements HTTPMessageDelegate {
    private static final Logger APP_LOG = LoggerFactory.getLogger("tornado.application");
    private static final Logger GEN_LOG = LoggerFactory.getLogger("tornado.general");

    private final Router router;
    private final HTTPConnection connection;
    private HTTPMessageDelegate delegate;

    RoutingDelegate(Router router, Object serverConnection, HTTPConnection connection) {
        this.router = router;
        this.connection = connection;
    }

    @Override
    public CompletionStage<?> headersReceived(RequestStartLine startLine, HTTPHeaders headers) {
        try {
            HTTPServerRequest request = new HTTPServerRequest(startLine.method(), startLine.path(), startLine.version(),
                    headers, connection, connection.remoteIp(), connection.protocol());
            delegate = router.findHandler(request, Map.of());
        } catch (HTTPInputError e) {
            GEN_LOG.info("Malformed HTTP request from {}: {}", connection.remoteIp(), e.getMessage());
            // Malformed (as Tornado's HTTPInputError): answer now; the connection announces and does the close.
            AnswerAfterBody bad = new AnswerAfterBody(connection, 400, "Bad Request");
            bad.answer();
            delegate = bad;
            return null;
        }
        if (delegate == null) {
            APP_LOG.debug("Delegate for {} {} request not found", startLine.method(), startLine.path());
            // Tornado's _DefaultMessageDelegate: read the body, then answer 404, so the connection stays usable
            delegate = new AnswerAfterBody(connection, 404, "Not Found");
            return null;
        }
        return delegate.headersReceived(startLine, headers);
    }

    @Override
    public CompletionStage<?> dataReceived(byte[] chunk) {
        return delegate.dataReceived(chunk);
    }

    @Override
    public void finish() {
        delegate.finish();
    }

    @Override
    public void onConnectionClose() {
        if (delegate != null) {
            delegate.onConnectionClose();
        }
    }

    /** Answers 404 once the request has been read. */
    /**
     * Answers a request nothing can serve with 404 once its body was read, as Tornado's
     * {@code _DefaultMessageDelegate}, so the connection stays usable; or a malformed one with 400 at once.
     */
    private static final class AnswerAfterBody implements HTTPMessageDelegate {
        private final HTTPConnection connection;
        private final int code;
        private final String reason;
        private boolean answered;

        AnswerAfterBody(HTTPConnection connection, int code, String reason) {
            this.connection = connection;
            this.code = code;
            this.reason = reason;
        }

        @Override
        public CompletionStage<?> headersReceived(RequestStartLine startLine, HTTPHeaders headers) {
            return null;
        }

        @Override
        public CompletionStage<?> dataReceived(byte[] chunk) {
            return null;
        }

        @Override
        public void finish() {
            answer();
        }

        void answer() {
            if (answered) {
                return;
            }
            answered = true;
            HTTPHeaders h = new HTTPHeaders();
            h.set("Content-Length", "0");
            connection.writeHeaders(new ResponseStartLine("HTTP/1.1", code, reason), h, null);
            connection.finish();
        }

        @Override
        public void onConnectionClose() {
        }
    }
}
