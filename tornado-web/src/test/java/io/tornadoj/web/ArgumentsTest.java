package io.tornadoj.web;

import io.tornadoj.escape.Escape;
import io.tornadoj.httputil.HTTPFile;
import io.tornadoj.testsupport.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.tornadoj.web.Web.url;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Request arguments: query, urlencoded and multipart bodies, defaults, {@link MissingArgumentError},
 * stripping and control characters, order of repeated values and {@code decodeArgument}. Tornado's
 * test_get_argument, test_get_query_arguments, test_get_body_arguments, GetArgumentErrorTest.
 */
@Timeout(60)
class ArgumentsTest {
    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start(new Application(List.of(
                url("/get_argument", GetArgument.class),
                url("/get_arguments", GetArguments.class),
                url("/query", QueryArgs.class),
                url("/body", BodyArgs.class),
                url("/files", Files.class),
                url("/required", Required.class),
                url("/catch", CatchMissing.class),
                url("/decode/(.*)", Decoding.class),
                url("/decode_kw/(?P<arg>.*)", Decoding.class))));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** {@code getArgument(name, default)}; a {@code source} argument picks query or body. */
    public static class GetArgument extends RequestHandler {
        public void get() {
            String source = getArgument("source", null);
            if ("query".equals(source)) {
                write(getQueryArgument("foo", "default"));
            } else if ("body".equals(source)) {
                write(getBodyArgument("foo", "default"));
            } else {
                write(getArgument("foo", "default"));
            }
        }

        public void post() {
            get();
        }
    }

    /** Every flavour of the plural getters, as JSON. */
    public static class GetArguments extends RequestHandler {
        public void get() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("default", getArguments("foo"));
            out.put("query", getQueryArguments("foo"));
            out.put("body", getBodyArguments("foo"));
            write(out);
        }

