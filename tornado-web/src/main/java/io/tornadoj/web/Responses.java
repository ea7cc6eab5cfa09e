package io.tornadoj.web;

import io.netty.handler.codec.http.HttpResponseStatus;

/** Standard reason phrases (Python's {@code http.client.responses}). */
final class Responses {
    private Responses() {
    }

    /** The standard phrase for a status, or "Unknown". */
    static String reason(int code) {
        if (code == 418) {
            return "I'm a Teapot";
        }
        HttpResponseStatus s = HttpResponseStatus.valueOf(code);
        String phrase = s.reasonPhrase();
        return phrase.startsWith("Unknown") || phrase.isEmpty() ? "Unknown" : phrase;
    }
}
