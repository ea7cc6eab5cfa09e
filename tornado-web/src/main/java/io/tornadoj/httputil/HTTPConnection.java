package io.tornadoj.httputil;

import java.util.concurrent.CompletableFuture;

/**
 * Tornado's {@code HTTPConnection}: how a request's handler writes its response. Implemented by the
 * server's connection; call it on the connection's loop thread.
 */
public interface HTTPConnection {
    /**
     * Writes the response start line and headers, and the first body chunk.
     *
     * @param startLine the status line
     * @param headers   the headers; without Content-Length an HTTP/1.1 body is sent chunked
     * @param chunk     the first body bytes, or null
     * @return completes when written to the socket
     */
    CompletableFuture<Void> writeHeaders(ResponseStartLine startLine, HTTPHeaders headers, byte[] chunk);

    /**
     * Writes a body chunk.
     *
     * @param chunk the bytes
     * @return completes when written to the socket
     */
    CompletableFuture<Void> write(byte[] chunk);

    /**
     * Ends the response.
     *
     * @return completes when the last bytes are written
     */
    CompletableFuture<Void> finish();

    /**
     * The client's IP address for the current request (from X-Real-Ip / X-Forwarded-For when the server
     * trusts them, {@code xheaders}).
     *
     * @return the address as text
     */
    String remoteIp();

    /**
     * The current request's scheme (from X-Scheme / X-Forwarded-Proto when the server trusts them).
     *
     * @return {@code http} or {@code https}
     */
    String protocol();

    /**
     * Limits this request's body (Tornado's {@code set_max_body_size}); call before the body arrives.
     *
     * @param maxBodySize the limit in bytes
     */
    void setMaxBodySize(long maxBodySize);

    /**
     * Takes the connection away from HTTP (Tornado's {@code detach}): the codec handlers leave the
     * pipeline and the raw connection comes back as a stream; the server forgets it.
     *
     * @return the stream
     */
    io.tornadoj.iostream.IOStream detach();

    /**
     * Limits the time to read this request's body (Tornado's {@code set_body_timeout}).
     *
     * @param seconds the limit
     */
    void setBodyTimeout(double seconds);
}
