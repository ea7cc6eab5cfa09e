package io.tornadoj.examples.web;

import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.web.Application;
import io.tornadoj.web.RequestHandler;
import io.tornadoj.web.StreamRequestBody;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

import static io.tornadoj.web.Web.url;

/**
 * Streaming uploads with {@link StreamRequestBody}: {@code PUT /upload/NAME} writes the body to
 * {@code DIRECTORY/NAME} chunk by chunk as it arrives, so memory stays flat whatever the size (up to
 * {@code max_upload_size}, which {@code prepare()} sets with {@code request().connection().setMaxBodySize}; the
 * server's default limit is 100 MiB). Each chunk is written off the loop with {@code runInExecutor}, and the stage
 * it returns is flow control: the connection reads no more of the body until the chunk is on disk, so a fast client
 * cannot fill the heap. The answer is JSON: {@code {"name", "bytes", "sha256"}}. A client that leaves mid-upload (or
 * an error) leaves no partial file behind.
 *
 * <p>Try: {@code head -c 1G /dev/urandom > big && curl -T big http://localhost:8888/upload/big}
 */
public final class UploadExample {
    /** The default {@code max_upload_size}: 2 GiB. */
    public static final long DEFAULT_MAX_UPLOAD_SIZE = 2L * 1024 * 1024 * 1024;

    private UploadExample() {
    }

    /** Streams a PUT body to a file. Init arguments: {@code directory} (a Path), {@code max_upload_size} (bytes). */
    @StreamRequestBody
    public static class UploadHandler extends RequestHandler {
        private Path directory;
        private long maxUploadSize;
        private Path target;
        private Path partial;
        private FileChannel file;
        private MessageDigest sha256;
        private long bytes;

        @Override
        public void initialize(Map<String, Object> initArgs) {
            directory = (Path) initArgs.get("directory");
            Object max = initArgs.get("max_upload_size");
            maxUploadSize = max == null ? DEFAULT_MAX_UPLOAD_SIZE : ((Number) max).longValue();
        }

        /** Before the body: raise the limit, open the file. */
        @Override
        public CompletionStage<?> prepare() {
            request().connection().setMaxBodySize(maxUploadSize);
            String name = pathArgs().get(0);
            if (name.isEmpty() || name.startsWith(".") || name.contains("/") || name.contains("\\")) {
                sendError(400); // never a path outside the directory; the connection closes, no body is read
                return null;
            }
            try {
                sha256 = MessageDigest.getInstance("SHA-256");
                target = directory.resolve(name);
                partial = Files.createTempFile(directory, ".upload-", ".part");
                file = FileChannel.open(partial, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            } catch (IOException | NoSuchAlgorithmException e) {
                throw new IllegalStateException("cannot start upload", e);
            }
            return null;
        }

        /** One chunk: hashed on the loop, written off it; the returned stage holds the next chunk back. */
        @Override
        public CompletionStage<?> dataReceived(byte[] chunk) {
            sha256.update(chunk);
            bytes += chunk.length;
            return IOLoop.current().runInExecutor(null, () -> {
                ByteBuffer buf = ByteBuffer.wrap(chunk);
                while (buf.hasRemaining()) {
                    file.write(buf);
                }
                return null;
            });
        }

        /**
         * The whole body is on disk: move it into place and answer.
         *
         * @param name the file name, from the URL
         * @throws IOException when the file cannot be finished
         */
        public void put(String name) throws IOException {
            file.close();
            Files.move(partial, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            partial = null;
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("name", name);
            answer.put("bytes", bytes);
            answer.put("sha256", HexFormat.of().formatHex(sha256.digest()));
            write(answer);
        }

        @Override
        public void onConnectionClose() {
            cleanUp();
        }

        @Override
        public void onFinish() {
            cleanUp();
        }

        /** Closes the file and removes what was not moved into place (an error, an aborted upload). */
        private void cleanUp() {
            try {
                if (file != null) {
                    file.close();
                }
                if (partial != null) {
                    Files.deleteIfExists(partial);
                    partial = null;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * @param directory     where uploads go
     * @param maxUploadSize the largest body accepted, in bytes
     * @return the application
     */
    public static Application makeApp(Path directory, long maxUploadSize) {
        return new Application(List.of(
                url("/upload/([^/]+)", UploadHandler.class,
                        Map.of("directory", directory, "max_upload_size", maxUploadSize))));
    }

    /**
     * Serves on the port given as the first argument (default 8888), storing into the second (default: a new
     * temporary directory).
     *
     * @param args [port [directory]]
     * @throws IOException when the directory cannot be made
     */
    public static void main(String[] args) throws IOException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8888;
        Path dir = args.length > 1 ? Files.createDirectories(Path.of(args[1])) : Files.createTempDirectory("uploads");
        makeApp(dir, DEFAULT_MAX_UPLOAD_SIZE).listen(port);
        System.out.println("Uploads go to " + dir + ". Try: curl -T somefile http://localhost:" + port + "/upload/somefile");
        IOLoop.current().start();
    }
}
