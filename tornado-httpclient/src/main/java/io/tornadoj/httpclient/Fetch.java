package io.tornadoj.httpclient;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.tornadoj.httputil.HTTPHeaders;
import io.tornadoj.httputil.HTTPUtil;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.ioloop.Timeout;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * One {@code fetch()}: waits for a slot (maxClients), gets a pooled or new connection, sends the request,
 * collects the response, follows redirects, and completes the caller's future once. Loop thread only.
 */
final class Fetch {
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE");
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

    private final AsyncHTTPClient client;
    private final IOLoop loop;
    private final HTTPRequest original;
    private final boolean raiseError;
    private final CompletableFuture<HTTPResponse> result;
    private final double startTime = System.currentTimeMillis() / 1000.0;
    private final long startNanos = System.nanoTime();
    private final Map<String, Double> timeInfo = new LinkedHashMap<>();

    private HTTPRequest request;
    /** Where {@link #request} goes: parsed once per request (and again after a redirect). */
    private Target target;
    private int redirectsLeft;
    private boolean holdsSlot;
    private boolean done;
    private Timeout timer;
    private ClientConnection connection;
    private boolean reused;
    private boolean retried;
    private HttpResponse head;
    private ByteArrayOutputStream body;
    private long bodySize;
    private boolean waitingForContinue;
    /** The whole request (head and body) was handed to the connection. */
    private boolean requestSent;
    /** The current response is a redirect that will be followed: the callbacks do not see it. */
    private boolean following;

    Fetch(AsyncHTTPClient client, IOLoop loop, HTTPRequest request, boolean raiseError, CompletableFuture<HTTPResponse> result) {
        this.client = client;
        this.loop = loop;
        this.original = request;
        this.request = request;
        this.raiseError = raiseError;
        this.result = result;
        this.redirectsLeft = request.maxRedirects();
    }

    /** Queues for a slot; the waiting counts against the request's timeouts. */
    void start() {
        try {
            checkMethodAndBody(request);
            HttpMethod.valueOf(request.method()); // an invalid token fails here, not on the loop later
            target = target(request);
        } catch (IllegalArgumentException e) {
            result.completeExceptionally(e);
            return;
        }
        double limit = Math.min(request.connectTimeout().toNanos(), request.requestTimeout().toNanos()) / 1e9;
        timer = loop.callLater(limit, () -> {
            client.leaveQueue(this);
            fail(new HTTPTimeoutError("Timeout in request queue"));
        });
        client.enqueue(this);
    }

    /** The client gave this fetch a slot. */
    void run() {
        holdsSlot = true;
        cancelTimer();
        if (done) {
            client.releaseSlot();
            holdsSlot = false;
            return;
        }
        timeInfo.put("queue", elapsed());
        timer = loop.callLater(request.requestTimeout(), () -> fail(new HTTPTimeoutError("Timeout during request")));
        connect();
    }

    private void connect() {
        Target t = target;
        ClientConnection pooled = client.takeIdle(t.poolKey);
        if (pooled != null) {
            reused = true;
            send(pooled);
            return;
        }
        reused = false;
        double connectStart = elapsed();
        client.connect(t, request).whenComplete((conn, err) -> {
            if (err != null) {
                Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                        ? err.getCause() : err;
                fail(cause instanceof TimeoutException ? new HTTPTimeoutError("Timeout while connecting")
                        : cause instanceof HTTPClientError ? (HTTPClientError) cause
                        : new HTTPClientError(599, cause.toString(), null, cause));
                return;
            }
            timeInfo.put("connect", elapsed() - connectStart);
            if (done) {
                client.giveBack(conn, true); // timed out meanwhile: the connection is still good
                return;
            }
            send(conn);
        });
    }

    private void send(ClientConnection conn) {
        connection = conn;
        head = null;
        body = new ByteArrayOutputStream();
        bodySize = 0;
        DefaultHttpRequest msg;
        try {
            msg = requestHead(target);
        } catch (RuntimeException e) {
            // never leave the caller waiting for the request timeout: fail now, and drop the connection
            fail(new HTTPClientError(599, "cannot send " + request + ": " + e.getMessage(), null, e));
            return;
        }
        if (msg == null) {
            return; // already failed
        }
        conn.begin(this, msg, request.decompressResponse());
        if (!waitingForContinue) {
            sendBody(conn);
        }
    }

