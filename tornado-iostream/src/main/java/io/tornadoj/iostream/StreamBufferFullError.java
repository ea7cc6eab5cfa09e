package io.tornadoj.iostream;

import java.io.IOException;

/** A read needs more than {@code maxBufferSize} bytes buffered, or a write would exceed {@code maxWriteBufferSize}. */
public class StreamBufferFullError extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * A new error.
     *
     * @param message which buffer is full
     */
    public StreamBufferFullError(String message) {
        super(message);
    }
}
