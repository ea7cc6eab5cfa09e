package io.tornadoj.httpserver;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.tornadoj.httputil.HTTPServerConnectionDelegate;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.ioloop.Transport;
import io.tornadoj.testsupport.LogCapture;
import io.tornadoj.web.RequestHandler;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Shared fixture for the HTTPServer tests: a server on its own {@link IOLoop} bound to 127.0.0.1, a raw
 * socket client that sends exact bytes and parses exact responses, and a few handlers.
 */
final class ServerFixture implements AutoCloseable {
    /** How long a test waits for any single read from the server. */
    static final int READ_TIMEOUT_MS = 10_000;

    final IOLoop loop;
    final HTTPServer server;
    final int port;
    private final List<RawClient> clients = new ArrayList<>();

    private ServerFixture(IOLoop loop, HTTPServer server) {
        this.loop = loop;
        this.server = server;
        this.port = server.boundAddresses().get(0).getPort();
    }

    /**
     * Starts a server for {@code app} on a new loop of the transport, listening on 127.0.0.1 port 0.
     */
    static ServerFixture start(Transport t, HTTPServerConnectionDelegate app, HTTPServer.Options options) throws Exception {
        return start(t, () -> new HTTPServer(app, options));
    }

    /** Starts a server made by {@code factory} (called on the loop thread). */
    static ServerFixture start(Transport t, Supplier<HTTPServer> factory) throws Exception {
        IOLoop loop = IOLoop.create(t);
        try {
            HTTPServer server = loop.runSync(() -> {
                HTTPServer s = factory.get();
                s.listen(0, "127.0.0.1");
                return CompletableFuture.completedFuture(s);
            });
            return new ServerFixture(loop, server);
        } catch (Exception | Error e) {
            loop.close();
            throw e;
        }
    }

    static HTTPServer.Options.Builder options() {
        return HTTPServer.Options.builder();
    }

    /** A new raw connection to the server (closed with the fixture). */
    RawClient connect() throws IOException {
        RawClient c = new RawClient(port);
        synchronized (clients) {
            clients.add(c);
        }
        return c;
    }

    /** A GET on a new connection, with {@code Connection: close}; returns the response. */
    Response get(String path) throws IOException {
        try (RawClient c = connect()) {
            c.send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            return c.readResponse();
        }
    }

    /** The server still answers a normal request on a new connection. */
    void assertServing() throws IOException {
        Response r = get("/hello");
        assertEquals(200, r.code, "the server keeps serving others: " + r);
        assertEquals("Hello world", r.bodyText());
    }

    @Override
    public void close() throws ExecutionException, TimeoutException {
        synchronized (clients) {
            for (RawClient c : clients) {
                c.close();
            }
        }
        try {
            server.stop().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            loop.close();
        }
    }

