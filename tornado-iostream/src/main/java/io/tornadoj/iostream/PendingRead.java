package io.tornadoj.iostream;

import io.netty.buffer.ByteBuf;

import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one read an {@link IOStream} may have pending: what it waits for, and how many buffered bytes
 * satisfy it. Loop thread only.
 */
final class PendingRead {
    enum Kind { UNTIL, REGEX, BYTES, INTO, CLOSE }

    final Kind kind;
    final CompletableFuture<Object> future = new CompletableFuture<>();
    private final byte[] delimiter;
    private final Pattern pattern;
    private final int maxBytes;
    private final int n;
    final boolean partial;
    final byte[] into;
    /** Where the next delimiter search starts (bytes already known not to hold a match start). */
    private int scanFrom;

    private PendingRead(Kind kind, byte[] delimiter, Pattern pattern, int maxBytes, int n, boolean partial, byte[] into) {
        this.kind = kind;
        this.delimiter = delimiter;
        this.pattern = pattern;
        this.maxBytes = maxBytes;
        this.n = n;
        this.partial = partial;
        this.into = into;
    }

    static PendingRead until(byte[] delimiter, int maxBytes) {
        if (delimiter.length == 0) {
            throw new IllegalArgumentException("empty delimiter");
        }
        return new PendingRead(Kind.UNTIL, delimiter.clone(), null, maxBytes, 0, false, null);
    }

    static PendingRead regex(Pattern pattern, int maxBytes) {
        return new PendingRead(Kind.REGEX, null, pattern, maxBytes, 0, false, null);
    }

    static PendingRead bytes(int n, boolean partial) {
        if (n < 0) {
            throw new IllegalArgumentException("negative byte count");
        }
        return new PendingRead(Kind.BYTES, null, null, -1, n, partial, null);
    }

    static PendingRead into(byte[] buf, boolean partial) {
        return new PendingRead(Kind.INTO, null, null, -1, buf.length, partial, buf);
    }

    static PendingRead untilClose() {
        return new PendingRead(Kind.CLOSE, null, null, -1, 0, false, null);
    }

    /** Whether this read needs more bytes buffered at once than the limit allows. */
    boolean exceeds(int maxBufferSize) {
        return (kind == Kind.BYTES || kind == Kind.INTO) && !partial && n > maxBufferSize;
    }

    /** The byte count of a BYTES/INTO read. */
    int size() {
        return n;
    }

    /**
     * How many of the buffered bytes satisfy this read.
     *
     * @param buf the read buffer
     * @param eof whether no more data will come
     * @return the byte count, or -1 when the read must wait
     * @throws UnsatisfiableReadError when it can never be satisfied within maxBytes
     */
    int satisfiedBy(ByteBuf buf, boolean eof) throws UnsatisfiableReadError {
        int readable = buf.readableBytes();
        switch (kind) {
            case UNTIL: {
                int end = findDelimiter(buf);
                return checkMax(end, readable, "delimiter");
            }
            case REGEX: {
                Matcher m = pattern.matcher(new Latin1View(buf, buf.readerIndex(), readable));
                return checkMax(m.find() ? m.end() : -1, readable, "regex");
            }
            case BYTES:
            case INTO:
                if (partial) {
                    return n == 0 ? 0 : readable > 0 ? Math.min(n, readable) : -1;
                }
                return readable >= n ? n : -1;
            case CLOSE:
                return eof ? readable : -1;
            default:
                throw new AssertionError(kind);
        }
    }

    private int checkMax(int end, int readable, String what) throws UnsatisfiableReadError {
        if (maxBytes >= 0 && (end > maxBytes || (end < 0 && readable > maxBytes))) {
            throw new UnsatisfiableReadError(what + " not found within " + maxBytes + " bytes");
        }
        return end;
    }

    /** The end of the first delimiter (relative to readerIndex), or -1. */
    private int findDelimiter(ByteBuf buf) {
        int start = buf.readerIndex();
        int limit = buf.writerIndex();
        int len = delimiter.length;
        byte first = delimiter[0];
        int from = start + scanFrom;
        while (from <= limit - len) {
            int i = buf.indexOf(from, limit - len + 1, first);
            if (i < 0) {
                break;
            }
            int k = 1;
            while (k < len && buf.getByte(i + k) == delimiter[k]) {
                k++;
            }
            if (k == len) {
                return i - start + len;
            }
            from = i + 1;
        }
        scanFrom = Math.max(0, limit - start - len + 1);
        return -1;
    }

    /** Consumption moved the reader index: searches restart relative to it. */
    void bufferConsumed() {
        scanFrom = 0;
    }

    /** A read-only ISO-8859-1 view of buffered bytes, for regex matching without a copy. */
    private static final class Latin1View implements CharSequence {
        private final ByteBuf buf;
        private final int offset;
        private final int length;

        Latin1View(ByteBuf buf, int offset, int length) {
            this.buf = buf;
            this.offset = offset;
            this.length = length;
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public char charAt(int index) {
            return (char) (buf.getByte(offset + index) & 0xff);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new Latin1View(buf, offset + start, end - start);
        }

        @Override
        public String toString() {
            return buf.toString(offset, length, java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }
}
