package io.tornadoj.internal.web;

import io.netty.channel.Channel;

/**
 * Not public API: an HTTP connection whose channel can be handed over to another protocol after an
 * {@code Upgrade} (WebSocket). Implemented by the HTTP server's connection. Loop thread only.
 */
public interface Upgradable {
    /**
     * Takes the channel away from HTTP, keeping the HTTP codec in the pipeline so that the upgrade's
     * {@code 101} response can still be written through it: the connection's own handler (and the body
     * decompressor) leave the pipeline, the server forgets the connection, reading stays paused, and the
     * peer's end of input becomes the close.
     *
     * @return the channel
     */
    Channel upgrade();
}
