package io.tornadoj.routing;

/** Tornado's {@code ReversibleRouter}: a router that can build URLs for its named rules. */
public interface ReversibleRouter extends Router {
    /**
     * The URL of a named rule.
     *
     * @param name the rule's name
     * @param args one per group of its pattern
     * @return the URL, or null when no rule has that name
     */
    String reverseUrl(String name, Object... args);
}
