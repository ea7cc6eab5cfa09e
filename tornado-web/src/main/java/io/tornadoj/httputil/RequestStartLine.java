package io.tornadoj.httputil;

/**
 * The first line of an HTTP request (Tornado's {@code RequestStartLine}).
 *
 * @param method  e.g. {@code GET}
 * @param path    the request target as sent, e.g. {@code /a?b=c}
 * @param version e.g. {@code HTTP/1.1}
 */
public record RequestStartLine(String method, String path, String version) {
}
