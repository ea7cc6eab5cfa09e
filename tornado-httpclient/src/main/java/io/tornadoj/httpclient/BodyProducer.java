package io.tornadoj.httpclient;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Tornado's {@code body_producer}: streams a request body. The client calls it once with a {@code write}
 * function; each call sends a chunk and returns a future that completes when it is written (for flow
 * control); the body ends when the returned stage completes. Runs on the client's loop thread.
 */
@FunctionalInterface
public interface BodyProducer {
    /**
     * Produces the body.
     *
     * @param write sends one chunk
     * @return completes when the whole body was written
     */
    CompletionStage<?> produce(Function<byte[], CompletableFuture<Void>> write);
}
