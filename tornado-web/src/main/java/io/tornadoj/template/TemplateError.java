package io.tornadoj.template;

/**
 * An error while generating a template: the template's name and line where it happened (with the chain
 * of templates that included it) are in {@link #filename()}, {@link #lineno()} and the message; the
 * original exception, if any, is the cause. Syntax errors are the subclass {@link ParseError}.
 * Immutable; thrown on the thread that called {@link Template#generate}.
 */
public class TemplateError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String filename;
    private final int lineno;

    /**
     * An error at a place in a template.
     *
     * @param message  what went wrong
     * @param filename the template's name, or null
     * @param lineno   the 1-based line, or 0 when unknown
     * @param cause    the original exception, or null
     */
    public TemplateError(String message, String filename, int lineno, Throwable cause) {
        this(message, filename, lineno, "", cause);
    }

    /** An error with the chain of including templates, {@code " (via page.html:3)"}. */
    TemplateError(String message, String filename, int lineno, String via, Throwable cause) {
        super(message + " at " + filename + ":" + lineno + via, cause);
        this.filename = filename;
        this.lineno = lineno;
    }

    /** @return the name of the template where the error happened (any thread) */
    public String filename() {
        return filename;
    }

    /** @return the 1-based line in {@link #filename()}, 0 when unknown (any thread) */
    public int lineno() {
        return lineno;
    }
}
