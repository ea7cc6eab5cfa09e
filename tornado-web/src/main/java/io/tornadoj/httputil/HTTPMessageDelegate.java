package io.tornadoj.httputil;

import java.util.concurrent.CompletionStage;

/**
 * Tornado's {@code HTTPMessageDelegate}: receives one request as it arrives. Called on the
 * connection's loop thread. Every method has a default that does nothing (as in Tornado), so a delegate
 * overrides only what it needs.
 */
public interface HTTPMessageDelegate {
    /**
     * The start line and headers arrived. The default does nothing.
     *
     * @param startLine the request line
     * @param headers   the headers
     * @return null, or a stage: the body is not read until it completes
     */
    default CompletionStage<?> headersReceived(RequestStartLine startLine, HTTPHeaders headers) {
        return null;
    }

    /**
     * A body chunk arrived. The default drops it.
     *
     * @param chunk the bytes
     * @return null, or a stage: reading pauses until it completes (flow control)
     */
    default CompletionStage<?> dataReceived(byte[] chunk) {
        return null;
    }

    /** The whole request arrived. The default does nothing. */
    default void finish() {
    }

    /** The connection closed before {@link #finish()}. The default does nothing. */
    default void onConnectionClose() {
    }
}
