package io.tornadoj.routing;

import io.tornadoj.httputil.HTTPServerRequest;

/** Matches every request (Tornado's {@code AnyMatches}). */
public class AnyMatches implements Matcher {
    /** The matcher. */
    public AnyMatches() {
    }

    @Override
    public Match match(HTTPServerRequest request) {
        return Match.EMPTY;
    }
}
