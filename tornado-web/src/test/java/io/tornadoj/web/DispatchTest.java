package io.tornadoj.web;

import io.tornadoj.escape.Escape;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.testsupport.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.tornadoj.web.Web.url;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * By-name HTTP method dispatch, path arguments, the handler life cycle ({@code initialize}, {@code prepare},
 * async methods, {@code onFinish}, {@code onConnectionClose}) and the checks done when the Application is
 * built. Tornado's web_test.py behaviours (AllHTTPMethodsTest, UnimplementedHTTPMethodsTest,
 * RequestEncodingTest, FinishInPrepareTest, ConnectionCloseTest, PathArgsInPrepareTest...).
 */
@Timeout(60)
class DispatchTest {
    static final BlockingQueue<String> EVENTS = new LinkedBlockingQueue<>();

    private TestServer server;

    @BeforeEach
    void clearEvents() {
        EVENTS.clear();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private TestServer serve(URLSpec... rules) {
        server = TestServer.start(new Application(List.of(rules)));
        return server;
    }

    // ------------------------------------------------------------------ handlers

    /** Every standard method, each writing its name. */
    public static class AllMethods extends RequestHandler {
        public void get() {
            write("get");
        }

        public void post() {
            write("post:" + request().bodyAsString());
        }

        public void put() {
            write("put:" + request().bodyAsString());
        }

        public void delete() {
            write("delete");
        }

        public void patch() {
            write("patch:" + request().bodyAsString());
        }

        public void options() {
            setHeader("Allow", "GET, POST");
            write("options");
        }

        public void head() {
            setHeader("X-Head", "yes");
            write("never sent");
        }
    }

    /** Only GET. */
    public static class GetOnly extends RequestHandler {
        public void get() {
            write("only get");
        }
    }

    /** No HTTP methods at all. */
    public static class NoMethods extends RequestHandler {
    }

    /** Methods that are not public are not HTTP methods. */
    public static class PackagePrivateGet extends RequestHandler {
        void get() {
            write("must not be reached");
        }
    }

    /** Echoes path arguments (any number) and query arguments as JSON. */
    public static class Echo extends RequestHandler {
        public void get(String... args) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("path", request().path());
            out.put("path_args", List.of(args));
            out.put("args", request().arguments());
            write(out);
        }
    }

    /** Two fixed path arguments. */
    public static class Two extends RequestHandler {
        public void get(String a, String b) {
            write(a + "|" + b);
        }
    }

    /** One optional path argument. */
    public static class Optional extends RequestHandler {
        public void get(String p) {
            write(p == null ? "<null>" : p);
        }
    }

    /** Named groups come as arguments in pattern order, and as pathKwargs. */
    public static class Named extends RequestHandler {
        public void get(String id, String name) {
            write(id + "|" + name + "|" + pathKwargs() + "|" + pathArgs());
        }
    }

    /** Path arguments are visible in prepare(). */
    public static class ArgsInPrepare extends RequestHandler {
        @Override
        public CompletionStage<?> prepare() {
            write(Escape.jsonEncode(Map.of("args", pathArgs(), "kwargs", pathKwargs())));
            finish();
            return null;
        }

        public void get(String... args) {
            throw new IllegalStateException("should not be reached");
        }
    }

    /** Made by a supplier with a constructor argument. */
    public static class Greeter extends RequestHandler {
        private final String greeting;

        Greeter(String greeting) {
            this.greeting = greeting;
        }

        public void get(String name) {
            write(greeting + ", " + name);
        }
    }

    /** Receives the rule's arguments. */
    public static class Init extends RequestHandler {
        private Map<String, Object> args;
        private String method;

        @Override
        public void initialize(Map<String, Object> initArgs) {
            args = new java.util.TreeMap<>(initArgs);
            method = request().method(); // the request is available in initialize
        }

        public void get() {
            write(args + " " + method);
        }
    }

    /** prepare() returns a stage that completes later; the method waits for it. */
    public static class SlowPrepare extends RequestHandler {
        private final List<String> order = new ArrayList<>();

        @Override
        public CompletionStage<?> prepare() {
            order.add("prepare");
            CompletableFuture<Void> f = new CompletableFuture<>();
            IOLoop.current().callLater(0.05, () -> {
                order.add("prepared");
                f.complete(null);
            });
            return f;
        }

        public void get() {
            order.add("get");
            write(String.join(",", order));
        }
    }

    /** prepare() fails asynchronously with an HTTPError. */
    public static class FailingPrepare extends RequestHandler {
        @Override
        public CompletionStage<?> prepare() {
            return CompletableFuture.failedFuture(new HTTPError(403));
        }

