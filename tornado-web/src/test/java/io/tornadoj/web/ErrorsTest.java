package io.tornadoj.web;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.tornadoj.testsupport.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletionStage;

import static io.tornadoj.web.Web.url;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Error handling: {@code sendError}/{@code writeError}, {@link HTTPError} (status, log message, reason),
 * {@link Finish}, uncaught exceptions (500, traceback only with {@code serve_traceback}). Tornado's
 * ErrorResponseTest, ExceptionHandlerTest, RaiseWithReasonTest, FinishExceptionTest.
 */
@Timeout(60)
class ErrorsTest {
    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void serve(Settings settings) {
        server = TestServer.start(new Application(List.of(
                url("/default", Default.class),
                url("/write_error", WriteError.class),
                url("/failed_write_error", FailedWriteError.class),
                url("/http_error", RaiseHttpError.class),
                url("/reason", RaiseWithReason.class),
                url("/finish", FinishException.class),
                url("/send_error", SendError.class),
                url("/late_error", LateError.class),
                url("/async_error", AsyncError.class)), settings));
    }

    private void serve() {
        serve(Settings.empty());
    }

    // ------------------------------------------------------------------ handlers

    /** {@code ?status=} raises HTTPError, else an uncaught exception. */
    public static class Default extends RequestHandler {
        public void get() {
            String status = getArgument("status", null);
            if (status != null) {
                throw new HTTPError(Integer.parseInt(status));
            }
            throw new IllegalStateException("kaboom in handler");
        }
    }

    /** Overrides writeError. */
    public static class WriteError extends RequestHandler {
        public void get() {
            String status = getArgument("status", null);
            if (status != null) {
                sendError(Integer.parseInt(status));
            } else {
                System.out.println(1 / Integer.parseInt("0"));
            }
        }

        @Override
        public void writeError(int statusCode, Throwable error) {
            setHeader("Content-Type", "text/plain");
            if (error != null) {
                write("Exception: " + error.getClass().getSimpleName());
            } else {
                write("Status: " + statusCode);
            }
        }
    }

    public static class FailedWriteError extends RequestHandler {
        public void get() {
            throw new IllegalStateException("first");
        }

        @Override
        public void writeError(int statusCode, Throwable error) {
            throw new IllegalStateException("exception in writeError");
        }
    }

    /** HTTPError with a log message and arguments. */
    public static class RaiseHttpError extends RequestHandler {
        public void get() {
            if (getArgument("plain", null) != null) {
                throw new HTTPError(403);
            }
            throw new HTTPError(403, "user %s may not see %s (100%%)", "bob", request().path());
        }
    }

    public static class RaiseWithReason extends RequestHandler {
        public void get() {
            String reason = getArgument("reason", "Foo");
            throw new HTTPError(682).reason(reason);
        }
    }

    /** Tornado's FinishExceptionTest handler. */
    public static class FinishException extends RequestHandler {
        public void get() {
            setStatus(401);
            setHeader("WWW-Authenticate", "Basic realm=\"something\"");
            if (!getArgument("finish_value", "").isEmpty()) {
                throw new Finish("authentication required");
            }
            write("authentication required");
            throw new Finish();
        }

        public void post() {
            throw new Finish(java.util.Map.of("ok", true)).reason("Custom Reason");
        }
    }

    public static class SendError extends RequestHandler {
        public void get() {
            write("discarded");
            setHeader("X-Discarded", "1");
            sendError(Integer.parseInt(getArgument("code", "503")));
        }
    }

    /** An error after the headers were sent just ends the response. */
    public static class LateError extends RequestHandler {
        public CompletionStage<Void> get() {
            write("partial;");
            return flush().thenRun(() -> {
                throw new IllegalStateException("too late for an error page");
            });
        }
    }

    public static class AsyncError extends RequestHandler {
        public CompletionStage<Void> get() {
            return java.util.concurrent.CompletableFuture.runAsync(() -> {
                throw new HTTPError(418, "teapot %d", 7);
            });
        }
    }

    // ------------------------------------------------------------------ tests

