package io.tornadoj.web;

/** Tornado's {@code MissingArgumentError}: a required argument is absent; answered with 400. */
public class MissingArgumentError extends HTTPError {
    private static final long serialVersionUID = 1L;
    private final String argName;

    /**
     * An error for an argument.
     *
     * @param argName the missing argument's name
     */
    public MissingArgumentError(String argName) {
        // formatted here, as Tornado does: logMessage() is "Missing argument <name>"
        super(400, "Missing argument " + argName);
        this.argName = argName;
    }

    /** @return the missing argument's name */
    public String argName() {
        return argName;
    }
}
