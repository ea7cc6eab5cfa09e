package io.tornadoj.web;

/**
 * Tornado's {@code Finish}: raised in a handler to end the request without an error; whatever was
 * written so far is sent (like calling {@code finish()}). Unchecked.
 */
public class Finish extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Object chunk;
    private String reason;

    /** Ends the request with what was written. */
    public Finish() {
        this(null);
    }

    /**
     * Ends the request, writing a last chunk first.
     *
     * @param chunk a String, byte[] or Map (JSON), or null
     */
    public Finish(Object chunk) {
        super("Finish", null, false, false);
        this.chunk = chunk;
    }

    /**
     * Sets the reason phrase of the current status.
     *
     * @param reason the phrase
     * @return this
     */
    public Finish reason(String reason) {
        this.reason = reason;
        return this;
    }

    /** @return the reason phrase, or null */
    public String reason() {
        return reason;
    }

    /** @return the last chunk, or null */
    public Object chunk() {
        return chunk;
    }
}
