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
        // Netty names codes it does not know by their class, e.g. "Client Error (435)"
        return phrase.isEmpty() || phrase.endsWith("(" + code + ")") ? "Unknown" : phrase;
    }
}
