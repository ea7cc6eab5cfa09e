package io.tornadoj.routing;

import java.util.Map;
import java.util.Objects;

/**
 * Tornado's routing {@code Rule}: a {@link Matcher} and a target — a {@link Router}, an
 * {@link io.tornadoj.httputil.HTTPServerConnectionDelegate}, a {@code List} of rules (a nested
 * router), or, in an {@code Application}, a {@code RequestHandler} class or supplier — with keyword
 * arguments for the target and an optional name for reversing. Immutable.
 */
public class Rule {
    private final Matcher matcher;
    private final Object target;
    private final Map<String, Object> targetKwargs;
    private final String name;

    /**
     * A rule.
     *
     * @param matcher      decides which requests it takes
     * @param target       what handles them
     * @param targetKwargs arguments for the target (a handler's {@code initialize}), or null
     * @param name         the name for {@code reverseUrl}, or null
     */
    public Rule(Matcher matcher, Object target, Map<String, Object> targetKwargs, String name) {
        this.matcher = Objects.requireNonNull(matcher, "matcher");
        this.target = Objects.requireNonNull(target, "target");
        this.targetKwargs = targetKwargs == null ? Map.of() : Map.copyOf(targetKwargs);
        this.name = name;
    }

    /**
     * A rule with arguments for the target and no name.
     *
     * @param matcher      decides which requests it takes
     * @param target       what handles them
     * @param targetKwargs arguments for the target (a handler's {@code initialize}), or null
     */
    public Rule(Matcher matcher, Object target, Map<String, Object> targetKwargs) {
        this(matcher, target, targetKwargs, null);
    }

    /**
     * A rule without arguments or name.
     *
     * @param matcher decides which requests it takes
     * @param target  what handles them
     */
    public Rule(Matcher matcher, Object target) {
        this(matcher, target, null, null);
    }

    /** @return the matcher */
    public Matcher matcher() {
        return matcher;
    }

    /** @return the target */
    public Object target() {
        return target;
    }

    /** @return the target's keyword arguments */
    public Map<String, Object> targetKwargs() {
        return targetKwargs;
    }

    /** @return the name, or null */
    public String name() {
        return name;
    }

    /**
     * Builds a URL for this rule from arguments.
     *
     * @param args one per group of the matcher
     * @return the URL, or null when the matcher cannot be reversed
     */
    public String reverse(Object... args) {
        return matcher.reverse(args);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + matcher + ", " + target + (name == null ? "" : ", name=" + name) + ")";
    }
}
