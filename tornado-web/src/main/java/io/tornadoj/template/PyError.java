package io.tornadoj.template;

/**
 * An error raised by the expression language itself, named after the Python exception it stands for
 * ({@code NameError}, {@code KeyError}, {@code TypeError}...), so {@code {% except KeyError %}} can match it.
 * Wrapped in a {@link TemplateError} with the template's name and line when it leaves a template.
 */
final class PyError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String type;

    PyError(String type, String message) {
        super(message, null, false, false);
        this.type = type;
    }

    /** @return the Python exception name, e.g. {@code "KeyError"} */
    String type() {
        return type;
    }

    @Override
    public String toString() {
        return type + ": " + getMessage();
    }
}
