package io.tornadoj.web;

import io.netty.channel.Channel;
import io.tornadoj.escape.Escape;
import io.tornadoj.internal.web.HandlerInternals;
import io.tornadoj.internal.web.Upgradable;
import io.tornadoj.internal.web.FileBodyWriter;
import io.tornadoj.httputil.HTTPHeaders;
import io.tornadoj.httputil.HTTPInputError;
import io.tornadoj.httputil.HTTPServerRequest;
import io.tornadoj.httputil.HTTPUtil;
import io.tornadoj.httputil.ResponseStartLine;
import io.tornadoj.iostream.IOStream;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.template.BaseLoader;
import io.tornadoj.template.TemplateError;
import io.tornadoj.template.TemplateFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

/**
 * Tornado's {@code RequestHandler}: one instance per request. Subclass it and add public methods named
 * after HTTP methods — {@code get}, {@code head}, {@code post}, {@code delete}, {@code patch}, {@code put},
 * {@code options} — each taking one {@code String} per group of the URL pattern (checked when the
 * {@link Application} is built) and returning {@code void} or a {@code CompletionStage} (the response
 * finishes when it completes, unless already finished). A method the class lacks answers 405.
 *
 * <p>Handlers are made with their no-argument constructor (or a supplier given to {@link Web#url}), then
 * {@link #initialize(Map)} receives the rule's arguments; the request is available from there on. All
 * methods run on the connection's loop thread.
 *
 * <p>A request runs as in Tornado: path arguments are decoded; with the {@code xsrf_cookies} setting,
 * {@link #checkXsrfCookie()} rejects unsafe methods (not GET, HEAD, OPTIONS) without the right token; then
 * {@link #prepare()}; then the HTTP method — after an {@link Authenticated} check when it carries the
 * annotation; then {@link #finish()}, which gives 200 responses to GET and HEAD an ETag and answers 304 when
 * the client's {@code If-None-Match} matches. Cookies ({@link #setCookie}, {@link #setSignedCookie}) are
 * sent as one {@code Set-Cookie} header each when the headers go out.
 */
public abstract class RequestHandler {
    private static final Logger APP_LOG = LoggerFactory.getLogger("tornado.application");
    private static final Logger GEN_LOG = LoggerFactory.getLogger("tornado.general");
    private static final Set<String> SUPPORTED_METHODS = Set.of("GET", "HEAD", "POST", "DELETE", "PATCH", "PUT", "OPTIONS");
    private static final Pattern CONTROL_CHARS = Pattern.compile("[\\x00-\\x08\\x0e-\\x1f]");
    /** RFC 9112 reason-phrase: HTAB, SP, VCHAR, obs-text. */
    private static final Pattern REASON_PHRASE = Pattern.compile("[\\t\\x20-\\x7e\\x80-\\xff]+");
    private static final Set<String> GZIP_TYPES = Set.of("application/javascript", "application/x-javascript",
            "application/xml", "application/atom+xml", "application/json", "application/xhtml+xml", "image/svg+xml");
    private static final int GZIP_MIN_LENGTH = 1024;
    private static final String SERVER = "TornadoJ/0.1.0";
    /** Cloned per {@link #computeEtag()}. */
    private static final MessageDigest SHA1;

