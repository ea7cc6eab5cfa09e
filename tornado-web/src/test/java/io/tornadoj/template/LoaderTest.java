package io.tornadoj.template;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Loaders, extends/include/blocks, autoescape and whitespace across templates, error locations through
 * includes: Tornado's template_test.py TemplateTest (include/extends), StackTraceTest, AutoEscapeTest and
 * TemplateLoaderTest.
 */
@Timeout(30)
class LoaderTest {
    private static final Map<String, Object> NONE = Map.of();

    private static Map<String, Object> name(String v) {
        return Map.of("name", v);
    }

    @Test
    void include() {
        DictLoader loader = new DictLoader(Map.of("index.html", "{% include \"header.html\" %}\nbody text",
                "header.html", "header text"));
        assertEquals("header text\nbody text", loader.load("index.html").generate(NONE));
    }

    @Test
    void extendsWithBlocks() {
        DictLoader loader = new DictLoader(Map.of(
                "base.html", "<title>{% block title %}default title{% end %}</title>\n<body>{% block body %}default body{% end %}</body>\n",
                "page.html", "{% extends \"base.html\" %}\n{% block title %}page title{% end %}\n{% block body %}page body{% end %}\n"));
        assertEquals("<title>page title</title>\n<body>page body</body>\n", loader.load("page.html").generate(NONE));
    }

    @Test
    void nestedBlocksAndThreeLevels() {
        DictLoader loader = new DictLoader(Map.of(
                "base.html", "[{% block outer %}o({% block inner %}base-inner{% end %}){% end %}]",
                "mid.html", "{% extends 'base.html' %}{% block inner %}mid-inner{% end %}",
                "leaf.html", "{% extends 'mid.html' %}{% block inner %}leaf-inner {{ x }}{% end %}",
                "outer.html", "{% extends 'mid.html' %}{% block outer %}replaced{% end %}"));
        assertEquals("[o(base-inner)]", loader.load("base.html").generate(NONE));
        assertEquals("[o(mid-inner)]", loader.load("mid.html").generate(NONE));
        assertEquals("[o(leaf-inner 1)]", loader.load("leaf.html").generate(Map.of("x", 1)));
        assertEquals("[replaced]", loader.load("outer.html").generate(NONE));
    }

    @Test
    void blocksInsideIncludesCanBeOverridden() {
        DictLoader loader = new DictLoader(Map.of(
                "base.html", "<{% include 'part.html' %}>",
                "part.html", "{% block b %}part{% end %}",
                "page.html", "{% extends 'base.html' %}{% block b %}page{% end %}"));
        assertEquals("<page>", loader.load("page.html").generate(NONE));
    }

    @Test
    void relativeLoad() {
        DictLoader loader = new DictLoader(Map.of("a/1.html", "{% include '2.html' %}", "a/2.html",
                "{% include '../b/3.html' %}", "b/3.html", "ok"));
        assertEquals("ok", loader.load("a/1.html").generate(NONE));
    }

    @Test
    void customNamespace() {
        DictLoader loader = new DictLoader(Map.of("test.html", "{{ inc(5) }}"), BaseLoader.Options.builder()
                .namespace(Map.of("inc", (TemplateFunction) (a, kw) -> (Long) a.get(0) + 1)).build());
        assertEquals("6", loader.load("test.html").generate(NONE));
    }

    @Test
    void cachingAndReset() {
        DictLoader loader = new DictLoader(Map.of("a.html", "a"));
        Template first = loader.load("a.html");
        assertSame(first, loader.load("a.html"));
        loader.reset();
        assertNotSame(first, loader.load("a.html"));
    }

