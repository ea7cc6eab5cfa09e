package io.tornadoj.examples.web;

import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.web.Application;
import io.tornadoj.web.RequestHandler;

import java.util.List;

import static io.tornadoj.web.Web.url;

/**
 * Tornado's front-page example, in Java: one handler, port 8888, {@code IOLoop.current().start()}.
 * Try {@code curl http://localhost:8888/}.
 */
public final class HelloWorld {
    private HelloWorld() {
    }

    /** Answers every GET on / with a greeting. */
    public static class MainHandler extends RequestHandler {
        /** Writes the greeting. */
        public void get() {
            write("Hello, world");
        }
    }

    /**
     * The application.
     *
     * @return an Application routing / to {@link MainHandler}
     */
    public static Application makeApp() {
        return new Application(List.of(url("/", MainHandler.class)));
    }

    /**
     * Serves on the port given as the first argument (default 8888) until killed.
     *
     * @param args [port]
     */
    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8888;
        makeApp().listen(port);
        System.out.println("Listening on http://localhost:" + port + "/ (Ctrl-C to stop)");
        IOLoop.current().start();
    }
}
