package io.tornadoj.examples.httpclient;

import io.tornadoj.gen.Gen;
import io.tornadoj.httpclient.AsyncHTTPClient;
import io.tornadoj.httpclient.HTTPResponse;
import io.tornadoj.httpserver.HTTPServer;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.queues.Queue;
import io.tornadoj.web.Application;
import io.tornadoj.web.RequestHandler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.tornadoj.web.Web.url;

/**
 * Tornado's web-spider demo, in Java: a {@link Queue} of URLs, a few workers started together with
 * {@link Gen#multi}, and an {@link AsyncHTTPClient} with {@code maxClients} requests in flight. It crawls
 * a small site it serves itself on a free local port: page N links to pages 2N+1 and 2N+2.
 *
 * <pre>mvn -q -B -pl examples -am -DskipTests package exec:java -Dexec.mainClass=io.tornadoj.examples.httpclient.Crawler -Dexec.args="50 4"</pre>
 */
public final class Crawler {
    private static final Pattern LINK = Pattern.compile("href=\"([^\"]+)\"");

    private Crawler() {
    }

    /** A page with links to its two children below the site's size. */
    public static class PageHandler extends RequestHandler {
        private int size;

        @Override
        public void initialize(java.util.Map<String, Object> initArgs) {
            size = (Integer) initArgs.get("size");
        }

        /**
         * Writes the page.
         *
         * @param n the page number
         * @return completes after a short simulated delay
         */
        public CompletionStage<Void> get(String n) {
            int page = Integer.parseInt(n);
            return Gen.sleep(Duration.ofMillis(10)).thenRun(() -> {
                StringBuilder html = new StringBuilder("<html><body>page ").append(page);
                for (int child : new int[] {2 * page + 1, 2 * page + 2}) {
                    if (child < size) {
                        html.append(" <a href=\"/page/").append(child).append("\">").append(child).append("</a>");
                    }
                }
                write(html.append("</body></html>").toString());
            });
        }
    }

    /**
     * Crawls {@code base + "/page/0"} and everything it links to, with {@code concurrency} workers.
     *
     * @param base        e.g. http://127.0.0.1:8888
     * @param concurrency workers and maxClients
     * @return the URLs fetched
     */
    public static CompletableFuture<Set<String>> crawl(String base, int concurrency) {
        AsyncHTTPClient client = new AsyncHTTPClient(AsyncHTTPClient.Options.builder().maxClients(concurrency).build());
        Queue<String> queue = new Queue<>();
        Set<String> seen = new LinkedHashSet<>();
        Set<String> fetched = new LinkedHashSet<>();
        String start = base + "/page/0";
        seen.add(start);
        queue.putNowait(start);
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            workers.add(worker(client, queue, base, seen, fetched));
        }
        // Wait until every queued URL was processed, then let the workers go.
        return queue.join().thenCompose(v -> {
            for (int i = 0; i < concurrency; i++) {
                queue.putNowait(""); // a stop signal per worker
            }
            return Gen.multi(workers);
        }).thenApply(v -> {
            client.close();
            return fetched;
        });
    }

    private static CompletableFuture<Void> worker(AsyncHTTPClient client, Queue<String> queue, String base,
                                                  Set<String> seen, Set<String> fetched) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        nextUrl(client, queue, base, seen, fetched, done);
        return done;
    }

    private static void nextUrl(AsyncHTTPClient client, Queue<String> queue, String base, Set<String> seen,
                                Set<String> fetched, CompletableFuture<Void> done) {
        queue.get().thenAccept(u -> {
            if (u.isEmpty()) {
                queue.taskDone();
                done.complete(null);
                return;
            }
            client.fetch(u).whenComplete((response, err) -> {
                if (err == null) {
                    fetched.add(u);
                    for (String link : links(response)) {
                        if (seen.add(base + link)) {
                            queue.putNowait(base + link);
                        }
                    }
                } else {
                    System.err.println("failed " + u + ": " + err);
                }
                queue.taskDone();
                nextUrl(client, queue, base, seen, fetched, done);
            });
        });
    }

    private static List<String> links(HTTPResponse response) {
        List<String> out = new ArrayList<>();
        Matcher m = LINK.matcher(response.bodyAsString());
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /**
     * Serves a site of {@code pages} pages and crawls it.
     *
     * @param pages       the site's size
     * @param concurrency workers and maxClients
     * @return how many pages were fetched
     * @throws Exception on failure
     */
    public static int run(int pages, int concurrency) throws Exception {
        try (IOLoop loop = IOLoop.create()) {
            Application site = new Application(List.of(url("/page/(\\d+)", PageHandler.class, java.util.Map.of("size", pages))));
            HTTPServer server = loop.runSync(() -> CompletableFuture.completedFuture(site.listen(0, "127.0.0.1")));
            String base = "http://127.0.0.1:" + server.boundAddresses().get(0).getPort();
            double start = loop.time();
            Set<String> fetched = loop.runSync(() -> crawl(base, concurrency), Duration.ofSeconds(60));
            System.out.printf("fetched %d pages with %d in flight in %.2f s%n", fetched.size(), concurrency, loop.time() - start);
            loop.runSync(server::stop);
            return fetched.size();
        }
    }

    /**
     * Entry point.
     *
     * @param args [pages] [concurrency]
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        run(args.length > 0 ? Integer.parseInt(args[0]) : 50, args.length > 1 ? Integer.parseInt(args[1]) : 4);
    }
}