    @Test
    void defaultErrorPages() {
        serve();
        try (LogCapture app = new LogCapture("tornado.application")) {
            HttpResponse<String> r = server.get("/default");
            assertEquals(500, r.statusCode());
            assertEquals("<html><title>500: Internal Server Error</title><body>500: Internal Server Error</body></html>",
                    r.body());
            assertFalse(r.body().contains("kaboom"));
            r = server.get("/default?status=503");
            assertEquals(503, r.statusCode());
            assertTrue(r.body().contains("503: Service Unavailable"), r.body());
            r = server.get("/default?status=435");
            assertEquals(435, r.statusCode());
            assertTrue(r.body().contains("435: Unknown"), r.body());
            // one ERROR for the uncaught exception, with the request and the exception
            assertEquals(1, app.events().size(), app.messages().toString());
            ILoggingEvent e = app.events().get(0);
            assertEquals(Level.ERROR, e.getLevel());
            assertTrue(e.getFormattedMessage().startsWith("Uncaught exception GET /default (127.0.0.1)"));
            assertTrue(e.getFormattedMessage().contains("HTTPServerRequest("), e.getFormattedMessage());
            assertEquals("kaboom in handler", LogCapture.thrown(e).getMessage());
        }
    }

    @Test
    void writeErrorOverride() {
        serve();
        try (LogCapture app = new LogCapture("tornado.application")) {
            HttpResponse<String> r = server.get("/write_error");
            assertEquals(500, r.statusCode());
            assertEquals("Exception: ArithmeticException", r.body());
            assertEquals("text/plain", r.headers().firstValue("Content-Type").orElseThrow());
            r = server.get("/write_error?status=503");
            assertEquals(503, r.statusCode());
            assertEquals("Status: 503", r.body());
        }
    }

    @Test
    void failingWriteErrorStillAnswers() {
        serve();
        try (LogCapture app = new LogCapture("tornado.application")) {
            HttpResponse<String> r = server.get("/failed_write_error");
            assertEquals(500, r.statusCode());
            assertEquals("", r.body());
            assertTrue(app.messages().contains("Uncaught exception in writeError"), app.messages().toString());
        }
    }

    @Test
    void sendErrorDiscardsBufferedOutputAndHeaders() {
        serve();
        HttpResponse<String> r = server.get("/send_error?code=403");
        assertEquals(403, r.statusCode());
        assertEquals("<html><title>403: Forbidden</title><body>403: Forbidden</body></html>", r.body());
        assertFalse(r.headers().firstValue("X-Discarded").isPresent());
    }

    @Test
    void httpErrorLogMessageGoesToTheGeneralLogNotTheClient() {
        serve();
        try (LogCapture gen = new LogCapture("tornado.general");
             LogCapture app = new LogCapture("tornado.application")) {
            HttpResponse<String> r = server.get("/http_error");
            assertEquals(403, r.statusCode());
            assertFalse(r.body().contains("bob"));
            assertEquals(1, gen.events().size(), gen.messages().toString());
            ILoggingEvent e = gen.events().get(0);
            assertEquals(Level.WARN, e.getLevel());
            assertEquals("403 GET /http_error (127.0.0.1): user bob may not see /http_error (100%)",
                    e.getFormattedMessage());
            // an HTTPError is not an uncaught exception
            assertTrue(app.events().isEmpty(), app.messages().toString());

            // without a log message nothing is logged
            assertEquals(403, server.get("/http_error?plain=1").statusCode());
            assertEquals(1, gen.events().size(), gen.messages().toString());
        }
    }

    @Test
    void httpErrorFromAnAsyncMethod() {
        serve();
        try (LogCapture gen = new LogCapture("tornado.general")) {
            HttpResponse<String> r = server.get("/async_error");
            assertEquals(418, r.statusCode());
            assertTrue(gen.messages().contains("418 GET /async_error (127.0.0.1): teapot 7"), gen.messages().toString());
        }
    }

