package io.tornadoj.iostream;

import io.netty.channel.ChannelPipeline;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.ioloop.Transport;
import io.tornadoj.tcpserver.TCPServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A loop, a TCPServer on 127.0.0.1:0 that queues each accepted stream, and raw blocking sockets as
 * peers: tests control exactly which bytes arrive when.
 */
final class StreamFixture implements AutoCloseable {
    final IOLoop loop;
    final TCPServer server;
    private final LinkedBlockingQueue<IOStream> accepted = new LinkedBlockingQueue<>();
    private final java.util.List<Socket> sockets = new java.util.ArrayList<>();

    StreamFixture(Transport transport) {
        this(transport, IOStream.Options.defaults().maxBufferSize(), null);
    }

    StreamFixture(Transport transport, int maxBufferSize, Consumer<ChannelPipeline> pipeline) {
        loop = IOLoop.create(transport);
        server = new TCPServer(TCPServer.Options.builder().maxBufferSize(maxBufferSize).pipeline(pipeline).build()) {
            @Override
            protected CompletionStage<?> handleStream(IOStream stream, InetSocketAddress address) {
                accepted.add(stream);
                return null;
            }
        };
        run(() -> server.listen(0, "127.0.0.1"));
    }

    int port() {
        return server.boundAddresses().get(0).getPort();
    }

    /** Connects a raw socket and returns it with the server-side stream. */
    Socket connect() throws IOException, InterruptedException {
        Socket s = new Socket("127.0.0.1", port());
        s.setTcpNoDelay(true);
        s.setSoTimeout(10_000);
        sockets.add(s);
        return s;
    }

    IOStream nextStream() throws InterruptedException {
        IOStream s = accepted.poll(10, TimeUnit.SECONDS);
        if (s == null) {
            throw new AssertionError("no connection accepted");
        }
        return s;
    }

    /** Runs on the loop and waits. */
    void run(Runnable r) {
        try {
            loop.runSync(() -> {
                r.run();
                return CompletableFuture.completedFuture(null);
            });
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    static <T> T get(CompletableFuture<T> f) throws Exception {
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception) {
                throw (Exception) e.getCause();
            }
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        server.stop().join();
        loop.close();
    }
}
