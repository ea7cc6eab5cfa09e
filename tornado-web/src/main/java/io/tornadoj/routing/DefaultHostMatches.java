package io.tornadoj.routing;

import io.tornadoj.httputil.HTTPServerRequest;

import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Tornado's {@code DefaultHostMatches}: matches when the application's {@code default_host} setting
 * matches the request's host, unless the request came through a proxy that set {@code X-Real-Ip}.
 */
public class DefaultHostMatches implements Matcher {
    private final Supplier<String> defaultHost;
    private final Pattern hostPattern;

    /**
     * A matcher.
     *
     * @param defaultHost  gives the current {@code default_host} setting (may give null)
     * @param hostPattern  the rule's host pattern
     */
    public DefaultHostMatches(Supplier<String> defaultHost, Pattern hostPattern) {
        this.defaultHost = defaultHost;
        this.hostPattern = hostPattern;
    }

    @Override
    public Match match(HTTPServerRequest request) {
        String host = defaultHost.get();
        if (host != null && !request.headers().contains("X-Real-Ip") && hostPattern.matcher(host).lookingAt()) {
            return Match.EMPTY;
        }
        return null;
    }
}
