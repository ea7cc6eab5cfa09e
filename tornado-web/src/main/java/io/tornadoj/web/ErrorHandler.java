package io.tornadoj.web;

import java.util.Map;
import java.util.concurrent.CompletionStage;

/** Tornado's {@code ErrorHandler}: answers every request with {@code status_code} (init argument). */
public class ErrorHandler extends RequestHandler {
    private int statusCode = 404;

    /** Made by the Application. */
    public ErrorHandler() {
    }

    /** @param initArgs {@code status_code} (an Integer) */
    @Override
    public void initialize(Map<String, Object> initArgs) {
        Object code = initArgs.get("status_code");
        if (code != null) {
            statusCode = ((Number) code).intValue();
        }
    }

    /** @return never: raises the configured {@link HTTPError} */
    @Override
    public CompletionStage<?> prepare() {
        throw new HTTPError(statusCode);
    }
}
