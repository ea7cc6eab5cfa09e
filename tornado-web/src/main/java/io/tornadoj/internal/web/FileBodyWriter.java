package io.tornadoj.internal.web;

import java.nio.channels.FileChannel;
import java.util.concurrent.CompletableFuture;

/**
 * A response connection that can send part of a file as body without copying it through the heap (the
 * server's HTTP/1 connection implements it). Not public API: {@code RequestHandler.sendFile} uses it when
 * the connection offers it, and reads and writes the file in chunks otherwise.
 */
public interface FileBodyWriter {
    /**
     * Writes {@code count} bytes of {@code file} from {@code position} as the next part of the response body,
     * after {@code writeHeaders}; they count against a declared Content-Length as with {@code write}. Takes
     * ownership of {@code file}: it is closed once written, when the write fails (the client left), or at once
     * when nothing is sent (a HEAD response, a closed connection). Loop thread.
     *
     * @param file     the open file
     * @param position where to start
     * @param count    how many bytes
     * @return completes on the loop when the bytes are written to the socket; fails with
     *         {@code StreamClosedError} when the connection closed first
     */
    CompletableFuture<Void> writeFile(FileChannel file, long position, long count);
}