        public void post() {
            get();
        }
    }

    /** Required query argument. */
    public static class QueryArgs extends RequestHandler {
        public void get() {
            write(getQueryArgument("foo"));
        }

        public void post() {
            get();
        }
    }

    /** Required body argument. */
    public static class BodyArgs extends RequestHandler {
        public void post() {
            write(getBodyArgument("foo"));
        }
    }

    /** Describes multipart fields and files. */
    public static class Files extends RequestHandler {
        public void post() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("field", getBodyArguments("field"));
            out.put("merged", getArgument("field"));
            List<Object> files = new ArrayList<>();
            for (HTTPFile f : request().files().getOrDefault("upload", List.of())) {
                files.add(List.of(f.filename(), f.contentType(), new String(f.body(), StandardCharsets.UTF_8)));
            }
            out.put("upload", files);
            out.put("fileIsNotAnArgument", getArguments("upload").isEmpty());
            write(out);
        }
    }

    /** Required argument, not caught: 400. */
    public static class Required extends RequestHandler {
        public void get() {
            write("got " + getArgument("foo"));
        }
    }

    /** Catches the MissingArgumentError. */
    public static class CatchMissing extends RequestHandler {
        public void get() {
            try {
                getArgument("foo");
                write(Map.of());
            } catch (MissingArgumentError e) {
                write(Map.of("arg_name", e.argName(), "log_message", e.logMessage(), "status", e.statusCode()));
            }
        }
    }

    /** Overrides decodeArgument: records each call and upper-cases. */
    public static class Decoding extends RequestHandler {
        private final List<String> calls = new ArrayList<>();

        @Override
        public String decodeArgument(String value, String name) {
            calls.add(name + "=" + value);
            return value.toUpperCase(java.util.Locale.ROOT);
        }

        public void get(String arg) {
            String foo = getArgument("foo");
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("path", arg);
            out.put("query", foo);
            out.put("all", getArguments("foo"));
            out.put("calls", calls);
            write(out);
        }
    }

    private HttpResponse<String> post(String path, String form) {
        return server.postForm(path, form);
    }

    @Test
    void queryArgumentWithDefault() {
        assertEquals("bar", server.get("/get_argument?foo=bar").body());
        assertEquals("", server.get("/get_argument?foo=").body());
        assertEquals("", server.get("/get_argument?foo").body());
        assertEquals("default", server.get("/get_argument").body());
        assertEquals("a b&c=\u00e9", server.get("/get_argument?foo=a+b%26c%3D%C3%A9").body());
    }

    @Test
    void bodyArgumentsMergeWithQueryArguments() {
        // singular: the body value (the last one) wins
        assertEquals("hello", post("/get_argument?foo=bar", "foo=hello").body());
        // plural: merged, query first
        assertEquals(Map.of("default", List.of("bar", "hello"), "query", List.of("bar"), "body", List.of("hello")),
                Escape.jsonDecode(post("/get_arguments?foo=bar", "foo=hello").body()));
    }

    @Test
    void queryArgumentsOnly() {
        assertEquals("bar", post("/get_argument?source=query&foo=bar", "foo=hello").body());
        assertEquals("default", post("/get_argument?source=query", "foo=hello").body());
        assertEquals("hello", post("/get_argument?source=body&foo=bar", "foo=hello").body());
        assertEquals("default", post("/get_argument?source=body&foo=bar", "").body());
        assertEquals("q", post("/query?foo=q", "foo=b").body());
        assertEquals(400, post("/query", "foo=b").statusCode());
        assertEquals("b", post("/body?foo=q", "foo=b").body());
        assertEquals(400, post("/body?foo=q", "bar=b").statusCode());
    }

    @Test
    void repeatedArgumentsKeepTheirOrder() {
        assertEquals(Map.of("default", List.of("3", "1", "2", "4", "0"), "query", List.of("3", "1", "2"),
                        "body", List.of("4", "0")),
                Escape.jsonDecode(post("/get_arguments?foo=3&foo=1&foo=2", "foo=4&foo=0").body()));
        assertEquals("2", server.get("/get_argument?foo=3&foo=1&foo=2").body());
    }

    @Test
    void valuesAreStrippedAndControlCharactersReplaced() {
        assertEquals("bar", server.get("/get_argument?foo=%20%20bar%20%0A").body());
        assertEquals("a b", server.get("/get_argument?foo=a%01b").body());
        assertEquals("a b", server.get("/get_argument?foo=a%00b").body());
        assertEquals("a b", server.get("/get_argument?foo=a%1Fb").body());
        // tab, LF, VT, FF, CR are whitespace, not control characters to replace
        assertEquals("a\tb\nc", server.get("/get_argument?foo=a%09b%0Ac").body());
        // replaced first, then stripped
        assertEquals("x", server.get("/get_argument?foo=%01x%02").body());
        assertEquals(List.of("a", "b c"),
                ((Map<?, ?>) Escape.jsonDecode(server.get("/get_arguments?foo=%20a&foo=b%07c%20").body())).get("default"));
    }

    @Test
    void missingArgumentIs400AndLogged() {
        try (LogCapture gen = new LogCapture("tornado.general")) {
            HttpResponse<String> r = server.get("/required");
            assertEquals(400, r.statusCode());
            assertEquals("<html><title>400: Bad Request</title><body>400: Bad Request</body></html>", r.body());
            assertTrue(gen.messages().stream().anyMatch(m -> m.contains("400 GET /required (127.0.0.1): Missing argument foo")),
                    gen.messages().toString());
        }
        assertEquals("got x", server.get("/required?foo=x").body());
    }

    @Test
    void missingArgumentErrorCanBeCaught() {
        assertEquals(Map.of("arg_name", "foo", "log_message", "Missing argument foo", "status", 400),
                Escape.jsonDecode(server.get("/catch").body()));
    }

    @Test
    void multipartFieldsAndFiles() {
        String boundary = "----TornadoJBoundary1234";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        String text = "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"field\"\r\n\r\n"
                + "value \u00e9\r\n"
                + "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"upload\"; filename=\"a.txt\"\r\n"
                + "Content-Type: text/plain\r\n\r\n"
                + "file one\r\n"
                + "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"upload\"; filename=\"b.bin\"\r\n\r\n"
                + "file two\r\n"
                + "--" + boundary + "--\r\n";
        body.writeBytes(text.getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = server.send(server.request("/files?field=fromquery")
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(Map.of("field", List.of("value \u00e9"),
                        "merged", "value \u00e9",
                        "upload", List.of(List.of("a.txt", "text/plain", "file one"),
                                List.of("b.bin", "application/unknown", "file two")),
                        "fileIsNotAnArgument", true),
                Escape.jsonDecode(r.body()));
    }

    @Test
    void nonFormBodiesAreNotArguments() {
        HttpResponse<String> r = server.send(server.request("/get_argument")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"foo\": \"json\"}")));
        assertEquals("default", r.body());
    }

    @Test
    void decodeArgumentOverrideAppliesToPathAndQueryArguments() {
        Map<?, ?> out = (Map<?, ?>) Escape.jsonDecode(server.get("/decode/%C3%A9x?foo=b%20ar&foo=z").body());
        assertEquals("\u00c9X", out.get("path"));
        assertEquals("Z", out.get("query"));
        assertEquals(List.of("B AR", "Z"), out.get("all"));
        // path arguments are decoded with no name (before prepare), arguments with theirs
        assertEquals(List.of("null=\u00e9x", "foo=b ar", "foo=z", "foo=b ar", "foo=z"), out.get("calls"));
    }

    @Test
    void decodeArgumentGetsTheNameOfNamedGroups() {
        Map<?, ?> out = (Map<?, ?>) Escape.jsonDecode(server.get("/decode_kw/v?foo=q").body());
        assertEquals("V", out.get("path"));
        assertEquals(List.of("arg=v", "foo=q", "foo=q"), out.get("calls"));
    }

    @Test
    void invalidUtf8InArgumentsIs400NotACrash() {
        try (LogCapture gen = new LogCapture("tornado.general")) {
            assertEquals(400, server.get("/get_argument?foo=%25%e9").statusCode());
            HttpResponse<String> body = post("/get_argument", "foo=%FF%FE");
            assertEquals(400, body.statusCode());
            assertFalse(gen.events().isEmpty());
        }
        // and the server keeps serving
        assertEquals("ok", server.get("/get_argument?foo=ok").body());
    }

    @Test
    void invalidUtf8InPathArgumentsIs400AndValidOnesAreDecoded() {
        try (LogCapture gen = new LogCapture("tornado.general")) {
            assertEquals(400, server.get("/decode/%FF?foo=q").statusCode());
            assertEquals(400, server.get("/decode_kw/%C3?foo=q").statusCode());
            assertFalse(gen.events().isEmpty());
        }
        Map<?, ?> out = (Map<?, ?>) Escape.jsonDecode(server.get("/decode/%C3%A9t%C3%A9?foo=q").body());
        assertEquals("\u00c9T\u00c9", out.get("path"));
    }
}
