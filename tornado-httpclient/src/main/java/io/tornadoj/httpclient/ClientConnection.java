package io.tornadoj.httpclient;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
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
    final String poolKey;
    private Fetch exchange;
    private boolean sawResponse;
    private boolean closed;
    /** Set while idle in the pool: the pool is told when the server closes it. */
    private Runnable onIdleClose;

    ClientConnection(Channel channel, String poolKey) {
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

    CompletableFuture<Void> write(Object msg) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        channel.writeAndFlush(msg).addListener(x -> {
            if (x.isSuccess()) {
                f.complete(null);
            } else {
                f.completeExceptionally(x.cause());
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

    /** Whether response bytes arrived during the current exchange (a retry is unsafe then). */
    boolean sawResponse() {
        return sawResponse;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            Fetch f = exchange;
            if (f == null) {
                return; // nothing expected on an idle connection: drop it
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
