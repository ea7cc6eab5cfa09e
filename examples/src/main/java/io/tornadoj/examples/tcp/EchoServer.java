package io.tornadoj.examples.tcp;

import io.tornadoj.iostream.IOStream;
import io.tornadoj.iostream.StreamClosedError;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.tcpserver.TCPServer;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * A line echo server written the Tornado way: per connection, {@code readUntil("\n")} then
 * {@code write} the line back, until the peer goes away.
 *
 * <pre>
 * mvn -q -B -pl examples -am -DskipTests package exec:java -Dexec.mainClass=io.tornadoj.examples.tcp.EchoServer -Dexec.args=8888
 * </pre>
 */
public class EchoServer extends TCPServer {
    /** A server with default options. */
    public EchoServer() {
    }

    @Override
    protected CompletionStage<?> handleStream(IOStream stream, InetSocketAddress address) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        echoLines(stream, done);
        return done;
    }

    /** One line at a time; each step starts the next (no future chain grows with the connection). */
    private static void echoLines(IOStream stream, CompletableFuture<Void> done) {
        stream.readUntil("\n").thenCompose(stream::write).whenComplete((v, err) -> {
            Throwable cause = err instanceof CompletionException ? err.getCause() : err;
            if (cause == null) {
                echoLines(stream, done);
            } else if (cause instanceof StreamClosedError) {
                done.complete(null); // the client left: a normal end
            } else {
                done.completeExceptionally(cause);
            }
        });
    }

    /**
     * Serves on the port given as the first argument (default 8888) until killed.
     *
     * @param args [port]
     */
    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8888;
        new EchoServer().listen(port);
        System.out.println("echo server on port " + port + " (Ctrl-C to stop)");
        IOLoop.current().start();
    }
}
