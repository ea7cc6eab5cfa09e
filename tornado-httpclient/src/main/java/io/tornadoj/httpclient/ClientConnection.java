package io.tornadoj.httpclient;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;

import java.util.concurrent.CompletableFuture;

/**
 * One pooled client connection: the handler after {@code HttpClientCodec} that carries one exchange at a
 * time to its {@link Fetch} and tells the pool when the connection is reusable. Loop thread only.
 */
final class ClientConnection extends ChannelInboundHandlerAdapter {
    static final String NAME = "tornado.httpclient";
    private static final String DECOMPRESSOR = "tornado.httpclient.decompressor";

    final Channel channel;
    final Object poolKey;
    private Fetch exchange;
    private boolean sawResponse;
    private boolean closed;
    /** Set while idle in the pool: the pool is told when the server closes it. */
    private Runnable onIdleClose;
    /** Set while a proxy CONNECT is under way (before any exchange). */
    private CompletableFuture<Void> tunnel;
    private HttpResponse tunnelResponse;

    ClientConnection(Channel channel, Object poolKey) {
        this.channel = channel;
        this.poolKey = poolKey;
    }

    boolean usable() {
        return !closed && channel.isActive();
    }

    void idle(Runnable onClose) {
        exchange = null;
        onIdleClose = onClose;
    }

    /** Starts an exchange: sends the request head (and body unless the fetch waits for 100 Continue). */
    void begin(Fetch fetch, HttpRequest head, boolean decompress) {
        onIdleClose = null;
        exchange = fetch;
        sawResponse = false;
        ChannelPipeline p = channel.pipeline();
        boolean has = p.get(DECOMPRESSOR) != null;
        if (decompress && !has) {
            p.addBefore(NAME, DECOMPRESSOR, new HttpContentDecompressor(0));
        } else if (!decompress && has) {
            p.remove(DECOMPRESSOR);
        }
        write(head);
    }

