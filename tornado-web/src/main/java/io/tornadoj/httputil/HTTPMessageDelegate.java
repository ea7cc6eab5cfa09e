package io.tornadoj.httputil;

import java.util.concurrent.CompletionStage;

/**
 * Tornado's {@code HTTPMessageDelegate}: receives one request as it arrives. Called on the
 * connection's loop thread.
 */
public interface HTTPMessageDelegate {
    /**
     * The start line and headers arrived.
     *
     * @param startLine the request line
     * @param headers   the headers
     * @return null, or a stage: the body is not read until it completes
     */
    CompletionStage<?> headersReceived(RequestStartLine startLine, HTTPHeaders headers);

    /**
     * A body chunk arrived.
     *
     * @param chunk the bytes
     * @return null, or a stage: reading pauses until it completes (flow control)
     */
    CompletionStage<?> dataReceived(byte[] chunk);

    /** The whole request arrived. */
    void finish();

    /** The connection closed before {@link #finish()}. */
    void onConnectionClose();
}
