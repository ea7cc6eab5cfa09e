package io.tornadoj.template;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The state of one {@link Template#generate} call (Tornado's {@code _CodeWriter} at run time): the
 * namespace, the output, the named blocks in effect, and the template being rendered (its autoescape
 * function applies; included templates and blocks from other files push onto it). Turns exceptions into
 * {@link TemplateError}s naming the template, line and include chain. Confined to the generating thread.
 */
final class Renderer {
    final Map<String, Object> scope;
    final Map<String, Node.NamedBlock> blocks;
    final BaseLoader loader;
    StringBuilder out = new StringBuilder();
    private Template current;
    /** The templates (and their lines) that included or extended the current one, innermost first. */
    private final Deque<Object[]> includeStack = new ArrayDeque<>();

    Renderer(Map<String, Object> scope, Map<String, Node.NamedBlock> blocks, BaseLoader loader, Template current) {
        this.scope = scope;
        this.blocks = blocks;
        this.loader = loader;
        this.current = current;
    }

    /** Runs an action for the node at a line; errors become {@link TemplateError}s at that place. */
    <T> T run(int line, Supplier<T> action) {
        try {
            return action.get();
        } catch (TemplateError | Node.LoopSignal e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            throw error(e, line);
        }
    }

    Object eval(Expr e, int line) {
        return run(line, () -> e.eval(scope));
    }

    /** Applies the current template's autoescape function (a name in the namespace), if any. */
    String autoescape(String s, int line) {
        String fn = current.autoescape();
        if (fn == null) {
            return s;
        }
        return Py.str(run(line, () -> Py.call(new Expr.Name(fn).eval(scope), List.of(s), Map.of())));
    }

    /** Renders a body of another template (an include or a named block) with it as the current template. */
    void include(Template template, int line, Runnable body) {
        includeStack.push(new Object[]{current, line});
        current = template;
        try {
            body.run();
        } finally {
            current = (Template) includeStack.pop()[0];
        }
    }

    TemplateError error(Throwable cause, int line) {
        String message = cause instanceof PyError ? cause.toString()
                : cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
        StringBuilder via = new StringBuilder();
        for (Iterator<Object[]> it = includeStack.iterator(); it.hasNext(); ) {
            Object[] frame = it.next();
            via.append(via.length() == 0 ? " (via " : ", ").append(((Template) frame[0]).name()).append(':').append(frame[1]);
            if (!it.hasNext()) {
                via.append(')');
            }
        }
        return new TemplateError(message, current.name(), line, via.toString(), cause);
    }
}
