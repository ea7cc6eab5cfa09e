package io.tornadoj.web;

import io.tornadoj.escape.Escape;
import io.tornadoj.httputil.HTTPHeaders;
import io.tornadoj.httputil.HTTPServerRequest;
import io.tornadoj.httputil.HTTPUtil;
import io.tornadoj.httputil.ResponseStartLine;
import io.tornadoj.iostream.IOStream;
import io.tornadoj.ioloop.IOLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
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
    private boolean autoFinish = true;
    private GZIPOutputStream gzip;
    private ByteArrayOutputStream gzipBuffer;

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

    /** Runs the request: prepare(), then the HTTP method, then finish() unless done. */
    final void execute(List<String> args, Map<String, String> kwargs) {
        try {
            if (!SUPPORTED_METHODS.contains(request.method())) {
                throw new HTTPError(405);
            }
            // As Tornado: path arguments go through decodeArgument (named ones with their name) before prepare()
            List<String> decodedArgs = new ArrayList<>(args.size());
            for (String a : args) {
                decodedArgs.add(a == null ? null : decodeArgument(a, null));
            }
            Map<String, String> decodedKwargs = new java.util.LinkedHashMap<>();
            kwargs.forEach((k, v) -> decodedKwargs.put(k, v == null ? null : decodeArgument(v, k)));
            this.pathArgs = Collections.unmodifiableList(decodedArgs);
            this.pathKwargs = Collections.unmodifiableMap(decodedKwargs);
            CompletionStage<?> prepared = prepare();
            if (prepared == null) {
                callMethod();
            } else {
                prepared.whenComplete((v, t) -> onLoop(() -> {
                    if (t != null) {
                        handleRequestException(t);
                    } else {
                        callMethod();
                    }
                }));
            }
        } catch (Throwable t) {
            handleRequestException(t);
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
            String[] argv = pathKwargs.isEmpty() ? pathArgs.toArray(new String[0])
                    : pathKwargs.values().toArray(new String[0]);
            Object result = (Object) method.invokeExact(this, argv);
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

    private void autoFinish() {
        try {
            if (autoFinish && !finished) {
                finish();
            }
        } catch (Throwable t) {
            handleRequestException(t);
        }
    }

    /** Tornado's {@code _handle_request_exception}: Finish ends normally; HTTPError → its status; else 500. */
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
