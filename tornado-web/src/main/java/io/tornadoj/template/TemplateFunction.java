package io.tornadoj.template;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A function a template can call, e.g. {@code {{ f(1, x, sep="-") }}}: it receives the positional
 * arguments and the keyword arguments. Values of a template namespace may also be a {@link Supplier}
 * (no argument), a {@link Function} (one) or a {@link BiFunction} (two); {@link #of} adapts them. Called on
 * the thread that generates the template.
 */
@FunctionalInterface
public interface TemplateFunction {
    /**
     * Calls the function.
     *
     * @param args   the positional arguments (unmodifiable; may contain null for {@code None})
     * @param kwargs the keyword arguments by name (unmodifiable, empty when none)
     * @return the result ({@code null} is {@code None})
     */
    Object call(List<Object> args, Map<String, Object> kwargs);

    /**
     * Adapts a callable value: a {@code TemplateFunction} as is, a {@link Supplier}, {@link Function} or
     * {@link BiFunction} taking exactly 0, 1 or 2 positional arguments and no keyword arguments.
     *
     * @param callable the value
     * @return the function
     * @throws IllegalArgumentException when the value is none of these
     */
    @SuppressWarnings("unchecked")
    static TemplateFunction of(Object callable) {
        if (callable instanceof TemplateFunction) {
            return (TemplateFunction) callable;
        }
        int arity;
        if (callable instanceof Supplier) {
            arity = 0;
        } else if (callable instanceof Function) {
            arity = 1;
        } else if (callable instanceof BiFunction) {
            arity = 2;
        } else {
            throw new IllegalArgumentException("not callable: " + (callable == null ? "None"
                    : callable.getClass().getName()));
        }
        return (args, kwargs) -> {
            if (args.size() != arity || !kwargs.isEmpty()) {
                throw new PyError("TypeError", "function takes " + arity + " positional argument(s) but "
                        + args.size() + (kwargs.isEmpty() ? "" : " and keyword arguments") + " were given");
            }
            switch (arity) {
                case 0:
                    return ((Supplier<Object>) callable).get();
                case 1:
                    return ((Function<Object, Object>) callable).apply(args.get(0));
                default:
                    return ((BiFunction<Object, Object, Object>) callable).apply(args.get(0), args.get(1));
            }
        };
    }
}