    /** Events at INFO or above on a captured logger. */
    static List<ILoggingEvent> infoAndAbove(LogCapture log) {
        return log.events().stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO)).collect(Collectors.toList());
    }

    /** Waits (bounded) until the capture has at least {@code n} events at INFO or above. */
    static List<ILoggingEvent> awaitLogged(LogCapture log, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (infoAndAbove(log).size() < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return infoAndAbove(log);
    }

    /** Asserts exactly one event at INFO or above was logged, containing {@code text}; returns it. */
    static ILoggingEvent assertLoggedOnce(LogCapture log, String text) throws InterruptedException {
        List<ILoggingEvent> events = awaitLogged(log, 1);
        // give a duplicate the chance to show up
        Thread.sleep(50);
        events = infoAndAbove(log);
        assertEquals(1, events.size(), "logged once: " + log.messages());
        ILoggingEvent e = events.get(0);
        String all = e.getFormattedMessage() + (LogCapture.thrown(e) == null ? "" : " " + LogCapture.thrown(e));
        assertTrue(all.contains(text), "expected '" + text + "' in: " + all);
        return e;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    // ------------------------------------------------------------------ the raw client

    /** A blocking loopback socket that writes exact bytes and reads exact responses. */
    static final class RawClient implements AutoCloseable {
        final Socket socket;
        final InputStream in;
        final OutputStream out;

        RawClient(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(READ_TIMEOUT_MS);
            socket.setTcpNoDelay(true);
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        RawClient send(String s) throws IOException {
            return send(bytes(s));
        }

        RawClient send(byte[] b) throws IOException {
            out.write(b);
            out.flush();
            return this;
        }

        /** One CRLF-terminated line without its CRLF, or null at EOF before any byte. */
        String readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1) {
                if (b == '\n') {
                    String s = line.toString(StandardCharsets.ISO_8859_1);
                    if (!s.endsWith("\r")) {
                        fail("line not terminated by CRLF: " + s);
                    }
                    return s.substring(0, s.length() - 1);
                }
                line.write(b);
            }
            if (line.size() == 0) {
                return null;
            }
            throw new IOException("EOF inside a line: " + line.toString(StandardCharsets.ISO_8859_1));
        }

        byte[] readExactly(int n) throws IOException {
            byte[] b = in.readNBytes(n);
            if (b.length != n) {
                throw new IOException("EOF after " + b.length + " of " + n + " bytes");
            }
            return b;
        }

        /** Reads a response to a request that may have a body (not HEAD). */
        Response readResponse() throws IOException {
            return readResponse(false);
        }

        /** Reads one response: status line, headers, then a body framed by Content-Length, chunks or EOF. */
        Response readResponse(boolean toHead) throws IOException {
            String status = readLine();
            if (status == null) {
                throw new IOException("connection closed before a response");
            }
            String[] parts = status.split(" ", 3);
            Response r = new Response(parts[0], Integer.parseInt(parts[1]), parts.length > 2 ? parts[2] : "");
            r.head.append(status).append("\r\n");
            String line;
            while (!(line = readLine()).isEmpty()) {
                r.head.append(line).append("\r\n");
                int colon = line.indexOf(':');
                r.headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(line.substring(colon + 1).trim());
            }
            if (toHead || r.code / 100 == 1 || r.code == 204 || r.code == 304) {
                return r;
            }
            String te = r.header("Transfer-Encoding");
            String cl = r.header("Content-Length");
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if (te != null && te.equalsIgnoreCase("chunked")) {
                r.chunks = new ArrayList<>();
                while (true) {
                    String sizeLine = readLine();
                    int size = Integer.parseInt(sizeLine.trim(), 16);
                    r.chunks.add(size);
                    if (size == 0) {
                        assertEquals("", readLine(), "no trailers expected after the last chunk");
                        break;
                    }
                    body.writeBytes(readExactly(size));
                    assertEquals("", readLine(), "CRLF after chunk data");
                }
            } else if (cl != null) {
                body.writeBytes(readExactly(Integer.parseInt(cl)));
            } else {
                r.closeDelimited = true;
                body.writeBytes(readToEof());
            }
            r.body = body.toByteArray();
            return r;
        }

        /** Everything until the server closes (a reset counts as the end). */
        byte[] readToEof() throws IOException {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) != -1) {
                    all.write(buf, 0, n);
                }
            } catch (SocketException e) {
                // connection reset: closed too
            }
            return all.toByteArray();
        }

        /** Asserts the server closes the connection without sending anything more. */
        void assertClosed() throws IOException {
            byte[] rest;
            try {
                rest = readToEof();
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the server did not close the connection", e);
            }
            assertEquals("", new String(rest, StandardCharsets.ISO_8859_1), "nothing more before the close");
        }

        /** Asserts nothing arrives (and the connection stays open) for {@code d}. */
        void assertQuietFor(Duration d) throws IOException {
            int old = socket.getSoTimeout();
            socket.setSoTimeout((int) d.toMillis());
            try {
                int b = in.read();
                fail(b == -1 ? "the server closed the connection" : "unexpected byte " + b);
            } catch (SocketTimeoutException expected) {
                // quiet and open
            } finally {
                socket.setSoTimeout(old);
            }
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /** One parsed response. Header names are lower case. */
    static final class Response {
        final String version;
        final int code;
        final String reason;
        final Map<String, List<String>> headers = new LinkedHashMap<>();
        final StringBuilder head = new StringBuilder();
        byte[] body = new byte[0];
        /** The chunk sizes in order (the last is 0) for a chunked body, else null. */
        List<Integer> chunks;
        boolean closeDelimited;

        Response(String version, int code, String reason) {
            this.version = version;
            this.code = code;
            this.reason = reason;
        }

        /** The header's values joined with ",", or null. */
        String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null ? null : String.join(",", v);
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return head + new String(body, StandardCharsets.ISO_8859_1);
        }
    }

    // ------------------------------------------------------------------ handlers

    /** Tornado's hello world: "Hello world" for GET and POST. */
    public static class HelloHandler extends RequestHandler {
        public void get() {
            write("Hello world");
        }

        public void post() {
            write("Hello world");
        }
    }

    /** Echoes the request body (POST/PUT) or describes the request (GET). */
    public static class EchoHandler extends RequestHandler {
        public void post() {
            setHeader("Content-Type", "application/octet-stream");
            write(request().body());
        }

        public void put() {
            post();
        }

        public void get() {
            writeJson(Map.of("arguments", request().arguments(), "remote_ip", String.valueOf(request().remoteIp()),
                    "protocol", request().protocol()));
        }
    }
}
