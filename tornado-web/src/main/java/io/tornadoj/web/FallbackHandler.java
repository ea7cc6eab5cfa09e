package io.tornadoj.web;

import io.tornadoj.httputil.HTTPMessageDelegate;
import io.tornadoj.httputil.HTTPServerConnectionDelegate;
import io.tornadoj.httputil.RequestStartLine;

import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Tornado's {@code FallbackHandler}: hands the whole request to another
 * {@link HTTPServerConnectionDelegate} ({@code fallback} init argument), which answers it through the
 * same connection — for mounting another application or a plain delegate under a path.
 */
public class FallbackHandler extends RequestHandler {
    private HTTPServerConnectionDelegate fallback;

    /** Made by the Application. */
    public FallbackHandler() {
    }

    /** @param initArgs {@code fallback}: an {@link HTTPServerConnectionDelegate} */
    @Override
    public void initialize(Map<String, Object> initArgs) {
        fallback = (HTTPServerConnectionDelegate) initArgs.get("fallback");
        if (fallback == null) {
            throw new IllegalArgumentException("FallbackHandler needs a 'fallback' argument");
        }
    }

    /** @return null: the request is replayed to the fallback, which answers it */
    @Override
    public CompletionStage<?> prepare() {
        HTTPMessageDelegate d = fallback.startRequest(request().connection(), request().connection());
        d.headersReceived(new RequestStartLine(request().method(), request().uri(), request().version()),
                request().headers());
        if (request().body().length > 0) {
            d.dataReceived(request().body());
        }
        d.finish();
        answeredElsewhere();
        return null;
    }
}
