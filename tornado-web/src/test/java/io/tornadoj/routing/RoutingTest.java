package io.tornadoj.routing;

import io.tornadoj.httputil.HTTPConnection;
import io.tornadoj.httputil.HTTPHeaders;
import io.tornadoj.httputil.HTTPMessageDelegate;
import io.tornadoj.httputil.HTTPServerConnectionDelegate;
import io.tornadoj.httputil.HTTPServerRequest;
import io.tornadoj.httputil.RequestStartLine;
import io.tornadoj.testsupport.LogCapture;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The routing package without a server: matchers, URL reversal (Tornado's URLSpecReverseTest) and rule
 * routers (order, nesting, kwargs, reversal through nested routers).
 */
@Timeout(60)
class RoutingTest {

    static HTTPServerRequest request(String method, String uri, String... headers) {
        HTTPHeaders h = new HTTPHeaders();
        for (int i = 0; i < headers.length; i += 2) {
            h.add(headers[i], headers[i + 1]);
        }
        return new HTTPServerRequest(method, uri, "HTTP/1.1", h, null, "127.0.0.1", "http");
    }

    static HTTPServerRequest get(String uri) {
        return request("GET", uri);
    }

    /** A delegate that does nothing, tagged for identification. */
    static final class Tagged implements HTTPMessageDelegate {
        final String tag;
        final Map<String, Object> kwargs;

        Tagged(String tag, Map<String, Object> kwargs) {
            this.tag = tag;
            this.kwargs = kwargs;
        }

        @Override
        public CompletionStage<?> headersReceived(RequestStartLine startLine, HTTPHeaders headers) {
            return null;
        }

        @Override
        public CompletionStage<?> dataReceived(byte[] chunk) {
            return null;
        }

        @Override
        public void finish() {
        }

        @Override
        public void onConnectionClose() {
        }
    }

    /** A connection delegate target that hands out {@link Tagged} delegates. */
    static final class TagDelegate implements HTTPServerConnectionDelegate {
        final String tag;

        TagDelegate(String tag) {
            this.tag = tag;
        }

        @Override
        public HTTPMessageDelegate startRequest(Object serverConnection, HTTPConnection requestConnection) {
            return new Tagged(tag, Map.of());
        }
    }

    /** A router target recording the kwargs it is given. */
    static final class KwargsRouter implements Router {
        final String tag;

        KwargsRouter(String tag) {
            this.tag = tag;
        }

        @Override
        public HTTPMessageDelegate findHandler(HTTPServerRequest request, Map<String, Object> kwargs) {
            return new Tagged(tag, Map.copyOf(kwargs));
        }
    }

    static String tag(HTTPMessageDelegate d) {
        return d == null ? null : ((Tagged) d).tag;
    }

    // ------------------------------------------------------------------ matchers

    @Nested
    class PathMatchesTest {
        @Test
        void anchoredMatchWithDecodedGroups() {
            PathMatches m = new PathMatches("/items/(\\d+)/([^/]+)");
            assertEquals("/items/(\\d+)/([^/]+)$", m.regex().pattern());
            assertEquals(2, m.groupCount());
            Matcher.Match match = m.match(get("/items/42/a%20b%2Fc%C3%A9?x=1"));
            assertEquals(List.of("42", "a b/c\u00e9"), match.pathArgs());
            assertEquals(Map.of(), match.pathKwargs());
            assertNull(m.match(get("/items/42/a/extra")));
            assertNull(m.match(get("/prefix/items/42/a")));
            assertNull(m.match(get("/items/x/a")));
        }

        /** A compiled pattern is used as it is: flags kept, not anchored at the end (as Tornado). */
        @Test
        void compiledPatternIsUsedAsItIs() {
            Pattern p = Pattern.compile("/items/(\\d+)", Pattern.CASE_INSENSITIVE);
            PathMatches m = new PathMatches(p);
            assertSame(p, m.regex());
            assertEquals(1, m.groupCount());
            assertEquals(List.of("42"), m.match(get("/ITEMS/42")).pathArgs());
            assertEquals(List.of("42"), m.match(get("/items/42/more")).pathArgs());
            assertNull(m.match(get("/prefix/items/42")));
            assertEquals("/items/7", m.reverse(7));
            PathMatches anchored = new PathMatches(Pattern.compile("/plain$"));
            assertSame(Matcher.Match.EMPTY, anchored.match(get("/plain")));
            assertNull(anchored.match(get("/plain/more")));
        }

        @Test
        void plusIsNotASpaceInPaths() {
            assertEquals(List.of("a+b"), new PathMatches("/(.*)").match(get("/a+b")).pathArgs());
        }

        @Test
        void noGroupsGiveAnEmptyMatch() {
            PathMatches m = new PathMatches("/plain");
            assertEquals(0, m.groupCount());
            assertSame(Matcher.Match.EMPTY, m.match(get("/plain")));
        }

        @Test
        void namedGroupsBecomeKwargsOnly() {
            PathMatches m = new PathMatches("/(?P<year>\\d{4})/(\\d+)/(?<slug>[a-z-]+)");
            assertEquals(2, m.groupCount());
            Matcher.Match match = m.match(get("/2024/7/hello-world"));
            assertEquals(List.of(), match.pathArgs());
            assertEquals(Map.of("year", "2024", "slug", "hello-world"), match.pathKwargs());
            assertEquals(List.of("year", "slug"), new ArrayList<>(match.pathKwargs().keySet()));
        }

        @Test
        void optionalGroupIsNull() {
            Matcher.Match match = new PathMatches("/opt/(.+)?").match(get("/opt/"));
            assertEquals(1, match.pathArgs().size());
            assertNull(match.pathArgs().get(0));
        }

        @Test
        void reverseSimplePatterns() {
            assertEquals("/favicon.ico", new PathMatches("/favicon\\.ico").reverse());
            assertEquals("/favicon.ico", new PathMatches("^/favicon\\.ico$").reverse());
            assertEquals("/api/v1/foo/bar", new PathMatches("^/api/v1/foo/(\\w+)$").reverse("bar"));
            assertEquals("/api.v1/foo/5/icon.png", new PathMatches("/api\\.v1/foo/([0-9]+)/icon\\.png").reverse(5));
            assertEquals("/a/%C3%A9%20x/b%3F", new PathMatches("/a/(.*)/(.*)").reverse("\u00e9 x", "b?"));
            assertEquals("/by/2024/slug", new PathMatches("/by/(?P<year>\\d+)/(?<s>\\w+)").reverse(2024, "slug"));
            // an unescaped dot matches itself: Tornado reverses it as is
            assertEquals("/robots.txt", new PathMatches("/robots.txt").reverse());
        }

        @Test
        void complexPatternsRefuseToReverse() {
            for (String p : List.of("^/api/v\\d+/foo/(\\w+)$", "/(?:a|b)/(\\d+)", "/((a)b)", "/x+/(\\d+)",
                    "/[ab]/(\\d+)", "/a|b")) {
                PathMatches m = new PathMatches(p);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.reverse("1"), p);
                assertNotNull(e.getMessage());
            }
            // a wrong number of arguments too
            assertThrows(IllegalArgumentException.class, () -> new PathMatches("/(\\d+)").reverse());
            assertThrows(IllegalArgumentException.class, () -> new PathMatches("/(\\d+)").reverse(1, 2));
        }
    }

    @Nested
    class HostAndAny {
        @Test
        void hostMatchesHostNameWithoutPortAnchored() {
            HostMatches m = new HostMatches("www\\.example\\.com");
            assertNotNull(m.match(request("GET", "/", "Host", "www.example.com")));
            assertNotNull(m.match(request("GET", "/", "Host", "WWW.EXAMPLE.COM:8080")));
            assertNull(m.match(request("GET", "/", "Host", "www.example.com.evil")));
            assertNull(m.match(request("GET", "/", "Host", "xwww.example.com")));
            assertNull(m.match(request("GET", "/", "Host", "other.com")));
            // without a Host header the host is 127.0.0.1
            assertNotNull(new HostMatches("127\\.0\\.0\\.1").match(get("/")));
            assertNotNull(new HostMatches(".*").match(get("/")));
            assertNotNull(new HostMatches(java.util.regex.Pattern.compile("[a-z.]+\\.org$"))
                    .match(request("GET", "/", "Host", "tornado.org")));
        }

        @Test
        void anyMatchesEverything() {
            assertSame(Matcher.Match.EMPTY, new AnyMatches().match(get("/anything?at=all")));
            assertNull(new AnyMatches().reverse());
        }

        @Test
        void defaultHostMatchesUnlessProxied() {
            DefaultHostMatches m = new DefaultHostMatches(() -> "www.example.com",
                    java.util.regex.Pattern.compile("www\\.example\\.com$"));
            assertNotNull(m.match(request("GET", "/", "Host", "anything.org")));
            assertNull(m.match(request("GET", "/", "X-Real-Ip", "10.0.0.1")));
            assertNull(new DefaultHostMatches(() -> null, java.util.regex.Pattern.compile(".*")).match(get("/")));
            assertNull(new DefaultHostMatches(() -> "other.com", java.util.regex.Pattern.compile("www\\.example\\.com$"))
                    .match(get("/")));
        }
    }

    // ------------------------------------------------------------------ rule routers

    @Nested
    class Routers {
        @Test
        void firstMatchingRuleWins() {
            RuleRouter router = new RuleRouter(List.of(
                    new Rule(new PathMatches("/a"), new TagDelegate("first")),
                    new Rule(new PathMatches("/a"), new TagDelegate("second")),
                    new Rule(new PathMatches("/b.*"), new TagDelegate("b")),
                    new Rule(new AnyMatches(), new TagDelegate("any"))));
            assertEquals("first", tag(router.findHandler(get("/a"), Map.of())));
            assertEquals("b", tag(router.findHandler(get("/bcd"), Map.of())));
            assertEquals("any", tag(router.findHandler(get("/zzz"), Map.of())));
            assertEquals(4, router.rules().size());
            assertThrows(UnsupportedOperationException.class, () -> router.rules().clear());
        }

        @Test
        void ruleWithTargetKwargsAndNoName() {
            Map<String, Object> kwargs = Map.of("k", 1);
            Rule rule = new Rule(new PathMatches("/a"), new TagDelegate("a"), kwargs);
            assertEquals(kwargs, rule.targetKwargs());
            assertNull(rule.name());
            assertEquals(Map.of(), new Rule(new AnyMatches(), new TagDelegate("b")).targetKwargs());
        }

        @Test
        void nothingMatchesGivesNull() {
            RuleRouter router = new RuleRouter(List.of(new Rule(new PathMatches("/a"), new TagDelegate("a"))));
            assertNull(router.findHandler(get("/b"), Map.of()));
            assertNull(new RuleRouter().findHandler(get("/"), Map.of()));
        }

        @Test
        void nestedRuleListsBecomeNestedRouters() {
            RuleRouter router = new RuleRouter(List.of(
                    new Rule(new HostMatches("api\\.example\\.com"), List.of(
                            new Rule(new PathMatches("/v1/.*"), List.of(
                                    new Rule(new PathMatches("/v1/users"), new TagDelegate("users")))),
                            new Rule(new PathMatches("/health"), new TagDelegate("api-health")))),
                    new Rule(new PathMatches("/v1/users"), new TagDelegate("fallthrough"))));
            assertTrue(router.rules().get(0).target() instanceof RuleRouter);
            assertEquals("users", tag(router.findHandler(request("GET", "/v1/users", "Host", "api.example.com"), Map.of())));
            assertEquals("api-health",
                    tag(router.findHandler(request("GET", "/health", "Host", "api.example.com"), Map.of())));
            // the nested router finds nothing: the next rule of the outer router is tried
            assertEquals("fallthrough", tag(router.findHandler(get("/v1/users"), Map.of())));
            assertNull(router.findHandler(request("GET", "/v1/other", "Host", "api.example.com"), Map.of()));
        }

        @Test
        void targetKwargsArePassedToNestedRouters() {
            RuleRouter router = new RuleRouter(List.of(
                    new Rule(new PathMatches("/k"), new KwargsRouter("k"), Map.of("a", 1), null)));
            Tagged d = (Tagged) router.findHandler(get("/k"), Map.of("outer", "x"));
            assertEquals(Map.of("a", 1, "outer", "x"), d.kwargs);
        }

        @Test
        void unknownTargetKindsAreSkipped() {
            RuleRouter router = new RuleRouter(List.of(
                    new Rule(new PathMatches("/x"), "not a target"),
                    new Rule(new PathMatches("/x"), new TagDelegate("real"))));
            assertEquals("real", tag(router.findHandler(get("/x"), Map.of())));
        }

        @Test
        void addRuleAppends() {
            RuleRouter router = new RuleRouter();
            router.addRule(new Rule(new PathMatches("/late"), new TagDelegate("late")));
            router.addRules(List.of(new Rule(new PathMatches("/later"), List.of(
                    new Rule(new AnyMatches(), new TagDelegate("nested"))))));
            assertEquals("late", tag(router.findHandler(get("/late"), Map.of())));
            assertEquals("nested", tag(router.findHandler(get("/later"), Map.of())));
        }

        @Test
        void reversibleRouterReversesNamedRulesIncludingNestedOnes() {
            ReversibleRuleRouter router = new ReversibleRuleRouter(List.of(
                    new Rule(new PathMatches("/top/(\\d+)"), new TagDelegate("top"), null, "top"),
                    new Rule(new PathMatches("/api/.*"), List.of(
                            new Rule(new PathMatches("/api/items/(\\w+)"), new TagDelegate("item"), null, "item"),
                            new Rule(new AnyMatches(), new TagDelegate("any"), null, "unreversible")))));
            assertEquals("/top/5", router.reverseUrl("top", 5));
            assertEquals("/api/items/a%20b", router.reverseUrl("item", "a b"));
            assertNull(router.reverseUrl("missing"));
            // a matcher that cannot be reversed yields null
            assertNull(router.reverseUrl("unreversible"));
            assertTrue(router.rules().get(1).target() instanceof ReversibleRuleRouter);
            assertEquals("item", tag(router.findHandler(get("/api/items/x"), Map.of())));
        }

        @Test
        void duplicateNamesWarnAndTheLastWins() {
            try (LogCapture app = new LogCapture("tornado.application")) {
                ReversibleRuleRouter router = new ReversibleRuleRouter(List.of(
                        new Rule(new PathMatches("/one"), new TagDelegate("1"), null, "same"),
                        new Rule(new PathMatches("/two"), new TagDelegate("2"), null, "same")));
                assertEquals("/two", router.reverseUrl("same"));
                assertTrue(app.messages().stream().anyMatch(m -> m.contains("Multiple handlers named same")),
                        app.messages().toString());
            }
        }
    }

    @Test
    void ruleBasics() {
        Rule r = new Rule(new PathMatches("/(\\d+)"), "target");
        assertEquals(Map.of(), r.targetKwargs());
        assertNull(r.name());
        assertEquals("/7", r.reverse(7));
        Rule named = new Rule(new AnyMatches(), "t", Map.of("k", "v"), "n");
        assertEquals(Map.of("k", "v"), named.targetKwargs());
        assertEquals("n", named.name());
        assertNull(named.reverse());
        assertTrue(named.toString().contains("name=n"), named.toString());
        assertThrows(NullPointerException.class, () -> new Rule(null, "t"));
        assertThrows(NullPointerException.class, () -> new Rule(new AnyMatches(), null));
    }
}
