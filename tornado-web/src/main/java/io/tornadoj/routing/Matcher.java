package io.tornadoj.routing;

import io.tornadoj.httputil.HTTPServerRequest;

/**
 * Tornado's routing {@code Matcher}: decides whether a rule applies to a request, and extracts arguments.
 * Called on the connection's loop thread.
 */
public interface Matcher {
    /**
     * Matches a request.
     *
     * @param request the request
     * @return null when it does not match; otherwise the arguments to pass on (possibly empty)
     */
    Match match(HTTPServerRequest request);

    /**
     * Builds a URL back from arguments, for {@link ReversibleRouter#reverseUrl}.
     *
     * @param args the positional arguments
     * @return the URL, or null when this matcher cannot be reversed
     */
    default String reverse(Object... args) {
        return null;
    }

    /**
     * What a successful match yields: Tornado's {@code path_args} and {@code path_kwargs}.
     *
     * @param pathArgs   values of unnamed groups, in order
     * @param pathKwargs values of named groups
     */
    record Match(java.util.List<String> pathArgs, java.util.Map<String, String> pathKwargs) {
        /** A match without arguments. */
        public static final Match EMPTY = new Match(java.util.List.of(), java.util.Map.of());
    }
}
