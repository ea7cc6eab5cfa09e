package io.tornadoj.httpserver;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.stream.ChunkedNioFile;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.util.ReferenceCountUtil;
import io.tornadoj.gen.Gen;
import io.tornadoj.httputil.HTTPConnection;
import io.tornadoj.httputil.HTTPHeaders;
import io.tornadoj.httputil.HTTPMessageDelegate;
import io.tornadoj.httputil.HTTPServerConnectionDelegate;
import io.tornadoj.httputil.RequestStartLine;
import io.tornadoj.httputil.ResponseStartLine;
import io.tornadoj.iostream.IOStream;
import io.tornadoj.iostream.StreamClosedError;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.ioloop.Timeout;
import io.tornadoj.internal.Loops;
import io.tornadoj.internal.web.FileBodyWriter;
import io.tornadoj.internal.web.Upgradable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Tornado's {@code HTTP1Connection} (server side) as the last handler of a channel's pipeline, after
 * Netty's {@code HttpServerCodec}: it turns decoded requests into {@link HTTPMessageDelegate} calls and
 * the delegate's writes into responses, enforcing Tornado's connection rules — one request at a time
 * (pipelined requests wait, in order), keep-alive for HTTP/1.0 and 1.1, {@code Expect: 100-continue},
 * body size limits, header/body/idle timeouts, a client's half-close (what it sent is still answered), and a
 * clear status (then close) for malformed input. File bodies go out without a copy ({@link #writeFile}).
 * Loop thread only.
 */
final class HTTP1Connection extends ChannelInboundHandlerAdapter implements HTTPConnection, Upgradable, FileBodyWriter {
    private static final Logger GEN_LOG = LoggerFactory.getLogger("tornado.general");
    private static final Logger APP_LOG = LoggerFactory.getLogger("tornado.application");
    /** Response headers come from {@link HTTPHeaders}, which has checked their names already. */
    private static final DefaultHttpHeadersFactory RESPONSE_HEADERS =
            DefaultHttpHeadersFactory.headersFactory().withNameValidation(false);
    /** Added after the codec on a TLS connection's first file response: it reads files in chunks for the SslHandler. */
    private static final String CHUNKED_WRITER = "tornado.http.chunkedWriter";

    private final HTTPServer server;
    private final HTTPServer.Options options;
    private final HTTPServerConnectionDelegate app;
    private final Channel channel;
    private final IOLoop loop;
    private final boolean secure;
    /** Decoded messages not processed yet: later pipelined requests, or chunks held back by flow control. */
    private final ArrayDeque<HttpObject> inbox = new ArrayDeque<>(4);
    private boolean closed;
    /** The client half-closed: what it sent is still answered, then the connection closes. */
    private boolean inputClosed;
    private boolean closeNotified;
    private boolean closeWhenIdle;
    private boolean detached;
    private boolean flushScheduled;
    /** Inside {@link #drain()}: a finished response needs no task to go on with the next request. */
    private boolean draining;
    /** The client's address, formatted once per connection. */
    private String peerIp;

    // the request being served
    private HTTPMessageDelegate delegate;
    private boolean inRequest;
    private boolean readFinished;
    private boolean waitingOnDelegate;
    /**
     * The next request waits for the writes a {@link ChunkedWriteHandler} holds (behind a file streaming under
     * TLS): it may detach or upgrade the connection, which takes the HTTP handlers away.
     */
    private boolean waitingOnChunkedWrites;
    private String requestVersion;
    private String requestMethod;
    private HTTPHeaders requestHeaders;
    private String remoteIp;
    private String protocol;
    private boolean keepAlive;
    private long maxBodySize;
    private long bodyBytes;
    private Timeout headerTimer;
    /** nanoTime by which the next request's headers must have arrived; 0 while not waiting for them. */
    private long headerDeadline;
    private Timeout bodyTimer;

    // its response
    private boolean headersWritten;
    private boolean responseFinished;
    private boolean bodyAllowed;
    private long expectedLength;
    private long writtenLength;
    /** The latest write, so a graceful close can wait for it. */
    private ChannelFuture lastWrite;
    /**
     * Response headers not written yet (with the first chunk, if any): held until the next flush so that a
     * response finished in the same task goes out as one message ({@code FullHttpResponse}, one buffer).
     */
    private DefaultHttpResponse pendingHead;
    private byte[] pendingChunk;
    private CompletableFuture<Void> pendingHeadFuture;

    HTTP1Connection(HTTPServer server, HTTPServer.Options options, HTTPServerConnectionDelegate app, Channel channel) {
        this.server = server;
        this.options = options;
        this.app = app;
        this.channel = channel;
        this.loop = Loops.of(channel.eventLoop());
        this.secure = channel.pipeline().get(SslHandler.class) != null;
    }

    // ------------------------------------------------------------------ inbound

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        startHeaderTimer();
        ctx.fireChannelActive();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (channel.isActive()) {
            startHeaderTimer();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closed || !(msg instanceof HttpObject)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        inbox.add((HttpObject) msg);
        drain();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connectionClosed();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            // e.g. `printf 'GET / HTTP/1.0\r\n\r\n' | nc -N`: the codec has handed on all it got (the server
            // allows half-closure so that responses still being made are not lost with the read side)
            inputClosed = true;
            drain();
            if (inRequest && !responseFinished && !closed) {
                // As Tornado: end of input while a response is still being made means the client went away
                // (long polls rely on onConnectionClose); requests answered synchronously were sent already.
                close();
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException || closed) {
            // a peer's reset, or an echo of an error that already closed the connection (logged once)
            GEN_LOG.debug("Connection error from {}: {}", remote(), cause.toString());
        } else {
            GEN_LOG.warn("Error on HTTP connection from {}", remote(), cause);
        }
        close();
    }

    /** Processes queued messages until one must wait (flow control, or a response still being written). */
    private void drain() {
        HttpObject msg;
        draining = true;
        try {
            while (!closed && !waitingOnDelegate && !waitingOnChunkedWrites && !(inRequest && readFinished)
                    && (msg = inbox.poll()) != null) {
                try {
                    handle(msg);
                } finally {
                    ReferenceCountUtil.release(msg);
                }
            }
        } finally {
            draining = false;
        }
        if (detached) {
            return; // the channel's new owner (IOStream, WebSocket) decides when to read
        }
        // Hold the socket while work is queued or a response is pending: pipelined requests wait their turn,
        // bodies wait for the handler.
        boolean idle = !closed && inbox.isEmpty() && !waitingOnDelegate && !(inRequest && readFinished);
        channel.config().setAutoRead(idle);
        if (inputClosed && idle) {
            // Half-closed and nothing left to answer: between requests, or a body that can never complete.
            // (A response under way closes the connection when it finishes.)
            closeAfterWrites();
        }
    }

    private void handle(HttpObject msg) {
        if (msg instanceof HttpRequest) {
            startRequest((HttpRequest) msg);
        }
        if (msg instanceof HttpContent && inRequest && !closed) {
            body((HttpContent) msg);
        }
    }

    private void startRequest(HttpRequest req) {
        headerDeadline = 0; // the timer stays armed; it re-checks the deadline when it fires
        // a new exchange, even a malformed one: the previous response's state must not leak into badRequest()
        headersWritten = false;
        responseFinished = false;
        DecoderResult result = req.decoderResult();
        if (result.isFailure()) {
            Throwable cause = result.cause();
            if (cause instanceof PrematureChannelClosureException) {
                // the client left in the middle of its headers: nothing to answer, nothing worth logging
                GEN_LOG.debug("Connection from {} closed mid-headers", remote());
                closeAfterWrites(); // a pipelined response before it may still wait for its flush
                return;
            }
            if (cause instanceof TooLongHttpHeaderException) {
                badRequest(431, "Request Header Fields Too Large", cause);
            } else if (cause instanceof TooLongHttpLineException) {
                badRequest(414, "URI Too Long", cause);
            } else if (cause instanceof TooLongFrameException) {
                badRequest(431, "Request Header Fields Too Large", cause);
            } else {
                badRequest(400, "Bad Request", cause);
            }
            return;
        }
        HttpVersion version = req.protocolVersion();
        if (version.majorVersion() != 1) {
            badRequest(505, "HTTP Version Not Supported", new IOException("unsupported version " + version));
            return;
        }
        // Netty frames "gzip, chunked" as chunked but would hand on the still gzip-coded body; like Tornado,
        // only the chunked transfer coding is read.
        if (req.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            String transferEncoding = String.join(",", req.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING));
            if (!transferEncoding.isEmpty() && !transferEncoding.strip().equalsIgnoreCase("chunked")) {
                badRequest(400, "Bad Request", new IOException("Unsupported Transfer-Encoding " + transferEncoding));
                return;
            }
        }
        inRequest = true;
        readFinished = false;
        bodyBytes = 0;
        maxBodySize = options.maxBodySize();
        requestVersion = version.text();
        requestMethod = req.method().name();
        HTTPHeaders headers = new HTTPHeaders();
        for (Map.Entry<String, String> e : req.headers()) {
            headers.add(e.getKey(), e.getValue());
        }
        requestHeaders = headers;
        keepAlive = canKeepAlive(version, headers, requestMethod);
        applyXheaders(headers);
        if (options.bodyTimeout() != null) {
            bodyTimer = loop.callLater(options.bodyTimeout(), () -> timedOut("body"));
        }
        CompletionStage<?> received;
        try {
            delegate = app.startRequest(this, this);
            received = delegate.headersReceived(new RequestStartLine(requestMethod, req.uri(), requestVersion), headers);
        } catch (Throwable t) {
            delegateFailed(t);
            return;
        }
        await(received, this::startBody);
    }

    /**
     * Tornado's {@code _read_body} preamble, once the delegate has seen the headers (it may have raised the
     * limit with {@link #setMaxBodySize} or answered already): refuse a declared length over the limit, else
     * invite the body with {@code 100 Continue} when asked to.
     */
    private void startBody() {
        if (closed || !inRequest) {
            return;
        }
        String length = requestHeaders.get("Content-Length");
        if (length != null && Long.parseLong(length.trim()) > maxBodySize) {
            // Netty validated the number; too long to read at all.
            badRequest(413, "Content Length Too Long", new IOException("Content-Length " + length + " over " + maxBodySize));
            return;
        }
        if ("100-continue".equalsIgnoreCase(requestHeaders.get("Expect")) && "HTTP/1.1".equals(requestVersion)
                && !headersWritten
                && (length == null || Long.parseLong(length.trim()) > 0 || requestHeaders.contains("Transfer-Encoding"))) {
            channel.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        }
    }

    private void body(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            badRequest(400, "Bad Request", content.decoderResult().cause());
            return;
        }
        ByteBuf data = content.content();
        int n = data.readableBytes();
        if (n > 0) {
            bodyBytes += n;
            if (bodyBytes > maxBodySize) {
                badRequest(413, "Content Length Too Long", new IOException("body over " + maxBodySize + " bytes"));
                return;
            }
            byte[] bytes = ByteBufUtil.getBytes(data);
            CompletionStage<?> received;
            try {
                received = delegate.dataReceived(bytes);
            } catch (Throwable t) {
                delegateFailed(t);
                return;
            }
            await(received, null);
        }
        if (content instanceof LastHttpContent && !closed && inRequest) {
            readFinished = true;
            cancel(bodyTimer);
            bodyTimer = null;
            if (waitingOnDelegate) {
                return; // finish() once the last chunk's stage completes
            }
            finishRead();
        }
    }

    private void finishRead() {
        try {
            delegate.finish();
        } catch (Throwable t) {
            delegateFailed(t);
        }
        // a response finished in there has moved on to the next request, or is closing, by itself
    }

    /**
     * Flow control: stop reading until the delegate's stage completes, then run {@code then} (if any) and
     * go on.
     */
    private void await(CompletionStage<?> stage, Runnable then) {
        CompletableFuture<?> f = stage == null ? null : stage.toCompletableFuture();
        if (f == null || f.isDone() && !f.isCompletedExceptionally()) {
            if (then != null) {
                then.run();
            }
            return;
        }
        waitingOnDelegate = true;
        stage.whenComplete((v, t) -> onLoop(() -> {
            waitingOnDelegate = false;
            if (t != null) {
                delegateFailed(t);
                return;
            }
            if (then != null) {
                then.run();
            }
            if (readFinished && inRequest && !closed) {
                finishRead();
            }
            drain();
        }));
    }

    /** The delegate raised (or its stage failed): logged once on tornado.application, and the connection closes. */
    private void delegateFailed(Throwable t) {
        APP_LOG.error("Uncaught exception from HTTP delegate on connection from {}", remote(), t);
        close();
    }

    /** Tornado's {@code _apply_xheaders}: trust the proxy's view of the client when configured. */
    private void applyXheaders(HTTPHeaders headers) {
        if (peerIp == null) {
            InetSocketAddress peer = remote();
            peerIp = peer == null ? null : peer.getAddress().getHostAddress();
        }
        remoteIp = peerIp;
        protocol = options.protocol() != null ? options.protocol() : secure ? "https" : "http";
        if (!options.xheaders()) {
            return;
        }
        String ip = remoteIp;
        String forwarded = headers.get("X-Forwarded-For");
        if (forwarded != null) {
            String[] hops = forwarded.split(",");
            for (int i = hops.length - 1; i >= 0; i--) {
                ip = hops[i].strip();
                if (!options.trustedDownstream().contains(ip)) {
                    break;
                }
            }
        }
        ip = headers.get("X-Real-Ip", ip);
        if (ip != null && (io.netty.util.NetUtil.isValidIpV4Address(ip) || io.netty.util.NetUtil.isValidIpV6Address(ip))) {
            remoteIp = ip;
        }
        String proto = headers.get("X-Scheme", headers.get("X-Forwarded-Proto", protocol));
        if (proto != null) {
            String[] parts = proto.split(",");
            proto = parts[parts.length - 1].strip();
            if (proto.equals("http") || proto.equals("https")) {
                protocol = proto;
            }
        }
    }

    @Override
    public String remoteIp() {
        return remoteIp;
    }

    @Override
    public String protocol() {
        return protocol;
    }

    private static boolean canKeepAlive(HttpVersion version, HTTPHeaders headers, String method) {
        String connection = headers.get("Connection");
        if (version == HttpVersion.HTTP_1_1) {
            return connection == null || !connection.equalsIgnoreCase("close");
        }
        // HTTP/1.0: only when asked for, and the request's end is known
        return connection != null && connection.equalsIgnoreCase("keep-alive")
                && (headers.contains("Content-Length") || method.equals("HEAD") || method.equals("GET"));
    }

    /** Answers a malformed request with a status and closes; logged once. */
    private void badRequest(int code, String reason, Throwable cause) {
        GEN_LOG.info("Malformed HTTP request from {}: {} ({})", remote(), reason, cause == null ? "" : cause.getMessage());
        if (!headersWritten && channel.isActive()) {
            DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(code, reason));
            r.headers().set(HttpHeaderNames.CONNECTION, "close");
            r.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
            headersWritten = true;
            channel.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        } else {
            // a response is already under way and cannot become an error: cut it
            flushNow();
            channel.close();
        }
        // a delegate that saw the headers hears of the close (connectionClosed), as in Tornado
        closed = true;
        releaseInbox();
        channel.config().setAutoRead(false);
    }

    private void timedOut(String what) {
        GEN_LOG.info("Closing connection from {}: {} timeout", remote(), what);
        close();
    }

    /**
     * Starts the wait for the next request's headers. One timer per connection is re-armed lazily instead
     * of adding and cancelling a timeout for every request of a keep-alive connection.
     */
    private void startHeaderTimer() {
        if (closed || loop == null) {
            return;
        }
        headerDeadline = System.nanoTime() + options.headerTimeout().toNanos();
        if (headerTimer == null) {
            headerTimer = loop.callLater(options.headerTimeout(), this::headerTimerFired);
        }
    }

    private void headerTimerFired() {
        headerTimer = null;
        if (closed || headerDeadline == 0) {
            return; // headers arrived meanwhile
        }
        long left = headerDeadline - System.nanoTime();
        if (left > 0) {
            headerTimer = loop.callLater(java.time.Duration.ofNanos(left), this::headerTimerFired);
        } else {
            timedOut(inRequest ? "header" : "idle connection");
        }
    }

    private static void cancel(Timeout t) {
        if (t != null) {
            t.cancel();
        }
    }

    // ------------------------------------------------------------------ HTTPConnection (the response)

    @Override
    public CompletableFuture<Void> writeHeaders(ResponseStartLine startLine, HTTPHeaders headers, byte[] chunk) {
        if (closed) {
            return CompletableFuture.failedFuture(new StreamClosedError(null));
        }
        if (headersWritten) {
            return CompletableFuture.failedFuture(new IllegalStateException("headers already written"));
        }
        String length = headers.get("Content-Length");
        if (length != null && !isDigits(length.strip())) {
            // Tornado: only digits (Long.parseLong would take "+10" and send it on)
            throw new IllegalArgumentException("Only integer Content-Length is allowed: " + length);
        }
        headersWritten = true;
        int code = startLine.code();
        HttpVersion version = "HTTP/1.0".equals(requestVersion) ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
        HttpResponseStatus status = HttpResponseStatus.valueOf(code);
        if (startLine.reason() != null && !startLine.reason().equals(status.reasonPhrase())) {
            status = new HttpResponseStatus(code, startLine.reason());
        }
        DefaultHttpResponse response = new DefaultHttpResponse(version, status, RESPONSE_HEADERS);
        for (Map.Entry<String, String> e : headers.entries()) {
            response.headers().add(e.getKey(), e.getValue());
        }
        bodyAllowed = !"HEAD".equals(requestMethod) && code != 204 && code != 304 && code >= 200;
        expectedLength = length == null ? -1 : Long.parseLong(length.trim());
        writtenLength = 0;
        boolean chunked = version == HttpVersion.HTTP_1_1 && bodyAllowed && length == null && !headers.contains("Transfer-Encoding");
        if (chunked) {
            response.headers().set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
        }
        boolean bodyEndKnown = chunked || length != null || !bodyAllowed;
        // Answering before the request's end was read: the connection closes after this response; say so.
        if (!keepAlive || !bodyEndKnown || !readFinished || options.noKeepAlive() || closeWhenIdle) {
            keepAlive = false;
            if (version == HttpVersion.HTTP_1_1) {
                response.headers().set(HttpHeaderNames.CONNECTION, "close");
            }
        } else if (version == HttpVersion.HTTP_1_0) {
            response.headers().set(HttpHeaderNames.CONNECTION, "Keep-Alive");
        }
        pendingHead = response;
        pendingHeadFuture = new CompletableFuture<>();
        scheduleFlush();
        CompletableFuture<Void> f = pendingHeadFuture;
        if (chunk != null && chunk.length > 0) {
            f = write(chunk);
        }
        return f;
    }

    private static boolean isDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return !s.isEmpty();
    }

    /** Writes the held response headers (and first chunk) as their own messages, ahead of what follows. */
    private void writePendingHead() {
        if (pendingHead == null) {
            return;
        }
        CompletableFuture<Void> f = send(pendingHead);
        if (pendingChunk != null) {
            f = send(new DefaultHttpContent(Unpooled.wrappedBuffer(pendingChunk)));
        }
        Gen.chainFuture(f, pendingHeadFuture);
        clearPendingHead();
    }

    private void clearPendingHead() {
        pendingHead = null;
        pendingChunk = null;
        pendingHeadFuture = null;
    }

    @Override
    public CompletableFuture<Void> write(byte[] chunk) {
        if (closed) {
            return CompletableFuture.failedFuture(new StreamClosedError(null));
        }
        if (!headersWritten) {
            return CompletableFuture.failedFuture(new IllegalStateException("write() before writeHeaders()"));
        }
        if (chunk == null || chunk.length == 0) {
            return pendingHead != null ? pendingHeadFuture : send(null);
        }
        if (!bodyAllowed) {
            return CompletableFuture.completedFuture(null); // HEAD/204/304: the body is never sent
        }
        writtenLength += chunk.length;
        if (expectedLength >= 0 && writtenLength > expectedLength) {
            return overLength();
        }
        if (pendingHead != null && pendingChunk == null) {
            pendingChunk = chunk; // goes out with the headers
            return pendingHeadFuture;
        }
        writePendingHead();
        return send(new DefaultHttpContent(Unpooled.wrappedBuffer(chunk)));
    }

    /** More body than the declared Content-Length: an application error; the connection closes. */
    private CompletableFuture<Void> overLength() {
        APP_LOG.error("Tried to write more data than Content-Length ({} > {})", writtenLength, expectedLength);
        close();
        return CompletableFuture.failedFuture(new IOException("Tried to write more data than Content-Length"));
    }

    /**
     * A file body without copying it through the heap: a {@link DefaultFileRegion} (sendfile, splice or
     * {@code transferTo}, whatever the transport does) on a plain connection; under TLS, which must encrypt
     * every byte, a {@link ChunkedNioFile} read by a {@link ChunkedWriteHandler} as the socket drains. The
     * same rules as {@link #write}: after the headers, within Content-Length, nothing sent for HEAD/204/304.
     */
    @Override
    public CompletableFuture<Void> writeFile(FileChannel file, long position, long count) {
        CompletableFuture<Void> f;
        if (closed || !headersWritten || !bodyAllowed || count == 0) {
            f = write(null); // fails as write() would, or sends nothing
        } else {
            f = sendFileBody(file, position, count);
        }
        f.whenComplete((v, t) -> closeQuietly(file)); // a sent region closes its file itself; a skipped one does not
        return f;
    }

    private CompletableFuture<Void> sendFileBody(FileChannel file, long position, long count) {
        writtenLength += count;
        if (expectedLength >= 0 && writtenLength > expectedLength) {
            return overLength();
        }
        writePendingHead(); // the headers (and any first chunk) go first
        try {
            return send(secure ? chunkedFile(file, position, count) : new DefaultFileRegion(file, position, count));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private ChunkedNioFile chunkedFile(FileChannel file, long position, long count) throws IOException {
        if (channel.pipeline().get(CHUNKED_WRITER) == null) {
            channel.pipeline().addAfter(HTTPServer.CODEC, CHUNKED_WRITER, new ChunkedWriteHandler());
        }
        return new ChunkedNioFile(file, position, count, options.chunkSize());
    }

    private static void closeQuietly(FileChannel file) {
        try {
            file.close();
        } catch (IOException e) {
            GEN_LOG.debug("Closing a sent file: {}", e.toString());
        }
    }

    @Override
    public CompletableFuture<Void> finish() {
        if (closed) {
            return CompletableFuture.failedFuture(new StreamClosedError(null));
        }
        if (!headersWritten) {
            return CompletableFuture.failedFuture(new IllegalStateException("finish() before writeHeaders()"));
        }
        if (responseFinished) {
            return CompletableFuture.completedFuture(null);
        }
        responseFinished = true;
        if (bodyAllowed && expectedLength >= 0 && writtenLength < expectedLength) {
            APP_LOG.error("Tried to write {} bytes less than Content-Length", expectedLength - writtenLength);
            close();
            return CompletableFuture.failedFuture(new IOException("Tried to write less data than Content-Length"));
        }
        CompletableFuture<Void> f;
        if (pendingHead != null) {
            // the whole response at once: head, body and end in one message (and, when small, one buffer)
            f = send(new DefaultFullHttpResponse(pendingHead.protocolVersion(), pendingHead.status(),
                    pendingChunk == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(pendingChunk),
                    pendingHead.headers(), EmptyHttpHeaders.INSTANCE));
            Gen.chainFuture(f, pendingHeadFuture);
            clearPendingHead();
        } else {
            f = send(new DefaultLastHttpContent());
        }
        if (!keepAlive || !readFinished || closeWhenIdle || inputClosed && inbox.isEmpty()) {
            // Without keep-alive, when the body was not read to its end, when the server is stopping, or when the
            // client half-closed after this request, nothing more can follow: requests pipelined behind this one are dropped unanswered, and the close waits
            // until the response is written.
            closed = true;
            releaseInbox();
            f.whenComplete((v, t) -> close());
            abandonRequest();
            return f;
        }
        if (inRequest && readFinished) {
            nextRequest();
        }
        return f;
    }

    /** The response is done and the request fully read: serve the next pipelined request, if any. */
    private void nextRequest() {
        abandonRequest(); // an idle keep-alive connection holds nothing of its last request
        startHeaderTimer();
        ChannelFuture last = lastWrite;
        if (last != null && channel.pipeline().get(CHUNKED_WRITER) != null) {
            waitingOnChunkedWrites = true;
            last.addListener(x -> {
                waitingOnChunkedWrites = false;
                drain();
            });
        } else if (!draining) {
            // from a fresh task: no recursion through pipelined requests (inside drain() its loop goes on)
            channel.eventLoop().execute(this::drain);
        }
    }

    /** Writes a message and flushes once per loop task, so headers, body and end go out in one write. */
    private CompletableFuture<Void> send(Object msg) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        ChannelFuture cf = msg == null ? channel.newSucceededFuture() : channel.write(msg);
        if (msg != null) {
            lastWrite = cf;
        }
        cf.addListener(x -> {
            if (lastWrite == x) {
                lastWrite = null; // written: nothing to wait for (and nothing kept while idle)
            }
            if (x.isSuccess()) {
                f.complete(null);
            } else {
                f.completeExceptionally(new StreamClosedError(x.cause()));
            }
        });
        scheduleFlush();
        return f;
    }

    /** Flushes once per loop task, after whatever else the task writes. */
    private void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            channel.eventLoop().execute(() -> {
                flushScheduled = false;
                flushNow();
            });
        }
    }

    private void flushNow() {
        writePendingHead();
        channel.flush();
    }

    @Override
    public void setMaxBodySize(long maxBodySize) {
        this.maxBodySize = maxBodySize;
    }

    @Override
    public void setBodyTimeout(double seconds) {
        cancel(bodyTimer);
        bodyTimer = readFinished ? null : loop.callLater(seconds, () -> timedOut("body"));
    }

    @Override
    public IOStream detach() {
        upgrade(); // flushed what went through the codec
        channel.pipeline().remove(HTTPServer.CODEC);
        channel.config().setAutoRead(true);
        return IOStream.wrap(channel);
    }

    @Override
    public Channel upgrade() {
        writePendingHead(); // still through the codec
        // Out now, through the codec: a ChunkedWriteHandler (added for files under TLS) holds writes until a
        // flush, and would pass them on after the codec is gone. With its queue empty (the request waited for
        // the previous response's writes) it can leave; a handler that sends a file and then takes the
        // connection in the same request is not supported.
        channel.flush();
        if (channel.pipeline().get(CHUNKED_WRITER) != null) {
            channel.pipeline().remove(CHUNKED_WRITER);
        }
        detached = true;
        closed = true;
        cancel(headerTimer);
        cancel(bodyTimer);
        releaseInbox();
        server.forget(this);
        channel.pipeline().remove(this);
        if (channel.pipeline().get(HTTPServer.DECOMPRESSOR) != null) {
            channel.pipeline().remove(HTTPServer.DECOMPRESSOR);
        }
        channel.config().setAutoRead(false);
        channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false); // the new owner sees EOF as the close
        return channel;
    }

    // ------------------------------------------------------------------ closing

    /** Closes the connection now. Any thread. */
    void close() {
        onLoop(() -> {
            if (!detached) {
                channel.close();
                connectionClosed();
            }
        });
    }

    /** Graceful stop: close now if idle, else after the current response. Any thread. */
    void closeWhenIdle() {
        onLoop(() -> {
            closeWhenIdle = true;
            if (!inRequest) {
                closeAfterWrites();
            }
        });
    }

    /** Closes once the last response is written: it may still wait for its flush (e.g. stop() right after it). */
    private void closeAfterWrites() {
        writePendingHead();
        ChannelFuture last = lastWrite; // the flush may complete it, and that clears the field
        if (last != null && !last.isDone()) {
            channel.flush();
            last.addListener(x -> close());
        } else {
            close();
        }
    }

    private void connectionClosed() {
        if (detached) {
            return;
        }
        if (closeNotified) {
            return;
        }
        closeNotified = true;
        closed = true;
        if (pendingHeadFuture != null) {
            pendingHeadFuture.completeExceptionally(new StreamClosedError(null));
            clearPendingHead();
        }
        cancel(headerTimer);
        cancel(bodyTimer);
        releaseInbox();
        if (inRequest && !responseFinished && delegate != null) {
            HTTPMessageDelegate d = delegate;
            abandonRequest();
            try {
                d.onConnectionClose();
            } catch (Throwable t) {
                APP_LOG.error("Exception in onConnectionClose", t);
            }
        }
        server.forget(this);
        app.onClose(this);
    }

    private void abandonRequest() {
        inRequest = false;
        delegate = null;
        requestHeaders = null;
    }

    private void releaseInbox() {
        HttpObject m;
        while ((m = inbox.poll()) != null) {
            ReferenceCountUtil.release(m);
        }
    }

    private void onLoop(Runnable r) {
        if (channel.eventLoop().inEventLoop()) {
            r.run();
        } else {
            channel.eventLoop().execute(r);
        }
    }

    /** @return the client's socket address */
    InetSocketAddress remote() {
        return (InetSocketAddress) channel.remoteAddress();
    }

    /** @return the Netty channel */
    Channel channel() {
        return channel;
    }

    @Override
    public String toString() {
        return "HTTP1Connection(" + channel + ")";
    }
}
