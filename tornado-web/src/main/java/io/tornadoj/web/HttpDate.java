package io.tornadoj.web;

import io.tornadoj.httputil.HTTPUtil;

import java.time.Instant;

/** The Date header for "now", formatted once per second (every response carries it). Thread-safe. */
final class HttpDate {
    private static volatile Cached cached = new Cached(-1, "");

    private record Cached(long second, String text) {
    }

    private HttpDate() {
    }

    static String now() {
        long second = System.currentTimeMillis() / 1000;
        Cached c = cached;
        if (c.second != second) {
            c = new Cached(second, HTTPUtil.formatTimestamp(Instant.ofEpochSecond(second)));
            cached = c;
        }
        return c.text;
    }
}