    /** Writes; a failed write ends the current exchange (599) and drops the connection. */
    CompletableFuture<Void> write(Object msg) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        channel.writeAndFlush(msg).addListener(x -> {
            if (x.isSuccess()) {
                f.complete(null);
                return;
            }
            f.completeExceptionally(x.cause());
            Fetch ex = exchange;
            if (ex != null) {
                exchange = null;
                close();
                ex.connectionFailed(this, new HTTPStreamClosedError("Stream closed: write failed: " + x.cause(), x.cause()));
            }
        });
        return f;
    }

    CompletableFuture<Void> writeChunk(byte[] chunk) {
        return write(new DefaultHttpContent(Unpooled.wrappedBuffer(chunk)));
    }

    CompletableFuture<Void> writeEnd(byte[] lastChunk) {
        return write(lastChunk == null || lastChunk.length == 0 ? new DefaultLastHttpContent()
                : new DefaultLastHttpContent(Unpooled.wrappedBuffer(lastChunk)));
    }

    /**
     * Asks the proxy this connection goes to for a tunnel ({@code CONNECT authority}); completes when the
     * proxy answered 200, fails (599) on any other answer or when the connection closes.
     */
    CompletableFuture<Void> tunnel(String authority, String proxyAuthorization) {
        tunnel = new CompletableFuture<>();
        DefaultFullHttpRequest connect = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.CONNECT, authority,
                Unpooled.EMPTY_BUFFER);
        connect.headers().set(HttpHeaderNames.HOST, authority);
        if (proxyAuthorization != null) {
            connect.headers().set(HttpHeaderNames.PROXY_AUTHORIZATION, proxyAuthorization);
        }
        CompletableFuture<Void> result = tunnel;
        write(connect).whenComplete((v, e) -> {
            if (e != null) {
                failTunnel(new HTTPStreamClosedError("proxy CONNECT not sent: " + e, e));
            }
        });
        return result;
    }

    private void failTunnel(HTTPClientError e) {
        CompletableFuture<Void> t = tunnel;
        tunnel = null;
        if (t != null) {
            t.completeExceptionally(e);
        }
    }

    private void tunnelRead(Object msg) {
        if (msg instanceof HttpResponse) {
            HttpResponse r = (HttpResponse) msg;
            if (r.decoderResult().isFailure()) {
                failTunnel(new HTTPClientError(599, "Malformed proxy response: " + r.decoderResult().cause().getMessage(),
                        null, r.decoderResult().cause()));
                close();
                return;
            }
            tunnelResponse = r;
        }
        if (msg instanceof LastHttpContent && tunnelResponse != null) {
            HttpResponse r = tunnelResponse;
            tunnelResponse = null;
            if (r.status().code() == 200) {
                CompletableFuture<Void> t = tunnel;
                tunnel = null;
                t.complete(null);
            } else {
                failTunnel(new HTTPClientError(599, "proxy CONNECT failed: " + r.status().code() + " "
                        + r.status().reasonPhrase(), null));
                close();
            }
        }
    }

    /**
     * Starts TLS on this (tunnelled) connection: an {@link SslHandler} goes first in the pipeline, next to
     * the socket, with the origin's host name for SNI and the certificate check.
     */
    CompletableFuture<Void> startTls(SslContext ctx, String host, int port) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        SslHandler ssl = ctx.newHandler(channel.alloc(), host, port);
        channel.pipeline().addFirst("tornado.httpclient.ssl", ssl);
        ssl.handshakeFuture().addListener(x -> {
            if (x.isSuccess()) {
                f.complete(null);
            } else {
                f.completeExceptionally(x.cause());
            }
        });
        return f;
    }

    /** Whether response bytes arrived during the current exchange (a retry is unsafe then). */
    boolean sawResponse() {
        return sawResponse;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (tunnel != null) {
                tunnelRead(msg);
                return;
            }
            Fetch f = exchange;
            if (f == null) {
                // Nothing is expected on an idle connection: bytes there break the framing of the next
                // exchange (they would be taken for its response), so the connection is dropped.
                close();
                return;
            }
            if (msg instanceof HttpResponse) {
                sawResponse = true;
                HttpResponse r = (HttpResponse) msg;
                if (r.decoderResult().isFailure()) {
                    close();
                    f.connectionFailed(this, new HTTPClientError(599, "Malformed HTTP response: "
                            + r.decoderResult().cause().getMessage(), null, r.decoderResult().cause()));
                    return;
                }
                f.responseHead(this, r);
            }
            if (msg instanceof HttpContent && exchange == f) {
                HttpContent c = (HttpContent) msg;
                if (c.decoderResult().isFailure()) {
                    close();
                    f.connectionFailed(this, new HTTPClientError(599, "Malformed HTTP response body: "
                            + c.decoderResult().cause().getMessage(), null, c.decoderResult().cause()));
                    return;
                }
                if (c.content().isReadable()) {
                    f.bodyChunk(this, ByteBufUtil.getBytes(c.content()));
                }
                if (msg instanceof LastHttpContent && exchange == f) {
                    f.responseEnd(this);
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** Whether the connection can carry another request after this response. */
    static boolean keepAlive(HttpResponse r) {
        return HttpUtil.isKeepAlive(r);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        failTunnel(new HTTPStreamClosedError("Stream closed during proxy CONNECT", null));
        Fetch f = exchange;
        exchange = null;
        if (f != null) {
            f.connectionFailed(this, new HTTPStreamClosedError("Stream closed", null));
        } else if (onIdleClose != null) {
            onIdleClose.run();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        failTunnel(new HTTPStreamClosedError("Stream closed during proxy CONNECT: " + cause.getMessage(), cause));
        Fetch f = exchange;
        exchange = null;
        close();
        if (f != null) {
            f.connectionFailed(this, new HTTPStreamClosedError("Stream closed: " + cause.getMessage(), cause));
        }
    }

    /** The exchange ended (or was abandoned): forget it. */
    void release() {
        exchange = null;
    }

    void close() {
        closed = true;
        channel.close();
    }
}
