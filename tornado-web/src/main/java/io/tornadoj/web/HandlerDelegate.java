package io.tornadoj.web;

import io.tornadoj.httputil.HTTPHeaders;
import io.tornadoj.httputil.HTTPInputError;
import io.tornadoj.httputil.HTTPMessageDelegate;
import io.tornadoj.httputil.HTTPServerRequest;
import io.tornadoj.httputil.RequestStartLine;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.iostream.StreamClosedError;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Tornado's {@code _HandlerDelegate}: collects a request's body (the connection enforces
 * {@code maxBodySize}), then creates the handler and runs it. For a {@link StreamRequestBody} handler, the
 * handler is created and prepared when the headers arrive, and each chunk goes to its
 * {@link RequestHandler#dataReceived(byte[])} (its stage is the connection's flow control). Loop thread.
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
    /** {@link StreamRequestBody}: completes when the body has arrived (fails when the client left). */
    private CompletableFuture<Void> streamedBody;
    /** {@link StreamRequestBody}: a chunk failed; nothing more is delivered. */
    private boolean streamFailed;

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
        if (!spec.streaming) {
            return null;
        }
        if (!createHandler()) {
            streamFailed = true;
            return null;
        }
        streamedBody = new CompletableFuture<>();
        // the body is read once prepare() is done
        return handler.executeStreaming(pathArgs, pathKwargs, streamedBody);
    }

    /** Creates and initializes the handler; false when that failed and the error was answered. */
    private boolean createHandler() {
        try {
            handler = spec.newHandler();
            handler.init(application, request, spec);
            handler.initialize(kwargs);
            return true;
        } catch (Throwable t) {
            LoggerFactory.getLogger("tornado.application").error("Cannot create handler {} for {}", spec, request, t);
            if (handler == null) {
                throw t;
            }
            handler.handleRequestException(t);
            return false;
        }
    }

    @Override
    public CompletionStage<?> dataReceived(byte[] chunk) {
        if (streamedBody != null || streamFailed) {
            return streamChunk(chunk);
        }
        if (body == null) {
            body = new ByteArrayOutputStream(Math.max(chunk.length, 256));
        }
        body.writeBytes(chunk);
        return null;
    }

    /** Hands a chunk to a {@link StreamRequestBody} handler; a failure is answered (500) here, logged once. */
    private CompletionStage<?> streamChunk(byte[] chunk) {
        if (streamFailed || handler.isFinished()) {
            return null; // answered already (the connection closes): the rest of the body is dropped
        }
        CompletionStage<?> stage;
        try {
            stage = handler.dataReceived(chunk);
        } catch (Throwable t) {
            streamFailed(t);
            return null;
        }
        if (stage == null) {
            return null;
        }
        IOLoop loop = IOLoop.current();
        CompletableFuture<Void> done = new CompletableFuture<>();
        stage.whenComplete((v, t) -> {
            Runnable r = () -> {
                if (t != null) {
                    streamFailed(t);
                }
                done.complete(null);
            };
            if (loop.inLoop()) {
                r.run();
            } else {
                loop.addCallback(r);
            }
        });
        return done;
    }

    private void streamFailed(Throwable t) {
        if (streamFailed) {
            return;
        }
        streamFailed = true;
        // answered with the error, before the body's end: the connection closes after the response
        handler.handleRequestException(t);
    }

    @Override
    public void finish() {
        if (streamedBody != null || streamFailed) {
            if (streamedBody != null && !streamFailed) {
                streamedBody.complete(null);
            }
            return;
        }
        HTTPInputError bad = null;
        if (body != null) {
            try {
                request.setBody(body.toByteArray());
            } catch (HTTPInputError e) {
                bad = e;
            }
            body = null;
        }
        if (!createHandler()) {
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
        if (streamedBody != null) {
            streamFailed = true; // a chunk's stage failing now (e.g. its file closed) has no one to answer
            streamedBody.completeExceptionally(new StreamClosedError(null));
        }
        if (handler != null) {
            handler.connectionClosed();
        }
    }
}
