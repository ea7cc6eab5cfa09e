package io.tornadoj.web;

import io.tornadoj.testsupport.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

import static io.tornadoj.web.Web.url;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@code currentUser()}/{@code getCurrentUser()}/{@code setCurrentUser()} and {@link Authenticated} over real
 * HTTP: anonymous GET/HEAD redirected to the login URL with {@code next=}, other methods 403, logged-in users
 * served. Tornado's AuthRedirectTest and CurrentUserTest.
 */
@Timeout(60)
class AuthenticatedTest {
    static final AtomicInteger LOOKUPS = new AtomicInteger();

    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void serve(Settings settings) {
        LOOKUPS.set(0);
        server = TestServer.start(new Application(List.of(
                url("/private", Private.class),
                url("/item/(\\w+)", Item.class),
                url("/async_user", AsyncUser.class),
                url("/open", Unprotected.class),
                url("/custom_login", CustomLogin.class),
                url("/cached", Cached.class)), settings));
    }

    private void serve() {
        serve(Settings.builder().loginUrl("/login").build());
    }

    // ------------------------------------------------------------------ handlers

    /** The user is the {@code user} cookie. */
    public static class Private extends RequestHandler {
        @Override
        public Object getCurrentUser() {
            LOOKUPS.incrementAndGet();
            return getCookie("user");
        }

        @Authenticated
        public void get() {
            write("hello " + currentUser());
        }

        @Authenticated
        public void head() {
        }

        @Authenticated
        public void post() {
            write("posted by " + currentUser());
        }

        @Authenticated
        public CompletionStage<?> put() {
            return CompletableFuture.completedFuture(null).thenRun(() -> write("put by " + currentUser()));
        }

        public void delete() {
            write("anyone may delete");
        }
    }

    public static class Item extends RequestHandler {
        @Override
        public Object getCurrentUser() {
            return getCookie("user");
        }

        @Authenticated
        public void get(String id) {
            write("item " + id + " for " + currentUser());
        }
    }

    /** The user is loaded asynchronously in prepare() and set with setCurrentUser. */
    public static class AsyncUser extends RequestHandler {
        @Override
        public Object getCurrentUser() {
            throw new AssertionError("not called once setCurrentUser ran");
        }

        @Override
        public CompletionStage<?> prepare() {
            String name = getCookie("user");
            return CompletableFuture.supplyAsync(() -> name).thenAccept(this::setCurrentUser);
        }

        @Authenticated
        public void get() {
            write("async " + currentUser());
        }
    }

    /** Overrides get() without the annotation: as with a Python decorator, it is not protected. */
    public static class Unprotected extends Private {
        @Override
        public void get() {
            write("open to " + currentUser());
        }
    }

    public static class CustomLogin extends Private {
        @Override
        public String getLoginUrl() {
            return "/signin/" + request().method().toLowerCase();
        }
    }

    public static class Cached extends RequestHandler {
        @Override
        public Object getCurrentUser() {
            LOOKUPS.incrementAndGet();
            return null;
        }

        public void get() {
            currentUser();
            currentUser();
            assertNull(currentUser());
            write("lookups " + LOOKUPS.get());
        }
    }

    // ------------------------------------------------------------------ helpers

    private RawHttp.Response request(String method, String path, String... headerLines) {
        StringBuilder sb = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: app.example:8080\r\n");
        for (String h : headerLines) {
            sb.append(h).append("\r\n");
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            sb.append("Content-Length: 0\r\n");
        }
        return server.rawRequest(sb.append("\r\n").toString());
    }

    // ------------------------------------------------------------------ tests

    @Test
    void anonymousGetIsRedirectedToTheLoginUrlWithNext() {
        serve();
        RawHttp.Response r = request("GET", "/private");
        assertEquals(302, r.code);
        assertEquals("/login?next=%2Fprivate", r.header("Location"));
        r = request("GET", "/private?a=1&b=x%20y");
        assertEquals(302, r.code);
        assertEquals("/login?next=%2Fprivate%3Fa%3D1%26b%3Dx%2520y", r.header("Location"));
    }

    @Test
    void anonymousHeadIsRedirectedToo() {
        serve();
        RawHttp.Response r = request("HEAD", "/private");
        assertEquals(302, r.code);
        assertEquals("/login?next=%2Fprivate", r.header("Location"));
    }

    @Test
    void anonymousPostPutAreForbidden() {
        serve();
        try (LogCapture access = new LogCapture("tornado.access")) {
            assertEquals(403, request("POST", "/private").code);
            assertEquals(403, request("PUT", "/private").code);
        }
        assertEquals("anyone may delete", request("DELETE", "/private").text());
    }

    @Test
    void loggedInUsersAreServed() {
        serve();
        assertEquals("hello bob", request("GET", "/private", "Cookie: user=bob").text());
        assertEquals(200, request("HEAD", "/private", "Cookie: user=bob").code);
        assertEquals("posted by bob", request("POST", "/private", "Cookie: user=bob").text());
        assertEquals("put by bob", request("PUT", "/private", "Cookie: user=bob").text());
        assertEquals(4, LOOKUPS.get(), "each request looked the user up once");
    }

    @Test
    void anAbsoluteLoginUrlGetsTheFullUrlAsNext() {
        serve(Settings.builder().loginUrl("https://auth.example/login").build());
        RawHttp.Response r = request("GET", "/private?x=1");
        assertEquals(302, r.code);
        assertEquals("https://auth.example/login?next=http%3A%2F%2Fapp.example%3A8080%2Fprivate%3Fx%3D1",
                r.header("Location"));
    }

    @Test
    void aLoginUrlWithAQueryIsUsedAsIs() {
        serve(Settings.builder().loginUrl("/login?from=app").build());
        assertEquals("/login?from=app", request("GET", "/private").header("Location"));
    }

    @Test
    void methodsWithPathArgumentsAreProtected() {
        serve();
        assertEquals("/login?next=%2Fitem%2F42", request("GET", "/item/42").header("Location"));
        assertEquals("item 42 for ann", request("GET", "/item/42", "Cookie: user=ann").text());
    }

    @Test
    void setCurrentUserFromAnAsyncPrepare() {
        serve();
        assertEquals("async carol", request("GET", "/async_user", "Cookie: user=carol").text());
        assertEquals(302, request("GET", "/async_user").code);
    }

    @Test
    void anOverrideWithoutTheAnnotationIsNotProtected() {
        serve();
        assertEquals("open to null", request("GET", "/open").text());
        try (LogCapture access = new LogCapture("tornado.access")) {
            assertEquals(403, request("POST", "/open").code, "the inherited post() still is");
        }
    }

    @Test
    void getLoginUrlCanBeOverridden() {
        serve();
        assertEquals("/signin/get?next=%2Fcustom_login", request("GET", "/custom_login").header("Location"));
    }

    @Test
    void getCurrentUserIsCalledOncePerRequest() {
        serve();
        assertEquals("lookups 1", request("GET", "/cached").text());
        assertEquals("lookups 2", request("GET", "/cached").text());
    }

    @Test
    void withoutALoginUrlAnonymousGetIs500() {
        serve(Settings.empty());
        try (LogCapture app = new LogCapture("tornado.application")) {
            assertEquals(500, request("GET", "/private").code);
            Throwable t = LogCapture.thrown(app.events().get(0));
            assertInstanceOf(IllegalStateException.class, t);
            assertEquals("You must define the 'login_url' setting in your application to use "
                    + "@tornado.web.authenticated", t.getMessage());
        }
        assertEquals("hello dan", request("GET", "/private", "Cookie: user=dan").text());
    }
}
