package io.tornadoj.httpclient;

import io.tornadoj.ioloop.IOLoop;

import java.util.concurrent.CompletableFuture;

/**
 * Tornado's blocking {@code HTTPClient}: an {@link AsyncHTTPClient} on a private {@link IOLoop};
 * {@link #fetch} blocks the calling thread. For scripts and tests, not for code running on a loop.
 * Thread-safe; {@link #close()} when done.
 */
public class HTTPClient implements AutoCloseable {
    private final IOLoop loop;
    private final AsyncHTTPClient client;

    /** A blocking client with default options. */
    public HTTPClient() {
        this(AsyncHTTPClient.Options.builder().build());
    }

    /**
     * A blocking client.
     *
     * @param options the async client's options
     */
    public HTTPClient(AsyncHTTPClient.Options options) {
        loop = IOLoop.create();
        try {
            client = loop.runSync(() -> CompletableFuture.completedFuture(new AsyncHTTPClient(options)));
        } catch (Exception e) {
            loop.close();
            throw new IllegalStateException("cannot start the HTTP client", e);
        }
    }

    /**
     * Fetches a URL with GET.
     *
     * @param url the URL
     * @return the response
     * @throws HTTPClientError for a non-2xx response or a failure (599)
     */
    public HTTPResponse fetch(String url) throws HTTPClientError {
        return fetch(new HTTPRequest(url), true);
    }

    /**
     * Fetches a request.
     *
     * @param request the request
     * @return the response
     * @throws HTTPClientError for a non-2xx response or a failure (599)
     */
    public HTTPResponse fetch(HTTPRequest request) throws HTTPClientError {
        return fetch(request, true);
    }

    /**
     * Fetches a request, blocking the calling thread (not a loop thread).
     *
     * @param request    the request
     * @param raiseError whether a non-2xx response or a failure throws
     * @return the response
     * @throws HTTPClientError when raiseError and the fetch failed
     */
    public HTTPResponse fetch(HTTPRequest request, boolean raiseError) throws HTTPClientError {
        try {
            return loop.runSync(() -> client.fetch(request, raiseError));
        } catch (HTTPClientError | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new HTTPClientError(599, e.toString(), null, e);
        }
    }

    /** Closes the client and its loop. */
    @Override
    public void close() {
        client.close();
        loop.close();
    }
}
