package io.tornadoj.iostream;

import java.io.IOException;

/**
 * The stream closed before (or while) an operation could complete. {@link #realError()} says why, when
 * the close was caused by an error rather than an orderly close.
 */
public class StreamClosedError extends IOException {
    private static final long serialVersionUID = 1L;
    private final Throwable realError;

    /**
     * A new error.
     *
     * @param realError why the stream closed, or null for an orderly close
     */
    public StreamClosedError(Throwable realError) {
        super(realError == null ? "Stream is closed" : "Stream is closed: " + realError, realError);
        this.realError = realError;
    }

    /**
     * The error that closed the stream.
     *
     * @return it, or null after an orderly close
     */
    public Throwable realError() {
        return realError;
    }
}
