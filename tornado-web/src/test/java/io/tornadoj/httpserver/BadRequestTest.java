package io.tornadoj.httpserver;

import io.tornadoj.httpserver.ServerFixture.EchoHandler;
import io.tornadoj.httpserver.ServerFixture.HelloHandler;
import io.tornadoj.httpserver.ServerFixture.RawClient;
import io.tornadoj.httpserver.ServerFixture.Response;
import io.tornadoj.ioloop.Transport;
import io.tornadoj.testsupport.LogCapture;
import io.tornadoj.web.Application;
import io.tornadoj.web.RequestHandler;
import io.tornadoj.web.Settings;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.tornadoj.httpserver.ServerFixture.assertLoggedOnce;
import static io.tornadoj.httpserver.ServerFixture.infoAndAbove;
import static io.tornadoj.web.Web.url;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Malformed input over raw sockets (issue 4's "Bad input" list): each gets its status, the connection
 * closes where the issue says so, the event is logged once, and the server keeps serving a normal request
 * on a new connection afterwards.
 */
@Timeout(60)
class BadRequestTest extends LoggedServerTest {
    private static final String TRANSPORTS = "io.tornadoj.testsupport.Transports#available";


    /** Raises from get(). */
    public static class FailHandler extends RequestHandler {
        public void get() {
            throw new IllegalStateException("handler blew up");
        }
    }

    /** Sets a header value with CR LF in it. */
    public static class InjectHandler extends RequestHandler {
        public void get() {
            setHeader("X", "a\r\nInjected: 1");
            write("should not be sent");
        }
    }

    /** Writes the request's arguments, name=value per line. */
    public static class ArgsHandler extends RequestHandler {
        public void get() {
            request().arguments().forEach((k, v) -> write(k + "=" + String.join(",", v) + "\n"));
        }

        public void post() {
            get();
        }
    }

    private static Application application(Settings settings) {
        return new Application(List.of(
                url("/hello", HelloHandler.class),
                url("/echo", EchoHandler.class),
                url("/args", ArgsHandler.class),
                url("/fail", FailHandler.class),
                url("/inject", InjectHandler.class)), settings);
    }

    private void start(Transport t) throws Exception {
        start(t, ServerFixture.options().build(), Settings.empty());
    }

    private void start(Transport t, HTTPServer.Options options) throws Exception {
        start(t, options, Settings.empty());
    }

    private void start(Transport t, HTTPServer.Options options, Settings settings) throws Exception {
        fx = ServerFixture.start(t, application(settings), options);
    }

    /** Sends raw bytes on a new connection, reads the response, and checks the connection then closes. */
    private Response sendExpectingClose(String request, int code) throws Exception {
        try (RawClient c = fx.connect()) {
            c.send(request);
            Response r = c.readResponse();
            assertEquals(code, r.code, r.toString());
            assertEquals("HTTP/1.1", r.version);
            c.assertClosed();
            return r;
        }
    }

    /** The common tail of every malformed-request test. */
    private void assertMalformedLoggedOnceAndServing(String text) throws Exception {
        assertLoggedOnce(gen, text);
        assertTrue(infoAndAbove(app).isEmpty(), "nothing on tornado.application: " + app.messages());
        fx.assertServing();
    }

    // ------------------------------------------------------------------ request line and version

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void malformedRequestLineIs400AndCloses(Transport t) throws Exception {
        start(t);
        Response r = sendExpectingClose("asdf\r\n\r\n", 400);
        assertEquals("Bad Request", r.reason);
        assertMalformedLoggedOnceAndServing("Malformed HTTP request");
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void malformedHeaderLineIs400AndCloses(Transport t) throws Exception {
        start(t);
        sendExpectingClose("GET /hello HTTP/1.0\r\nasdf\r\n\r\n", 400);
        assertMalformedLoggedOnceAndServing("Malformed HTTP request");
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void invalidMethodTokenIs400(Transport t) throws Exception {
        start(t);
        sendExpectingClose("FOO,BAR /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 400);
        assertMalformedLoggedOnceAndServing("Malformed HTTP request");
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void unknownButValidMethodIs405(Transport t) throws Exception {
        start(t);
        try (RawClient c = fx.connect()) {
            c.send("FOO /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertEquals(405, c.readResponse().code);
            // a 405 is an ordinary response: the connection stays usable
            c.send("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertEquals("Hello world", c.readResponse().bodyText());
        }
        assertTrue(infoAndAbove(gen).isEmpty(), gen.messages().toString());
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void http2VersionIs505AndCloses(Transport t) throws Exception {
        start(t);
        sendExpectingClose("GET /hello HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n", 505);
        assertMalformedLoggedOnceAndServing("Malformed HTTP request");
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void garbageVersionIs400AndCloses(Transport t) throws Exception {
        start(t);
        sendExpectingClose("GET /hello HTTP/x.y\r\nHost: 127.0.0.1\r\n\r\n", 400);
        assertMalformedLoggedOnceAndServing("Malformed HTTP request");
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void nonHttpProtocolIs400AndCloses(Transport t) throws Exception {
        start(t);
        sendExpectingClose("GET /hello FOO/1.1\r\nHost: 127.0.0.1\r\n\r\n", 400);
        assertMalformedLoggedOnceAndServing("Malformed HTTP request");
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void hostHeaderWithWhitespaceIs400(Transport t) throws Exception {
        start(t);
        sendExpectingClose("GET /hello HTTP/1.1\r\nHost: foo bar\r\n\r\n", 400);
        assertMalformedLoggedOnceAndServing("Invalid Host header");
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void repeatedHostHeaderIs400(Transport t) throws Exception {
        start(t);
        sendExpectingClose("GET /hello HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n", 400);
        assertMalformedLoggedOnceAndServing("Multiple host headers");
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void validHostsAreAccepted(Transport t) throws Exception {
        start(t);
        for (String host : new String[] {"example.com", "EXAMPLE.com:8080", "127.0.0.1:80", "[::1]:8888", "[::1]",
                "under_score.example", ""}) {
            try (RawClient c = fx.connect()) {
                c.send("GET /hello HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
                Response r = c.readResponse();
                assertEquals(200, r.code, host + ": " + r);
            }
        }
        assertTrue(infoAndAbove(gen).isEmpty(), gen.messages().toString());
    }

    // ------------------------------------------------------------------ sizes

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void headersUnderMaxHeaderSizeAreServed(Transport t) throws Exception {
        start(t, ServerFixture.options().maxHeaderSize(1024).build());
        try (RawClient c = fx.connect()) {
            c.send("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: " + "a".repeat(100) + "\r\n\r\n");
            assertEquals("Hello world", c.readResponse().bodyText());
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void headerBlockOverMaxHeaderSizeIs431AndCloses(Transport t) throws Exception {
        start(t, ServerFixture.options().maxHeaderSize(1024).build());
        sendExpectingClose("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: " + "a".repeat(1100) + "\r\n\r\n", 431);
        assertMalformedLoggedOnceAndServing("Request Header Fields Too Large");
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void manySmallHeadersOverMaxHeaderSizeIs431(Transport t) throws Exception {
        start(t, ServerFixture.options().maxHeaderSize(1024).build());
        StringBuilder req = new StringBuilder("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (int i = 0; i < 60; i++) {
            req.append("X-H").append(i).append(": ").append("v".repeat(20)).append("\r\n");
        }
        sendExpectingClose(req.append("\r\n").toString(), 431);
        assertMalformedLoggedOnceAndServing("Request Header Fields Too Large");
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void requestLineOverMaxHeaderSizeIs414AndCloses(Transport t) throws Exception {
        start(t, ServerFixture.options().maxHeaderSize(1024).build());
        sendExpectingClose("GET /hello?x=" + "a".repeat(1100) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 414);
        assertMalformedLoggedOnceAndServing("URI Too Long");
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void bodyAtMaxBodySizeIsServed(Transport t) throws Exception {
        start(t, ServerFixture.options().maxBodySize(1024).build());
        try (RawClient c = fx.connect()) {
            c.send("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1024\r\n\r\n" + "b".repeat(1024));
            assertEquals("b".repeat(1024), c.readResponse().bodyText());
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void contentLengthOverMaxBodySizeIs413AndCloses(Transport t) throws Exception {
        start(t, ServerFixture.options().maxBodySize(1024).build());
        // the body is not sent: the server answers from the headers
        sendExpectingClose("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1025\r\n\r\n", 413);
        assertMalformedLoggedOnceAndServing("Content Length Too Long");
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void chunkedBodyOverMaxBodySizeIs413AndCloses(Transport t) throws Exception {
        start(t, ServerFixture.options().maxBodySize(1024).build());
        sendExpectingClose("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "200\r\n" + "c".repeat(512) + "\r\n"
                + "300\r\n" + "c".repeat(768) + "\r\n", 413);
        assertMalformedLoggedOnceAndServing("Content Length Too Long");
    }

    // ------------------------------------------------------------------ framing

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void nonNumericContentLengthIs400(Transport t) throws Exception {
        start(t);
        for (String value : new String[] {"foo", "+10", "1_0", "0x10", "10 10", ""}) {
            sendExpectingClose("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + value
                    + "\r\nConnection: close\r\n\r\n1234567890", 400);
            assertLoggedOnce(gen, "Malformed HTTP request");
            gen.close();
            gen = new LogCapture("tornado.general");
        }
        fx.assertServing();
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void negativeContentLengthIs400(Transport t) throws Exception {
        start(t);
        sendExpectingClose("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -1\r\n\r\n", 400);
        assertMalformedLoggedOnceAndServing("Malformed HTTP request");
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void duplicateDifferingContentLengthIs400(Transport t) throws Exception {
        start(t);
        sendExpectingClose("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"
                + "123456", 400);
        assertMalformedLoggedOnceAndServing("Malformed HTTP request");
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void commaSeparatedDifferingContentLengthIs400(Transport t) throws Exception {
        start(t);
        sendExpectingClose("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5, 6\r\n\r\n123456", 400);
        assertMalformedLoggedOnceAndServing("Malformed HTTP request");
    }

    /** Tornado accepts repeated Content-Length values that agree (RFC 9110 8.6 allows either). */
    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void duplicateEqualContentLengthIsAccepted(Transport t) throws Exception {
        start(t);
        try (RawClient c = fx.connect()) {
            c.send("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello");
            Response r = c.readResponse();
            assertEquals(200, r.code, r.toString());
            assertEquals("hello", r.bodyText());
            c.send("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3, 3\r\n\r\nabc");
            assertEquals("abc", c.readResponse().bodyText());
        }
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void contentLengthAndTransferEncodingIs400(Transport t) throws Exception {
        start(t);
        sendExpectingClose("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n"
                + "2\r\nok\r\n0\r\n\r\n", 400);
        assertMalformedLoggedOnceAndServing("Malformed HTTP request");
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void badChunkSizeIs400(Transport t) throws Exception {
        start(t);
        sendExpectingClose("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "1_a\r\n1234567890abcdef1234567890\r\n0\r\n\r\n", 400);
        assertMalformedLoggedOnceAndServing("Malformed HTTP request");
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void nonHexChunkSizeAfterGoodChunkIs400(Transport t) throws Exception {
        start(t);
        sendExpectingClose("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "2\r\nok\r\nzz\r\nxx\r\n0\r\n\r\n", 400);
        assertMalformedLoggedOnceAndServing("Malformed HTTP request");
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void repeatedChunkedTransferEncodingIs400(Transport t) throws Exception {
        start(t);
        sendExpectingClose("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                + "Transfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", 400);
        assertMalformedLoggedOnceAndServing("Malformed HTTP request");
    }

    /** Tornado reads only the chunked transfer coding; anything else before it is refused. */
    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void unsupportedTransferEncodingIs400(Transport t) throws Exception {
        start(t);
        sendExpectingClose("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
                + "2\r\nok\r\n0\r\n\r\n", 400);
        assertMalformedLoggedOnceAndServing("Malformed HTTP request");
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void transferEncodingOnHttp10Is400(Transport t) throws Exception {
        start(t);
        sendExpectingClose("POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", 400);
        assertMalformedLoggedOnceAndServing("Malformed HTTP request");
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void malformedRequestPipelinedBehindAGoodOneIsAnsweredInTurn(Transport t) throws Exception {
        start(t);
        try (RawClient c = fx.connect()) {
            c.send("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nasdf\r\n\r\n");
            Response first = c.readResponse();
            assertEquals(200, first.code);
            assertEquals("Hello world", first.bodyText());
            assertEquals(400, c.readResponse().code);
            c.assertClosed();
        }
        assertMalformedLoggedOnceAndServing("Malformed HTTP request");
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void clientLeavingMidHeadersIsNotLogged(Transport t) throws Exception {
        start(t);
        fx.connect().send("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Partial: ").close();
        try (RawClient c = fx.connect()) {
            c.send("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Partial: ");
            c.socket.shutdownOutput();
            c.assertClosed();
        }
        Thread.sleep(50);
        fx.assertServing();
        assertTrue(infoAndAbove(gen).isEmpty(), gen.messages().toString());
        assertTrue(infoAndAbove(app).isEmpty(), app.messages().toString());
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void emptyConnectionIsClosedQuietly(Transport t) throws Exception {
        start(t);
        fx.connect().close();
        fx.connect().send("\r\n").close(); // a stray CRLF and gone
        Thread.sleep(50);
        fx.assertServing();
        assertTrue(infoAndAbove(gen).isEmpty(), gen.messages().toString());
        assertTrue(infoAndAbove(app).isEmpty(), app.messages().toString());
    }

    // ------------------------------------------------------------------ arguments

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void nonUtf8PercentEscapeInQueryIs400(Transport t) throws Exception {
        start(t);
        try (RawClient c = fx.connect()) {
            c.send("GET /args?a=%ff HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertEquals(400, c.readResponse().code);
        }
        assertLoggedOnce(gen, "Malformed");
        assertTrue(infoAndAbove(app).isEmpty(), app.messages().toString());
        fx.assertServing();
        // and valid UTF-8 escapes decode
        assertEquals("a=\u00e9\n", fx.get("/args?a=%C3%A9").bodyText());
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void rawNonUtf8ByteInQueryIs400(Transport t) throws Exception {
        start(t);
        try (RawClient c = fx.connect()) {
            ByteArrayOutputStream req = new ByteArrayOutputStream();
            req.writeBytes("GET /args?a=".getBytes(StandardCharsets.US_ASCII));
            req.write(0xff);
            req.writeBytes(" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            c.send(req.toByteArray());
            assertEquals(400, c.readResponse().code);
        }
        assertLoggedOnce(gen, "Malformed");
        fx.assertServing();
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void malformedPercentEscapeInQueryIs400(Transport t) throws Exception {
        start(t);
        try (RawClient c = fx.connect()) {
            c.send("GET /args?a=%zz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertEquals(400, c.readResponse().code);
        }
        assertLoggedOnce(gen, "Malformed");
        fx.assertServing();
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void nonUtf8FormBodyIs400(Transport t) throws Exception {
        start(t);
        try (RawClient c = fx.connect()) {
            c.send("POST /args HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: 5\r\n\r\na=%ff");
            Response r = c.readResponse();
            assertEquals(400, r.code, r.toString());
            // an ordinary error response: the connection stays usable
            c.send("POST /args HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: 9\r\n\r\na=%C3%A9x");
            assertEquals("a=\u00e9x\n", c.readResponse().bodyText());
        }
        assertLoggedOnce(gen, "Malformed request body");
        assertTrue(infoAndAbove(app).isEmpty(), app.messages().toString());
        fx.assertServing();
    }

    // ------------------------------------------------------------------ handler errors

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void handlerExceptionIs500PageLoggedOnce(Transport t) throws Exception {
        start(t);
        try (RawClient c = fx.connect()) {
            c.send("GET /fail HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            Response r = c.readResponse();
            assertEquals(500, r.code);
            assertEquals("Internal Server Error", r.reason);
            assertTrue(r.bodyText().contains("500: Internal Server Error"), r.bodyText());
            assertFalse(r.bodyText().contains("handler blew up"), "no traceback without serveTraceback");
            assertFalse(r.bodyText().contains("IllegalStateException"), "no traceback without serveTraceback");
            // a 500 is an ordinary response: the connection stays usable
            c.send("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertEquals("Hello world", c.readResponse().bodyText());
        }
        var e = assertLoggedOnce(app, "Uncaught exception");
        assertTrue(LogCapture.thrown(e) instanceof IllegalStateException, "logged with its exception");
        assertTrue(infoAndAbove(gen).isEmpty(), gen.messages().toString());
        fx.assertServing();
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void handlerExceptionShowsTracebackWithServeTraceback(Transport t) throws Exception {
        start(t, ServerFixture.options().build(), Settings.builder().serveTraceback(true).build());
        Response r = fx.get("/fail");
        assertEquals(500, r.code);
        assertTrue(r.bodyText().contains("IllegalStateException: handler blew up"), r.bodyText());
        assertTrue(r.bodyText().contains("at " + FailHandler.class.getName() + ".get"), r.bodyText());
        assertLoggedOnce(app, "Uncaught exception");
        fx.assertServing();
    }

    @ParameterizedTest
    @MethodSource(TRANSPORTS)
    void crlfInHandlerHeaderValueIs500AndNeverSent(Transport t) throws Exception {
        start(t);
        try (RawClient c = fx.connect()) {
            c.send("GET /inject HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            Response r = c.readResponse();
            assertEquals(500, r.code, r.toString());
            assertFalse(r.toString().contains("Injected"), r.toString());
            assertFalse(r.toString().contains("should not be sent"), r.toString());
            assertEquals(null, r.header("X"));
            c.send("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            Response next = c.readResponse();
            assertFalse(next.toString().contains("Injected"), next.toString());
            assertEquals("Hello world", next.bodyText());
        }
        var e = assertLoggedOnce(app, "Uncaught exception");
        assertTrue(LogCapture.thrown(e) instanceof IllegalArgumentException, "logged with its exception");
        fx.assertServing();
    }
}
