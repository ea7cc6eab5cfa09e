package io.tornadoj.web;

import io.tornadoj.iostream.StreamClosedError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URLConnection;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tornado's {@code StaticFileHandler}: serves the files under a root directory. Init arguments (Tornado's
 * kwargs): {@code path} (the root, a {@link Path} or String) and {@code default_filename} (served for a
 * directory; a directory URL without a trailing slash is redirected to add one). The pattern has one group,
 * the path under the root.
 *
 * <p>No file outside the root is ever served: {@code ..} segments (also percent-encoded), absolute paths and
 * symbolic links leading out of the root are refused with 403; a missing file is a 404, a directory without
 * {@code default_filename} a 403. Responses carry {@code Last-Modified}, an {@code Etag} (the SHA-512 of the
 * content, as Tornado's {@code get_content_version}, cached per path, modification time and size),
 * {@code Accept-Ranges}, and the content type guessed from the extension; {@code If-None-Match} and
 * {@code If-Modified-Since} give 304, a single {@code Range} gives 206 (or 416 when unsatisfiable), and
 * requests with a {@code v} argument (as made by {@link RequestHandler#staticUrl}) get cache headers for
 * {@link #CACHE_MAX_AGE} seconds. HEAD gets the same headers without a body.
 *
 * <p>Bodies (whole files and ranges alike) go out with {@link #sendFile}: from 64 KiB on, zero-copy — on a
 * plain connection the kernel copies the file to the socket (Netty's {@code DefaultFileRegion}: sendfile with
 * epoll and NIO, splice with io_uring), under TLS Netty reads it in chunks as the socket drains
 * ({@code ChunkedNioFile}), so the heap never holds more than one chunk. Smaller files, and responses gzipped
 * because of {@code compressResponse}, are read and written 64 KiB at a time, each flush awaited. The file is
 * closed when the response is sent or the client leaves (which ends the request quietly, as in Tornado).
 */
public class StaticFileHandler extends RequestHandler {
    private static final Logger GEN_LOG = LoggerFactory.getLogger("tornado.general");

    /** Seconds that versioned ({@code ?v=}) responses may be cached: ten years, as Tornado. */
    public static final long CACHE_MAX_AGE = 86400L * 365 * 10;

    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html"), Map.entry("htm", "text/html"), Map.entry("css", "text/css"),
            Map.entry("js", "application/javascript"), Map.entry("mjs", "application/javascript"),
            Map.entry("json", "application/json"), Map.entry("txt", "text/plain"), Map.entry("xml", "text/xml"),
            Map.entry("svg", "image/svg+xml"), Map.entry("png", "image/png"), Map.entry("jpg", "image/jpeg"),
            Map.entry("jpeg", "image/jpeg"), Map.entry("gif", "image/gif"), Map.entry("ico", "image/vnd.microsoft.icon"),
            Map.entry("webp", "image/webp"), Map.entry("woff", "font/woff"), Map.entry("woff2", "font/woff2"),
            Map.entry("wasm", "application/wasm"), Map.entry("pdf", "application/pdf"), Map.entry("csv", "text/csv"),
            Map.entry("zip", "application/zip"), Map.entry("mp4", "video/mp4"), Map.entry("mp3", "audio/mpeg"),
            Map.entry("tar", "application/x-tar"));

    private record Version(long mtime, long size, String hash) {
    }

    /** Content hashes by absolute path, valid while modification time and size stay the same. */
    private static final ConcurrentHashMap<Path, Version> VERSIONS = new ConcurrentHashMap<>();

    private Path root;
    private String defaultFilename;
    private Path absolutePath;

    /** Made by the Application. */
    public StaticFileHandler() {
    }

    /** @param initArgs {@code path} (the root directory, required), {@code default_filename} (optional) */
    @Override
    public void initialize(Map<String, Object> initArgs) {
        Object p = initArgs.get("path");
        if (p == null) {
            throw new IllegalArgumentException("StaticFileHandler needs a 'path' argument");
        }
        root = (p instanceof Path ? (Path) p : Path.of(p.toString())).toAbsolutePath().normalize();
        Object d = initArgs.get("default_filename");
        defaultFilename = d == null ? null : d.toString();
    }

    /**
     * Serves a file.
     *
     * @param path the path under the root (the pattern's group)
     * @return completes when the body is sent
     */
    public CompletionStage<Void> get(String path) {
        return serve(path, true);
    }

    /**
     * As {@link #get} without the body.
     *
     * @param path the path under the root
     * @return completes when done
     */
    public CompletionStage<Void> head(String path) {
        return serve(path, false);
    }

    /** @return the root directory (absolute, normalized) */
    protected Path root() {
        return root;
    }

    /** @return the file being served (after {@link #get} validated it), or null */
    protected Path absolutePath() {
        return absolutePath;
    }

    private CompletionStage<Void> serve(String path, boolean includeBody) {
        Path abs = validateAbsolutePath(path == null ? "" : path);
        if (abs == null) {
            return null; // redirected
        }
        absolutePath = abs;
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(abs, BasicFileAttributes.class);
        } catch (IOException e) {
            throw new HTTPError(404);
        }
        long size = attrs.size();
        long mtimeMillis = attrs.lastModifiedTime().toMillis();
        Instant modified = Instant.ofEpochSecond(Math.floorDiv(mtimeMillis, 1000));

        setHeader("Accept-Ranges", "bytes");
        String version = cachedVersion(abs, mtimeMillis, size);
        if (version != null) {
            setHeader("Etag", "\"" + version + "\"");
        }
        setHeader("Last-Modified", modified);
        setHeader("Content-Type", contentType(abs.getFileName().toString()));
        if (request().arguments().containsKey("v")) {
            setHeader("Expires", Instant.ofEpochSecond(System.currentTimeMillis() / 1000 + CACHE_MAX_AGE));
            setHeader("Cache-Control", "max-age=" + CACHE_MAX_AGE);
        }

        if (shouldReturn304(modified)) {
            setStatus(304);
            return null;
        }

        Long start = null;
        Long end = null;
        String rangeHeader = request().headers().get("Range");
        long[] range = rangeHeader == null ? null : parseRange(rangeHeader);
        if (range != null) {
            start = range[0] == Long.MIN_VALUE ? null : range[0];
            end = range[1] == Long.MIN_VALUE ? null : range[1];
            if (start != null && start < 0) {
                start += size;
                if (start < 0) {
                    start = 0L;
                }
            }
            if (start != null && (start >= size || (end != null && start >= end)) || (end != null && end == 0)) {
                setStatus(416);
                setHeader("Content-Type", "text/plain");
                setHeader("Content-Range", "bytes */" + size);
                return null;
            }
            if (end != null && end > size) {
                end = size;
            }
            long s = start == null ? 0 : start;
            long e = end == null ? size : end;
            if (size != e - s) {
                setStatus(206);
                setHeader("Content-Range", "bytes " + s + "-" + (e - 1) + "/" + size);
            } else {
                start = null;
                end = null;
            }
        }
        long from = start == null ? 0 : start;
        long to = end == null ? size : end;
        long length = to - from;
        setHeader("Content-Length", length);
        if (!includeBody || length == 0) {
            return null;
        }
        return stream(abs, from, length);
    }

    /**
     * Tornado's {@code validate_absolute_path}: the file for a request path, or null after redirecting a
     * directory URL to its trailing-slash form.
     *
     * @throws HTTPError 403 outside the root or not a regular file, 404 when missing
     */
    private Path validateAbsolutePath(String path) {
        Path abs;
        try {
            abs = root.resolve(path).normalize();
        } catch (InvalidPathException e) {
            throw new HTTPError(404);
        }
        if (!abs.startsWith(root)) {
            throw new HTTPError(403, "%s is not in root static directory", path);
        }
        Path real = checkReal(abs, path);
        if (Files.isDirectory(abs) && defaultFilename != null) {
            String requestPath = request().path();
            if (!requestPath.endsWith("/")) {
                if (requestPath.startsWith("//")) {
                    throw new HTTPError(403, "cannot redirect path with two initial slashes");
                }
                redirect(requestPath + "/", true);
                return null;
            }
            try {
                abs = abs.resolve(defaultFilename).normalize();
            } catch (InvalidPathException e) {
                throw new HTTPError(404);
            }
            if (!abs.startsWith(root)) {
                throw new HTTPError(403, "%s is not in root static directory", path);
            }
            real = checkReal(abs, path);
        }
        if (!Files.exists(real)) { // checkReal leaves a missing path as it is
            throw new HTTPError(404);
        }
        if (!Files.isRegularFile(real)) {
            throw new HTTPError(403, "%s is not a file", path);
        }
        return real;
    }

    /** Resolves symbolic links; a path that exists but leads out of the root is a 403. */
    private Path checkReal(Path abs, String path) {
        if (!Files.exists(abs)) {
            return abs;
        }
        try {
            Path real = abs.toRealPath();
            if (!real.startsWith(root.toRealPath())) {
                throw new HTTPError(403, "%s is not in root static directory", path);
            }
            return real;
        } catch (IOException e) {
            throw new HTTPError(404);
        }
    }

    private boolean shouldReturn304(Instant modified) {
        if (request().headers().get("If-None-Match") != null) {
            return checkEtagHeader();
        }
        String ims = request().headers().get("If-Modified-Since");
        if (ims != null) {
            Instant since = parseHttpDate(ims);
            return since != null && !since.isBefore(modified);
        }
        return false;
    }

    private static Instant parseHttpDate(String value) {
        try {
            return ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * Tornado's {@code _parse_request_range}: {@code [start, end)} with {@link Long#MIN_VALUE} for "absent",
     * a negative start for a suffix; null for anything but one {@code bytes} range.
     */
    static long[] parseRange(String header) {
        int eq = header.indexOf('=');
        String unit = (eq < 0 ? header : header.substring(0, eq)).strip();
        String value = eq < 0 ? "" : header.substring(eq + 1).strip();
        if (!unit.equals("bytes")) {
            return null;
        }
        int dash = value.indexOf('-');
        String s = (dash < 0 ? value : value.substring(0, dash)).strip();
        String e = dash < 0 ? "" : value.substring(dash + 1).strip();
        long start;
        long end;
        try {
            start = s.isEmpty() ? Long.MIN_VALUE : Long.parseLong(s);
            end = e.isEmpty() ? Long.MIN_VALUE : Long.parseLong(e);
        } catch (NumberFormatException ex) {
            return null;
        }
        if ((start != Long.MIN_VALUE && start < 0) || (end != Long.MIN_VALUE && end < 0)) {
            return null;
        }
        if (end != Long.MIN_VALUE) {
            if (start == Long.MIN_VALUE) {
                if (end != 0) {
                    start = -end;
                    end = Long.MIN_VALUE;
                }
            } else {
                end += 1;
            }
        }
        return new long[] {start, end};
    }

    /**
     * The content type for a file name: {@code application/gzip} for {@code .gz}, octet-stream for other
     * compression suffixes, else from the extension, else {@code application/octet-stream} (Tornado's
     * {@code get_content_type}).
     *
     * @param fileName the file name
     * @return the type
     */
    static String contentType(String fileName) {
        String lower = fileName.toLowerCase(Locale.ROOT);
        int dot = lower.lastIndexOf('.');
        String ext = dot < 0 ? "" : lower.substring(dot + 1);
        if (ext.equals("gz") || ext.equals("tgz")) {
            return "application/gzip";
        }
        if (ext.equals("bz2") || ext.equals("xz") || ext.equals("br") || ext.equals("z")) {
            return "application/octet-stream";
        }
        String t = TYPES.get(ext);
        if (t == null && !ext.isEmpty()) {
            t = URLConnection.guessContentTypeFromName(lower);
            if (t == null) {
                try {
                    t = Files.probeContentType(Path.of(lower));
                } catch (IOException | InvalidPathException e) {
                    t = null;
                }
            }
        }
        return t == null ? "application/octet-stream" : t;
    }

    /**
     * Sends {@code length} bytes from {@code from} with {@link #sendFile} (zero-copy for large files); a
     * client that leaves meanwhile ends the request quietly, as in Tornado.
     */
    private CompletableFuture<Void> stream(Path file, long from, long length) {
        FileChannel ch;
        try {
            // the path is already resolved: a symbolic link swapped in since the check is refused
            ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new HTTPError(404);
        }
        return sendFile(ch, from, length).exceptionally(t -> {
            if (t instanceof StreamClosedError || t.getCause() instanceof StreamClosedError) {
                return null;
            }
            throw t instanceof CompletionException ? (CompletionException) t : new CompletionException(t);
        });
    }

    // ------------------------------------------------------------------ versions and static URLs

    /**
     * Tornado's {@code get_content_version}: the hex SHA-512 of a file's content.
     *
     * @param file the file
     * @return the hash
     * @throws IOException when it cannot be read
     */
    static String contentVersion(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(FILE_CHUNK_SIZE);
            while (ch.read(buf) >= 0) {
                buf.flip();
                digest.update(buf);
                buf.clear();
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The cached version of a file, recomputed when its modification time or size changes; null when unreadable. */
    private static String cachedVersion(Path file, long mtimeMillis, long size) {
        Version v = VERSIONS.get(file);
        if (v != null && v.mtime == mtimeMillis && v.size == size) {
            return v.hash;
        }
        try {
            String hash = contentVersion(file);
            VERSIONS.put(file, new Version(mtimeMillis, size, hash));
            return hash;
        } catch (IOException e) {
            GEN_LOG.error("Could not open static file {}", file);
            VERSIONS.remove(file);
            return null;
        }
    }

    /**
     * Tornado's {@code get_version}: the content hash of a file under {@code static_path}, or null when it
     * cannot be read or lies outside the root.
     *
     * @param settings the settings (their {@code static_path})
     * @param path     the path under it
     * @return the hash, or null
     */
    public static String getVersion(Settings settings, String path) {
        Path rootPath = settings.staticPath();
        if (rootPath == null) {
            return null;
        }
        try {
            Path r = rootPath.toAbsolutePath().normalize();
            Path abs = r.resolve(path).normalize();
            if (!abs.startsWith(r) || !Files.isRegularFile(abs)) {
                GEN_LOG.error("Could not open static file {}", abs);
                return null;
            }
            Path real = abs.toRealPath();
            if (!real.startsWith(r.toRealPath())) {
                return null;
            }
            BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class);
            return cachedVersion(real, a.lastModifiedTime().toMillis(), a.size());
        } catch (IOException | InvalidPathException e) {
            GEN_LOG.error("Could not open static file {}", path);
            return null;
        }
    }

    /**
     * Tornado's {@code make_static_url}: {@code static_url_prefix + path}, plus {@code ?v=<hash>} when
     * asked for and the file can be read.
     *
     * @param settings       the settings
     * @param path           the path under {@code static_path}
     * @param includeVersion whether to add the version argument
     * @return the URL
     */
    public static String makeStaticUrl(Settings settings, String path, boolean includeVersion) {
        String url = settings.staticUrlPrefix() + path;
        if (!includeVersion) {
            return url;
        }
        String version = getVersion(settings, path);
        return version == null ? url : url + "?v=" + version;
    }

    /** Forgets every cached content hash (tests; files replaced in place keep their hash otherwise only
     * while modification time and size are unchanged). */
    static void resetCache() {
        VERSIONS.clear();
    }
}
