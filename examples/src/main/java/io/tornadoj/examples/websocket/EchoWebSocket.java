package io.tornadoj.examples.websocket;

import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.web.Application;
import io.tornadoj.web.RequestHandler;
import io.tornadoj.websocket.WebSocketHandler;

import java.util.List;
import java.util.concurrent.CompletionStage;

import static io.tornadoj.web.Web.url;

/**
 * Tornado's WebSocket echo example, in Java: a page at {@code /} whose script talks to
 * {@code /websocket}, where every message is answered with {@code "You said: " + message}.
 * Open http://localhost:8888/ in a browser.
 */
public final class EchoWebSocket {
    private static final String PAGE = """
            <!DOCTYPE html>
            <html><body>
            <input id="msg" value="hello"> <button onclick="ws.send(msg.value)">Send</button>
            <pre id="log"></pre>
            <script>
            const ws = new WebSocket("ws://" + location.host + "/websocket");
            ws.onopen = () => log.textContent += "open\\n";
            ws.onmessage = e => log.textContent += e.data + "\\n";
            ws.onclose = () => log.textContent += "closed\\n";
            </script>
            </body></html>
            """;

    private EchoWebSocket() {
    }

    /** Serves the page. */
    public static class PageHandler extends RequestHandler {
        /** Writes the HTML page. */
        public void get() {
            write(PAGE);
        }
    }

    /** Echoes every message. */
    public static class EchoHandler extends WebSocketHandler {
        /** Greets the new client. */
        public void open() {
            writeMessage("Welcome!");
        }

        /**
         * Answers a text message.
         *
         * @param message the message
         * @return completes when the answer is written (the next message waits for it)
         */
        @Override
        public CompletionStage<?> onMessage(String message) {
            return writeMessage("You said: " + message);
        }

        /** Logs the close. */
        @Override
        public void onClose() {
            System.out.println("WebSocket closed (code " + closeCode() + ")");
        }
    }

    /**
     * The application.
     *
     * @return an Application with the page at / and the WebSocket at /websocket
     */
    public static Application makeApp() {
        return new Application(List.of(url("/", PageHandler.class), url("/websocket", EchoHandler.class)));
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
