package io.tornadoj.internal.web;

import io.netty.channel.Channel;
import io.tornadoj.httputil.HTTPHeaders;
import io.tornadoj.web.RequestHandler;

import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * Not public API: what {@code io.tornadoj.websocket} needs from {@link RequestHandler}'s package-private
 * side (the {@code open} method found by name, the response headers, the hand-over of the connection).
 * {@link RequestHandler} installs the implementation when its class is initialized. Loop thread only.
 */
public final class HandlerInternals {
    /** The operations, implemented inside {@code io.tornadoj.web}. */
    public interface Access {
        /**
         * Calls the handler's {@code open} method (found by name when the Application was built, one
         * String per group) with the request's path arguments.
         *
         * @param handler a WebSocket handler
         * @return what {@code open} returned: null, or a stage
         * @throws Throwable what {@code open} threw
         */
        CompletionStage<?> callOpen(RequestHandler handler) throws Throwable;

        /**
         * @param handler a handler
         * @return a copy of the response headers it has set so far, with a {@code Set-Cookie} for each
         *         cookie it has set (as {@link RequestHandler#flush()} sends them)
         */
        HTTPHeaders responseHeaders(RequestHandler handler);

        /**
         * Ends the handler's HTTP life with a {@code 101}: it is finished (logged on tornado.access as 101)
         * and its connection's channel is taken from HTTP ({@link Upgradable#upgrade()}).
         *
         * @param handler a handler whose request has been read
         * @return the channel
         * @throws IllegalStateException when the request's connection cannot be upgraded (nothing changed)
         */
        Channel upgrade(RequestHandler handler);
    }

    private static Access access;

    private HandlerInternals() {
    }

    /**
     * Called once by {@link RequestHandler}'s static initializer.
     *
     * @param a the implementation
     * @throws IllegalStateException when already installed
     */
    public static synchronized void install(Access a) {
        if (access != null) {
            throw new IllegalStateException("already installed");
        }
        access = Objects.requireNonNull(a);
    }

    /**
     * @return the implementation (installed once any handler exists)
     */
    public static synchronized Access access() {
        return access;
    }
}