        public void get() {
            write("must not be reached");
        }
    }

    /** prepare() finishes the request: the method is skipped. */
    public static class FinishInPrepare extends RequestHandler {
        @Override
        public CompletionStage<?> prepare() {
            finish("done");
            return null;
        }

        public void get() {
            EVENTS.add("get reached");
            throw new IllegalStateException("should not reach this method");
        }
    }

    /** An async method: the response finishes when its stage completes. */
    public static class Async extends RequestHandler {
        public CompletionStage<Void> get() {
            write("a");
            CompletableFuture<Void> f = new CompletableFuture<>();
            IOLoop.current().callLater(0.05, () -> {
                write("b");
                f.complete(null);
            });
            return f;
        }

        public CompletableFuture<String> post() {
            CompletableFuture<String> f = new CompletableFuture<>();
            IOLoop.current().callLater(0.02, () -> f.completeExceptionally(new HTTPError(409)));
            return f;
        }
    }

    /** Records onFinish. */
    public static class Finishing extends RequestHandler {
        public void get() {
            write("finishing");
        }

        @Override
        public void onFinish() {
            EVENTS.add("onFinish " + getStatus() + " " + isFinished());
        }
    }

    /** A long poll: never answers; reports when the client goes away. */
    public static class LongPoll extends RequestHandler {
        public CompletionStage<Void> get() {
            EVENTS.add("waiting");
            return new CompletableFuture<>();
        }

        @Override
        public void onConnectionClose() {
            EVENTS.add("connection closed");
        }

        @Override
        public void onFinish() {
            EVENTS.add("onFinish");
        }
    }

    /** Answers at once; must not hear about the client closing afterwards. */
    public static class Quick extends RequestHandler {
        public void get() {
            write("quick");
        }

        @Override
        public void onConnectionClose() {
            EVENTS.add("unexpected onConnectionClose");
        }
    }

    // ------------------------------------------------------------------ method dispatch

    @Nested
    class Methods {
        @Test
        void standardMethodsFoundByName() {
            serve(url("/", AllMethods.class));
            assertEquals("get", server.get("/").body());
            assertEquals("post:pb", server.fetch("POST", "/", "pb").body());
            assertEquals("put:ub", server.fetch("PUT", "/", "ub").body());
            assertEquals("delete", server.fetch("DELETE", "/", null).body());
            assertEquals("patch:xb", server.fetch("PATCH", "/", "xb").body());
            HttpResponse<String> options = server.fetch("OPTIONS", "/", null);
            assertEquals("options", options.body());
            assertEquals("GET, POST", options.headers().firstValue("Allow").orElseThrow());
        }

