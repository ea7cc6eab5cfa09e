package io.tornadoj.web;

import io.tornadoj.httpserver.HTTPServer;
import io.tornadoj.httputil.HTTPServerConnectionDelegate;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.ioloop.Transport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Test fixture: an {@link Application} (or any {@link HTTPServerConnectionDelegate}) served by an
 * {@link HTTPServer} on 127.0.0.1 and an ephemeral port, on its own {@link IOLoop}; plus a shared
 * {@link HttpClient} (HTTP/1.1, redirects not followed) and raw-socket access ({@link RawHttp}).
 */
public final class TestServer implements AutoCloseable {
    /** One client for every test: HTTP/1.1, never follows redirects. */
    public static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final IOLoop loop;
    private final HTTPServer server;
    private final int port;
    private boolean closed;

    private TestServer(IOLoop loop, HTTPServer server) {
        this.loop = loop;
        this.server = server;
        this.port = server.boundAddresses().get(0).getPort();
    }

    /**
     * Serves an application with {@link Application#listen(int, String)}.
     *
     * @param app the application
     * @return the running server
     */
    public static TestServer start(Application app) {
        return start(app, HTTPServer.Options.builder().build());
    }

    /**
     * Serves an application with {@link Application#listen(int, String, HTTPServer.Options)} (e.g. TLS).
     *
     * @param app     the application
     * @param options the server options
     * @return the running server
     */
    public static TestServer start(Application app, HTTPServer.Options options) {
        return start(app, options, IOLoop.create());
    }

    /**
     * Serves an application on a loop of the given transport.
     *
     * @param app       the application
     * @param transport the loop's transport
     * @return the running server
     */
    public static TestServer start(Application app, Transport transport) {
        return start(app, HTTPServer.Options.builder().build(), IOLoop.create(transport));
    }

    private static TestServer start(Application app, HTTPServer.Options options, IOLoop loop) {
        try {
            HTTPServer server = loop.runSync(() -> CompletableFuture.completedFuture(app.listen(0, "127.0.0.1", options)),
                    Duration.ofSeconds(10));
            return new TestServer(loop, server);
        } catch (Exception e) {
            loop.close();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Serves any delegate (a router, a custom connection delegate) with a plain {@link HTTPServer}.
     *
     * @param delegate what answers requests
     * @return the running server
     */
    public static TestServer startDelegate(HTTPServerConnectionDelegate delegate) {
        IOLoop loop = IOLoop.create();
        try {
            HTTPServer server = loop.runSync(() -> {
                HTTPServer s = new HTTPServer(delegate);
                s.listen(0, "127.0.0.1");
                return CompletableFuture.completedFuture(s);
            }, Duration.ofSeconds(10));
            return new TestServer(loop, server);
        } catch (Exception e) {
            loop.close();
            throw new IllegalStateException(e);
        }
    }

    /** @return the server's loop */
    public IOLoop loop() {
        return loop;
    }

    /** @return the port */
    public int port() {
        return port;
    }

    /**
     * @param path a path with optional query
     * @return {@code http://127.0.0.1:port/path}
     */
    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /**
     * A request builder for a path, with a 10 s timeout.
     *
     * @param path the path
     * @return the builder
     */
    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10));
    }

    /**
     * A GET.
     *
     * @param path    the path
     * @param headers name, value, name, value...
     * @return the response
     */
    public HttpResponse<String> get(String path, String... headers) {
        HttpRequest.Builder b = request(path).GET();
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b);
    }

    /**
     * A request with a method and text body (no body when null).
     *
     * @param method the method
     * @param path   the path
     * @param body   the body, or null
     * @return the response
     */
    public HttpResponse<String> fetch(String method, String path, String body) {
        return send(request(path).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
    }

    /**
     * A urlencoded POST.
     *
     * @param path the path
     * @param form the encoded form
     * @return the response
     */
    public HttpResponse<String> postForm(String path, String form) {
        return send(request(path).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)));
    }

    /**
     * Sends a request, body as UTF-8 text.
     *
     * @param b the request
     * @return the response
     */
    public HttpResponse<String> send(HttpRequest.Builder b) {
        try {
            return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Sends a request, body as bytes.
     *
     * @param b the request
     * @return the response
     */
    public HttpResponse<byte[]> sendBytes(HttpRequest.Builder b) {
        try {
            return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A new raw connection to the server.
     *
     * @return the connection
     */
    public RawHttp raw() {
        return new RawHttp(port);
    }

    /**
     * Sends one raw request on a new connection and reads one response.
     *
     * @param request the request bytes (use \r\n)
     * @return the response
     */
    public RawHttp.Response rawRequest(String request) {
        try (RawHttp c = raw()) {
            c.send(request);
            return c.readResponse(request.startsWith("HEAD "));
        }
    }

    /** Stops the server gracefully and closes the loop. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.stop().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing the loop below closes whatever is left
        } finally {
            loop.close();
        }
    }
}