    @Test
    void httpErrorReasonIsTheStatusLinePhrase() {
        serve();
        RawHttp.Response r = server.rawRequest("GET /reason HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertEquals(682, r.code);
        assertEquals("Foo", r.reason);
        assertTrue(r.text().contains("682: Foo"), r.text());
        r = server.rawRequest("GET /reason?reason=Custom HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertEquals("Custom", r.reason);
    }

    @Test
    void reasonIsEscapedOrRefusedInErrorPages() {
        serve();
        RawHttp.Response r = server.rawRequest(
                "GET /reason?reason=%3Cscript%3Ealert(1)%3C/script%3E HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertEquals(682, r.code);
        assertEquals("Unknown", r.reason);
        assertFalse(r.text().contains("script"), r.text());
        assertTrue(r.text().contains("682: Unknown"), r.text());
        r = server.rawRequest("GET /reason?reason=a%26b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertEquals("a&b", r.reason);
        assertTrue(r.text().contains("682: a&amp;b"), r.text());
    }

    @Test
    void httpErrorToString() {
        assertEquals("HTTP 682: Unknown", new HTTPError(682).getMessage());
        assertEquals("HTTP 404: Not Found", new HTTPError(404).getMessage());
        assertEquals("HTTP 400: Bad Request (Missing argument x)", new MissingArgumentError("x").getMessage());
        HTTPError e = new HTTPError(500, "%s and %s", "a", "b");
        assertEquals("%s and %s", e.logMessage());
        assertEquals(List.of("a", "b"), List.of(e.args()));
        assertEquals("HTTP 500: Internal Server Error (a and b)", e.getMessage());
        assertNull(e.reason());
        assertEquals("Nope", e.reason("Nope").reason());
    }

    @Test
    void finishExceptionEndsTheRequestNormally() {
        serve();
        try (LogCapture app = new LogCapture("tornado.application");
             LogCapture gen = new LogCapture("tornado.general")) {
            for (String u : List.of("/finish", "/finish?finish_value=1")) {
                HttpResponse<String> r = server.get(u);
                assertEquals(401, r.statusCode());
                assertEquals("Basic realm=\"something\"", r.headers().firstValue("WWW-Authenticate").orElseThrow());
                assertEquals("authentication required", r.body());
            }
            RawHttp.Response r = server.rawRequest(
                    "POST /finish HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            assertEquals(200, r.code);
            assertEquals("Custom Reason", r.reason);
            assertEquals("{\"ok\": true}", r.text());
            assertTrue(app.events().isEmpty(), app.messages().toString());
            assertTrue(gen.events().isEmpty(), gen.messages().toString());
        }
    }

    @Test
    void errorAfterHeadersEndsTheResponse() {
        serve();
        try (LogCapture app = new LogCapture("tornado.application");
             LogCapture gen = new LogCapture("tornado.general")) {
            HttpResponse<String> r = server.get("/late_error");
            assertEquals(200, r.statusCode());
            assertEquals("partial;", r.body());
            assertEquals("too late for an error page", LogCapture.thrown(app.events().get(0)).getMessage());
            assertTrue(gen.messages().contains("Cannot send error response after headers written"));
        }
    }

    @Test
    void debugServesTheTraceback() {
        serve(Settings.builder().debug(true).build());
        try (LogCapture app = new LogCapture("tornado.application")) {
            HttpResponse<String> r = server.get("/default");
            assertEquals(500, r.statusCode());
            assertEquals("text/plain", r.headers().firstValue("Content-Type").orElseThrow());
            assertTrue(r.body().startsWith("java.lang.IllegalStateException: kaboom in handler"), r.body());
            assertTrue(r.body().contains("\tat " + Default.class.getName() + ".get("), r.body());
        }
    }

    @Test
    void serveTracebackWithoutDebug() {
        serve(Settings.builder().serveTraceback(true).build());
        try (LogCapture app = new LogCapture("tornado.application")) {
            HttpResponse<String> r = server.get("/default");
            assertEquals(500, r.statusCode());
            assertTrue(r.body().contains("kaboom in handler"), r.body());
        }
    }

    @Test
    void debugWithServeTracebackOffHidesIt() {
        serve(Settings.builder().debug(true).serveTraceback(false).build());
        try (LogCapture app = new LogCapture("tornado.application")) {
            HttpResponse<String> r = server.get("/default");
            assertEquals(500, r.statusCode());
            assertFalse(r.body().contains("kaboom"), r.body());
            assertEquals("text/html; charset=UTF-8", r.headers().firstValue("Content-Type").orElseThrow());
        }
    }

    @Test
    void plainModeHidesTheTraceback() {
        serve();
        try (LogCapture app = new LogCapture("tornado.application")) {
            HttpResponse<String> r = server.get("/default");
            assertFalse(r.body().contains("kaboom"), r.body());
            assertFalse(r.body().contains("\tat "), r.body());
            assertEquals(1, app.events().size());
        }
    }
}
