package io.tornadoj.web;

import io.tornadoj.httputil.HTTPHeaders;
import io.tornadoj.httputil.HTTPInputError;
import io.tornadoj.httputil.HTTPMessageDelegate;
import io.tornadoj.httputil.HTTPServerRequest;
import io.tornadoj.httputil.RequestStartLine;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Tornado's {@code _HandlerDelegate}: collects a request's body (the connection enforces
 * {@code maxBodySize}), then creates the handler and runs it. Loop thread.
 */
final class HandlerDelegate implements HTTPMessageDelegate {
    private final Application application;
    private final HTTPServerRequest request;
    private final HandlerSpec spec;
    private final Map<String, Object> kwargs;
    private final List<String> pathArgs;
    private final Map<String, String> pathKwargs;
    private ByteArrayOutputStream body;
    private RequestHandler handler;

    HandlerDelegate(Application application, HTTPServerRequest request, HandlerSpec spec, Map<String, Object> kwargs,
                    List<String> pathArgs, Map<String, String> pathKwargs) {
        this.application = application;
        this.request = request;
        this.spec = spec;
        this.kwargs = kwargs;
        this.pathArgs = pathArgs;
        this.pathKwargs = pathKwargs;
    }

    @Override
    public CompletionStage<?> headersReceived(RequestStartLine startLine, HTTPHeaders headers) {
        return null;
    }

    @Override
    public CompletionStage<?> dataReceived(byte[] chunk) {
        if (body == null) {
            body = new ByteArrayOutputStream(Math.max(chunk.length, 256));
        }
        body.writeBytes(chunk);
        return null;
    }

    @Override
    public void finish() {
        HTTPInputError bad = null;
        if (body != null) {
            try {
                request.setBody(body.toByteArray());
            } catch (HTTPInputError e) {
                bad = e;
            }
            body = null;
        }
        try {
            handler = spec.newHandler();
            handler.init(application, request, spec);
            handler.initialize(kwargs);
        } catch (Throwable t) {
            LoggerFactory.getLogger("tornado.application").error("Cannot create handler {} for {}", spec, request, t);
            if (handler == null) {
                throw t;
            }
            handler.handleRequestException(t);
            return;
        }
        if (bad != null) {
            LoggerFactory.getLogger("tornado.general").info("Malformed request body from {}: {}", request.remoteIp(),
                    bad.getMessage());
            handler.sendError(400, new HTTPError(400, bad.getMessage()));
            return;
        }
        handler.execute(pathArgs, pathKwargs);
    }

    @Override
    public void onConnectionClose() {
        if (handler != null) {
            handler.connectionClosed();
        }
    }
}
