package io.tornadoj.routing;

import io.tornadoj.httputil.HTTPServerRequest;

import java.util.regex.Pattern;

/** Matches requests whose host name matches a regex (Tornado's {@code HostMatches}); anchored with {@code $}. */
public class HostMatches implements Matcher {
    private final Pattern host;

    /**
     * A host matcher.
     *
     * @param hostPattern a regex for {@link HTTPServerRequest#hostName()}, e.g. {@code ".*\\.example\\.com"}
     */
    public HostMatches(String hostPattern) {
        this.host = Pattern.compile(hostPattern.endsWith("$") ? hostPattern : hostPattern + "$");
    }

    /**
     * A host matcher from a compiled pattern.
     *
     * @param hostPattern the pattern
     */
    public HostMatches(Pattern hostPattern) {
        this.host = hostPattern;
    }

    @Override
    public Match match(HTTPServerRequest request) {
        return host.matcher(request.hostName()).lookingAt() ? Match.EMPTY : null;
    }

    @Override
    public String toString() {
        return "HostMatches(" + host.pattern() + ")";
    }
}
