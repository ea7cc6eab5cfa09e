package io.tornadoj.web;

/**
 * Tornado's {@code HTTPError}: raised in a handler to answer with a status. The log message (formatted
 * with its arguments) is logged, never shown to the client; the reason is the status line's phrase.
 * Unchecked.
 */
public class HTTPError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int statusCode;
    private final String logMessage;
    private final transient Object[] args;
    private String reason;

    /**
     * An error with a status and no log message.
     *
     * @param statusCode the HTTP status
     */
    public HTTPError(int statusCode) {
        this(statusCode, null);
    }

    /**
     * An error with a log message ({@link String#format} style; Tornado's {@code %s} placeholders work).
     *
     * @param statusCode the HTTP status
     * @param logMessage the message for the log, or null
     * @param args       its arguments
     */
    public HTTPError(int statusCode, String logMessage, Object... args) {
        super(format(statusCode, logMessage, args));
        this.statusCode = statusCode;
        this.logMessage = logMessage;
        this.args = args;
    }

    private static String format(int code, String message, Object[] args) {
        String text = message == null ? null : args == null || args.length == 0 ? message : String.format(message, args);
        return "HTTP " + code + ": " + Responses.reason(code) + (text == null ? "" : " (" + text + ")");
    }

    /**
     * Sets the reason phrase sent with the status.
     *
     * @param reason the phrase
     * @return this
     */
    public HTTPError reason(String reason) {
        this.reason = reason;
        return this;
    }

    /** @return the reason phrase, or null for the standard one */
    public String reason() {
        return reason;
    }

    /** @return the HTTP status */
    public int statusCode() {
        return statusCode;
    }

    /** @return the log message (unformatted), or null */
    public String logMessage() {
        return logMessage;
    }

    /** @return the log message's arguments */
    public Object[] args() {
        return args == null ? new Object[0] : args.clone();
    }
}
