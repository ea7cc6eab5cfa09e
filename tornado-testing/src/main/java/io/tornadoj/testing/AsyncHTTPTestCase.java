package io.tornadoj.testing;

import io.tornadoj.httpclient.AsyncHTTPClient;
import io.tornadoj.httpclient.HTTPRequest;
import io.tornadoj.httpclient.HTTPResponse;
import io.tornadoj.httpserver.HTTPServer;
import io.tornadoj.httputil.HTTPServerConnectionDelegate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Tornado's {@code AsyncHTTPTestCase}: an {@link AsyncTestCase} that serves {@link #getApp()} on a free
 * loopback port with an {@link HTTPServer} and has an {@link AsyncHTTPClient} ready; {@link #fetch} makes
 * a request from the test thread and never raises on an HTTP status. Server and client are closed (with
 * their connections) after each test.
 */
public abstract class AsyncHTTPTestCase extends AsyncTestCase {
    /** The server, started before each test. */
    protected HTTPServer httpServer;
    /** A client on the test's loop. */
    protected AsyncHTTPClient httpClient;

    /** Test classes extend this. */
    protected AsyncHTTPTestCase() {
    }

    /**
     * What to serve; an {@code Application} usually (a subclass may narrow the return type).
     *
     * @return the delegate
     */
    protected abstract HTTPServerConnectionDelegate getApp();

    /**
     * The server's options; override to set limits, xheaders, TLS…
     *
     * @return the options
     */
    protected HTTPServer.Options getHttpServerOptions() {
        return HTTPServer.Options.builder().build();
    }

    /**
     * The client's options; override to change them.
     *
     * @return the options
     */
    protected AsyncHTTPClient.Options getHttpClientOptions() {
        return AsyncHTTPClient.Options.builder().build();
    }

    /** @return {@code http} (the HTTPS variant says {@code https}) */
    protected String getProtocol() {
        return "http";
    }

    /** Starts the server and the client on the test's loop; runs before each test. */
    @BeforeEach
    public void setUpHTTP() throws Exception {
        httpServer = ioLoop.runSync(() -> {
            HTTPServer server = new HTTPServer(getApp(), getHttpServerOptions());
            server.listen(0, "127.0.0.1");
            httpClient = new AsyncHTTPClient(getHttpClientOptions());
            return CompletableFuture.completedFuture(server);
        });
    }

    /**
     * Closes the client, stops the server and closes its connections at once (a response still pending is
     * not waited for, as Tornado's {@code close_all_connections}); runs after each test.
     */
    @AfterEach
    public void tearDownHTTP() throws Exception {
        if (httpServer != null && !ioLoop.eventLoop().isShuttingDown()) {
            ioLoop.runSync(() -> {
                httpClient.close();
                CompletableFuture<Void> stopped = httpServer.stop();
                return CompletableFuture.allOf(stopped, httpServer.closeAllConnections());
            }, AsyncTestCase.envTimeout());
        }
    }

    /** @return the server's port */
    public int getHttpPort() {
        return httpServer.boundAddresses().get(0).getPort();
    }

    /**
     * An absolute URL on the test server.
     *
     * @param path e.g. {@code /hello?x=1}
     * @return e.g. {@code http://127.0.0.1:PORT/hello?x=1}
     */
    public String getUrl(String path) {
        return getProtocol() + "://127.0.0.1:" + getHttpPort() + path;
    }

    /**
     * GETs a path from the test thread and waits for the response (which may have any status), at most
     * the test's timeout ({@link #await(CompletionStage)}). Never raises on an HTTP status; a request that
     * could not be made at all raises unchecked (see {@link #fetch(String, Consumer)}).
     *
     * @param path the path, or an absolute {@code http://}/{@code https://} URL, fetched as it is
     * @return the response; a connection failure or timeout is a 599 response whose
     *         {@link HTTPResponse#error()} says why
     */
    public HTTPResponse fetch(String path) {
        return fetch(path, b -> { });
    }

    /**
     * Fetches a path with request options, waiting on the test thread at most the test's timeout; never
     * raises on an HTTP status (Tornado's {@code fetch(path, raise_error=False)}).
     *
     * <p>Failures are unchecked: an invalid request (e.g. a method/body combination) rethrows the client's
     * {@link IllegalArgumentException} (or other runtime exception) as it is; a checked exception from the
     * client is rethrown as a {@link CompletionException} whose cause it is; a timeout is an
     * {@link AssertionError}, as for {@link #await(CompletionStage)}.
     *
     * @param path    the path, or an absolute {@code http://}/{@code https://} URL, fetched as it is
     * @param options sets method, body, headers… on the request builder
     * @return the response; a connection failure or timeout is a 599 response whose
     *         {@link HTTPResponse#error()} says why
     */
    public HTTPResponse fetch(String path, Consumer<HTTPRequest.Builder> options) {
        boolean absolute = path.regionMatches(true, 0, "http://", 0, 7) || path.regionMatches(true, 0, "https://", 0, 8);
        HTTPRequest.Builder b = HTTPRequest.builder(absolute ? path : getUrl(path));
        options.accept(b);
        HTTPRequest request = b.build();
        CompletableFuture<HTTPResponse> response = new CompletableFuture<>();
        ioLoop.addCallback(() -> {
            try {
                httpClient.fetch(request, false).whenComplete((r, t) -> {
                    if (t != null) {
                        response.completeExceptionally(t);
                    } else {
                        response.complete(r);
                    }
                });
            } catch (Throwable t) {
                response.completeExceptionally(t);
            }
        });
        try {
            return await(response);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }
}
