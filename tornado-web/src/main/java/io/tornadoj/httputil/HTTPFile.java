package io.tornadoj.httputil;

/**
 * A file uploaded in a {@code multipart/form-data} body (Tornado's {@code HTTPFile}).
 *
 * @param filename    the client's file name
 * @param body        the file's bytes
 * @param contentType its declared content type
 */
public record HTTPFile(String filename, byte[] body, String contentType) {
}
