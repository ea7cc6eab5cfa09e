package io.tornadoj.template;

/**
 * Tornado's {@code ParseError}: a template syntax error (including an expression the template language
 * cannot parse), with the template's {@link #filename()} and {@link #lineno()}; the message reads
 * {@code "<problem> at <filename>:<lineno>"}. Thrown on the thread that constructs or loads the template.
 */
public class ParseError extends TemplateError {
    private static final long serialVersionUID = 1L;

    /**
     * A syntax error.
     *
     * @param message  what is wrong
     * @param filename the template's name
     * @param lineno   the 1-based line
     */
    public ParseError(String message, String filename, int lineno) {
        super(message, filename, lineno, null);
    }
}
