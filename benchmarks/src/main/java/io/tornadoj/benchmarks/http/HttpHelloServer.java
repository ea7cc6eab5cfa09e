package io.tornadoj.benchmarks.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.internal.PlatformDependent;
import io.tornadoj.httpserver.HTTPServer;
import io.tornadoj.internal.Loops;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.ioloop.Transport;
import io.tornadoj.web.Application;
import io.tornadoj.web.RequestHandler;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import static io.tornadoj.web.Web.url;

/**
 * The two hello-world servers the load harness compares, each on ONE event loop of the given
 * transport: {@code tornado} is Tornado's front-page Application; {@code netty} is a raw
 * {@code HttpServerCodec} handler sending the same response less Tornado's automatic Etag (Server, Content-Type, Date, Content-Length,
 * "Hello, world"). Prints {@code READY <port>}, then answers {@code mem} on stdin with the heap and
 * direct memory in use after GC, and {@code alloc} with the bytes allocated so far by all live threads;
 * exits on {@code quit} or end of input.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.tornadoj.benchmarks.http.HttpHelloServer tornado|netty EPOLL|NIO|IO_URING [port]</pre>
 */
public final class HttpHelloServer {
    private static final byte[] HELLO = "Hello, world".getBytes(StandardCharsets.UTF_8);

    private HttpHelloServer() {
    }

    /** Tornado's MainHandler. */
    public static class MainHandler extends RequestHandler {
        /** Writes the greeting. */
        public void get() {
            write(HELLO);
        }
    }

    /** Raw Netty: answers every request with the response Tornado-J sends, without its Etag header. */
    static final class RawHello extends SimpleChannelInboundHandler<HttpObject> {
        private static volatile String date = "";
        private static volatile long dateSecond = -1;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (!(msg instanceof HttpRequest)) {
                return;
            }
            HttpRequest req = (HttpRequest) msg;
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            ByteBuf body = Unpooled.wrappedBuffer(HELLO);
            FullHttpResponse r = new DefaultFullHttpResponse(req.protocolVersion(), HttpResponseStatus.OK, body);
            r.headers().set(HttpHeaderNames.SERVER, "TornadoJ/0.1.0")
                    .set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=UTF-8")
                    .set(HttpHeaderNames.DATE, now())
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, HELLO.length);
            if (keepAlive) {
                ctx.write(r);
            } else {
                r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.write(r).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        private static String now() {
            long s = System.currentTimeMillis() / 1000;
            if (s != dateSecond) {
                date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC));
                dateSecond = s;
            }
            return date;
        }
    }

    /**
     * Binds the raw Netty hello server ({@code HttpServerCodec} + {@link RawHello}) on {@code group}, whose
     * loops must be of {@code transport}; used by {@link #main} and by the HTTP client benchmark.
     *
     * @param group     the event loop group that accepts and serves
     * @param transport the group's transport
     * @param host      the address to bind
     * @param port      the port, 0 for any free one
     * @return the bound listening channel (close it to stop the server)
     */
    public static Channel bindRaw(EventLoopGroup group, Transport transport, String host, int port) {
        return bindRaw(group, transport, host, port, null);
    }

    /**
     * {@link #bindRaw(EventLoopGroup, Transport, String, int)} that also counts the connections it accepts.
     *
     * @param group     the event loop group that accepts and serves
     * @param transport the group's transport
     * @param host      the address to bind
     * @param port      the port, 0 for any free one
     * @param accepted  incremented for every accepted connection, or null
     * @return the bound listening channel (close it to stop the server)
     */
    public static Channel bindRaw(EventLoopGroup group, Transport transport, String host, int port, AtomicLong accepted) {
        return new ServerBootstrap().group(group)
                .channel(Loops.serverSocketChannel(transport))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel c) {
                        if (accepted != null) {
                            accepted.incrementAndGet();
                        }
                        c.pipeline().addLast(new HttpServerCodec(), new RawHello());
                    }
                }).bind(host, port).syncUninterruptibly().channel();
    }

    /**
     * Starts one server and waits for commands on stdin.
     *
     * @param args kind transport [port]
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        String kind = args[0];
        Transport transport = Transport.valueOf(args[1]);
        int port = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        Runnable stop;
        int bound;
        if (kind.equals("tornado")) {
            IOLoop loop = IOLoop.create(transport);
            Application app = new Application(List.of(url("/", MainHandler.class)));
            HTTPServer server = loop.runSync(() -> CompletableFuture.completedFuture(app.listen(port, "127.0.0.1")));
            bound = server.boundAddresses().get(0).getPort();
            stop = () -> {
                server.stop();
                loop.close();
            };
        } else {
            MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, Loops.ioHandlerFactory(transport));
            Channel ch = bindRaw(group, transport, "127.0.0.1", port);
            bound = ((InetSocketAddress) ch.localAddress()).getPort();
            stop = () -> {
                ch.close();
                group.shutdownGracefully();
            };
        }
        System.out.println("READY " + bound);
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null && !line.equals("quit")) {
            if (line.equals("mem")) {
                for (int i = 0; i < 3; i++) {
                    System.gc();
                    Thread.sleep(100);
                }
                long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                System.out.println("MEM heap=" + heap + " direct=" + PlatformDependent.usedDirectMemory());
                System.out.flush();
            } else if (line.equals("alloc")) {
                // bytes allocated so far by every live thread (the loop thread does nearly all of it)
                com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
                long total = 0;
                for (long b : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
                    total += Math.max(0, b);
                }
                System.out.println("ALLOC " + total);
                System.out.flush();
            }
        }
        stop.run();
        System.exit(0);
    }
}
