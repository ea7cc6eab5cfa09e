package io.tornadoj.examples.web;

import io.tornadoj.httputil.MultipartStreamParser;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.web.Application;
import io.tornadoj.web.HTTPError;
import io.tornadoj.web.RequestHandler;
import io.tornadoj.web.StreamRequestBody;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

import static io.tornadoj.web.Web.url;

/**
 * Streaming uploads with {@link StreamRequestBody}, two ways, each keeping memory flat whatever the size (up to
 * {@code max_upload_size}, which {@code prepare()} sets with {@code request().connection().setMaxBodySize}; the
 * server's default limit is 100 MiB):
 *
 * <ul>
 * <li>{@code PUT /upload/NAME} writes the raw body to {@code DIRECTORY/NAME} chunk by chunk as it arrives. The
 * answer is JSON: {@code {"name", "bytes", "sha256"}}.
 * <li>{@code POST /form} takes a {@code multipart/form-data} body (an HTML form with file inputs), parsed as it
 * streams by a {@link MultipartStreamParser}: each file part goes to {@code DIRECTORY/<its file name>} chunk by
 * chunk, plain fields are collected (up to 64 KiB). The answer is JSON:
 * {@code {"fields": {name: [values]}, "files": [{"field", "name", "bytes", "sha256"}]}}; a malformed body is a 400.
 * </ul>
 *
 * <p>Chunks are written off the loop with {@code runInExecutor}, and the stage that returns is flow control: the
 * connection reads no more of the body until the chunk is on disk, so a fast client cannot fill the heap. A
 * client that leaves mid-upload (or an error) leaves no partial file behind.
 *
 * <p>Try: {@code head -c 1G /dev/urandom > big && curl -T big http://localhost:8888/upload/big}, or
 * {@code curl -F note=hi -F file=@big http://localhost:8888/form}
 */
public final class UploadExample {
    /** The default {@code max_upload_size}: 2 GiB. */
    public static final long DEFAULT_MAX_UPLOAD_SIZE = 2L * 1024 * 1024 * 1024;

    private UploadExample() {
    }

    /**
     * What both handlers share: the init arguments {@code directory} (a Path) and {@code max_upload_size} (bytes),
     * and one file at a time streamed to a temporary file in the directory — hashed on the loop, written off it —
     * then moved into place; a file not moved into place (an error, a client gone) is deleted.
     */
    abstract static class DiskUploadHandler extends RequestHandler {
        private Path directory;
        private long maxUploadSize;
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

        /** Before the body: raise the limit. */
        @Override
        public CompletionStage<?> prepare() {
            request().connection().setMaxBodySize(maxUploadSize);
            return null;
        }

        /** @return whether a client's file name is a plain name in the directory (no path, not hidden) */
        static boolean safeName(String name) {
            return !name.isEmpty() && !name.startsWith(".") && !name.contains("/") && !name.contains("\\");
        }

