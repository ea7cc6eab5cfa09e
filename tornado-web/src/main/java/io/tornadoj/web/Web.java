package io.tornadoj.web;

import java.util.Map;
import java.util.function.Supplier;

/** Static factories for URL rules: Tornado's {@code url(...)} / {@code (pattern, Handler)} tuples. */
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
     * A rule with {@code initialize} arguments.
     *
     * @param regex    the path regex
     * @param handler  a handler class or supplier
     * @param initArgs passed to {@link RequestHandler#initialize(Map)}
     * @return the rule
     */
    public static URLSpec url(String regex, Object handler, Map<String, Object> initArgs) {
        return new URLSpec(regex, handler, initArgs, null);
    }

    /**
     * A named rule with {@code initialize} arguments.
     *
     * @param regex    the path regex
     * @param handler  a handler class or supplier
     * @param initArgs passed to {@link RequestHandler#initialize(Map)}, or null
     * @param name     for {@link Application#reverseUrl}
     * @return the rule
     */
    public static URLSpec url(String regex, Object handler, Map<String, Object> initArgs, String name) {
        return new URLSpec(regex, handler, initArgs, name);
    }
}
