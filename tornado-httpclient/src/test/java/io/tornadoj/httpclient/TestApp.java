package io.tornadoj.httpclient;

import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.web.Application;
import io.tornadoj.web.RequestHandler;
import io.tornadoj.web.Settings;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static io.tornadoj.web.Web.url;

/** The tornado-web application the client tests talk to (Tornado's httpclient_test handlers, in Java). */
final class TestApp {
    static final String BIG = "hello world" + "!".repeat(2000);

    private TestApp() {
    }

    static Application app() {
        return app(Settings.empty());
    }

    static Application app(Settings settings) {
        return new Application(List.of(
                url("/hello", Hello.class),
                url("/echo", Echo.class),
                url("/bytes", Bytes.class),
                url("/header/([^/]+)", EchoHeader.class),
                url("/headers", AllHeaders.class),
                url("/redirect", Redirect.class),
                url("/countdown/(\\d+)", Countdown.class),
                url("/chunk", Chunk.class),
                url("/big", Big.class),
                url("/slow", Slow.class),
                url("/reason", Reason.class),
                url("/status/(\\d+)", Status.class)), settings);
    }

    /** GET → "Hello world!". */
    public static class Hello extends RequestHandler {
        public void get() {
            write("Hello " + getArgument("name", "world") + "!");
        }
    }

    /** Every method: "METHOD:body". */
    public static class Echo extends RequestHandler {
        private void echo() {
            setHeader("Content-Type", "text/plain");
            write(request().method() + ":" + request().bodyAsString());
        }

        public void get() {
            echo();
        }

        public void post() {
            echo();
        }

        public void put() {
            echo();
        }

        public void patch() {
            echo();
        }

        public void delete() {
            echo();
        }

        public void options() {
            echo();
        }

        public void head() {
            setHeader("X-Method", "HEAD");
        }
    }

    /** POST → the request body bytes, as they came. */
    public static class Bytes extends RequestHandler {
        public void post() {
            setHeader("Content-Type", "application/octet-stream");
            write(request().body());
        }
    }

    /** GET /header/NAME → the request's value of that header ("" when absent). */
    public static class EchoHeader extends RequestHandler {
        public void get(String name) {
            String v = request().headers().get(name);
            write(v == null ? "" : v);
        }
    }

    /** GET → the request's headers as "Name: value" lines, sorted by name. */
    public static class AllHeaders extends RequestHandler {
        public void get() {
            Map<String, String> sorted = new TreeMap<>();
            for (Map.Entry<String, String> e : request().headers().entries()) {
                sorted.put(e.getKey(), e.getValue());
            }
            StringBuilder b = new StringBuilder();
            sorted.forEach((k, v) -> b.append(k).append(": ").append(v).append('\n'));
            write(b.toString());
        }
    }

    /** /redirect?url=U&status=S for every method. */
    public static class Redirect extends RequestHandler {
        private void go() {
            redirect(getArgument("url"), Integer.parseInt(getArgument("status", "302")));
        }

        public void get() {
            go();
        }

        public void post() {
            go();
        }

        public void put() {
            go();
        }

        public void patch() {
            go();
        }

        public void delete() {
            go();
        }

        public void head() {
            go();
        }
    }

    /** /countdown/N redirects to N-1 until 0: "Zero". */
    public static class Countdown extends RequestHandler {
        public void get(String n) {
            int count = Integer.parseInt(n);
            if (count > 0) {
                redirect("/countdown/" + (count - 1));
            } else {
                write("Zero");
            }
        }
    }

    /** A chunked response: "asdf", flushed, then "qwer" a moment later. */
    public static class Chunk extends RequestHandler {
        public CompletionStage<?> get() {
            write("asdf");
            return flush().thenCompose(v -> later(0.02)).thenRun(() -> write("qwer"));
        }
    }

    /** A large text body (compressible, over the gzip minimum). */
    public static class Big extends RequestHandler {
        public void get() {
            write(BIG);
        }
    }

    /** Answers after ?delay= seconds (default 0.1). */
    public static class Slow extends RequestHandler {
        public CompletionStage<?> get() {
            return later(Double.parseDouble(getArgument("delay", "0.1"))).thenRun(() -> write("slow"));
        }
    }

    /** A custom reason phrase. */
    public static class Reason extends RequestHandler {
        public void get() {
            setStatus(200, "All Good");
            write("ok");
        }
    }

    /** /status/N answers with that status and a short body. */
    public static class Status extends RequestHandler {
        public void get(String code) {
            setStatus(Integer.parseInt(code));
            write("status " + code);
        }
    }

    static CompletableFuture<Void> later(double seconds) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        IOLoop.current().callLater(seconds, () -> f.complete(null));
        return f;
    }
}
