package io.tornadoj.httputil;

import io.tornadoj.ioloop.IOLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * A {@code multipart/form-data} body parsed as it arrives, in chunks of any size fed in order: plain fields
 * (parts without a file name) are collected into {@link #arguments()}, file parts go to a {@link Listener}
 * piece by piece, so an upload never needs to be held whole. Made for {@code @StreamRequestBody} handlers:
 *
 * <pre>{@code
 * public CompletionStage<?> prepare() {
 *     try {
 *         parser = MultipartStreamParser.forContentType(request().headers().get("Content-Type", ""), listener, 64 * 1024);
 *         return null;
 *     } catch (HTTPInputError e) {
 *         return CompletableFuture.failedFuture(e); // 400
 *     }
 * }
 * public CompletionStage<?> dataReceived(byte[] chunk) { return parser.feed(chunk); }
 * public CompletionStage<Void> post() { return parser.finish().thenRun(() -> write(parser.arguments())); }
 * }</pre>
 *
 * <p>The rules are Tornado's {@code parse_multipart_form_data} (which {@link HTTPUtil#parseMultipartFormData}
 * implements with this class): the boundary may be quoted (and, unlike Tornado, is at most 70 characters, as
 * RFC 2046 says: each chunk is searched from that far back, so feeding is linear however small the chunks); parts are separated by {@code --boundary CRLF} and
 * end at {@code --boundary--}, after which everything is ignored; each part has a header block (at most
 * 10 KiB, UTF-8, no control characters) and ends with CRLF; at most 100 parts. A part whose disposition is
 * not {@code form-data} or that has no {@code name} is skipped with a warning on {@code tornado.general}. One
 * difference, as a stream cannot look ahead: the body ends at the <em>first</em> {@code --boundary--}, where
 * Tornado looks for the last one (they differ only when a part's content holds the closing delimiter, which
 * a client's choice of boundary rules out). Anything else malformed fails the stage returned by
 * {@link #feed} or {@link #finish} with an {@link HTTPInputError} ({@code @StreamRequestBody} handlers then
 * answer 400), and the parser stays failed.
 *
 * <p>Flow control: the listener's calls run in body order, each once the stage returned by the previous
 * one completed; {@link #feed} returns a stage that completes when every call the chunk caused has
 * completed, so a caller that waits for it before feeding more holds at most one chunk. A parser made on a
 * loop thread makes its calls on that loop (a call that waited for a stage completed elsewhere, e.g. by
 * {@code runInExecutor}, goes back to the loop); one made elsewhere makes them on the thread that fed the
 * chunk or completed the stage. Not thread-safe: feed from one thread at a time (a connection's loop thread).
 */
public final class MultipartStreamParser {
    private static final Logger GEN_LOG = LoggerFactory.getLogger("tornado.general");
    private static final byte[] EMPTY = new byte[0];
    private static final byte[] CRLFCRLF = {'\r', '\n', '\r', '\n'};
    private static final int[] CRLFCRLF_TABLE = HTTPUtil.kmpTable(CRLFCRLF);
    /** The longest boundary (RFC 2046 §5.1.1): a body is rescanned for up to this many bytes per chunk. */
    private static final int MAX_BOUNDARY_LENGTH = 70;

    /**
     * A file part's headers.
     *
     * @param name        the form field's name (Content-Disposition {@code name})
     * @param filename    the client's file name (Content-Disposition {@code filename}, decoded as Tornado does)
     * @param contentType the part's Content-Type, {@code application/unknown} when absent
     * @param headers     all of the part's headers
     */
    public record Part(String name, String filename, String contentType, HTTPHeaders headers) {
    }

    /**
     * Receives the file parts of a body. Each method may return a stage (null: done at once); the parser
     * makes no further call until it completes, and a failed stage fails the parse.
     */
    public interface Listener {
        /**
         * A file part begins.
         *
         * @param part its headers
         * @return a stage to wait for, or null
         */
        default CompletionStage<?> partBegin(Part part) {
            return null;
        }

        /**
         * The next bytes of a file part's content (never empty).
         *
         * @param part  the part
         * @param chunk the bytes, the listener's to keep
         * @return a stage to wait for, or null
         */
        CompletionStage<?> partData(Part part, byte[] chunk);

        /**
         * A file part's content is complete.
         *
         * @param part the part
         * @return a stage to wait for, or null
         */
        default CompletionStage<?> partEnd(Part part) {
            return null;
        }
    }

    private enum State { HEADERS, BODY, DONE }

    /** {@code --boundary}: a delimiter when CRLF follows, the close delimiter when {@code --} does. */
    private final byte[] dashBoundary;
    private final int[] dashBoundaryTable;
    private final Listener listener;
    /** Where the listener's calls run: the loop the parser was made on, else the thread at hand. */
    private final Executor callThread;
    private final long maxFieldsSize;
    private final Map<String, List<String>> arguments = new LinkedHashMap<>();
    private State state = State.HEADERS;
    /**
     * Bytes not parsed yet, {@code pending[0, pendingLength)}: a header block still incomplete, or a body's
     * tail that may hold a delimiter. Chunks are appended (the buffer grows by doubling).
     */
    private byte[] pending = EMPTY;
    private int pendingLength;
    private int parts;
    private long fieldsSize;
    /** The file part being read, or null. */
    private Part file;
    /** The name of the plain field being read, or null. */
    private String fieldName;
    private ByteArrayOutputStream field;
    /** Content bytes of the current part passed on so far. */
    private long partBytes;
    /** The listener's calls so far: each runs after the previous one's stage. */
    private CompletableFuture<Void> calls = CompletableFuture.completedFuture(null);
    private HTTPInputError error;

    /**
     * A parser for the body of a request with this Content-Type.
     *
     * @param contentType   the request's Content-Type, {@code multipart/form-data; boundary=...}
     * @param listener      receives the file parts
     * @param maxFieldsSize the most bytes all plain field values together may have (a body over it is an
     *                      {@link HTTPInputError})
     * @return the parser
     * @throws HTTPInputError when the type is not {@code multipart/form-data} or has no boundary, or one
     *                        longer than 70 characters
     */
    public static MultipartStreamParser forContentType(String contentType, Listener listener, long maxFieldsSize) {
        return new MultipartStreamParser(HTTPUtil.multipartBoundary(contentType).getBytes(StandardCharsets.UTF_8),
                listener, maxFieldsSize);
    }

    /**
     * A parser for a body with this boundary.
     *
     * @param boundary      the boundary parameter of the Content-Type, possibly quoted
     * @param listener      receives the file parts
     * @param maxFieldsSize the most bytes all plain field values together may have
     * @throws HTTPInputError when the boundary is empty or longer than 70 characters (RFC 2046)
     */
    public MultipartStreamParser(byte[] boundary, Listener listener, long maxFieldsSize) {
        byte[] b = boundary;
        if (b.length >= 2 && b[0] == '"' && b[b.length - 1] == '"') {
            b = Arrays.copyOfRange(b, 1, b.length - 1);
        }
        if (b.length == 0) {
            throw new HTTPInputError("Invalid multipart/form-data: empty boundary");
        }
        if (b.length > MAX_BOUNDARY_LENGTH) {
            throw new HTTPInputError("Invalid multipart/form-data: boundary longer than " + MAX_BOUNDARY_LENGTH
                    + " characters");
        }
        dashBoundary = new byte[b.length + 2];
        dashBoundary[0] = '-';
        dashBoundary[1] = '-';
        System.arraycopy(b, 0, dashBoundary, 2, b.length);
        dashBoundaryTable = HTTPUtil.kmpTable(dashBoundary);
        this.listener = listener;
        IOLoop loop = IOLoop.currentOrNull();
        this.callThread = loop == null || !loop.inLoop() ? Runnable::run : r -> {
            if (loop.inLoop()) {
                r.run();
            } else {
                loop.addCallback(r);
            }
        };
        this.maxFieldsSize = maxFieldsSize;
    }

    /**
     * Parses the next bytes of the body.
     *
     * @param chunk the bytes (not kept)
     * @return completes when the listener's calls for these bytes have completed; fails with an
     *         {@link HTTPInputError} when the body is malformed, or with the listener's failure
     */
    public CompletionStage<Void> feed(byte[] chunk) {
        if (error == null && state != State.DONE) {
            try {
                parse(chunk);
            } catch (HTTPInputError e) {
                fail(e);
            }
        }
        return result();
    }

    /**
     * The body has ended.
     *
     * @return completes when the listener's last call has; fails with an {@link HTTPInputError} when the
     *         closing delimiter never came (or an earlier failure)
     */
    public CompletionStage<Void> finish() {
        if (error == null && state != State.DONE) {
            fail(new HTTPInputError("Invalid multipart/form-data: no final boundary found"));
        }
        return result();
    }

    /**
     * The plain fields read so far, name → values in body order (complete once {@link #finish()} succeeded).
     *
     * @return the live map
     */
    public Map<String, List<String>> arguments() {
        return arguments;
    }

    private void fail(HTTPInputError e) {
        error = e;
        pending = EMPTY;
        pendingLength = 0;
        field = null;
    }

    private CompletionStage<Void> result() {
        HTTPInputError e = error;
        return e == null ? calls : calls.thenCompose(v -> CompletableFuture.failedFuture(e));
    }

    private void call(Supplier<CompletionStage<?>> c) {
        calls = calls.thenComposeAsync(v -> {
            CompletionStage<?> s = c.get();
            return s == null ? CompletableFuture.completedFuture(null) : s.thenApply(x -> null);
        }, callThread);
    }

    private void parse(byte[] chunk) {
        byte[] data = chunk;
        int end = chunk.length;
        // the bytes before were searched already: a delimiter, or the end of a header block, not found then
        // ends in the new bytes (the header block's search stopped at a delimiter that had not fully arrived)
        int resume = pendingLength - dashBoundary.length - 2 - CRLFCRLF.length;
        if (pendingLength > 0) {
            append(chunk);
            data = pending;
            end = pendingLength;
        }
        int pos = 0;
        while (state != State.DONE) {
            int d = nextDelimiter(data, Math.max(pos, resume), end);
            boolean atDelimiter = d >= 0 && d + dashBoundary.length + 2 <= end;
            if (state == State.HEADERS) {
                // the header block must end before the part does
                int eoh = HTTPUtil.indexOf(data, CRLFCRLF, CRLFCRLF_TABLE, Math.max(pos, resume), d < 0 ? end : d);
                if (eoh >= 0) {
                    if (eoh - pos > HTTPUtil.MAX_MULTIPART_PART_HEADER_SIZE) {
                        throw new HTTPInputError("multipart/form-data part header too large");
                    }
                    beginPart(Arrays.copyOfRange(data, pos, eoh));
                    pos = eoh + CRLFCRLF.length;
                    state = State.BODY;
                } else if (atDelimiter) {
                    if (d > pos) {
                        throw new HTTPInputError("multipart/form-data missing headers");
                    }
                    pos = pastDelimiter(data, d); // an empty part (the preamble, usually): nothing to parse
                } else if (end - pos >= HTTPUtil.MAX_MULTIPART_PART_HEADER_SIZE + CRLFCRLF.length) {
                    throw new HTTPInputError("multipart/form-data part header too large");
                } else {
                    break;
                }
            } else if (atDelimiter) {
                endPart(data, pos, d);
                pos = pastDelimiter(data, d);
            } else {
                // keep back what may be the CRLF before a delimiter that has not fully arrived
                int safe = end - dashBoundary.length - 3;
                if (safe > pos) {
                    content(data, pos, safe);
                    pos = safe;
                }
                break;
            }
        }
        keep(data, state == State.DONE ? end : pos, end);
    }

    /** Appends a chunk to the pending bytes. */
    private void append(byte[] chunk) {
        int length = pendingLength + chunk.length;
        if (length > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(length, 2 * pending.length));
        }
        System.arraycopy(chunk, 0, pending, pendingLength, chunk.length);
        pendingLength = length;
    }

    /** The pending bytes become {@code data[from, to)} (data: the pending buffer, or a chunk parsed alone). */
    private void keep(byte[] data, int from, int to) {
        int length = to - from;
        if (data != pending && length > pending.length) {
            pending = new byte[Math.max(length, 2 * pending.length)];
        }
        if (data != pending || from > 0) { // a header block still arriving stays where it is
            System.arraycopy(data, from, pending, 0, length);
        }
        pendingLength = length;
    }

    /**
     * The first {@code --boundary} in {@code data[from, end)} that is a delimiter, or that the data ends too
     * soon after to tell; -1 when there is none.
     */
    private int nextDelimiter(byte[] data, int from, int end) {
        int i = from;
        while ((i = HTTPUtil.indexOf(data, dashBoundary, dashBoundaryTable, i, end)) >= 0) {
            int after = i + dashBoundary.length;
            if (after + 2 > end
                    || data[after] == '\r' && data[after + 1] == '\n'
                    || data[after] == '-' && data[after + 1] == '-') {
                return i;
            }
            i++;
        }
        return -1;
    }

    /** Past the delimiter at {@code d}: the next part's headers, or the end for the close delimiter. */
    private int pastDelimiter(byte[] data, int d) {
        int after = d + dashBoundary.length;
        state = data[after] == '-' ? State.DONE : State.HEADERS;
        return after + 2;
    }

    private void beginPart(byte[] headerBlock) {
        if (++parts > HTTPUtil.MAX_MULTIPART_PARTS) {
            throw new HTTPInputError("multipart/form-data has too many parts");
        }
        String headerText = HTTPUtil.decodeUtf8Strict(headerBlock, "multipart/form-data headers");
        for (String line : headerText.split("\r?\n", -1)) {
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if ((c < 0x20 && c != '\t') || c == 0x7f) {
                    throw new HTTPInputError("multipart/form-data: Invalid header value " + HTTPUtil.quoteForMessage(line));
                }
            }
        }
        HTTPHeaders headers;
        try {
            headers = HTTPHeaders.parse(headerText);
        } catch (IllegalArgumentException e) {
            throw new HTTPInputError("multipart/form-data: " + e.getMessage());
        }
        partBytes = 0;
        Map<String, String> params = new LinkedHashMap<>();
        String disposition = HTTPUtil.parseHeader(headers.get("Content-Disposition", ""), params);
        String name = params.get("name");
        String filename = params.get("filename");
        if (!disposition.equalsIgnoreCase("form-data")) {
            GEN_LOG.warn("Invalid multipart/form-data");
        } else if (name == null || name.isEmpty()) {
            GEN_LOG.warn("multipart/form-data value missing name");
        } else if (filename != null && !filename.isEmpty()) {
            Part p = new Part(name, filename, headers.get("Content-Type", "application/unknown"), headers);
            file = p;
            call(() -> listener.partBegin(p));
        } else {
            fieldName = name;
            field = new ByteArrayOutputStream();
        }
    }

    /** Content bytes of the current part (skipped parts drop them). */
    private void content(byte[] data, int from, int to) {
        int n = to - from;
        if (n <= 0) {
            return;
        }
        partBytes += n;
        if (file != null) {
            Part p = file;
            byte[] chunk = Arrays.copyOfRange(data, from, to);
            call(() -> listener.partData(p, chunk));
        } else if (field != null) {
            fieldsSize += n;
            if (fieldsSize > maxFieldsSize) {
                throw new HTTPInputError("multipart/form-data fields over " + maxFieldsSize + " bytes");
            }
            field.write(data, from, n);
        }
    }

    /** The part ends at the delimiter at {@code d}: its content (up to {@code d}) must end with CRLF. */
    private void endPart(byte[] data, int from, int d) {
        int n = d - from;
        boolean endsWithCrlf = n == 0 ? partBytes == 0 // nothing after the header block's CRLFCRLF
                : n >= 2 && data[d - 2] == '\r' && data[d - 1] == '\n';
        if (!endsWithCrlf) {
            throw new HTTPInputError("Invalid multipart/form-data: part does not end with CRLF");
        }
        content(data, from, Math.max(from, d - 2));
        if (file != null) {
            Part p = file;
            call(() -> listener.partEnd(p));
        } else if (field != null) {
            arguments.computeIfAbsent(fieldName, k -> new ArrayList<>(1)).add(HTTPUtil.decodeUtf8Strict(field.toByteArray(),
                    "multipart/form-data value for " + HTTPUtil.quoteForMessage(fieldName)));
        }
        file = null;
        fieldName = null;
        field = null;
    }
}