    /** The request head to send, or null after failing the fetch. */
    private DefaultHttpRequest requestHead(Target t) {
        HTTPHeaders h = request.headers().copy();
        if (!h.contains("Host")) {
            h.set("Host", t.hostHeader);
        }
        if (!h.contains("Connection")) {
            h.set("Connection", "keep-alive");
        }
        if (!h.contains("User-Agent")) {
            h.set("User-Agent", request.userAgent() != null ? request.userAgent() : AsyncHTTPClient.USER_AGENT);
        }
        if (request.decompressResponse() && !h.contains("Accept-Encoding")) {
            h.set("Accept-Encoding", "gzip");
        }
        String user = request.authUsername();
        String password = request.authPassword();
        if (user == null && t.userInfo != null) {
            // credentials in the URL (http://user:password@host/), as Tornado
            int colon = t.userInfo.indexOf(':');
            user = colon < 0 ? t.userInfo : t.userInfo.substring(0, colon);
            password = colon < 0 ? null : t.userInfo.substring(colon + 1);
        }
        if (user != null) {
            if (!"basic".equalsIgnoreCase(request.authMode())) {
                fail(new HTTPClientError(599, "unsupported auth_mode " + request.authMode(), null,
                        new IllegalArgumentException(request.authMode())));
                return null;
            }
            h.set("Authorization", basicAuth(user, password));
        }
        if (t.viaProxy && request.proxyUsername() != null) {
            h.set("Proxy-Authorization", basicAuth(request.proxyUsername(), request.proxyPassword()));
        }
        if (request.ifModifiedSince() != null) {
            h.set("If-Modified-Since", HTTPUtil.formatTimestamp(request.ifModifiedSince()));
        }
        byte[] payload = request.body();
        if (payload != null) {
            h.set("Content-Length", Integer.toString(payload.length));
        } else if (request.bodyProducer() != null && !h.contains("Content-Length")) {
            h.set("Transfer-Encoding", "chunked");
        }
        requestSent = false;
        waitingForContinue = request.expect100Continue() && (payload != null || request.bodyProducer() != null);
        if (waitingForContinue) {
            h.set("Expect", "100-continue");
        }
        DefaultHttpRequest msg = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(request.method()),
                t.viaProxy ? t.absoluteUrl : t.pathAndQuery);
        for (Map.Entry<String, String> e : h.entries()) {
            msg.headers().add(e.getKey(), e.getValue());
        }
        return msg;
    }

    private void sendBody(ClientConnection conn) {
        if (request.bodyProducer() == null) {
            conn.writeEnd(request.body());
            requestSent = true;
            return;
        }
        try {
            request.bodyProducer().produce(conn::writeChunk).whenComplete((v, err) -> onLoop(() -> {
                if (err != null) {
                    conn.close();
                    if (connection == conn) { // not a producer of an exchange that already ended
                        fail(new HTTPClientError(599, "body producer failed: " + err, null, err));
                    }
                } else if (!done && connection == conn) {
                    conn.writeEnd(null);
                    requestSent = true;
                }
            }));
        } catch (Throwable e) {
            conn.close();
            fail(new HTTPClientError(599, "body producer failed: " + e, null, e));
        }
    }

    // ------------------------------------------------------------------ events from the connection

    void responseHead(ClientConnection conn, HttpResponse r) {
        int code = r.status().code();
        if (code >= 100 && code < 200) {
            if (code == 100 && waitingForContinue) {
                waitingForContinue = false;
                sendBody(conn);
            }
            head = null; // an interim response: the real one follows
            return;
        }
        head = r;
        following = request.followRedirects() && REDIRECTS.contains(code) && r.headers().contains("Location")
                && redirectsLeft > 0;
        if (request.headerCallback() != null && !following) {
            request.headerCallback().accept(r.protocolVersion().text() + " " + code + " " + r.status().reasonPhrase() + "\r\n");
            for (Map.Entry<String, String> e : r.headers()) {
                request.headerCallback().accept(e.getKey() + ": " + e.getValue() + "\r\n");
            }
            request.headerCallback().accept("\r\n");
        }
    }

    void bodyChunk(ClientConnection conn, byte[] chunk) {
        if (head == null || done) {
            return;
        }
        bodySize += chunk.length;
        if (bodySize > client.options().maxBodySize()) {
            conn.close();
            fail(new HTTPClientError(599, "Response body too large (over " + client.options().maxBodySize() + " bytes)", null));
            return;
        }
        if (following) {
            return; // the body of a redirect that is followed is dropped, as Tornado does
        }
        if (request.streamingCallback() != null) {
            request.streamingCallback().accept(chunk);
        } else {
            body.writeBytes(chunk);
        }
    }

    void responseEnd(ClientConnection conn) {
        if (head == null) {
            return; // end of an interim (1xx) response
        }
        conn.release();
        // A connection whose request is not completely written (an early answer to a streamed body, or a
        // refused 100-continue) is in the middle of a message: it cannot carry another request.
        boolean reusable = ClientConnection.keepAlive(head) && requestSent;
        client.giveBack(conn, reusable);
        connection = null;
        HTTPHeaders headers = new HTTPHeaders();
        for (Map.Entry<String, String> e : head.headers()) {
            headers.add(e.getKey(), e.getValue());
        }
        int code = head.status().code();
        if (following) {
            redirect(code, headers.get("Location"));
            return;
        }
        byte[] bytes = request.streamingCallback() != null ? new byte[0] : body.toByteArray();
        finish(new HTTPResponse(original, code, head.status().reasonPhrase(), headers, bytes, request.url(), null,
                startTime, elapsed(), timing()));
    }

    void connectionFailed(ClientConnection conn, HTTPClientError error) {
        if (done || conn != connection) {
            return;
        }
        connection = null;
        if (reused && !retried && !conn.sawResponse() && IDEMPOTENT.contains(request.method())
                && request.bodyProducer() == null) {
            // A pooled connection the server had closed: safe to send again on a fresh one.
            retried = true;
            connect();
            return;
        }
        fail(error);
    }

    // ------------------------------------------------------------------ redirects and completion

    private void redirect(int code, String location) {
        String next;
        try {
            next = new URI(request.url()).resolve(location.trim()).toString();
        } catch (URISyntaxException | IllegalArgumentException e) {
            fail(new HTTPClientError(599, "bad redirect Location: " + location, null, e));
            return;
        }
        HTTPRequest.Builder b = request.toBuilder().url(next).maxRedirects(redirectsLeft - 1);
        boolean toGet = (code == 303 && !"HEAD".equals(request.method()))
                || ((code == 301 || code == 302) && "POST".equals(request.method()));
        if (toGet) {
            HTTPHeaders h = request.headers().copy();
            for (String name : new String[] {"Content-Length", "Content-Type", "Content-Encoding", "Transfer-Encoding"}) {
                h.remove(name);
            }
            b.method("GET").body((byte[]) null).bodyProducer(null).headers(h);
        }
        // the Host header belongs to the old URL
        HTTPHeaders h = b.build().headers().copy();
        h.remove("Host");
        b.headers(h);
        redirectsLeft--;
        request = b.build();
        try {
            checkMethodAndBody(request);
            target = target(request);
        } catch (IllegalArgumentException e) {
            fail(new HTTPClientError(599, e.getMessage(), null, e));
            return;
        }
        cancelTimer();
        releaseSlot();
        double limit = Math.min(request.connectTimeout().toNanos(), request.requestTimeout().toNanos()) / 1e9;
        timer = loop.callLater(limit, () -> {
            client.leaveQueue(this);
            fail(new HTTPTimeoutError("Timeout in request queue"));
        });
        client.enqueue(this);
    }

    private void fail(HTTPClientError error) {
        if (done) {
            return;
        }
        if (connection != null) {
            connection.release();
            connection.close(); // never pooled after an error or timeout
            connection = null;
        }
        finish(new HTTPResponse(original, 599, null, null, null, request.url(), error, startTime, elapsed(), timing()));
    }

    private void finish(HTTPResponse response) {
        if (done) {
            return;
        }
        done = true;
        cancelTimer();
        releaseSlot();
        if (raiseError && response.error() != null) {
            result.completeExceptionally(response.error());
        } else {
            result.complete(response);
        }
    }

    private void releaseSlot() {
        if (holdsSlot) {
            holdsSlot = false;
            client.releaseSlot();
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    /** Ends a queued or running fetch because the client closed. */
    void clientClosed() {
        fail(new HTTPClientError(599, "AsyncHTTPClient closed", null));
    }

    private Map<String, Double> timing() {
        Map<String, Double> m = new LinkedHashMap<>(timeInfo);
        m.put("total", elapsed());
        return m;
    }

    private double elapsed() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private void onLoop(Runnable r) {
        if (loop.inLoop()) {
            r.run();
        } else {
            loop.addCallback(r);
        }
    }

    /** The value of a basic (Proxy-)Authorization header: user and password as UTF-8. */
    static String basicAuth(String user, String password) {
        String s = user + ":" + (password == null ? "" : password);
        return "Basic " + Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------ URL handling

    /** Where a request goes: the socket to open and what to send. */
    static final class Target {
        final boolean https;
        final String host;
        final int port;
        final String connectHost;
        final int connectPort;
        /** Plain HTTP through a proxy: the request line carries the absolute URL. */
        final boolean viaProxy;
        /** HTTPS through a proxy: a CONNECT tunnel to host:port, then TLS inside it. */
        final boolean tunnel;
        final String pathAndQuery;
        final String hostHeader;
        /** The absolute URL for a proxy's request line (no credentials, no fragment). */
        final String absoluteUrl;
        /** The authority for CONNECT: host:port, IPv6 in brackets. */
        final String authority;
        /** Decoded "user:password" from the URL, or null. */
        final String userInfo;
        /**
         * Which idle connections may carry the request: same scheme, host, port and proxy, and the same
         * way of connecting (source address, IPv6 permission, TLS settings), so that e.g. a connection
         * made without certificate checks never serves a request that asks for them.
         */
        final Object poolKey;

        Target(HTTPRequest r, boolean https, String host, int port, String pathAndQuery, String userInfo) {
            this.https = https;
            this.host = host;
            this.port = port;
            this.pathAndQuery = pathAndQuery;
            this.userInfo = userInfo;
            boolean defaultPort = https ? port == 443 : port == 80;
            String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
            this.hostHeader = defaultPort ? h : h + ":" + port;
            this.authority = h + ":" + port;
            this.absoluteUrl = (https ? "https://" : "http://") + hostHeader + pathAndQuery;
            boolean proxy = r.proxyHost() != null;
            this.viaProxy = proxy && !https;
            this.tunnel = proxy && https;
            this.connectHost = proxy ? r.proxyHost() : host;
            this.connectPort = proxy ? (r.proxyPort() != null ? r.proxyPort() : 80) : port;
            Object tls = !https ? null : r.sslContext() != null ? r.sslContext()
                    : Arrays.asList(r.validateCert(), r.caCerts(), r.clientCert(), r.clientKey());
            this.poolKey = Arrays.asList(https ? "https" : "http", host, port, proxy ? connectHost + ":" + connectPort : null,
                    proxy ? r.proxyUsername() + ":" + r.proxyPassword() : null, r.networkInterface(), r.allowIpv6(), tls);
        }
    }

    static Target target(HTTPRequest r) {
        URI uri;
        try {
            uri = new URI(r.url());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("bad URL " + r.url() + ": " + e.getMessage(), e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("Unsupported url scheme: " + r.url());
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("no host in URL " + r.url());
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        boolean https = scheme.equals("https");
        int port = uri.getPort() != -1 ? uri.getPort() : https ? 443 : 80;
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String pathAndQuery = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        return new Target(r, https, host, port, pathAndQuery, uri.getUserInfo());
    }

    private static void checkMethodAndBody(HTTPRequest r) {
        if (r.allowNonstandardMethods()) {
            return;
        }
        String m = r.method();
        boolean expected = m.equals("POST") || m.equals("PATCH") || m.equals("PUT");
        boolean present = r.body() != null || r.bodyProducer() != null;
        if (expected && !present || present && !expected) {
            throw new IllegalArgumentException("Body must " + (expected ? "not " : "") + "be null for method " + m
                    + " (unless allowNonstandardMethods is true)");
        }
    }
}
