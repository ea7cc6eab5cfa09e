package io.tornadoj.web;

import java.util.Map;
import java.util.function.Supplier;

/**
 * Static factories for URL rules: Tornado's {@code url(...)} / {@code (pattern, Handler)} tuples.
 *
 * <p>Each arity has a {@code Class} and a {@code Supplier} form, so a class literal, a lambda or a
 * constructor reference ({@code url("/x", H::new, args, "n")}) all compile; the {@code Object} forms take
 * any other routing target (a {@link io.tornadoj.routing.Router}, an
 * {@link io.tornadoj.httputil.HTTPServerConnectionDelegate}, a list of rules). Callable from any thread.
 */
public final class Web {
    private Web() {
    }

    /**
     * A rule for a handler class.
     *
     * @param regex   the path regex
     * @param handler the handler class (a new instance per request)
     * @return the rule
     */
    public static URLSpec url(String regex, Class<? extends RequestHandler> handler) {
        return new URLSpec(regex, handler, null, null);
    }

    /**
     * A rule for a handler supplier (a new handler per request).
     *
     * @param regex   the path regex
     * @param handler makes the handler for each request
     * @return the rule
     */
    public static URLSpec url(String regex, Supplier<? extends RequestHandler> handler) {
        return new URLSpec(regex, handler, null, null);
    }

    /**
     * A rule for a handler class with {@code initialize} arguments.
     *
     * @param regex    the path regex
     * @param handler  the handler class (a new instance per request)
     * @param initArgs passed to {@link RequestHandler#initialize(Map)}, or null
     * @return the rule
     */
    public static URLSpec url(String regex, Class<? extends RequestHandler> handler, Map<String, Object> initArgs) {
        return new URLSpec(regex, handler, initArgs, null);
    }

    /**
     * A rule for a handler supplier (a lambda or constructor reference) with {@code initialize} arguments.
     *
     * @param regex    the path regex
     * @param handler  makes the handler for each request
     * @param initArgs passed to {@link RequestHandler#initialize(Map)}, or null
     * @return the rule
     */
    public static URLSpec url(String regex, Supplier<? extends RequestHandler> handler, Map<String, Object> initArgs) {
        return new URLSpec(regex, handler, initArgs, null);
    }

    /**
     * A rule with {@code initialize} arguments for any routing target.
     *
     * @param regex    the path regex
     * @param handler  a handler class or supplier, or another routing target (a router, a
     *                 connection delegate, a list of rules)
     * @param initArgs passed to {@link RequestHandler#initialize(Map)}, or null
     * @return the rule
     */
    public static URLSpec url(String regex, Object handler, Map<String, Object> initArgs) {
        return new URLSpec(regex, handler, initArgs, null);
    }

    /**
     * A named rule for a handler class with {@code initialize} arguments.
     *
     * @param regex    the path regex
     * @param handler  the handler class (a new instance per request)
     * @param initArgs passed to {@link RequestHandler#initialize(Map)}, or null
     * @param name     for {@link Application#reverseUrl}, or null
     * @return the rule
     */
    public static URLSpec url(String regex, Class<? extends RequestHandler> handler, Map<String, Object> initArgs,
                              String name) {
        return new URLSpec(regex, handler, initArgs, name);
    }

    /**
     * A named rule for a handler supplier (a lambda or constructor reference) with {@code initialize} arguments.
     *
     * @param regex    the path regex
     * @param handler  makes the handler for each request
     * @param initArgs passed to {@link RequestHandler#initialize(Map)}, or null
     * @param name     for {@link Application#reverseUrl}, or null
     * @return the rule
     */
    public static URLSpec url(String regex, Supplier<? extends RequestHandler> handler, Map<String, Object> initArgs,
                              String name) {
        return new URLSpec(regex, handler, initArgs, name);
    }

    /**
     * A named rule with {@code initialize} arguments for any routing target.
     *
     * @param regex    the path regex
     * @param handler  a handler class or supplier, or another routing target (a router, a
     *                 connection delegate, a list of rules)
     * @param initArgs passed to {@link RequestHandler#initialize(Map)}, or null
     * @param name     for {@link Application#reverseUrl}, or null
     * @return the rule
     */
    public static URLSpec url(String regex, Object handler, Map<String, Object> initArgs, String name) {
        return new URLSpec(regex, handler, initArgs, name);
    }
}
