package io.tornadoj.template;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The template language, after Tornado's template_test.py TemplateTest: syntax and control flow. */
@Timeout(30)
class TemplateTest {
    static Map<String, Object> ns(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static String gen(String source, Object... kv) {
        return new Template(source).generate(ns(kv));
    }

    /** Generates without autoescaping, to see values as {@code str()} gives them. */
    static String raw(String source, Object... kv) {
        return gen("{% autoescape None %}" + source, kv);
    }

    @Test
    void simple() {
        assertEquals("Hello Ben!", gen("Hello {{ name }}!", "name", "Ben"));
        assertEquals("Hello Ben!", gen("Hello {{ name }}!", "name", "Ben".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    @Test
    void expressions() {
        assertEquals("2 + 2 = 4", gen("2 + 2 = {{ 2 + 2 }}"));
        assertEquals("0.5 1 -2 8 3 1.5", gen("{{ 1 / 2 }} {{ 7 // 4 }} {{ -7 // 4 }} {{ 2 ** 3 }} {{ 7 % 4 }} {{ 3 * 0.5 }}"));
        assertEquals("abab [1, 2, 3] x-y", gen("{{ 'ab' * 2 }} {{ [1] + [2, 3] }} {{ 'x' + '-' + 'y' }}"));
        assertEquals("True False True True", gen("{{ 1 < 2 <= 2 }} {{ 1 == 2 }} {{ 'a' in 'cat' }} {{ 3 not in [1, 2] }}"));
        assertEquals("None True 1.0 (1, 'a') {'k': [None]}", raw("{{ None }} {{ True }} {{ 1.0 }} {{ (1, 'a') }} {{ {'k': [None]} }}"));
        assertEquals("yes b 0", gen("{{ 'yes' if x else 'no' }} {{ '' or 'b' }} {{ 0 and 1 }}", "x", List.of(1)));
        assertEquals("True True", gen("{{ not [] }} {{ x is None }}", "x", null));
        assertEquals("[2, 4]", gen("{{ [i * 2 for i in xs if i < 3] }}", "xs", List.of(1, 2, 3)));
        assertEquals("6 a/b [1, 4]", raw("{{ sum(i for i in xs) }} {{ '/'.join(s for s in ['a', 'b']) }} {{ list((i * i for i in xs if i != 3)) }}",
                "xs", List.of(1, 2, 3)));
        assertThrows(ParseError.class, () -> new Template("{{ f(x for x in xs, 1) }}"));
        assertEquals("a=1, b=2.50 5%", gen("{{ 'a=%d, b=%.2f' % (1, 2.5) }} {{ '%s%%' % 5 }}"));
        assertEquals("Ann is 3", gen("{{ '%(name)s is %(age)s' % p }}", "p", Map.of("name", "Ann", "age", 3)));
    }

    @Test
    void percentFormatting() {
        assertEquals("[   ab|ab   |00042|ff|3.1|'q'|1.500000e+00|9223372036854775807]",
                raw("[{{ '%5s|%-5s|%05d|%x|%.1f|%r|%e|%d' % ('ab', 'ab', 42, 255, 3.14, 'q', 1.5, n) }}]", "n", Long.MAX_VALUE));
        assertEquals("None", raw("{{ '%s' % None }}"));
        TemplateError e = assertThrows(TemplateError.class, () -> gen("{{ '%s %s' % (1,) }}"));
        assertTrue(e.getMessage().startsWith("TypeError: not enough arguments"), e.getMessage());
        assertThrows(TemplateError.class, () -> gen("{{ '%d' % 'x' }}"));
        assertThrows(TemplateError.class, () -> gen("{{ '%s' % (1, 2) }}"));
    }

    @Test
    void identityAndEquality() {
        assertEquals("True False True True True", gen("{{ x is None }} {{ 1 is None }} {{ 1 is not None }} {{ 1 == 1.0 }} {{ s.equals('a') }}",
                "x", null, "s", "a"));
        assertEquals("True True", gen("{{ [1, 2] == l }} {{ 2 in l }}", "l", List.of(1, 2)));
    }

    @Test
    void indexingAndSlicing() {
        assertEquals("1 3 [2, 3] [3, 2, 1] cba v", gen("{{ xs[0] }} {{ xs[-1] }} {{ xs[1:] }} {{ xs[::-1] }} {{ s[::-1] }} {{ m['k'] }}",
                "xs", List.of(1, 2, 3), "s", "abc", "m", Map.of("k", "v")));
        TemplateError e = assertThrows(TemplateError.class, () -> gen("{{ m['nope'] }}", "m", Map.of()));
        assertTrue(e.getMessage().startsWith("KeyError: 'nope' at <string>:1"), e.getMessage());
    }

    @Test
    void unicode() {
        assertEquals("\u00e9 \u00e9", gen("\u00e9 {{ \"\u00e9\" }}"));
        assertEquals("\u00e9", gen("{{ '\\u00e9' }}"));
    }

    @Test
    void comment() {
        assertEquals("Hello Ben!", gen("Hello{# TODO i18n #} {{ name }}!", "name", "Ben"));
        assertEquals("foo", gen("{% comment blah blah %}foo"));
    }

    @Test
    void escapedBraces() {
        assertThrows(ParseError.class, () -> new Template("{{"));
        assertThrows(ParseError.class, () -> new Template("{%"));
        assertEquals("{{", gen("{{!"));
        assertEquals("{%", gen("{%!"));
        assertEquals("{#", gen("{#!"));
        assertEquals("expr {{jquery expr}}", gen("{{ 'expr' }} {{!jquery expr}}"));
        assertEquals("{ {x} }", gen("{ {{{ 'x' }}} }").replace("{x}", "{x}"));
    }

    @Test
    void ifElifElse() {
        Template t = new Template("{% if x > 4 %}big{% elif x > 2 %}mid{% else %}small{% end %}");
        assertEquals("big", t.generate(ns("x", 5)));
        assertEquals("mid", t.generate(ns("x", 3)));
        assertEquals("small", t.generate(ns("x", 1)));
        assertEquals("", gen("{% if True %}{% else %}{% end %}"));
    }

    @Test
    void forLoops() {
        assertEquals("a=1;b=2;", gen("{% for k, v in m.items() %}{{ k }}={{ v }};{% end %}",
                "m", new LinkedHashMap<>(Map.of("a", 1)) {{ put("b", 2); }}));
        assertEquals("0a1b", gen("{% for i, c in enumerate(s) %}{{ i }}{{ c }}{% end %}", "s", "ab"));
        assertEquals("empty", gen("{% for x in xs %}{{ x }}{% else %}empty{% end %}", "xs", List.of()));
        assertEquals("x=1 x=2", gen("{% for e in m.entrySet() %}{{ e.key }}={{ e.value }}{% if not loop_end(e) %} {% end %}{% end %}",
                "m", new LinkedHashMap<>(Map.of("x", 1)) {{ put("x2", 2); }},
                "loop_end", (Function<Map.Entry<String, Integer>, Boolean>) e -> e.getValue() == 2)
                .replace("x2", "x"));
        assertEquals("0, 1, 2, 3, 4", new DictLoader(Map.of("foo.txt", "{% for i in items\n  %}{% if i > 0 %}, {% end %}{#\n  #}{{i\n  }}{% end\n%}"))
                .load("foo.txt").generate(ns("items", List.of(0, 1, 2, 3, 4))));
    }

    @Test
    void whileAndSet() {
        assertEquals("012", gen("{% set i = 0 %}{% while i < 3 %}{{ i }}{% set i += 1 %}{% end %}"));
        assertEquals("2 1", gen("{% set a, b = 1, 2 %}{{ b }} {{ a }}"));
        assertEquals("8 2", gen("{% set x = 2 %}{% set x **= 3 %}{% set y = 5 %}{% set y //= 2 %}{{ x }} {{ y }}"));
        assertTrue(assertThrows(ParseError.class, () -> new Template("{% set a, b += 1 %}")).getMessage()
                .startsWith("illegal expression for augmented assignment"));
        assertThrows(ParseError.class, () -> new Template("{% set a = %}"));
        List<Object> xs = new ArrayList<>();
        assertEquals("[1]", gen("{% set xs.append(1) %}{{ xs }}", "xs", xs));
    }

    @Test
    void breakContinue() {
        String out = gen("{% for i in range(10) %}\n    {% if i == 2 %}\n        {% continue %}\n    {% end %}\n"
                + "    {{ i }}\n    {% if i == 6 %}\n        {% break %}\n    {% end %}\n{% end %}");
        assertEquals("013456", out.replaceAll("\\s", ""));
        assertEquals("no", gen("{% for x in [1] %}{% break %}{% else %}else{% end %}no"));
        assertThrows(ParseError.class, () -> new Template("{% break %}"));
        assertThrows(ParseError.class, () -> new Template("{% for i in [] %}{% apply f %}{% continue %}{% end %}{% end %}"));
    }

    @Test
    void tryExceptElseFinally() {
        Template t = new Template("{% try %}\ntry{% set y = 1/x %}\n{% except %}-except\n{% else %}-else\n{% finally %}-finally\n{% end %}");
        assertEquals("\ntry\n-else\n-finally\n", t.generate(ns("x", 1)));
        assertEquals("\ntry-except\n-finally\n", t.generate(ns("x", 0)));
        assertEquals("caught 'k'", raw("{% try %}{{ m['k'] }}{% except KeyError as e %}caught {{ e }}{% end %}", "m", Map.of()));
        assertEquals("java", gen("{% try %}{{ s.substring(5) }}{% except StringIndexOutOfBoundsException %}java{% end %}", "s", "ab"));
        TemplateError e = assertThrows(TemplateError.class,
                () -> gen("{% try %}{{ 1/0 }}{% except KeyError %}no{% finally %}done{% end %}"));
        assertInstanceOf(PyError.class, e.getCause());
    }

    @Test
    void apply() {
        TemplateFunction upper = (a, kw) -> ((String) a.get(0)).toUpperCase();
        assertEquals("FOO \u00c9", gen("{% apply upper %}foo \u00e9{% end %}", "upper", upper));
        assertEquals("<B>", gen("{% apply upper %}{{ '<b>' }}{% end %}", "upper", (Function<String, String>) s -> s.replace("&lt;", "<").replace("&gt;", ">").toUpperCase()));
    }

    @Test
    void builtins() {
        assertEquals("3 5 [0, 2, 4] [1, 2, 3] 1 3 6 12 42 2.5 3", gen("{{ len(xs) }} {{ str(5) }} {{ list(range(0, 6, 2)) }} {{ sorted(ys) }} {{ min(xs) }} {{ max(xs) }} "
                + "{{ sum(xs) }} {{ int('12') }} {{ abs(-42) }} {{ float('2.5') }} {{ round(2.6) }}", "xs", List.of(1, 2, 3), "ys", List.of(3, 1, 2)));
        assertEquals("[(1, 'a'), (2, 'b')] ['c', 'b'] True False", raw("{{ list(zip(xs, 'ab')) }} {{ sorted('bc', reverse=True) }} {{ any(xs) }} {{ all([1, 0]) }}",
                "xs", List.of(1, 2)));
        assertEquals("&lt;a&gt; a+b%2F &quot;x&quot; a b", gen("{% autoescape None %}{{ escape('<a>') }} {{ url_escape('a b/') }} {{ json_encode('x').replace('\"', '&quot;') }} {{ squeeze('a   b') }}"));
        assertEquals("<a href=\"http://x.io\">http://x.io</a>", gen("{% raw linkify('http://x.io') %}"));
        assertTrue(gen("{{ datetime.datetime.now().year }}").matches("\\d{4}"));
        assertEquals("1970", gen("{{ datetime.datetime.utcfromtimestamp(0).year }}"));
    }

    public static final class Bean {
        public final String field = "f";

        public String getName() {
            return "bean";
        }

        public boolean isActive() {
            return true;
        }

        public String greet(String who, int times) {
            return ("hi " + who + " ").repeat(times).strip();
        }
    }

    record Point(int x, int y) {
        public int sum() {
            return x + y;
        }
    }

    @Test
    void javaObjects() {
        assertEquals("bean True f hi a hi a", gen("{{ b.name }} {{ b.active }} {{ b.field }} {{ b.greet('a', 2) }}", "b", new Bean()));
        assertEquals("1 2 3 ABC a|b", gen("{{ p.x }} {{ p.y }} {{ p.sum() }} {{ s.toUpperCase() }} {{ '|'.join('a,b'.split(',')) }}",
                "p", new Point(1, 2), "s", "abc"));
        assertEquals("2 true", gen("{{ m.size() }} {{ m.containsKey('a') }}", "m", Map.of("a", 1, "b", 2)).replace("True", "true"));
        assertEquals("v1 v2", gen("{{ m.k }} {{ m.get('j', 'v2') }}", "m", Map.of("k", "v1")));
        TemplateError e = assertThrows(TemplateError.class, () -> gen("{{ b.nope }}", "b", new Bean()));
        assertTrue(e.getMessage().contains("AttributeError: 'Bean' object has no attribute 'nope'"), e.getMessage());
    }

    @Test
    void truthiness() {
        assertEquals("FFFFFFT", gen("{% for v in vs %}{{ 'T' if v else 'F' }}{% end %}",
                "vs", java.util.Arrays.asList("", 0, 0.0, List.of(), Map.of(), null, "x")));
    }

    @Test
    void functionsInNamespace() {
        TemplateFunction join = (a, kw) -> a.get(0) + (String) kw.getOrDefault("sep", "-") + a.get(1);
        assertEquals("a-b a+b", gen("{{ f('a', 'b') }} {{ f('a', 'b', sep='+') }}", "f", join));
        assertEquals("6", gen("{{ twice(3) }}", "twice", (Function<Long, Long>) i -> i * 2));
        assertEquals("ok", gen("{{ g() }}", "g", (java.util.function.Supplier<String>) () -> "ok"));
    }

    @Test
    void moduleDirective() {
        Map<String, Object> modules = Map.of("Hello", (TemplateFunction) (a, kw) -> "<b>" + a.get(0) + kw.get("p") + "</b>");
        assertEquals("<b>x!</b>", gen("{% module Hello('x', p='!') %}", "_tt_modules", modules));
        assertThrows(ParseError.class, () -> new Template("{% module 1 + 2 %}"));
        TemplateError e = assertThrows(TemplateError.class, () -> gen("{% module Nope() %}", "_tt_modules", modules));
        assertEquals("AttributeError: no UI module named 'Nope' at <string>:1", e.getMessage());
    }

    @Test
    void parseErrors() {
        ParseError e = assertThrows(ParseError.class, () -> new DictLoader(Map.of("foo.html", "\n\n{{")).load("foo.html"));
        assertEquals("Missing end expression }} at foo.html:3", e.getMessage());
        assertEquals("foo.html", e.filename());
        assertEquals(3, e.lineno());
        assertEquals("Missing {% end %} block for if at <string>:1", assertThrows(ParseError.class,
                () -> new Template("{% if x %}")).getMessage());
        assertEquals("Extra {% end %} block at <string>:2", assertThrows(ParseError.class,
                () -> new Template("a\n{% end %}")).getMessage());
        assertTrue(assertThrows(ParseError.class, () -> new Template("{% else %}")).getMessage().startsWith("else outside"));
        assertEquals("elif block cannot be attached to for block at <string>:1", assertThrows(ParseError.class,
                () -> new Template("{% for x in y %}{% elif %}{% end %}")).getMessage());
        assertEquals("unknown operator: 'bogus' at <string>:1", assertThrows(ParseError.class,
                () -> new Template("{% bogus %}")).getMessage());
        ParseError expr = assertThrows(ParseError.class, () -> new Template("line1\n{{ 1 + }}"));
        assertEquals(2, expr.lineno());
        assertThrows(ParseError.class, () -> new Template("{{ a b }}"));
        assertThrows(ParseError.class, () -> new Template("{% for in xs %}{% end %}"));
        assertThrows(ParseError.class, () -> new Template("{{ '' }}{% extends 'x.html' %}"));
        assertThrows(ParseError.class, () -> new Template("{% whitespace bogus %}"));
    }

    @Test
    void runtimeErrorsNameTemplateAndLine() {
        TemplateError e = assertThrows(TemplateError.class, () -> new DictLoader(Map.of("test.html", "one\ntwo{{1/0}}\nthree"))
                .load("test.html").generate(Map.of()));
        assertEquals("ZeroDivisionError: division by zero at test.html:2", e.getMessage());
        assertEquals(2, e.lineno());
        e = assertThrows(TemplateError.class, () -> new DictLoader(Map.of("test.html", "one\ntwo{%if 1/0%}\nthree{%end%}"))
                .load("test.html").generate(Map.of()));
        assertEquals("test.html", e.filename());
        assertEquals(2, e.lineno());
        e = assertThrows(TemplateError.class, () -> gen("\n{{ missing }}"));
        assertEquals("NameError: name 'missing' is not defined at <string>:2", e.getMessage());
        RuntimeException boom = new IllegalStateException("boom");
        e = assertThrows(TemplateError.class, () -> gen("{{ f() }}", "f", (java.util.function.Supplier<Object>) () -> {
            throw boom;
        }));
        assertEquals(boom, e.getCause());
        assertEquals("IllegalStateException: boom at <string>:1", e.getMessage());
    }
}
