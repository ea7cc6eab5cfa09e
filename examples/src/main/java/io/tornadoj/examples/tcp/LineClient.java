package io.tornadoj.examples.tcp;

import io.tornadoj.iostream.IOStream;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.tcpclient.TCPClient;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A line-protocol client the Tornado way: connect, then for each line {@code write} it and
 * {@code readUntil("\n")} the answer.
 *
 * <pre>
 * mvn -q -B -pl examples -am -DskipTests package exec:java -Dexec.mainClass=io.tornadoj.examples.tcp.LineClient -Dexec.args="localhost 8888 hello tornado"
 * </pre>
 */
public final class LineClient {
    private LineClient() {
    }

    /**
     * Sends each line and collects the answers, on a loop of its own.
     *
     * @param host  the server
     * @param port  its port
     * @param lines what to send (a newline is added to each)
     * @return the answers, newline stripped
     * @throws Exception when the connection fails
     */
    public static List<String> run(String host, int port, List<String> lines) throws Exception {
        try (IOLoop loop = IOLoop.create(); TCPClient client = new TCPClient()) {
            return loop.runSync(() -> client.connect(host, port).thenCompose(stream -> {
                CompletableFuture<List<String>> answers = new CompletableFuture<>();
                exchange(stream, lines, 0, new ArrayList<>(), answers);
                return answers.whenComplete((a, t) -> stream.close());
            }), Duration.ofSeconds(30));
        }
    }

    private static void exchange(IOStream stream, List<String> lines, int i, List<String> out,
                                 CompletableFuture<List<String>> done) {
        if (i == lines.size()) {
            done.complete(out);
            return;
        }
        stream.write(lines.get(i) + "\n")
                .thenCompose(v -> stream.readUntil("\n"))
                .whenComplete((answer, err) -> {
                    if (err != null) {
                        done.completeExceptionally(err);
                        return;
                    }
                    out.add(new String(answer, StandardCharsets.UTF_8).stripTrailing());
                    exchange(stream, lines, i + 1, out, done);
                });
    }

    /**
     * Sends the words given after host and port.
     *
     * @param args host port line...
     * @throws Exception when the connection fails
     */
    public static void main(String[] args) throws Exception {
        String host = args.length > 0 ? args[0] : "localhost";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 8888;
        List<String> lines = args.length > 2 ? Arrays.asList(args).subList(2, args.length) : List.of("hello", "tornado");
        for (String answer : run(host, port, lines)) {
            System.out.println("< " + answer);
        }
    }
}