        @Test
        void headHasHeadersButNoBody() {
            serve(url("/", AllMethods.class));
            RawHttp.Response r = server.rawRequest("HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertEquals(200, r.code);
            assertEquals("yes", r.header("X-Head"));
            assertEquals("10", r.header("Content-Length"));
            assertEquals(0, r.body.length);
            // and HttpClient sees the same
            HttpResponse<String> viaClient = server.send(server.request("/").method("HEAD", HttpRequest.BodyPublishers.noBody()));
            assertEquals(200, viaClient.statusCode());
            assertEquals("", viaClient.body());
        }

        @Test
        void missingMethodIs405() {
            serve(url("/", GetOnly.class));
            assertEquals("only get", server.get("/").body());
            for (String m : List.of("POST", "PUT", "DELETE", "PATCH", "OPTIONS")) {
                HttpResponse<String> r = server.fetch(m, "/", m.equals("POST") || m.equals("PUT") ? "" : null);
                assertEquals(405, r.statusCode(), m);
                assertTrue(r.body().contains("405: Method Not Allowed"), r.body());
            }
            assertEquals(405, server.fetch("HEAD", "/", null).statusCode());
        }

        @Test
        void handlerWithoutMethodsAnswers405ToEverything() {
            serve(url("/", NoMethods.class));
            for (String m : List.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")) {
                assertEquals(405, server.fetch(m, "/", null).statusCode(), m);
            }
        }

        @Test
        void nonPublicMethodsAreNotDispatched() {
            serve(url("/", PackagePrivateGet.class));
            assertEquals(405, server.get("/").statusCode());
        }

        @Test
        void unknownMethodIs405() {
            serve(url("/", AllMethods.class));
            assertEquals(405, server.fetch("FOO", "/", null).statusCode());
            RawHttp.Response raw = server.rawRequest("PROPFIND / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertEquals(405, raw.code);
            assertEquals("Method Not Allowed", raw.reason);
            // the lower-case name of a standard method is not the method
            RawHttp.Response lower = server.rawRequest("get / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertTrue(lower.code == 405 || lower.code == 400, lower.toString());
        }

        @Test
        void serverKeepsServingAfter405() {
            serve(url("/", GetOnly.class));
            try (RawHttp c = server.raw()) {
                c.send("FOO / HTTP/1.1\r\nHost: x\r\n\r\n");
                assertEquals(405, c.readResponse(false).code);
                c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                RawHttp.Response ok = c.readResponse(false);
                assertEquals(200, ok.code);
                assertEquals("only get", ok.text());
            }
        }
    }

    // ------------------------------------------------------------------ path arguments

    @Nested
    class PathArguments {
        @Test
        void groupsArePercentDecoded() {
            serve(url("/group/(.*)", Echo.class), url("/slashes/([^/]*)/([^/]*)", Echo.class));
            assertEquals(Map.of("path", "/group/%3F", "path_args", List.of("?"), "args", Map.of()),
                    Escape.jsonDecode(server.get("/group/%3F").body()));
            assertEquals(Map.of("path", "/group/%3F", "path_args", List.of("?"), "args", Map.of("?", List.of("?"))),
                    Escape.jsonDecode(server.get("/group/%3F?%3F=%3F").body()));
            // path and query decoded the same way (UTF-8)
            assertEquals(Map.of("path", "/group/%C3%A9", "path_args", List.of("\u00e9"),
                            "args", Map.of("arg", List.of("\u00e9"))),
                    Escape.jsonDecode(server.get("/group/%C3%A9?arg=%C3%A9").body()));
            // escaped slashes stay inside one argument; '+' is not a space in paths
            assertEquals(Map.of("path", "/slashes/a%2Fb/c%2Fd", "path_args", List.of("a/b", "c/d"), "args", Map.of()),
                    Escape.jsonDecode(server.get("/slashes/a%2Fb/c%2Fd").body()));
            assertEquals(List.of("a+b c", "x"),
                    ((Map<?, ?>) Escape.jsonDecode(server.get("/slashes/a+b%20c/x").body())).get("path_args"));
        }

        @Test
        void fixedArityArguments() {
            serve(url("/two/(\\w+)/(\\w+)", Two.class));
            assertEquals("foo|bar", server.get("/two/foo/bar").body());
        }

        @Test
        void patternsAreAnchored() {
            serve(url("/two/(\\w+)/(\\w+)", Two.class), url("/exact", GetOnly.class));
            assertEquals(404, server.get("/two/a/b/c").statusCode());
            assertEquals(404, server.get("/exactly").statusCode());
            assertEquals(404, server.get("/prefix/exact").statusCode());
            assertEquals(200, server.get("/exact?with=query").statusCode());
        }

        @Test
        void unmatchedOptionalGroupIsNull() {
            serve(url("/optional_path/(.+)?", Optional.class));
            assertEquals("foo", server.get("/optional_path/foo").body());
            assertEquals("<null>", server.get("/optional_path/").body());
        }

        @Test
        void namedGroupsJavaAndPythonSyntax() {
            serve(url("/named/(?<id>\\d+)/(?P<name>[a-z]+)", Named.class));
            assertEquals("42|bob|{id=42, name=bob}|[]", server.get("/named/42/bob").body());
            assertEquals(404, server.get("/named/x/bob").statusCode());
        }

        @Test
        void namedGroupsWinOverUnnamedOnes() {
            // Tornado: with named groups, only those are passed
            serve(url("/mixed/(?P<id>\\d+)/(a|b)/(?<name>\\w+)", Named.class));
            assertEquals("7|z|{id=7, name=z}|[]", server.get("/mixed/7/b/z").body());
        }

        @Test
        void pathArgsAreAvailableInPrepare() {
            serve(url("/pos/(.*)", ArgsInPrepare.class), url("/kw/(?P<path>.*)", ArgsInPrepare.class));
            assertEquals(Map.of("args", List.of("foo"), "kwargs", Map.of()),
                    Escape.jsonDecode(server.get("/pos/foo").body()));
            assertEquals(Map.of("args", List.of(), "kwargs", Map.of("path", "foo")),
                    Escape.jsonDecode(server.get("/kw/foo").body()));
        }
    }

    // ------------------------------------------------------------------ life cycle

    @Nested
    class LifeCycle {
        @Test
        void handlerFromSupplier() {
            serve(url("/hello/(\\w+)", () -> new Greeter("Hello")),
                    url("/hi/(\\w+)", (Object) (java.util.function.Supplier<RequestHandler>) () -> new Greeter("Hi"),
                            null));
            assertEquals("Hello, bob", server.get("/hello/bob").body());
            assertEquals("Hi, ann", server.get("/hi/ann").body());
        }

        @Test
        void supplierMakesANewHandlerPerRequest() {
            java.util.concurrent.atomic.AtomicInteger made = new java.util.concurrent.atomic.AtomicInteger();
            serve(url("/", () -> {
                made.incrementAndGet();
                return new GetOnly();
            }));
            int atBuild = made.get();
            server.get("/");
            server.get("/");
            assertEquals(atBuild + 2, made.get());
        }

        @Test
        void initializeReceivesInitArgs() {
            serve(url("/init", Init.class, Map.of("reply", "r1", "n", 3)), url("/none", Init.class));
            assertEquals("{n=3, reply=r1} GET", server.get("/init").body());
            assertEquals("{} GET", server.get("/none").body());
        }

        @Test
        void prepareStageDelaysTheMethod() {
            serve(url("/", SlowPrepare.class));
            assertEquals("prepare,prepared,get", server.get("/").body());
        }

        @Test
        void failedPrepareStageIsHandled() {
            serve(url("/", FailingPrepare.class));
            assertEquals(403, server.get("/").statusCode());
        }

        @Test
        void finishInPrepareSkipsTheMethod() throws Exception {
            serve(url("/", FinishInPrepare.class));
            HttpResponse<String> r = server.get("/");
            assertEquals(200, r.statusCode());
            assertEquals("done", r.body());
            assertNull(EVENTS.poll(100, TimeUnit.MILLISECONDS));
        }

        @Test
        void asyncMethodFinishesWhenItsStageCompletes() {
            serve(url("/", Async.class));
            HttpResponse<String> r = server.get("/");
            assertEquals(200, r.statusCode());
            assertEquals("ab", r.body());
            assertEquals("2", r.headers().firstValue("Content-Length").orElseThrow());
        }

        @Test
        void failedAsyncMethodAnswersTheError() {
            serve(url("/", Async.class));
            assertEquals(409, server.fetch("POST", "/", "").statusCode());
        }

        @Test
        void onFinishRunsAfterTheResponse() throws Exception {
            serve(url("/", Finishing.class));
            assertEquals("finishing", server.get("/").body());
            assertEquals("onFinish 200 true", EVENTS.poll(5, TimeUnit.SECONDS));
        }

        @Test
        void onConnectionCloseRunsWhenTheClientDisconnects() throws Exception {
            serve(url("/", LongPoll.class));
            for (String version : List.of("HTTP/1.0", "HTTP/1.1")) {
                EVENTS.clear();
                try (RawHttp c = server.raw()) {
                    c.send("GET / " + version + "\r\nHost: x\r\n\r\n");
                    assertEquals("waiting", EVENTS.poll(5, TimeUnit.SECONDS));
                }
                assertEquals("connection closed", EVENTS.poll(5, TimeUnit.SECONDS), version);
                assertNull(EVENTS.poll(100, TimeUnit.MILLISECONDS), "no onFinish for an abandoned request");
            }
        }

        @Test
        void onConnectionCloseIsNotCalledForAnsweredRequests() throws Exception {
            serve(url("/", Quick.class));
            try (RawHttp c = server.raw()) {
                c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                assertEquals("quick", c.readResponse(false).text());
            }
            assertNull(EVENTS.poll(200, TimeUnit.MILLISECONDS));
        }

        @Test
        void handlerInstancesAreNotShared() {
            // each request gets its own handler: state from one does not leak into the next
            serve(url("/", SlowPrepare.class));
            assertEquals("prepare,prepared,get", server.get("/").body());
            assertEquals("prepare,prepared,get", server.get("/").body());
        }
    }

    // ------------------------------------------------------------------ build-time checks

    public static class NoArgs extends RequestHandler {
        public void get() {
        }
    }

    public static class IntParam extends RequestHandler {
        public void get(int id) {
        }
    }

    public static class BadReturn extends RequestHandler {
        public String get() {
            return "x";
        }
    }

    public static class BadReturnVarargs extends RequestHandler {
        public String get(String... args) {
            return "x";
        }
    }

    public static class OnePost extends RequestHandler {
        public void get(String a) {
        }

        public void post(String a, String b) {
        }
    }

    public abstract static class Abstract extends RequestHandler {
        public void get() {
        }
    }

    public static class NeedsArgument extends RequestHandler {
        NeedsArgument(String x) {
        }

        public void get() {
        }
    }

    public static class Overloaded extends RequestHandler {
        public void get() {
            write("none");
        }

        public void get(String a) {
            write("one:" + a);
        }
    }

    @Nested
    class BuildTimeChecks {
        private IllegalArgumentException refused(URLSpec spec) {
            return assertThrows(IllegalArgumentException.class, () -> new Application(List.of(spec)));
        }

        private void assertNames(IllegalArgumentException e, Class<?> handler, String pattern) {
            assertTrue(e.getMessage().contains(handler.getName()), e.getMessage());
            assertTrue(e.getMessage().contains(pattern), e.getMessage());
        }

        @Test
        void arityMismatchNamesHandlerAndPattern() {
            assertNames(refused(url("/x/(\\d+)", NoArgs.class)), NoArgs.class, "/x/(\\d+)");
            assertNames(refused(url("/y", Two.class)), Two.class, "/y");
            assertNames(refused(url("/(a)(b)(c)", Two.class)), Two.class, "/(a)(b)(c)");
        }

        @Test
        void everyMethodIsChecked() {
            assertNames(refused(url("/p/(\\w+)", OnePost.class)), OnePost.class, "/p/(\\w+)");
        }

        @Test
        void namedGroupsCount() {
            assertNames(refused(url("/(?<a>\\d+)", Two.class)), Two.class, "/(?<a>\\d+)");
            // two named groups and an unnamed one: the handler takes the two named ones
            new Application(List.of(url("/(?P<a>\\d+)/(x)/(?P<b>\\d+)", Two.class)));
        }

        @Test
        void nonStringParametersAreRefused() {
            assertNames(refused(url("/(\\d+)", IntParam.class)), IntParam.class, "/(\\d+)");
        }

        @Test
        void badReturnTypesAreRefused() {
            assertNames(refused(url("/r", BadReturn.class)), BadReturn.class, "/r");
            assertNames(refused(url("/v/(.*)", BadReturnVarargs.class)), BadReturnVarargs.class, "/v/(.*)");
        }

        @Test
        void supplierTargetsAreCheckedToo() {
            assertNames(refused(url("/s/(\\d+)", NoArgs::new)), NoArgs.class, "/s/(\\d+)");
        }

        @Test
        void abstractOrWithoutNoArgConstructor() {
            assertTrue(refused(url("/a", Abstract.class)).getMessage().contains(Abstract.class.getName()));
            assertTrue(refused(url("/n", NeedsArgument.class)).getMessage().contains(NeedsArgument.class.getName()));
            // a supplier makes such a handler usable
            new Application(List.of(url("/n", () -> new NeedsArgument("x"))));
        }

        @Test
        void checkedInAddHandlersAndDefaultHandlerToo() {
            Application app = new Application(List.of());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> app.addHandlers(".*", List.of(url("/h/(\\d+)", NoArgs.class))));
            assertNames(e, NoArgs.class, "/h/(\\d+)");
            assertThrows(IllegalArgumentException.class, () -> new Application(List.of(),
                    Settings.builder().defaultHandlerClass(Abstract.class).build()));
        }

        @Test
        void varargsFitAnyPatternAndOverloadsPickTheFittingOne() {
            serve(url("/e", Echo.class), url("/e/(\\w+)/(\\w+)/(\\w+)", Echo.class),
                    url("/o", Overloaded.class), url("/o/(\\w+)", Overloaded.class));
            assertEquals(List.of(), ((Map<?, ?>) Escape.jsonDecode(server.get("/e").body())).get("path_args"));
            assertEquals(List.of("a", "b", "c"),
                    ((Map<?, ?>) Escape.jsonDecode(server.get("/e/a/b/c").body())).get("path_args"));
            assertEquals("none", server.get("/o").body());
            assertEquals("one:z", server.get("/o/z").body());
        }

        @Test
        void aHandlerCreationFailureDropsTheConnection() throws Exception {
            CountDownLatch made = new CountDownLatch(2);
            serve(url("/", () -> {
                made.countDown();
                if (made.getCount() == 0) {
                    throw new IllegalStateException("cannot make handler");
                }
                return new GetOnly();
            }));
            try (LogCapture app = new LogCapture("tornado.application")) {
                // the request is dropped (no handler to answer it): the client sees the connection end
                assertThrows(java.io.UncheckedIOException.class, () -> server.get("/"));
                assertFalse(app.events().isEmpty());
            }
        }
    }
}