    static {
        try {
            SHA1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    /** Bytes of a file read and written at a time when it is not sent zero-copy; smaller files never are. */
    static final int FILE_CHUNK_SIZE = 64 * 1024;
    /** Python's {@code http.cookies._LegalChars}: a cookie name, or a value sent without quotes. */
    private static final Pattern COOKIE_LEGAL = Pattern.compile("[A-Za-z0-9!#$%&'*+\\-.^_`|~:]+");
    /** What a cookie value may never hold: controls, space, DEL and {@code ;} (no header or cookie injection). */
    private static final Pattern COOKIE_VALUE_FORBIDDEN = Pattern.compile("[\\x00-\\x20\\x7f;]");
    /** What a cookie attribute may never hold. */
    private static final Pattern COOKIE_ATTRIBUTE_FORBIDDEN = Pattern.compile("[\\x00-\\x1f\\x7f;]");
    /** The attribute names Python's {@code Morsel} reserves: not usable as cookie names. */
    private static final Set<String> COOKIE_RESERVED = Set.of("expires", "path", "comment", "domain", "max-age",
            "secure", "httponly", "version", "samesite");
    /** Tornado's {@code _signed_value_version_re}. */
    private static final Pattern XSRF_VERSION = Pattern.compile("^([1-9][0-9]*)\\|(.*)$", Pattern.UNIX_LINES);
    /** Entity tags in an {@code If-None-Match} header. */
    private static final Pattern ETAGS = Pattern.compile("\\*|(?:W/)?\"[^\"]*\"");
    /** A URL scheme, as {@code urllib.parse.urlsplit} finds it. */
    private static final Pattern URL_SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.\\-]*:");
    private static final Set<String> XSRF_SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");
    private static final SecureRandom RANDOM = new SecureRandom();

    private Application application;
    private HTTPServerRequest request;
    private HandlerSpec spec;
    private IOLoop loop;
    private List<String> pathArgs = List.of();
    private Map<String, String> pathKwargs = Map.of();
    private int status;
    private String reason;
    private HTTPHeaders headers;
    private final List<byte[]> writeBuffer = new ArrayList<>();
    private int writeBufferSize;
    private boolean headersWritten;
    private boolean finished;
    private GZIPOutputStream gzip;
    private ByteArrayOutputStream gzipBuffer;
    /** Outgoing cookies by name → Set-Cookie value; sent with the headers (they survive {@link #clear()}). */
    private Map<String, String> newCookies;
    private Object currentUser;
    private boolean currentUserLoaded;
    private RawXsrfToken rawXsrfToken;
    private String xsrfToken;
    /** {@link StreamRequestBody}: completes once prepare() is done (or failed); the body is read after it. */
    private CompletableFuture<Void> preparedFuture;
    /** {@link StreamRequestBody}: completes when the whole body arrived; the HTTP method waits for it. */
    private CompletableFuture<Void> bodyFuture;
    /** The templates' {@code _tt_modules}: this handler's UI module instances and functions, made on first render. */
    private Map<String, Object> uiModules;

    static {
        HandlerInternals.install(new HandlerInternals.Access() {
            @Override
            public CompletionStage<?> callOpen(RequestHandler h) throws Throwable {
                MethodHandle open = h.spec.open();
                return open == null ? null : (CompletionStage<?>) (Object) open.invokeExact(h, h.pathArgv());
            }

            @Override
            public HTTPHeaders responseHeaders(RequestHandler h) {
                HTTPHeaders headers = h.headers.copy();
                if (h.newCookies != null) {
                    h.newCookies.values().forEach(cookie -> headers.add("Set-Cookie", cookie));
                }
                return headers;
            }

            @Override
            public Channel upgrade(RequestHandler h) {
                if (!(h.request.connection() instanceof Upgradable)) {
                    throw new IllegalStateException("the connection cannot be upgraded: " + h.request.connection());
                }
                h.setStatus(101);
                h.finished = true;
                h.application.logRequest(h);
                return ((Upgradable) h.request.connection()).upgrade();
            }
        });
    }

    /** Handlers are created by the Application; subclasses need a no-argument constructor or a supplier. */
    protected RequestHandler() {
    }

    /** Called by the Application before {@link #initialize}. */
    final void init(Application app, HTTPServerRequest req, HandlerSpec handlerSpec) {
        this.application = app;
        this.request = req;
        this.spec = handlerSpec;
        this.loop = IOLoop.current();
        clear();
    }

    // ------------------------------------------------------------------ hooks

    /**
     * Receives the rule's arguments ({@code initArgs} of {@link Web#url}); the request is available.
     * The default does nothing.
     *
     * @param initArgs the arguments
     */
    public void initialize(Map<String, Object> initArgs) {
    }

    /**
     * Runs before the HTTP method; may finish the request itself.
     *
     * @return null when done, or a stage the method waits for
     */
    public CompletionStage<?> prepare() {
        return null;
    }

    /** Runs after the response was sent (logging, cleanup). The default does nothing. */
    public void onFinish() {
    }

    /**
     * Receives a chunk of the request body, for handlers annotated {@link StreamRequestBody} (called after
     * {@link #prepare()}, before the HTTP method). The default throws, as Tornado's
     * {@code NotImplementedError}: such a handler must override it.
     *
     * @param chunk the bytes
     * @return null when done with the chunk, or a stage: the connection reads no more of the body until it
     *         completes (flow control); a failed stage answers 500 and closes the connection
     */
    public CompletionStage<?> dataReceived(byte[] chunk) {
        throw new UnsupportedOperationException(getClass().getName() + " is @StreamRequestBody but does not "
                + "override dataReceived(byte[])");
    }

    /** Runs when the client disconnects before the response finished (long polls). The default does nothing. */
    public void onConnectionClose() {
    }

    // ------------------------------------------------------------------ accessors

    /** @return the request */
    public HTTPServerRequest request() {
        return request;
    }

    /** @return the application */
    public Application application() {
        return application;
    }

    /** @return the application's settings */
    public Settings settings() {
        return application.settings();
    }

    /** @return the unnamed groups of the URL pattern, percent-decoded */
    public List<String> pathArgs() {
        return pathArgs;
    }

    /** @return the named groups of the URL pattern, percent-decoded */
    public Map<String, String> pathKwargs() {
        return pathKwargs;
    }

    // ------------------------------------------------------------------ arguments

    /**
     * The last value of a query or body argument, stripped.
     *
     * @param name the argument
     * @return the value
     * @throws MissingArgumentError (400) when absent
     */
    public String getArgument(String name) {
        return last(name, request.arguments(), null, true);
    }

    /**
     * The last value of an argument, or a default.
     *
     * @param name         the argument
     * @param defaultValue returned when absent (may be null)
     * @return the value or the default
     */
    public String getArgument(String name, String defaultValue) {
        return last(name, request.arguments(), defaultValue, false);
    }

    /**
     * Every value of an argument, stripped.
     *
     * @param name the argument
     * @return the values, empty when absent
     */
    public List<String> getArguments(String name) {
        return values(name, request.arguments());
    }

    /** @param name the argument @return the last query value @throws MissingArgumentError when absent */
    public String getQueryArgument(String name) {
        return last(name, request.queryArguments(), null, true);
    }

    /** @param name the argument @param defaultValue when absent @return the last query value or the default */
    public String getQueryArgument(String name, String defaultValue) {
        return last(name, request.queryArguments(), defaultValue, false);
    }

    /** @param name the argument @return every query value */
    public List<String> getQueryArguments(String name) {
        return values(name, request.queryArguments());
    }

    /** @param name the argument @return the last form-body value @throws MissingArgumentError when absent */
    public String getBodyArgument(String name) {
        return last(name, request.bodyArguments(), null, true);
    }

    /** @param name the argument @param defaultValue when absent @return the last form-body value or the default */
    public String getBodyArgument(String name, String defaultValue) {
        return last(name, request.bodyArguments(), defaultValue, false);
    }

    /** @param name the argument @return every form-body value */
    public List<String> getBodyArguments(String name) {
        return values(name, request.bodyArguments());
    }

    /**
     * Decodes an argument value; override to change how arguments are read. The default returns it as is
     * (bodies and queries are already decoded as UTF-8).
     *
     * @param value the value
     * @param name  the argument name, or null for a path argument
     * @return the decoded value
     */
    public String decodeArgument(String value, String name) {
        return value;
    }

    private String last(String name, Map<String, List<String>> source, String defaultValue, boolean required) {
        List<String> all = values(name, source);
        if (all.isEmpty()) {
            if (required) {
                throw new MissingArgumentError(name);
            }
            return defaultValue;
        }
        return all.get(all.size() - 1);
    }

    private List<String> values(String name, Map<String, List<String>> source) {
        List<String> raw = source.getOrDefault(name, List.of());
        List<String> out = new ArrayList<>(raw.size());
        for (String v : raw) {
            String s = CONTROL_CHARS.matcher(decodeArgument(v, name)).replaceAll(" ");
            out.add(s.strip());
        }
        return out;
    }

    // ------------------------------------------------------------------ status and headers

    /**
     * Sets the status with its standard reason phrase.
     *
     * @param statusCode the status
     */
    public void setStatus(int statusCode) {
        setStatus(statusCode, null);
    }

    /**
     * Sets the status and reason phrase.
     *
     * @param statusCode the status
     * @param reasonPhrase the phrase, or null for the standard one ("Unknown" for unknown codes); a phrase
     *                     with characters a status line cannot carry (CR, LF...) or with {@code <} becomes
     *                     "Unknown"
     */
    public void setStatus(int statusCode, String reasonPhrase) {
        status = statusCode;
        if (reasonPhrase == null) {
            reason = Responses.reason(statusCode);
        } else if (reasonPhrase.indexOf('<') >= 0 || !REASON_PHRASE.matcher(reasonPhrase).matches()) {
            // As Tornado: a phrase that could split the status line (CR, LF) or carry markup is never sent.
            reason = "Unknown";
        } else {
            reason = reasonPhrase;
        }
    }

    /** @return the response status */
    public int getStatus() {
        return status;
    }

    /**
     * Sets a response header (replacing it). Numbers, dates and instants are formatted as HTTP wants.
     *
     * @param name  the name
     * @param value the value
     * @throws IllegalArgumentException when the value contains CR or LF (never sent)
     */
    public void setHeader(String name, Object value) {
        headers.set(name, headerValue(value));
    }

    /**
     * Adds a response header value (keeping others of the same name).
     *
     * @param name  the name
     * @param value the value
     * @throws IllegalArgumentException when the value contains CR or LF
     */
    public void addHeader(String name, Object value) {
        headers.add(name, headerValue(value));
    }

    /**
     * Removes a response header.
     *
     * @param name the name
     */
    public void clearHeader(String name) {
        headers.remove(name);
    }

    private static String headerValue(Object value) {
        if (value instanceof Instant) {
            return HTTPUtil.formatTimestamp((Instant) value);
        }
        if (value instanceof Date) {
            return HTTPUtil.formatTimestamp(((Date) value).toInstant());
        }
        return String.valueOf(value);
    }

    /** Resets headers, buffered output and status to the defaults (200, text/html, Server, Date). */
    public void clear() {
        headers = new HTTPHeaders();
        headers.set("Server", SERVER);
        headers.set("Content-Type", "text/html; charset=UTF-8");
        headers.set("Date", HttpDate.now());
        writeBuffer.clear();
        writeBufferSize = 0;
        status = 200;
        reason = "OK";
    }

    // ------------------------------------------------------------------ output

    /**
     * Buffers text (UTF-8) for the response.
     *
     * @param chunk the text
     * @throws IllegalStateException after {@link #finish()}
     */
    public void write(String chunk) {
        write(chunk.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Buffers bytes for the response.
     *
     * @param chunk the bytes
     * @throws IllegalStateException after {@link #finish()}
     */
    public void write(byte[] chunk) {
        if (finished) {
            throw new IllegalStateException("Cannot write() after finish()");
        }
        if (chunk.length > 0) {
            writeBuffer.add(chunk);
            writeBufferSize += chunk.length;
        }
    }

    /**
     * Writes a map as JSON and sets the content type to {@code application/json; charset=UTF-8}.
     *
     * @param chunk the map
     */
    public void write(Map<String, ?> chunk) {
        writeJson(chunk);
    }

    /**
     * Writes any value as JSON (Jackson) and sets the JSON content type.
     *
     * @param value the value
     */
    public void writeJson(Object value) {
        write(Escape.jsonEncode(value));
        setHeader("Content-Type", "application/json; charset=UTF-8");
    }

    private void writeChunk(Object chunk) {
        if (chunk instanceof String) {
            write((String) chunk);
        } else if (chunk instanceof byte[]) {
            write((byte[]) chunk);
        } else if (chunk != null) {
            writeJson(chunk);
        }
    }

    /**
     * Sends what is buffered: the headers first if not yet sent (chunked transfer for HTTP/1.1), then the
     * body so far.
     *
     * @return completes when the bytes are written to the socket
     */
    public CompletableFuture<Void> flush() {
        return flush(false);
    }

    private CompletableFuture<Void> flush(boolean finishing) {
        byte[] chunk = takeBuffer();
        if (!headersWritten) {
            headersWritten = true;
            if (newCookies != null) {
                for (String cookie : newCookies.values()) {
                    headers.add("Set-Cookie", cookie);
                }
            }
            chunk = transformFirstChunk(chunk, finishing);
            ResponseStartLine start = new ResponseStartLine("HTTP/1.1", status, reason);
            return request.connection().writeHeaders(start, headers, chunk);
        }
        chunk = transformChunk(chunk, finishing);
        if ("HEAD".equals(request.method()) || chunk.length == 0) {
            return CompletableFuture.completedFuture(null);
        }
        return request.connection().write(chunk);
    }

    /**
     * Sends {@code length} bytes of a file from {@code position} as (the rest of) the response body; then
     * {@link #finish()} as usual. When nothing was flushed yet and no Content-Length is set, it is set to what
     * is buffered plus {@code length}; what is buffered goes out first.
     *
     * <p>Not in Tornado, which reads files into {@code write()} calls. Bodies of 64 KiB or more go out without
     * passing through the heap: the server hands the file to Netty (a {@code DefaultFileRegion}, i.e.
     * sendfile, on plain connections; a {@code ChunkedNioFile} under TLS). Smaller ones, and responses being
     * gzipped ({@code compressResponse}), are read and written 64 KiB at a time, each chunk's flush awaited,
     * so memory stays flat either way. A HEAD response sends none of it. The file is closed when the send
     * completes or fails. Loop thread.
     *
     * @param file     the file
     * @param position the first byte to send
     * @param length   how many bytes to send
     * @return completes when the bytes are written to the socket; fails with {@code StreamClosedError} when
     *         the client went away first, or with the {@code IOException} when the file cannot be read
     * @throws IllegalStateException    after {@link #finish()}
     * @throws IllegalArgumentException when the bytes are not all in the file
     */
    public CompletableFuture<Void> sendFile(Path file, long position, long length) {
        if (finished) {
            throw new IllegalStateException("Cannot sendFile() after finish()");
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        return sendFile(ch, position, length);
    }

    /** {@link #sendFile(Path, long, long)} of a file already open; takes ownership of {@code file}. */
    final CompletableFuture<Void> sendFile(FileChannel file, long position, long length) {
        try {
            if (finished) {
                throw new IllegalStateException("Cannot sendFile() after finish()");
            }
            if (position < 0 || length < 0 || position + length > file.size()) {
                throw new IllegalArgumentException("bytes " + position + "+" + length + " are not all in the file");
            }
            if (!headersWritten && !headers.contains("Content-Length")) {
                headers.set("Content-Length", Long.toString(writeBufferSize + length));
            }
            if ("HEAD".equals(request.method())) {
                closeQuietly(file); // no body: nothing to read
                return CompletableFuture.completedFuture(null);
            }
            if (length >= FILE_CHUNK_SIZE && request.connection() instanceof FileBodyWriter) {
                flush(); // the headers (which decide about gzip) and whatever is buffered, before the file
                if (gzip == null) {
                    return ((FileBodyWriter) request.connection()).writeFile(file, position, length);
                }
            }
        } catch (IOException e) {
            closeQuietly(file);
            return CompletableFuture.failedFuture(e);
        } catch (RuntimeException e) {
            closeQuietly(file);
            throw e;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        pumpFile(file, position, length, done);
        return done.whenComplete((v, t) -> closeQuietly(file));
    }

    /** Writes a file a chunk at a time, awaiting each flush (the buffered path of {@link #sendFile}). */
    private void pumpFile(FileChannel file, long position, long remaining, CompletableFuture<Void> done) {
        long pos = position;
        long left = remaining;
        try {
            while (left > 0) {
                byte[] buf = new byte[(int) Math.min(FILE_CHUNK_SIZE, left)];
                readFully(file, ByteBuffer.wrap(buf), pos);
                pos += buf.length;
                left -= buf.length;
                write(buf);
                if (left == 0) {
                    break; // finish() sends the last chunk with the end of the response
                }
                CompletableFuture<Void> f = flush();
                if (!f.isDone() || f.isCompletedExceptionally()) {
                    long p = pos;
                    long l = left;
                    f.whenComplete((v, t) -> onLoop(() -> {
                        if (t != null) {
                            done.completeExceptionally(t);
                        } else {
                            pumpFile(file, p, l, done);
                        }
                    }));
                    return;
                }
            }
            done.complete(null);
        } catch (Throwable t) {
            done.completeExceptionally(t);
        }
    }

    private static void readFully(FileChannel file, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int r = file.read(buf, pos);
            if (r < 0) {
                throw new EOFException("file shrank while being sent");
            }
            pos += r;
        }
    }

    private static void closeQuietly(FileChannel file) {
        try {
            file.close();
        } catch (IOException e) {
            GEN_LOG.debug("Closing a sent file: {}", e.toString());
        }
    }

    private byte[] takeBuffer() {
        byte[] chunk;
        if (writeBuffer.size() == 1) {
            chunk = writeBuffer.get(0);
        } else {
            chunk = new byte[writeBufferSize];
            int off = 0;
            for (byte[] part : writeBuffer) {
                System.arraycopy(part, 0, chunk, off, part.length);
                off += part.length;
            }
        }
        writeBuffer.clear();
        writeBufferSize = 0;
        return chunk;
    }

    /** Tornado's GZipContentEncoding transform, for {@code compress_response}. */
    private byte[] transformFirstChunk(byte[] chunk, boolean finishing) {
        if (!settings().compressResponse()) {
            return chunk;
        }
        headers.add("Vary", "Accept-Encoding");
        String accept = request.headers().get("Accept-Encoding", "");
        String type = headers.get("Content-Type", "");
        int semi = type.indexOf(';');
        String ctype = (semi < 0 ? type : type.substring(0, semi)).strip();
        boolean compressible = ctype.startsWith("text/") || GZIP_TYPES.contains(ctype);
        if (!accept.contains("gzip") || !compressible || headers.contains("Content-Encoding")
                || status == 204 || status == 304 || (finishing && chunk.length < GZIP_MIN_LENGTH)) {
            return chunk;
        }
        headers.set("Content-Encoding", "gzip");
        gzipBuffer = new ByteArrayOutputStream();
        try {
            gzip = new GZIPOutputStream(gzipBuffer, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] out = transformChunk(chunk, finishing);
        if (finishing) {
            headers.set("Content-Length", Integer.toString(out.length));
        } else {
            headers.remove("Content-Length");
        }
        return out;
    }

    private byte[] transformChunk(byte[] chunk, boolean finishing) {
        if (gzip == null) {
            return chunk;
        }
        try {
            gzip.write(chunk);
            if (finishing) {
                gzip.finish();
            } else {
                gzip.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] out = gzipBuffer.toByteArray();
        gzipBuffer.reset();
        return out;
    }

    /**
     * Finishes the response: sets Content-Length when nothing was flushed yet, sends everything, logs the
     * request and calls {@link #onFinish()}.
     *
     * @return completes when the response is written
     * @throws IllegalStateException when called twice
     */
    public CompletableFuture<Void> finish() {
        return finish(null);
    }

    /**
     * Writes a last chunk (String, byte[], or a value written as JSON), then {@link #finish()}.
     *
     * @param chunk the last chunk, or null
     * @return completes when the response is written
     */
    public CompletableFuture<Void> finish(Object chunk) {
        if (finished) {
            throw new IllegalStateException("finish() called twice");
        }
        writeChunk(chunk);
        if (!headersWritten) {
            // automatic ETags, as Tornado: a 200 to GET or HEAD gets one, and a 304 without a body when it matches
            if (status == 200 && ("GET".equals(request.method()) || "HEAD".equals(request.method()))
                    && !headers.contains("Etag")) {
                setEtagHeader();
                if (checkEtagHeader()) {
                    writeBuffer.clear();
                    writeBufferSize = 0;
                    setStatus(304);
                }
            }
            if (status == 204 || status == 304 || (status >= 100 && status < 200)) {
                writeBuffer.clear();
                writeBufferSize = 0;
                headers.remove("Content-Length");
                // no representation metadata without a representation (Tornado's _clear_representation_headers)
                headers.remove("Content-Encoding");
                headers.remove("Content-Language");
                headers.remove("Content-Type");
            } else if (!headers.contains("Content-Length")) {
                headers.set("Content-Length", Integer.toString(writeBufferSize));
            }
        }
        CompletableFuture<Void> f = flush(true);
        CompletableFuture<Void> done = request.connection().finish();
        finished = true;
        application.logRequest(this);
        try {
            onFinish();
        } catch (Throwable t) {
            APP_LOG.error("Exception in onFinish of {}", summary(), t);
        }
        return f.thenCombine(done, (a, b) -> null);
    }

    /**
     * Someone else answered the request (FallbackHandler): no more output from this handler. Not logged
     * here: whoever answered logs the request with the status it sent.
     */
    final void answeredElsewhere() {
        finished = true;
        onFinish();
    }

    /** @return whether {@link #finish()} ran */
    protected boolean isFinished() {
        return finished;
    }

    /**
     * Redirects with 302.
     *
     * @param url the target
     */
    public void redirect(String url) {
        redirect(url, 302);
    }

    /**
     * Redirects with 301 (permanent) or 302.
     *
     * @param url       the target
     * @param permanent whether 301
     */
    public void redirect(String url, boolean permanent) {
        redirect(url, permanent ? 301 : 302);
    }

    /**
     * Redirects with a 3xx status.
     *
     * @param url    the target
     * @param status 300–399
     * @throws IllegalStateException once headers were sent
     */
    public void redirect(String url, int status) {
        if (headersWritten) {
            throw new IllegalStateException("Cannot redirect after headers have been written");
        }
        if (status < 300 || status > 399) {
            throw new IllegalArgumentException("redirect status must be 3xx, not " + status);
        }
        setStatus(status);
        setHeader("Location", url);
        finish();
    }

    // ------------------------------------------------------------------ templates

    /**
     * Renders a template with only {@link #getTemplateNamespace()} as variables and finishes the response
     * with it (Tornado's {@code render(template_name)}). On the loop thread, as every handler method.
     *
     * @param template the template's name, for the application's loader
     * @return completes when the response is written
     * @throws IllegalStateException after {@link #finish()}, or without {@code template_path} or
     *                               {@code template_loader}
     */
    public CompletableFuture<Void> render(String template) {
        return render(template, Map.of());
    }

    /**
     * Renders a template with {@link #renderString} and finishes the response with it (Tornado's
     * {@code render}: the request ends).
     *
     * @param template the template's name, for the application's loader
     * @param kwargs   the template's variables, on top of {@link #getTemplateNamespace()}
     * @return completes when the response is written
     * @throws IllegalStateException after {@link #finish()}, or without {@code template_path} or
     *                               {@code template_loader}
     * @throws io.tornadoj.template.TemplateError when the template fails (a 500, as any exception)
     */
    public CompletableFuture<Void> render(String template, Map<String, Object> kwargs) {
        if (finished) {
            throw new IllegalStateException("Cannot render() after finish()");
        }
        return finish(renderString(template, kwargs));
    }

    /**
     * Generates a template with only {@link #getTemplateNamespace()} as variables (Tornado's
     * {@code render_string(template_name)}); see {@link #renderString(String, Map)}.
     *
     * @param template the template's name
     * @return the output
     * @throws IllegalStateException without {@code template_path} or {@code template_loader}
     */
    public String renderString(String template) {
        return renderString(template, Map.of());
    }

    /**
     * Generates a template with {@link #getTemplateNamespace()} plus {@code kwargs}. The template comes from the
     * {@code template_loader} setting, else from a {@link io.tornadoj.template.Loader} on {@code template_path}
     * kept by the application (autoescape from the {@code autoescape} setting). With {@code debug} (unless
     * {@code compiled_template_cache} is true) the loader's cache is reset first, so edited templates show.
     * An {@link HTTPError} or {@link Finish} thrown by code the template calls propagates as itself.
     *
     * @param template the template's name
     * @param kwargs   the variables
     * @return the output
     * @throws IllegalStateException without {@code template_path} or {@code template_loader}
     */
    public String renderString(String template, Map<String, Object> kwargs) {
        if (settings().templateLoader() == null) {
            requireSetting("template_path", "render");
        }
        BaseLoader loader = application.templateLoader();
        if (!settings().get("compiled_template_cache", !settings().debug())) {
            loader.reset();
        }
        Map<String, Object> namespace = getTemplateNamespace();
        namespace.putAll(kwargs);
        try {
            return loader.load(template).generate(namespace);
        } catch (TemplateError e) {
            if (e.getCause() instanceof HTTPError || e.getCause() instanceof Finish) {
                throw (RuntimeException) e.getCause();
            }
            throw e;
        }
    }

    /**
     * The variables every template rendered by this handler sees (Tornado's {@code get_template_namespace}):
     * {@code handler}, {@code request}, {@code current_user}, {@code static_url(path)}, {@code xsrf_form_html()},
     * {@code reverse_url(name, *args)}, each {@code ui_methods} entry (called with this handler first), and
     * {@code _tt_modules}/{@code modules} with the {@code ui_modules} plus Tornado's built-in ones:
     * {@code Template(name, **kwargs)} (renders another template), {@code xsrf_form_html()} and
     * {@code linkify(text)}. Override to add more (call super). Tornado's {@code locale} is not provided.
     *
     * @return a new modifiable map
     */
    public Map<String, Object> getTemplateNamespace() {
        Map<String, Object> ns = new LinkedHashMap<>();
        ns.put("handler", this);
        ns.put("request", request);
        ns.put("current_user", currentUser());
        ns.put("static_url", (TemplateFunction) (args, kw) -> staticUrl(String.valueOf(args.get(0))));
        ns.put("xsrf_form_html", (TemplateFunction) (args, kw) -> xsrfFormHtml());
        ns.put("reverse_url", (TemplateFunction) (args, kw) -> reverseUrl(String.valueOf(args.get(0)),
                args.subList(1, args.size()).toArray()));
        settings().uiMethods().forEach((name, method) -> {
            TemplateFunction f = TemplateFunction.of(method);
            ns.put(name, (TemplateFunction) (args, kw) -> {
                List<Object> withHandler = new ArrayList<>(args.size() + 1);
                withHandler.add(this);
                withHandler.addAll(args);
                return f.call(Collections.unmodifiableList(withHandler), kw);
            });
        });
        ns.put("_tt_modules", uiModules());
        ns.put("modules", uiModules());
        return ns;
    }

    private Map<String, Object> uiModules() {
        if (uiModules == null) {
            Map<String, Object> modules = new LinkedHashMap<>();
            modules.put("Template", (TemplateFunction) (args, kw) -> renderString(String.valueOf(args.get(0)), kw));
            modules.put("xsrf_form_html", (TemplateFunction) (args, kw) -> xsrfFormHtml());
            modules.put("linkify", (TemplateFunction) (args, kw) -> Escape.linkify(String.valueOf(args.get(0))));
            settings().uiModules().forEach((name, module) -> modules.put(name, uiModule(name, module)));
            uiModules = Collections.unmodifiableMap(modules);
        }
        return uiModules;
    }

    private Object uiModule(String name, Object module) {
        if (!(module instanceof Class) || !UIModule.class.isAssignableFrom((Class<?>) module)) {
            return module;
        }
        try {
            UIModule instance = (UIModule) ((Class<?>) module).getConstructor().newInstance();
            instance.init(this);
            return instance;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("ui_modules: cannot create " + name + " (" + module
                    + ": it needs a public no-argument constructor)", e);
        }
    }

    // ------------------------------------------------------------------ errors

    /**
     * Sends an error page with the status.
     *
     * @param statusCode the status
     */
    public void sendError(int statusCode) {
        sendError(statusCode, null);
    }

    /**
     * Sends an error page: clears the output, sets the status (an {@link HTTPError}'s reason is used) and
     * calls {@link #writeError}. When headers were already sent, the response is just ended.
     *
     * @param statusCode the status
     * @param error      the cause, or null
     */
    public void sendError(int statusCode, Throwable error) {
        if (headersWritten) {
            GEN_LOG.error("Cannot send error response after headers written");
            if (!finished) {
                try {
                    finish();
                } catch (Throwable t) {
                    GEN_LOG.error("Failed to flush partial response", t);
                }
            }
            return;
        }
        clear();
        String phrase = null;
        if (error instanceof HTTPError) {
            phrase = ((HTTPError) error).reason();
        }
        setStatus(statusCode, phrase);
        try {
            writeError(statusCode, error);
        } catch (Throwable t) {
            APP_LOG.error("Uncaught exception in writeError", t);
        }
        if (!finished) {
            finish();
        }
    }

    /**
     * Writes the error page; override for custom pages. The default is Tornado's HTML page, or the stack
     * trace as text/plain when {@code serve_traceback} is on.
     *
     * @param statusCode the status
     * @param error      the cause, or null
     */
    public void writeError(int statusCode, Throwable error) {
        if (settings().serveTraceback() && error != null && !(error instanceof HTTPError)) {
            setHeader("Content-Type", "text/plain");
            StringWriter sw = new StringWriter();
            error.printStackTrace(new PrintWriter(sw));
            finish(sw.toString());
        } else {
            String message = Escape.xhtmlEscape(reason);
            finish("<html><title>" + statusCode + ": " + message + "</title><body>" + statusCode + ": " + message
                    + "</body></html>");
        }
    }

    // ------------------------------------------------------------------ cookies

    /**
     * The cookies the request carries (an alias of {@code request().cookies()}).
     *
     * @return name → value, unmodifiable
     */
    public Map<String, String> cookies() {
        return request.cookies();
    }

    /**
     * The value of a request cookie. Cookies set by this handler are not seen (they arrive with the next
     * request).
     *
     * @param name the cookie's name
     * @return its value, or null when the request has none
     */
    public String getCookie(String name) {
        return getCookie(name, null);
    }

    /**
     * The value of a request cookie, or a default.
     *
     * @param name         the cookie's name
     * @param defaultValue returned when the request has no such cookie (may be null)
     * @return the value or the default
     */
    public String getCookie(String name, String defaultValue) {
        String v = request.cookies().get(name);
        return v == null ? defaultValue : v;
    }

    /**
     * Sets an outgoing cookie with path {@code /} for the browser session.
     *
     * @param name  the name: a cookie token ({@code A-Z a-z 0-9 !#$%&'*+-.^_`|~:}), not an attribute name
     * @param value the value; never control characters, spaces or {@code ;}
     * @throws IllegalArgumentException for an invalid name or value (nothing is sent)
     * @see #setCookie(String, String, CookieOptions)
     */
    public void setCookie(String name, String value) {
        setCookie(name, value, CookieOptions.defaults());
    }

    /**
     * Sets an outgoing cookie (Tornado's {@code set_cookie}): one {@code Set-Cookie} header per name, added to
     * the response headers when they are sent; setting the same name again replaces it. A value with
     * characters a bare cookie value cannot hold ({@code " , \} or non-ASCII) is double-quoted and escaped as
     * Python's {@code http.cookies} does, so the header is the one Tornado would send.
     *
     * @param name    the name: a cookie token ({@code A-Z a-z 0-9 !#$%&'*+-.^_`|~:}), not an attribute name
     * @param value   the value; never control characters, spaces or {@code ;}
     * @param options domain, expiry, path, flags (null: {@link CookieOptions#defaults()})
     * @throws IllegalArgumentException for an invalid name, value or attribute (nothing is sent)
     */
    public void setCookie(String name, String value, CookieOptions options) {
        if (name == null || value == null) {
            throw new IllegalArgumentException("Invalid cookie " + pyRepr(name) + ": " + pyRepr(value));
        }
        if (COOKIE_VALUE_FORBIDDEN.matcher(name).find() || COOKIE_VALUE_FORBIDDEN.matcher(value).find()) {
            // Don't let us accidentally inject bad stuff (Tornado's ValueError)
            throw new IllegalArgumentException("Invalid cookie " + pyRepr(name) + ": " + pyRepr(value));
        }
        if (!COOKIE_LEGAL.matcher(name).matches() || COOKIE_RESERVED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
            throw new IllegalArgumentException("Illegal cookie name " + pyRepr(name));
        }
        CookieOptions o = options == null ? CookieOptions.defaults() : options;
        StringBuilder sb = new StringBuilder(name.length() + value.length() + 64);
        sb.append(name).append('=').append(quoteCookieValue(value));
        // Python's Morsel writes its attributes sorted by key: domain, expires, httponly, max-age, path,
        // samesite, secure
        if (o.domain() != null && !o.domain().isEmpty()) {
            sb.append("; Domain=").append(cookieAttribute("domain", o.domain()));
        }
        Instant expires = o.expires();
        if (expires == null && o.expiresDays() != null) {
            expires = Instant.now().plusMillis(Math.round(o.expiresDays() * 86_400_000d));
        }
        if (expires != null) {
            sb.append("; expires=").append(HTTPUtil.formatTimestamp(expires));
        }
        if (o.httpOnly()) {
            sb.append("; HttpOnly");
        }
        if (o.maxAge() != null) {
            sb.append("; Max-Age=").append(o.maxAge().longValue());
        }
        if (o.path() != null && !o.path().isEmpty()) {
            sb.append("; Path=").append(cookieAttribute("path", o.path()));
        }
        if (o.sameSite() != null && !o.sameSite().isEmpty()) {
            sb.append("; SameSite=").append(cookieAttribute("samesite", o.sameSite()));
        }
        if (o.secure()) {
            sb.append("; Secure");
        }
        if (newCookies == null) {
            newCookies = new LinkedHashMap<>();
        }
        newCookies.remove(name); // a cookie set again moves to the end, as in Python's SimpleCookie
        newCookies.put(name, sb.toString());
    }

    private static String cookieAttribute(String attribute, String v) {
        if (COOKIE_ATTRIBUTE_FORBIDDEN.matcher(v).find()) {
            throw new IllegalArgumentException("Invalid cookie " + attribute + " " + pyRepr(v));
        }
        return latin1Bytes(v);
    }

    /**
     * Python's {@code http.cookies._quote}: a value of legal characters as is, anything else in double quotes
     * with {@code "} and {@code \} backslash-escaped and {@code ,}, {@code ;} and U+007F–U+00FF as octal
     * escapes. Characters above U+00FF go out as their UTF-8 bytes, as Tornado writes them.
     */
    private static String quoteCookieValue(String value) {
        if (COOKIE_LEGAL.matcher(value).matches()) {
            return value;
        }
        StringBuilder sb = new StringBuilder(value.length() + 8).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c == ',' || c == ';' || c < 0x20 || (c >= 0x7f && c <= 0xff)) {
                sb.append('\\').append((char) ('0' + (c >> 6))).append((char) ('0' + ((c >> 3) & 7)))
                        .append((char) ('0' + (c & 7)));
            } else if (c > 0xff) {
                int end = Character.isHighSurrogate(c) && i + 1 < value.length() ? i + 2 : i + 1;
                sb.append(latin1Bytes(value.substring(i, end)));
                i = end - 1;
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    /** The UTF-8 bytes of text as ISO-8859-1 characters (a header value goes out as those bytes). */
    private static String latin1Bytes(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7f) {
                return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
            }
        }
        return s;
    }

    /** Roughly Python's {@code repr} of a string, for messages: quoted, controls escaped. */
    private static String pyRepr(String s) {
        if (s == null) {
            return "None";
        }
        StringBuilder sb = new StringBuilder(s.length() + 2).append('\'');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\r' -> sb.append("\\r");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\'' -> sb.append("\\'");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('\'').toString();
    }

    /**
     * Deletes a cookie (path {@code /}, no domain): sets it empty with an expiry a year ago.
     *
     * @param name the cookie's name
     */
    public void clearCookie(String name) {
        clearCookie(name, "/", null);
    }

    /**
     * Deletes a cookie. The path and domain must be those it was set with (the server cannot know them).
     *
     * @param name   the cookie's name
     * @param path   its path (null: none)
     * @param domain its domain (null: none)
     */
    public void clearCookie(String name, String path, String domain) {
        setCookie(name, "", CookieOptions.builder().path(path).domain(domain)
                .expires(Instant.now().minus(Duration.ofDays(365))).build());
    }

    /** Deletes every cookie the request carries (path {@code /}, no domain). */
    public void clearAllCookies() {
        clearAllCookies("/", null);
    }

    /**
     * Deletes every cookie the request carries, with a path and domain (see {@link #clearCookie(String, String,
     * String)}). Names that no {@code Set-Cookie} can carry (a browser sent them anyway) are skipped.
     *
     * @param path   the path (null: none)
     * @param domain the domain (null: none)
     */
    public void clearAllCookies(String path, String domain) {
        for (String name : request.cookies().keySet()) {
            if (COOKIE_LEGAL.matcher(name).matches() && !COOKIE_RESERVED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                clearCookie(name, path, domain);
            }
        }
    }

    // ------------------------------------------------------------------ signed cookies

    /**
     * Signs and timestamps a value so it cannot be forged (Tornado's {@code create_signed_value}, version 2):
     * the result is what Python Tornado makes with the same {@code cookie_secret}, and either side verifies the
     * other's values.
     *
     * @param name  the name the value is bound to (a value signed for one name does not verify for another)
     * @param value the value (signed as UTF-8)
     * @return the signed value
     * @throws IllegalStateException without the {@code cookie_secret} setting, or with a map of secrets but no
     *                               {@code key_version}
     */
    public String createSignedValue(String name, String value) {
        requireSetting("cookie_secret", "secure cookies");
        Object secret = settings().cookieSecret();
        Integer keyVersion = null;
        if (secret instanceof Map) {
            keyVersion = settings().keyVersion();
            if (keyVersion == null) {
                throw new IllegalStateException("key_version setting must be used for secret_key dicts");
            }
        }
        return SignedValue.create(secret, keyVersion, name, value.getBytes(StandardCharsets.UTF_8),
                SignedValue.WALL_CLOCK);
    }

    /**
     * Sets a signed cookie that expires in 30 days (Tornado's {@code set_secure_cookie}); read it with
     * {@link #getSignedCookie(String)}.
     *
     * @param name  the name
     * @param value the value (any text: it is base64-encoded)
     */
    public void setSignedCookie(String name, String value) {
        setSignedCookie(name, value, 30);
    }

    /**
     * Sets a signed cookie with a lifetime in the browser. That lifetime is independent of the
     * {@code maxAgeDays} that {@link #getSignedCookie(String, double)} accepts.
     *
     * @param name        the name
     * @param value       the value
     * @param expiresDays days until the browser drops it
     */
    public void setSignedCookie(String name, String value, double expiresDays) {
        setCookie(name, createSignedValue(name, value), CookieOptions.builder().expiresDays(expiresDays).build());
    }

    /**
     * Sets a signed cookie with any options (without {@code expires}, {@code expiresDays} or {@code maxAge} it
     * lasts for the browser session).
     *
     * @param name    the name
     * @param value   the value
     * @param options the cookie's options
     */
    public void setSignedCookie(String name, String value, CookieOptions options) {
        setCookie(name, createSignedValue(name, value), options);
    }

    /**
     * The value of a signed request cookie when it verifies and is at most 31 days old.
     *
     * @param name the cookie's name
     * @return the value (UTF-8), or null when absent, forged, tampered with, signed for another name or with an
     * unknown key, or expired
     */
    public String getSignedCookie(String name) {
        return getSignedCookie(name, 31);
    }

    /**
     * The value of a signed request cookie when it verifies and is at most {@code maxAgeDays} old.
     *
     * @param name       the cookie's name
     * @param maxAgeDays the oldest signature accepted, in days
     * @return the value (UTF-8), or null
     * @throws IllegalStateException without the {@code cookie_secret} setting
     */
    public String getSignedCookie(String name, double maxAgeDays) {
        return getSignedCookie(name, null, maxAgeDays);
    }

    /**
     * Verifies a signed value made by {@link #createSignedValue} (Tornado's {@code get_secure_cookie} with
     * {@code value}), for values that do not travel as cookies.
     *
     * @param name       the name the value must be bound to
     * @param value      the signed value; null reads the request cookie {@code name}
     * @param maxAgeDays the oldest signature accepted, in days
     * @return the value (UTF-8), or null
     * @throws IllegalStateException without the {@code cookie_secret} setting
     */
    public String getSignedCookie(String name, String value, double maxAgeDays) {
        requireSetting("cookie_secret", "secure cookies");
        String signed = value == null ? getCookie(name) : value;
        byte[] out = SignedValue.decode(settings().cookieSecret(), name, signed, maxAgeDays, SignedValue.WALL_CLOCK);
        return out == null ? null : new String(out, StandardCharsets.UTF_8);
    }

    /**
     * The key version a signed request cookie claims (Tornado's {@code get_secure_cookie_key_version}); not
     * verified.
     *
     * @param name the cookie's name
     * @return the key version, or null when absent or not a version-2 value
     */
    public Integer getSignedCookieKeyVersion(String name) {
        requireSetting("cookie_secret", "secure cookies");
        return SignedValue.keyVersion(getCookie(name));
    }

    // ------------------------------------------------------------------ authentication

    /**
     * The user of this request: {@link #getCurrentUser()} the first time (its result is kept, even null), or
     * what {@link #setCurrentUser(Object)} set.
     *
     * @return the user, or null when nobody is logged in
     */
    public Object currentUser() {
        if (!currentUserLoaded) {
            currentUser = getCurrentUser();
            currentUserLoaded = true;
        }
        return currentUser;
    }

    /**
     * Sets the user of this request, e.g. from an asynchronous {@link #prepare()} (where
     * {@link #getCurrentUser()}, which cannot wait, does not fit).
     *
     * @param user the user, or null for nobody
     */
    public void setCurrentUser(Object user) {
        currentUser = user;
        currentUserLoaded = true;
    }

    /**
     * Override to find the user from the request, e.g. from a signed cookie. Called at most once per request,
     * by {@link #currentUser()}. The default returns null.
     *
     * @return the user, or null
     */
    public Object getCurrentUser() {
        return null;
    }

    /**
     * Where {@link Authenticated} sends anonymous users; override to choose per request. The default is the
     * {@code login_url} setting.
     *
     * @return the login URL
     * @throws IllegalStateException without the {@code login_url} setting
     */
    public String getLoginUrl() {
        requireSetting("login_url", "@tornado.web.authenticated");
        return settings().loginUrl();
    }

    /** What {@link Authenticated} does for a request without a user: redirect GET/HEAD, 403 otherwise. */
    private void rejectAnonymous() {
        String m = request.method();
        if (!"GET".equals(m) && !"HEAD".equals(m)) {
            throw new HTTPError(403);
        }
        String url = getLoginUrl();
        if (url.indexOf('?') < 0) {
            // an absolute login URL gets an absolute next URL
            String next = URL_SCHEME.matcher(url).find() ? request.fullUrl() : request.uri();
            url += "?next=" + Escape.urlEscape(next, true);
        }
        redirect(url);
    }

    // ------------------------------------------------------------------ XSRF

    /** Tornado's raw XSRF token: the cookie's version (null when made for this request), token, timestamp. */
    private record RawXsrfToken(Integer version, byte[] token, long timestamp) {
    }

    /**
     * The XSRF-prevention token of this session (Tornado's {@code xsrf_token}): the {@code _xsrf} cookie's token,
     * or a new random one that is set as the {@code _xsrf} cookie (with the {@code xsrf_cookie_kwargs} options;
     * 30 days when a user is logged in and those do not say otherwise). Send it back with every unsafe request,
     * as the {@code _xsrf} form field or an {@code X-XSRFToken} header (see {@link #checkXsrfCookie()}).
     *
     * <p>The token is masked with fresh random bytes on every request — {@code 2|mask|masked token|timestamp},
     * hex — so it never repeats in a compressed page (BREACH). With the setting {@code xsrf_cookie_version} = 1
     * it is the plain hex token.
     *
     * @return the token (ASCII), the same for the whole request
     */
    public String xsrfToken() {
        if (xsrfToken == null) {
            RawXsrfToken raw = rawXsrfToken();
            Object outputVersion = settings().get("xsrf_cookie_version", (Object) 2);
            int version = outputVersion instanceof Number ? ((Number) outputVersion).intValue() : -1;
            if (version == 1) {
                xsrfToken = HexFormat.of().formatHex(raw.token());
            } else if (version == 2) {
                byte[] mask = new byte[4];
                RANDOM.nextBytes(mask);
                xsrfToken = "2|" + HexFormat.of().formatHex(mask) + "|" + HexFormat.of().formatHex(mask(mask, raw.token()))
                        + "|" + raw.timestamp();
            } else {
                throw new IllegalStateException("unknown xsrf cookie version " + outputVersion);
            }
            if (raw.version() == null) {
                CookieOptions options = CookieOptions.fromKwargs(settings().xsrfCookieKwargs());
                if (currentUser() != null && !hasKey(settings().xsrfCookieKwargs(), "expires_days")) {
                    options = options.toBuilder().expiresDays(30).build();
                }
                setCookie("_xsrf", xsrfToken, options);
            }
        }
        return xsrfToken;
    }

    private static boolean hasKey(Map<String, ?> map, String key) {
        for (String k : map.keySet()) {
            if (k.equalsIgnoreCase(key)) {
                return true;
            }
        }
        return false;
    }

    /** The token from the {@code _xsrf} cookie, or a new one (Tornado's {@code _get_raw_xsrf_token}). */
    private RawXsrfToken rawXsrfToken() {
        if (rawXsrfToken == null) {
            String cookie = getCookie("_xsrf");
            RawXsrfToken t = cookie == null || cookie.isEmpty() ? null : decodeXsrfToken(cookie);
            if (t == null) {
                byte[] token = new byte[16];
                RANDOM.nextBytes(token);
                t = new RawXsrfToken(null, token, System.currentTimeMillis() / 1000);
            }
            rawXsrfToken = t;
        }
        return rawXsrfToken;
    }

    /**
     * Tornado's {@code _decode_xsrf_token}: a version-2 masked token, or a version-1 token (hex, or else the
     * text itself); null for anything malformed or of an unknown version.
     */
    private static RawXsrfToken decodeXsrfToken(String cookie) {
        try {
            Matcher m = XSRF_VERSION.matcher(cookie);
            if (m.find()) {
                if (!"2".equals(m.group(1))) {
                    return null; // unknown versions count as absent
                }
                String[] parts = cookie.split("\\|", -1);
                if (parts.length != 4) {
                    return null;
                }
                byte[] mask = HexFormat.of().parseHex(parts[1]);
                if (mask.length != 4) {
                    return null;
                }
                byte[] token = mask(mask, HexFormat.of().parseHex(parts[2]));
                if (!parts[3].matches("[0-9]{1,18}")) {
                    return null;
                }
                return new RawXsrfToken(2, token, Long.parseLong(parts[3]));
            }
            byte[] token;
            try {
                token = HexFormat.of().parseHex(cookie);
            } catch (IllegalArgumentException notHex) {
                token = cookie.getBytes(StandardCharsets.UTF_8);
            }
            return new RawXsrfToken(1, token, System.currentTimeMillis() / 1000);
        } catch (IllegalArgumentException e) {
            GEN_LOG.debug("Uncaught exception in _decode_xsrf_token", e);
            return null;
        }
    }

    /** The WebSocket mask: each byte XORed with the mask's byte at index mod 4. */
    private static byte[] mask(byte[] mask, byte[] data) {
        byte[] out = new byte[data.length];
        for (int i = 0; i < data.length; i++) {
            out[i] = (byte) (data[i] ^ mask[i % 4]);
        }
        return out;
    }

    /**
     * Rejects a forged request (Tornado's {@code check_xsrf_cookie}): the token sent as the {@code _xsrf}
     * argument or the {@code X-Xsrftoken} / {@code X-Csrftoken} header must carry the same token as the
     * {@code _xsrf} cookie (masked version-2 tokens and plain version-1 tokens are both accepted; compared in
     * constant time). Called before {@link #prepare()} for every method but GET, HEAD and OPTIONS when the
     * {@code xsrf_cookies} setting is on.
     *
     * @throws HTTPError 403 when the token is missing, malformed or does not match
     */
    public void checkXsrfCookie() {
        String token = firstNonEmpty(getArgument("_xsrf", null), request.headers().get("X-Xsrftoken"),
                request.headers().get("X-Csrftoken"));
        if (token == null) {
            throw new HTTPError(403, "'_xsrf' argument missing from POST");
        }
        RawXsrfToken sent = decodeXsrfToken(token);
        RawXsrfToken expected = rawXsrfToken();
        if (sent == null || sent.token().length == 0) {
            throw new HTTPError(403, "'_xsrf' argument has invalid format");
        }
        if (!MessageDigest.isEqual(sent.token(), expected.token())) {
            throw new HTTPError(403, "XSRF cookie does not match POST argument");
        }
    }

    private static String firstNonEmpty(String... values) {
        for (String v : values) {
            if (v != null && !v.isEmpty()) {
                return v;
            }
        }
        return null;
    }

    /**
     * The hidden form field that carries {@link #xsrfToken()}, for every POST form when {@code xsrf_cookies}
     * is on: {@code <input type="hidden" name="_xsrf" value="..."/>}.
     *
     * @return the HTML
     */
    public String xsrfFormHtml() {
        return "<input type=\"hidden\" name=\"_xsrf\" value=\"" + Escape.xhtmlEscape(xsrfToken()) + "\"/>";
    }

    // ------------------------------------------------------------------ ETags

    /**
     * The entity tag of the response; override for a cheaper one, or return null to turn ETags off. The default
     * is the SHA-1 of the body written so far, hex, in double quotes.
     *
     * @return the tag (with its quotes), or null
     */
    public String computeEtag() {
        try {
            MessageDigest sha1 = (MessageDigest) SHA1.clone(); // cheaper than a provider lookup per response
            for (byte[] part : writeBuffer) {
                sha1.update(part);
            }
            return quotedHex(sha1.digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String quotedHex(byte[] digest) {
        char[] out = new char[digest.length * 2 + 2];
        out[0] = '"';
        for (int i = 0; i < digest.length; i++) {
            out[1 + 2 * i] = Character.forDigit((digest[i] >> 4) & 0xf, 16);
            out[2 + 2 * i] = Character.forDigit(digest[i] & 0xf, 16);
        }
        out[out.length - 1] = '"';
        return new String(out);
    }

    /** Sets the {@code Etag} header to {@link #computeEtag()} (nothing when it is null). */
    public void setEtagHeader() {
        String etag = computeEtag();
        if (etag != null) {
            setHeader("Etag", etag);
        }
    }

    /**
     * Whether the response's {@code Etag} header matches the request's {@code If-None-Match} (a list of tags,
     * compared weakly: {@code W/"x"} matches {@code "x"}; or {@code *}), so that a 304 should be sent.
     * {@link #finish()} does this for 200 responses to GET and HEAD; call it earlier (after
     * {@link #setEtagHeader()}) to skip building a body the client has.
     *
     * @return true when the client's copy is current
     */
    public boolean checkEtagHeader() {
        String computed = headers.get("Etag", "");
        String ifNoneMatch = request.headers().get("If-None-Match");
        if (computed.isEmpty() || ifNoneMatch == null) {
            return false;
        }
        List<String> etags = new ArrayList<>();
        Matcher m = ETAGS.matcher(ifNoneMatch);
        while (m.find()) {
            etags.add(m.group());
        }
        if (etags.isEmpty()) {
            return false;
        }
        if (etags.get(0).equals("*")) {
            return true;
        }
        String want = weak(computed);
        for (String etag : etags) {
            if (weak(etag).equals(want)) {
                return true;
            }
        }
        return false;
    }

    private static String weak(String etag) {
        return etag.startsWith("W/") ? etag.substring(2) : etag;
    }

    // ------------------------------------------------------------------ misc

    /**
     * Takes the connection away from HTTP (Tornado's {@code detach}): nothing more is sent by this handler.
     *
     * @return the raw connection as a stream
     */
    public IOStream detach() {
        finished = true;
        return request.connection().detach();
    }

    /**
     * Tornado's {@code static_url}: {@code static_url_prefix + path + "?v=" + hash} of the file under
     * {@code static_path} (the content hash is cached; no {@code ?v=} when the file cannot be read).
     *
     * @param path the path under {@code static_path}
     * @return the URL
     * @throws IllegalStateException without the {@code static_path} setting
     */
    public String staticUrl(String path) {
        requireSetting("static_path", "static_url");
        return StaticFileHandler.makeStaticUrl(settings(), path, true);
    }

    /**
     * The URL of a named rule of the application.
     *
     * @param name the rule's name
     * @param args one per group
     * @return the URL
     */
    public String reverseUrl(String name, Object... args) {
        return application.reverseUrl(name, args);
    }

    /**
     * Fails unless a setting is present (and not false).
     *
     * @param name    the setting's key
     * @param feature what needs it, for the message
     * @throws IllegalStateException when it is missing
     */
    public void requireSetting(String name, String feature) {
        Object v = settings().get(name);
        if (v == null || Boolean.FALSE.equals(v)) {
            throw new IllegalStateException("You must define the '" + name + "' setting in your application to use "
                    + feature);
        }
    }

    /** @return "METHOD uri (remote ip)", as in the access log */
    protected String summary() {
        return request.method() + " " + request.uri() + " (" + request.remoteIp() + ")";
    }

    // ------------------------------------------------------------------ execution (Tornado's _execute)

    /**
     * Runs a {@link StreamRequestBody} request as its headers arrive: like {@link #execute}, but the HTTP
     * method waits for {@code body} (failed: the client left, the method never runs).
     *
     * @return completes when prepare() is done, successfully or not: the body may be read from then on
     */
    final CompletableFuture<Void> executeStreaming(List<String> args, Map<String, String> kwargs,
                                                   CompletableFuture<Void> body) {
        preparedFuture = new CompletableFuture<>();
        bodyFuture = body;
        execute(args, kwargs);
        return preparedFuture;
    }

    /** Runs the request: prepare(), then the HTTP method, then finish() unless done. */
    final void execute(List<String> args, Map<String, String> kwargs) {
        try {
            if (!SUPPORTED_METHODS.contains(request.method())) {
                throw new HTTPError(405);
            }
            // As Tornado: path arguments go through decodeArgument (named ones with their name) before prepare()
            if (args.isEmpty() && kwargs.isEmpty()) {
                this.pathArgs = List.of();
                this.pathKwargs = Map.of();
            } else {
                List<String> decodedArgs = new ArrayList<>(args.size());
                for (String a : args) {
                    decodedArgs.add(a == null ? null : decodeArgument(a, null));
                }
                Map<String, String> decodedKwargs = new java.util.LinkedHashMap<>();
                kwargs.forEach((k, v) -> decodedKwargs.put(k, v == null ? null : decodeArgument(v, k)));
                this.pathArgs = Collections.unmodifiableList(decodedArgs);
                this.pathKwargs = Collections.unmodifiableMap(decodedKwargs);
            }
            // with xsrf_cookies, reject unsafe requests without the right token, before prepare()
            if (!XSRF_SAFE_METHODS.contains(request.method()) && settings().xsrfCookies()) {
                checkXsrfCookie();
            }
            CompletionStage<?> prepared = prepare();
            if (prepared == null) {
                prepared();
            } else {
                prepared.whenComplete((v, t) -> onLoop(() -> {
                    if (t != null) {
                        handleRequestException(t);
                        releaseBody();
                    } else {
                        prepared();
                    }
                }));
            }
        } catch (Throwable t) {
            handleRequestException(t);
            releaseBody();
        }
    }

    /** prepare() is done: the HTTP method now, or ({@link StreamRequestBody}) once the body arrived. */
    private void prepared() {
        if (preparedFuture == null) {
            callMethod();
            return;
        }
        preparedFuture.complete(null);
        if (finished) {
            return;
        }
        bodyFuture.whenComplete((v, t) -> onLoop(() -> {
            if (t == null) {
                callMethod();
            }
        }));
    }

    /** ({@link StreamRequestBody}) prepare() failed: let the connection go on (it closes after the error). */
    private void releaseBody() {
        if (preparedFuture != null) {
            preparedFuture.complete(null);
        }
    }

    private void callMethod() {
        try {
            if (finished) {
                return;
            }
            MethodHandle method = spec.method(request.method());
            if (method == null) {
                throw new HTTPError(405);
            }
            if (spec.authenticated(request.method()) && currentUser() == null) {
                rejectAnonymous();
                return;
            }
            Object result = (Object) method.invokeExact(this, pathArgv());
            if (result instanceof CompletionStage) {
                ((CompletionStage<?>) result).whenComplete((v, t) -> onLoop(() -> {
                    if (t != null) {
                        handleRequestException(t);
                    } else {
                        autoFinish();
                    }
                }));
            } else {
                autoFinish();
            }
        } catch (Throwable t) {
            handleRequestException(t);
        }
    }

    /** The arguments of the method found by name: the named groups' values when there are any, else the groups'. */
    private String[] pathArgv() {
        return pathKwargs.isEmpty() ? pathArgs.toArray(new String[0]) : pathKwargs.values().toArray(new String[0]);
    }

    private void autoFinish() {
        try {
            if (!finished) {
                finish();
            }
        } catch (Throwable t) {
            handleRequestException(t);
        }
    }

    /**
     * Tornado's {@code _handle_request_exception}: Finish ends normally; HTTPError → its status; HTTPInputError
     * (a body the handler parsed) → 400; else 500.
     */
    final void handleRequestException(Throwable t) {
        Throwable e = t;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof Finish) {
            if (!finished) {
                Finish f = (Finish) e;
                if (f.reason() != null) {
                    setStatus(status, f.reason());
                }
                finish(f.chunk());
            }
            return;
        }
        if (e instanceof HTTPInputError) {
            // a malformed body the handler parsed itself (e.g. a streamed MultipartStreamParser): the client's fault
            e = new HTTPError(400, "Malformed request body: %s", e.getMessage());
        }
        logException(e);
        if (finished) {
            return; // the response is already out
        }
        if (e instanceof HTTPError) {
            sendError(((HTTPError) e).statusCode(), e);
        } else {
            sendError(500, e);
        }
    }

    private void logException(Throwable e) {
        if (e instanceof HTTPError) {
            HTTPError h = (HTTPError) e;
            if (h.logMessage() != null) {
                Object[] args = h.args();
                GEN_LOG.warn("{} {}: {}", h.statusCode(), summary(),
                        args.length == 0 ? h.logMessage() : String.format(h.logMessage(), args));
            }
        } else {
            APP_LOG.error("Uncaught exception {}\n{}", summary(), request, e);
        }
    }

    /** The client went away before the response finished. */
    final void connectionClosed() {
        if (!finished) {
            try {
                onConnectionClose();
            } catch (Throwable t) {
                APP_LOG.error("Exception in onConnectionClose of {}", summary(), t);
            }
        }
    }

    private void onLoop(Runnable r) {
        if (loop.inLoop()) {
            r.run();
        } else {
            loop.addCallback(r);
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + (request == null ? "" : summary()) + ")";
    }
}
