package io.tornadoj.web;

import io.tornadoj.routing.PathMatches;
import io.tornadoj.routing.Rule;

import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Tornado's {@code URLSpec}: a path regex (anchored), the handler (a {@link RequestHandler} class or a
 * supplier of handlers, or any routing target), its {@code initialize} arguments and an optional name.
 * Build them with {@link Web#url}. Immutable.
 */
public class URLSpec extends Rule {
    /**
     * A URL rule.
     *
     * @param pattern the path regex; groups become the handler method's arguments
     * @param handler a {@code Class<? extends RequestHandler>}, a {@code Supplier<? extends RequestHandler>},
     *                or another routing target
     * @param kwargs  passed to the handler's {@code initialize}, or null
     * @param name    for {@code reverseUrl}, or null
     */
    public URLSpec(String pattern, Object handler, Map<String, Object> kwargs, String name) {
        super(new PathMatches(pattern), handler, kwargs, name);
    }

    /**
     * A URL rule for a handler class.
     *
     * @param pattern the path regex; groups become the handler method's arguments
     * @param handler the handler class (a new instance per request)
     * @param kwargs  passed to the handler's {@code initialize}, or null
     * @param name    for {@code reverseUrl}, or null
     */
    public URLSpec(String pattern, Class<? extends RequestHandler> handler, Map<String, Object> kwargs, String name) {
        this(pattern, (Object) handler, kwargs, name);
    }

    /**
     * A URL rule for a handler supplier, so a lambda or constructor reference compiles.
     *
     * @param pattern the path regex; groups become the handler method's arguments
     * @param handler makes the handler for each request
     * @param kwargs  passed to the handler's {@code initialize}, or null
     * @param name    for {@code reverseUrl}, or null
     */
    public URLSpec(String pattern, Supplier<? extends RequestHandler> handler, Map<String, Object> kwargs,
                   String name) {
        this(pattern, (Object) handler, kwargs, name);
    }

    /** @return the anchored path regex */
    public Pattern regex() {
        return ((PathMatches) matcher()).regex();
    }

    /** @return the handler (the rule's target) */
    public Object handler() {
        return target();
    }

    /** @return the handler's initialize arguments */
    public Map<String, Object> kwargs() {
        return targetKwargs();
    }
}
