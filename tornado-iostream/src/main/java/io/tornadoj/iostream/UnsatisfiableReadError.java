package io.tornadoj.iostream;

import java.io.IOException;

/** A read cannot be satisfied: e.g. {@code readUntil} did not find the delimiter within {@code maxBytes}. */
public class UnsatisfiableReadError extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * A new error.
     *
     * @param message what could not be read
     */
    public UnsatisfiableReadError(String message) {
        super(message);
    }
}
