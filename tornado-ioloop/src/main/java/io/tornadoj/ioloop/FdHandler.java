package io.tornadoj.ioloop;

/**
 * Handles readiness events of a file descriptor watched with {@link IOLoop#addHandler(int, FdHandler, int)}
 * or a channel watched with {@link IOLoop#addHandler(java.nio.channels.SelectableChannel, FdHandler, int)}.
 * Runs on the loop thread. An exception it throws goes to {@link IOLoop#handleCallbackException}.
 */
@FunctionalInterface
public interface FdHandler {
    /**
     * Called on the loop thread while the fd is ready (level-triggered).
     *
     * @param fd     the watched fd, or -1 for a handler added with a {@code SelectableChannel}
     * @param events a combination of {@link IOLoop#READ}, {@link IOLoop#WRITE} and {@link IOLoop#ERROR}
     * @throws Exception anything; it is reported and the loop goes on
     */
    void handle(int fd, int events) throws Exception;
}