        /** Starts a file: a temporary one in the directory. */
        void startFile() {
            try {
                sha256 = MessageDigest.getInstance("SHA-256");
                partial = Files.createTempFile(directory, ".upload-", ".part");
                file = FileChannel.open(partial, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            } catch (IOException | NoSuchAlgorithmException e) {
                throw new IllegalStateException("cannot start upload", e);
            }
            bytes = 0;
        }

        /** The next bytes of the file: the stage completes when they are on disk. */
        CompletionStage<?> writeChunk(byte[] chunk) {
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

        /** The file is complete: moved to {@code DIRECTORY/name}; returns {@code {"bytes", "sha256"}}. */
        Map<String, Object> finishFile(String name) {
            try {
                file.close();
                Files.move(partial, directory.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            partial = null;
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("bytes", bytes);
            result.put("sha256", HexFormat.of().formatHex(sha256.digest()));
            return result;
        }

        @Override
        public void onConnectionClose() {
            cleanUp();
        }

        @Override
        public void onFinish() {
            cleanUp();
        }

        /** Closes the file and removes what was not moved into place. */
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

    /** Streams a PUT body to {@code DIRECTORY/NAME}. */
    @StreamRequestBody
    public static class UploadHandler extends DiskUploadHandler {
        /** Before the body: raise the limit, check the name, open the file. */
        @Override
        public CompletionStage<?> prepare() {
            super.prepare();
            if (!safeName(pathArgs().get(0))) {
                sendError(400); // never a path outside the directory; the connection closes, no body is read
                return null;
            }
            startFile();
            return null;
        }

        /** One chunk; the returned stage holds the next chunk back until this one is on disk. */
        @Override
        public CompletionStage<?> dataReceived(byte[] chunk) {
            return writeChunk(chunk);
        }

        /**
         * The whole body is on disk: move it into place and answer.
         *
         * @param name the file name, from the URL
         */
        public void put(String name) {
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("name", name);
            answer.putAll(finishFile(name));
            write(answer);
        }
    }

    /** Streams the file parts of a {@code multipart/form-data} POST to files named after them. */
    @StreamRequestBody
    public static class FormUploadHandler extends DiskUploadHandler implements MultipartStreamParser.Listener {
        /** The most bytes of plain field values a form may have. */
        static final int MAX_FIELDS_SIZE = 64 * 1024;

        private MultipartStreamParser parser;
        private final List<Map<String, Object>> files = new ArrayList<>();

        /** Before the body: raise the limit, make the parser (a Content-Type without a boundary is a 400). */
        @Override
        public CompletionStage<?> prepare() {
            super.prepare();
            // a bad Content-Type raises HTTPInputError, which the handler answers with a 400
            parser = MultipartStreamParser.forContentType(request().headers().get("Content-Type", ""), this,
                    MAX_FIELDS_SIZE);
            return null;
        }

        /** Each chunk goes to the parser; its stage completes once the chunk's file data is on disk. */
        @Override
        public CompletionStage<?> dataReceived(byte[] chunk) {
            return parser.feed(chunk);
        }

        /** A file part begins (its name without any directory part); a hidden or empty name is a 400. */
        @Override
        public CompletionStage<?> partBegin(MultipartStreamParser.Part part) {
            String name = part.filename().substring(Math.max(part.filename().lastIndexOf('/'), part.filename().lastIndexOf('\\')) + 1);
            if (!safeName(name)) {
                throw new HTTPError(400, "bad file name %s", part.filename());
            }
            startFile();
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("field", part.name());
            entry.put("name", name);
            files.add(entry);
            return null;
        }

        /** File data, written to disk. */
        @Override
        public CompletionStage<?> partData(MultipartStreamParser.Part part, byte[] chunk) {
            return writeChunk(chunk);
        }

        /** The part is complete: move the file into place. */
        @Override
        public CompletionStage<?> partEnd(MultipartStreamParser.Part part) {
            Map<String, Object> entry = files.get(files.size() - 1);
            entry.putAll(finishFile((String) entry.get("name")));
            return null;
        }

        /**
         * The whole body has been read: answer with what it held.
         *
         * @return completes when the parser has checked the end of the body
         */
        public CompletionStage<Void> post() {
            return parser.finish().thenRun(() -> {
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("fields", parser.arguments());
                answer.put("files", files);
                write(answer);
            });
        }
    }

    /**
     * @param directory     where uploads go
     * @param maxUploadSize the largest body accepted, in bytes
     * @return the application
     */
    public static Application makeApp(Path directory, long maxUploadSize) {
        Map<String, Object> args = Map.of("directory", directory, "max_upload_size", maxUploadSize);
        return new Application(List.of(
                url("/upload/([^/]+)", UploadHandler.class, args),
                url("/form", FormUploadHandler.class, args)));
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
        System.out.println("Uploads go to " + dir + ". Try: curl -T somefile http://localhost:" + port + "/upload/somefile"
                + " or curl -F file=@somefile http://localhost:" + port + "/form");
        IOLoop.current().start();
    }
}
