package io.tornadoj.httputil;

/**
 * The first line of an HTTP response (Tornado's {@code ResponseStartLine}).
 *
 * @param version e.g. {@code HTTP/1.1}
 * @param code    the status code
 * @param reason  the reason phrase
 */
public record ResponseStartLine(String version, int code, String reason) {
}