    @Test
    void concurrentLoadsAndGenerates() throws Exception {
        DictLoader loader = new DictLoader(Map.of("base.html", "<{% block b %}{% end %}>",
                "page.html", "{% extends 'base.html' %}{% block b %}{% for i in range(n) %}{{ i }}{% end %}{% end %}"));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        if (i % 100 == 0) {
                            loader.reset();
                        }
                        if (!loader.load("page.html").generate(Map.of("n", 3)).equals("<012>")) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (java.util.concurrent.Future<Boolean> r : results) {
                assertTrue(r.get(20, java.util.concurrent.TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void fileLoaderReadsAndReloadsAfterReset(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/page.html"), "{% extends '../base.html' %}{% block b %}H\u00e9llo {{ who }}{% end %}");
        Files.writeString(dir.resolve("base.html"), "<{% block b %}{% end %}>");
        Loader loader = new Loader(dir);
        assertEquals("<H\u00e9llo you>", loader.load("sub/page.html").generate(Map.of("who", "you")));
        Files.writeString(dir.resolve("base.html"), "[{% block b %}{% end %}]");
        assertEquals("<H\u00e9llo you>", loader.load("sub/page.html").generate(Map.of("who", "you")), "cached");
        loader.reset();
        assertEquals("[H\u00e9llo you]", loader.load("sub/page.html").generate(Map.of("who", "you")));
        assertThrows(UncheckedIOException.class, () -> loader.load("missing.html"));
    }

    @Test
    void fileLoaderRefusesNamesOutsideTheRoot(@TempDir Path dir) throws Exception {
        Path root = Files.createDirectories(dir.resolve("templates"));
        Files.writeString(dir.resolve("secret.txt"), "secret");
        Files.writeString(root.resolve("evil.html"), "{% include '../secret.txt' %}");
        Loader loader = new Loader(root);
        assertThrows(IllegalArgumentException.class, () -> loader.load("../secret.txt"));
        assertThrows(IllegalArgumentException.class, () -> loader.load(dir.resolve("secret.txt").toString()));
        assertThrows(IllegalArgumentException.class, () -> loader.load("evil.html"));
        Files.createSymbolicLink(root.resolve("link.html"), dir.resolve("secret.txt"));
        assertThrows(IllegalArgumentException.class, () -> loader.load("link.html"));
    }

    @Test
    void recursiveExtendsIsAParseError() {
        DictLoader loader = new DictLoader(Map.of("a.html", "{% extends 'b.html' %}", "b.html", "{% extends 'a.html' %}",
                "self.html", "{% include 'self.html' %}"));
        assertTrue(assertThrows(ParseError.class, () -> loader.load("a.html")).getMessage().startsWith("recursive"));
        assertThrows(ParseError.class, () -> loader.load("self.html"));
    }

    @Test
    void extendsNeedsALoader() {
        assertTrue(assertThrows(ParseError.class, () -> new Template("{% extends 'x.html' %}")).getMessage()
                .startsWith("{% extends %} block found, but no template loader"));
    }

    // ------------------------------------------------------------------ error locations

    private static TemplateError failure(Map<String, String> templates, String name) {
        return assertThrows(TemplateError.class, () -> new DictLoader(templates).load(name).generate(NONE));
    }

    @Test
    void errorLineThroughInclude() {
        TemplateError e = failure(Map.of("base.html", "{% include 'sub.html' %}", "sub.html", "{{1/0}}"), "base.html");
        assertEquals("ZeroDivisionError: division by zero at sub.html:1 (via base.html:1)", e.getMessage());
        assertEquals("sub.html", e.filename());
        e = failure(Map.of("a.html", "{% include 'b.html' %}", "b.html", "\n{% include 'c.html' %}", "c.html", "{{1/0}}"), "a.html");
        assertTrue(e.getMessage().endsWith("at c.html:1 (via b.html:2, a.html:1)"), e.getMessage());
    }

    @Test
    void errorLineThroughExtends() {
        TemplateError e = failure(Map.of("base.html", "{{1/0}}", "sub.html", "{% extends 'base.html' %}"), "sub.html");
        assertEquals("base.html", e.filename());
        e = failure(Map.of("base.html", "{% block 'block' %}{% end %}",
                "sub.html", "\n{% extends 'base.html' %}\n{% block 'block' %}\n{{1/0}}\n{% end %}\n"), "sub.html");
        assertTrue(e.getMessage().endsWith("at sub.html:4 (via base.html:1)"), e.getMessage());
    }

    @Test
    void errorLineThroughModule() {
        DictLoader[] loader = new DictLoader[1];
        TemplateFunction render = (a, kw) -> loader[0].load((String) a.get(0)).generate(kw);
        loader[0] = new DictLoader(Map.of("base.html", "\n{% module Template('sub.html') %}", "sub.html", "{{1/0}}"),
                BaseLoader.Options.builder().namespace(Map.of("_tt_modules", Map.of("Template", render))).build());
        TemplateError e = assertThrows(TemplateError.class, () -> loader[0].load("base.html").generate(NONE));
        assertEquals("sub.html", e.filename(), "the innermost place is kept");
        assertEquals(1, e.lineno());
    }

    // ------------------------------------------------------------------ autoescape

    private static final Map<String, String> ESCAPE_TEMPLATES = new LinkedHashMap<>();

    static {
        ESCAPE_TEMPLATES.put("escaped.html", "{% autoescape xhtml_escape %}{{ name }}");
        ESCAPE_TEMPLATES.put("unescaped.html", "{% autoescape None %}{{ name }}");
        ESCAPE_TEMPLATES.put("default.html", "{{ name }}");
        ESCAPE_TEMPLATES.put("include.html", "escaped: {% include 'escaped.html' %}\nunescaped: {% include 'unescaped.html' %}\n"
                + "default: {% include 'default.html' %}\n");
        ESCAPE_TEMPLATES.put("escaped_block.html", "{% autoescape xhtml_escape %}{% block name %}base: {{ name }}{% end %}");
        ESCAPE_TEMPLATES.put("unescaped_block.html", "{% autoescape None %}{% block name %}base: {{ name }}{% end %}");
        ESCAPE_TEMPLATES.put("escaped_extends_unescaped.html", "{% autoescape xhtml_escape %}{% extends \"unescaped_block.html\" %}");
        ESCAPE_TEMPLATES.put("escaped_overrides_unescaped.html", "{% autoescape xhtml_escape %}{% extends \"unescaped_block.html\" %}"
                + "{% block name %}extended: {{ name }}{% end %}");
        ESCAPE_TEMPLATES.put("unescaped_extends_escaped.html", "{% autoescape None %}{% extends \"escaped_block.html\" %}");
        ESCAPE_TEMPLATES.put("unescaped_overrides_escaped.html", "{% autoescape None %}{% extends \"escaped_block.html\" %}"
                + "{% block name %}extended: {{ name }}{% end %}");
        ESCAPE_TEMPLATES.put("raw_expression.html", "{% autoescape xhtml_escape %}expr: {{ name }}\nraw: {% raw name %}");
    }

    @Test
    void autoescapeDefaultOff() {
        DictLoader loader = new DictLoader(ESCAPE_TEMPLATES, BaseLoader.Options.builder().autoescape(null).build());
        String name = "Bobby <table>s";
        assertEquals("Bobby &lt;table&gt;s", loader.load("escaped.html").generate(name(name)));
        assertEquals("Bobby <table>s", loader.load("unescaped.html").generate(name(name)));
        assertEquals("Bobby <table>s", loader.load("default.html").generate(name(name)));
        assertEquals("escaped: Bobby &lt;table&gt;s\nunescaped: Bobby <table>s\ndefault: Bobby <table>s\n",
                loader.load("include.html").generate(name(name)));
    }

    @Test
    void autoescapeDefaultOn() {
        DictLoader loader = new DictLoader(ESCAPE_TEMPLATES);
        String name = "Bobby <table>s";
        assertEquals("Bobby &lt;table&gt;s", loader.load("default.html").generate(name(name)));
        assertEquals("escaped: Bobby &lt;table&gt;s\nunescaped: Bobby <table>s\ndefault: Bobby &lt;table&gt;s\n",
                loader.load("include.html").generate(name(name)));
    }

    @Test
    void autoescapeFollowsTheBlocksTemplate() {
        DictLoader loader = new DictLoader(ESCAPE_TEMPLATES);
        Map<String, Object> ns = name("<script>");
        assertEquals("base: &lt;script&gt;", loader.load("escaped_block.html").generate(ns));
        assertEquals("base: <script>", loader.load("unescaped_block.html").generate(ns));
        assertEquals("base: <script>", loader.load("escaped_extends_unescaped.html").generate(ns));
        assertEquals("extended: &lt;script&gt;", loader.load("escaped_overrides_unescaped.html").generate(ns));
        assertEquals("base: &lt;script&gt;", loader.load("unescaped_extends_escaped.html").generate(ns));
        assertEquals("extended: <script>", loader.load("unescaped_overrides_escaped.html").generate(ns));
    }

    @Test
    void rawExpression() {
        assertEquals("expr: &lt;&gt;&amp;&quot;\nraw: <>&\"",
                new DictLoader(ESCAPE_TEMPLATES).load("raw_expression.html").generate(name("<>&\"")));
    }

    @Test
    void customEscape() {
        DictLoader loader = new DictLoader(Map.of("foo.py", "{% autoescape repr %}s = {{ name }}\n"));
        assertEquals("s = '<html>'\n", loader.load("foo.py").generate(Map.of("name", "<html>")));
        assertEquals("s = \"';sys.exit()\"\n", loader.load("foo.py").generate(Map.of("name", "';sys.exit()")));
        assertEquals("s = \"['not a string']\"\n", loader.load("foo.py").generate(Map.of("name", List.of("not a string"))));
    }

    // ------------------------------------------------------------------ whitespace

    @Test
    void whitespaceByFilename() {
        DictLoader loader = new DictLoader(Map.of("foo.html", "   \n\t\n asdf\t   ", "bar.js", " \n\n\n\t qwer     ",
                "baz.txt", "\t    zxcv\n\n", "include.html", "  {% include baz.txt %} \n ",
                "include.txt", "\t\t{% include foo.html %}    "));
        assertEquals("\nasdf ", loader.load("foo.html").generate(NONE));
        assertEquals("\nqwer ", loader.load("bar.js").generate(NONE));
        assertEquals("\t    zxcv\n\n", loader.load("baz.txt").generate(NONE));
        assertEquals(" \t    zxcv\n\n\n", loader.load("include.html").generate(NONE));
        assertEquals("\t\t\nasdf     ", loader.load("include.txt").generate(NONE));
    }

    @Test
    void whitespaceByLoader() {
        Map<String, String> templates = Map.of("foo.html", "\t\tfoo\n\n", "bar.txt", "\t\tbar\n\n");
        String[][] expected = {{"all", "\t\tfoo\n\n", "\t\tbar\n\n"}, {"single", " foo\n", " bar\n"},
                {"oneline", " foo ", " bar "}};
        for (String[] row : expected) {
            DictLoader loader = new DictLoader(templates, BaseLoader.Options.builder().whitespace(row[0]).build());
            assertEquals(row[1], loader.load("foo.html").generate(NONE), row[0]);
            assertEquals(row[2], loader.load("bar.txt").generate(NONE), row[0]);
        }
        assertThrows(IllegalArgumentException.class, () -> BaseLoader.Options.builder().whitespace("none"));
    }

    @Test
    void whitespaceDirective() {
        DictLoader loader = new DictLoader(Map.of("foo.html", "{% whitespace oneline %}\n    {% for i in range(3) %}\n"
                + "        {{ i }}\n    {% end %}\n{% whitespace all %}\n    pre\tformatted\n"));
        assertEquals("  0  1  2  \n    pre\tformatted\n", loader.load("foo.html").generate(NONE));
    }

    @Test
    void preformattedTextKeepsItsWhitespace() {
        DictLoader loader = new DictLoader(Map.of("p.html", "<pre>\n  a\n\n  b</pre>"));
        assertEquals("<pre>\n  a\n\n  b</pre>", loader.load("p.html").generate(NONE));
    }

    @Test
    void templateOptionsOverrideTheLoader() {
        Template t = new Template("  {{ x }}  ", "t.html", null, BaseLoader.Options.builder().autoescape(null).whitespace("all").build());
        assertEquals("  <b>  ", t.generate(Map.of("x", "<b>")));
    }
}
