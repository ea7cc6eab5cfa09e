package io.tornadoj.web;

import io.tornadoj.testsupport.RawLines;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A raw HTTP/1.x client connection over a socket on 127.0.0.1, for what {@link java.net.http.HttpClient}
 * hides: reason phrases, Host headers, odd methods, chunk boundaries, closing mid-request. Reads time out
 * after 10 s.
 */
public final class RawHttp implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawHttp(int port) {
        this(connect(port));
    }

    /** Over a connected socket (e.g. a TLS one), which the connection then owns. */
    RawHttp(Socket socket) {
        try {
            this.socket = socket;
            socket.setSoTimeout(10_000);
            in = new java.io.BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Socket connect(int port) {
        try {
            Socket s = new Socket();
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The start of a response: status line and headers. */
    public static class Head {
        public final String version;
        public final int code;
        public final String reason;
        /** Header names lower-cased; values in order. */
        public final Map<String, List<String>> headers;

        Head(String version, int code, String reason, Map<String, List<String>> headers) {
            this.version = version;
            this.code = code;
            this.reason = reason;
            this.headers = headers;
        }

        /**
         * @param name a header name
         * @return its first value, or null
         */
        public String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null || v.isEmpty() ? null : v.get(0);
        }
    }

    /** A parsed response: its head and body. */
    public static final class Response extends Head {
        public final byte[] body;
        /** The chunks of a chunked body, as received (empty otherwise). */
        public final List<byte[]> chunks;

        Response(Head head, byte[] body, List<byte[]> chunks) {
            super(head.version, head.code, head.reason, head.headers);
            this.body = body;
            this.chunks = chunks;
        }

        /** @return the body as UTF-8 */
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return version + " " + code + " " + reason + " " + headers + " " + text();
        }
    }

    /**
     * Writes bytes.
     *
     * @param data the text (ISO-8859-1 bytes; use \r\n)
     */
    public void send(String data) {
        send(data.getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * Writes bytes.
     *
     * @param data the bytes
     */
    public void send(byte[] data) {
        try {
            out.write(data);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads the status line and headers.
     *
     * @return the head
     */
    public Head readHead() {
        String status = readLine();
        if (status == null) {
            throw new UncheckedIOException(new IOException("connection closed before a response"));
        }
        String[] parts = status.split(" ", 3);
        Map<String, List<String>> headers = new TreeMap<>();
        String line;
        while ((line = readLine()) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(line.substring(colon + 1).trim());
        }
        return new Head(parts[0], Integer.parseInt(parts[1]), parts.length > 2 ? parts[2] : "", headers);
    }

    /**
     * Reads one chunk of a chunked body.
     *
     * @return the chunk's bytes, or null for the last (empty) chunk
     */
    public byte[] readChunk() {
        String sizeLine = readLine();
        if (sizeLine == null) {
            throw new UncheckedIOException(new IOException("connection closed inside a chunked body"));
        }
        int semi = sizeLine.indexOf(';');
        int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
        if (size == 0) {
            String trailer;
            while ((trailer = readLine()) != null && !trailer.isEmpty()) {
                // trailers are ignored
            }
            return null;
        }
        byte[] chunk = readN(size);
        readLine();
        return chunk;
    }

    /**
     * Reads a whole response.
     *
     * @param head whether it answers a HEAD request (no body)
     * @return the response
     */
    public Response readResponse(boolean head) {
        Head h = readHead();
        List<byte[]> chunks = new ArrayList<>();
        byte[] body;
        String te = h.header("Transfer-Encoding");
        String cl = h.header("Content-Length");
        if (head || h.code == 204 || h.code == 304 || h.code < 200) {
            body = new byte[0];
        } else if (te != null && te.equalsIgnoreCase("chunked")) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] c;
            while ((c = readChunk()) != null) {
                chunks.add(c);
                all.writeBytes(c);
            }
            body = all.toByteArray();
        } else if (cl != null) {
            body = readN(Integer.parseInt(cl));
        } else {
            body = readToEnd();
        }
        return new Response(h, body, Collections.unmodifiableList(chunks));
    }

    /** @return everything until the server closes */
    public byte[] readToEnd() {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Whether the server closed the connection: a read returns EOF (or the connection was reset) within
     * the socket timeout.
     *
     * @return true when closed
     */
    public boolean closedByServer() {
        try {
            return in.read() < 0;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /**
     * Reads exactly n bytes (e.g. WebSocket frames after a 101).
     *
     * @param n the count
     * @return the bytes
     */
    public byte[] read(int n) {
        return readN(n);
    }

    private byte[] readN(int n) {
        try {
            byte[] b = in.readNBytes(n);
            if (b.length < n) {
                throw new IOException("connection closed after " + b.length + " of " + n + " bytes");
            }
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String readLine() {
        try {
            return RawLines.readLine(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the socket (to set timeouts or shut down halves) */
    public Socket socket() {
        return socket;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // ignored
        }
    }
}
