package io.tornadoj.httpclient;

import io.tornadoj.testsupport.RawLines;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A blocking {@link ServerSocket} peer on a loopback address for what a real server will not do
 * (malformed or truncated responses, silence, closing at chosen moments). Each connection runs the
 * handler on its own thread; the socket is closed when the handler returns. Counts connections:
 * accepted so far, open now (accepted and not yet finished by the handler) and the most open at once.
 */
final class RawServer implements AutoCloseable {
    /** Serves one connection; {@code index} counts connections from 0. */
    interface Handler {
        void handle(Conn conn, int index) throws Exception;
    }

    final AtomicInteger accepted = new AtomicInteger();
    final AtomicInteger open = new AtomicInteger();
    final AtomicInteger maxOpen = new AtomicInteger();
    /** Every request read by any connection, in arrival order. */
    final List<Request> requests = new CopyOnWriteArrayList<>();
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final ServerSocket server;
    private final Handler handler;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    RawServer(Handler handler) throws IOException {
        this(handler, InetAddress.getByName("127.0.0.1"));
    }

    RawServer(Handler handler, InetAddress address) throws IOException {
        this.handler = handler;
        server = new ServerSocket();
        server.bind(new InetSocketAddress(address, 0), 50);
        Thread t = new Thread(this::acceptLoop, "raw-server-" + server.getLocalPort());
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    String url(String path) {
        InetAddress a = server.getInetAddress();
        String host = a.getHostAddress().indexOf(':') >= 0 ? "[" + a.getHostAddress() + "]" : a.getHostAddress();
        return "http://" + host + ":" + port() + path;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return;
            }
            int index = accepted.getAndIncrement();
            int now = open.incrementAndGet();
            maxOpen.accumulateAndGet(now, Math::max);
            sockets.add(s);
            Thread t = new Thread(() -> serve(s, index), "raw-conn-" + index);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void serve(Socket s, int index) {
        try (s) {
            s.setSoTimeout(15_000);
            handler.handle(new Conn(s, this), index);
        } catch (Throwable e) {
            if (!closed) {
                errors.add(e);
            }
        } finally {
            open.decrementAndGet();
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
        try {
            for (Thread t : threads) {
                t.join(5000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ HTTP pieces

    /** A request as read off the wire. */
    static final class Request {
        final String requestLine;
        /** Header lines as received, in order. */
        final List<String> headerLines;
        /** Headers by lower-case name (last value wins). */
        final Map<String, String> headers;
        final byte[] body;
        /** Whether the body came chunked, and the sizes of its chunks. */
        final List<Integer> chunkSizes;

        Request(String requestLine, List<String> headerLines, Map<String, String> headers, byte[] body, List<Integer> chunkSizes) {
            this.requestLine = requestLine;
            this.headerLines = headerLines;
            this.headers = headers;
            this.body = body;
            this.chunkSizes = chunkSizes;
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String method() {
            return requestLine.substring(0, requestLine.indexOf(' '));
        }

        String target() {
            return requestLine.split(" ")[1];
        }

        String bodyAsString() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** One accepted connection with blocking HTTP/1.1 helpers. */
    static final class Conn {
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        private final RawServer server;

        Conn(Socket socket, RawServer server) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
            this.server = server;
        }

        /** Reads a CRLF-terminated line (without the CRLF), or null at EOF before any byte. */
        String readLine() throws IOException {
            return RawLines.readLine(in);
        }

        /** Reads a request head only (no body), or null at EOF. */
        Request readHead() throws IOException {
            String line = readLine();
            if (line == null) {
                return null;
            }
            List<String> lines = new ArrayList<>();
            Map<String, String> headers = new LinkedHashMap<>();
            String h;
            while ((h = readLine()) != null && !h.isEmpty()) {
                lines.add(h);
                int colon = h.indexOf(':');
                headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
            }
            return new Request(line, lines, headers, new byte[0], List.of());
        }

        /** Reads the body that belongs to a head read with {@link #readHead()}. */
        Request readBody(Request head) throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            List<Integer> chunks = new ArrayList<>();
            if ("chunked".equalsIgnoreCase(head.header("Transfer-Encoding"))) {
                while (true) {
                    String size = readLine();
                    int n = Integer.parseInt(size.trim().split(";")[0], 16);
                    if (n == 0) {
                        while (!readLine().isEmpty()) {
                            // trailers
                        }
                        break;
                    }
                    body.write(in.readNBytes(n));
                    chunks.add(n);
                    readLine();
                }
            } else if (head.header("Content-Length") != null) {
                body.write(in.readNBytes(Integer.parseInt(head.header("Content-Length"))));
            }
            Request r = new Request(head.requestLine, head.headerLines, head.headers, body.toByteArray(), chunks);
            server.requests.add(r);
            return r;
        }

        /** Reads a whole request, or null at EOF. */
        Request readRequest() throws IOException {
            Request head = readHead();
            return head == null ? null : readBody(head);
        }

        void write(String s) throws IOException {
            write(s.getBytes(StandardCharsets.ISO_8859_1));
        }

        void write(byte[] b) throws IOException {
            out.write(b);
            out.flush();
        }

        /** Writes a keep-alive 200 response with a body. */
        void respond(String body) throws IOException {
            respond(200, "OK", body);
        }

        void respond(int code, String reason, String body) throws IOException {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            write("HTTP/1.1 " + code + " " + reason + "\r\nContent-Length: " + b.length + "\r\n\r\n");
            write(b);
        }

        /** Whether the peer closed: reads until EOF (true) or until {@code millis} pass with no data (false). */
        boolean awaitEof(int millis) throws IOException {
            int old = socket.getSoTimeout();
            socket.setSoTimeout(millis);
            try {
                while (true) {
                    int c = in.read();
                    if (c == -1) {
                        return true;
                    }
                }
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true; // reset
            } finally {
                if (!socket.isClosed()) {
                    socket.setSoTimeout(old);
                }
            }
        }

        /** Bytes that arrive within {@code millis} (until EOF or the time passes). */
        byte[] readFor(int millis) throws IOException {
            int old = socket.getSoTimeout();
            socket.setSoTimeout(millis);
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            try {
                int c;
                while ((c = in.read()) != -1) {
                    b.write(c);
                }
            } catch (SocketTimeoutException e) {
                // time is up
            } finally {
                socket.setSoTimeout(old);
            }
            return b.toByteArray();
        }
    }

    /** A handler answering every request on a connection with a keep-alive 200 and {@code body}. */
    static Handler keepAlive(String body) {
        return (c, i) -> {
            while (c.readRequest() != null) {
                c.respond(body);
            }
        };
    }
}
