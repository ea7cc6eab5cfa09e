package io.tornadoj.template;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Tornado's {@code Template}: a template compiled once — parsed into a tree, with its
 * {@code {% extends %}} chain and {@code {% block %}}s resolved through its loader — and generated any
 * number of times with {@link #generate}.
 *
 * <p>Syntax: {@code {{ expr }}} (autoescaped), {@code {% raw expr %}}, {@code {% if %}/{% elif %}/{% else %}},
 * {@code {% for a, b in xs %}}, {@code {% while %}} (both with {@code {% else %}}, {@code {% break %}},
 * {@code {% continue %}}), {@code {% set x = expr %}}, {@code {% try %}/{% except [Type] [as e] %}/
 * {% else %}/{% finally %}}, all closed by {@code {% end %}}; {@code {% extends "base.html" %}},
 * {@code {% block name %}}, {@code {% include "x.html" %}}, {@code {% module Name(args) %}},
 * {@code {% apply f %}...{% end %}}, {@code {% autoescape f %}} (or {@code None}), {@code {% whitespace mode %}},
 * {@code {% comment ... %}}, {@code {# ... #}}; <code>{{!</code> and <code>{%!</code> output the braces literally.
 *
 * <p>Expressions are a Python subset evaluated on Java objects: literals, lists, tuples, dicts, list
 * comprehensions and generator expressions (as lists), attributes (map key, JavaBean getter, record
 * component or no-argument method, public field), indexing and slicing, calls (namespace functions — {@link TemplateFunction}, {@code Function},
 * {@code BiFunction}, {@code Supplier} — and public Java methods by name and arity; Python's common
 * {@code str}/{@code dict}/{@code list} methods such as {@code items()}, {@code join}, {@code split}),
 * arithmetic, {@code %} formatting, comparisons, {@code in}, {@code and}/{@code or}/{@code not},
 * {@code a if c else b}, with Python's truthiness. {@code None}/{@code True}/{@code False} are
 * {@code null}/{@code Boolean}; integers are {@code Long} (a {@code Function<Long, ?>} receives them as is;
 * Java methods get them converted to their parameter types). {@code {% import %}} is not supported: put
 * what templates need in the namespace.
 *
 * <p>The default namespace: {@code escape}, {@code xhtml_escape}, {@code url_escape}, {@code json_encode},
 * {@code squeeze}, {@code linkify} (Tornado's, via {@link io.tornadoj.escape.Escape}); {@code datetime}
 * with {@code datetime.datetime.now()}, {@code utcnow()}, {@code fromtimestamp(ts)},
 * {@code utcfromtimestamp(ts)} (giving {@code java.time.LocalDateTime}s) and {@code datetime.date.today()};
 * and the builtins {@code len str repr int float bool list range enumerate zip sorted reversed min max
 * sum abs round any all}. The loader's namespace and then {@code generate}'s arguments are added on top.
 *
 * <p>Immutable once built; {@link #generate} may run on any thread, concurrently.
 */
public class Template {
    private final String name;
    private final BaseLoader loader;
    private final Map<String, Object> namespace;
    private final String autoescape;
    final Node.Chunks body;
    private final Template root;
    private final Map<String, Node.NamedBlock> namedBlocks;

    /**
     * A template from a string, named {@code <string>}, without a loader (no extends or include).
     *
     * @param source the template text
     * @throws ParseError on a syntax error
     */
    public Template(String source) {
        this(source, "<string>", null);
    }

    /**
     * A template with a name (for errors and relative paths) and a loader (for extends and include, and
     * the default options), as loaders create them.
     *
     * @param source the template text
     * @param name   its name
     * @param loader its loader, or null
     * @throws ParseError on a syntax error, also in a template it extends or includes
     */
    public Template(String source, String name, BaseLoader loader) {
        this(source, name, loader, loader == null ? BaseLoader.Options.DEFAULT : loader.options());
    }

    /**
     * A template with explicit options (Tornado's {@code autoescape} and {@code whitespace} arguments).
     *
     * @param source  the template text
     * @param name    its name
     * @param loader  its loader, or null
     * @param options autoescape, whitespace and extra namespace
     * @throws ParseError on a syntax error
     */
    public Template(String source, String name, BaseLoader loader, BaseLoader.Options options) {
        this.name = Objects.requireNonNull(name, "name");
        this.loader = loader;
        this.namespace = options.namespace();
        String whitespace = options.whitespace();
        if (whitespace == null) {
            whitespace = name.endsWith(".html") || name.endsWith(".js") ? "single" : "all";
        }
        TemplateParser parser = new TemplateParser(this, source, whitespace, options.autoescape());
        this.body = parser.parse();
        this.autoescape = parser.autoescape();
        List<Template> ancestors = ancestors();
        Collections.reverse(ancestors);
        Map<String, Node.NamedBlock> blocks = new HashMap<>();
        for (Template t : ancestors) {
            t.body.findNamedBlocks(loader, blocks);
        }
        this.namedBlocks = Collections.unmodifiableMap(blocks);
        this.root = ancestors.get(0);
    }

    /** This template and the ones it extends, most derived first. */
    private List<Template> ancestors() {
        List<Template> ancestors = new ArrayList<>();
        ancestors.add(this);
        for (Node n : body.nodes) {
            if (n instanceof Node.Extends) {
                Node.Extends ext = (Node.Extends) n;
                if (loader == null) {
                    throw new ParseError("{% extends %} block found, but no template loader", name, ext.line);
                }
                ancestors.addAll(loader.load(ext.name, name).ancestors());
            }
        }
        return ancestors;
    }

    /** @return the template's name ({@code <string>} for the one-argument constructor); any thread */
    public String name() {
        return name;
    }

    /** @return the autoescape function's name, or null (the last {@code {% autoescape %}} wins) */
    String autoescape() {
        return autoescape;
    }

    /**
     * Generates the template with variables (Tornado's {@code generate(**kwargs)}). Any thread.
     *
     * @param namespace the variables, on top of the default namespace and the loader's
     * @return the output
     * @throws TemplateError when evaluation fails; its message and {@link TemplateError#filename()}/
     *                       {@link TemplateError#lineno()} name the template and line, its cause is the original
     *                       exception
     */
    public String generate(Map<String, Object> namespace) {
        Map<String, Object> scope = new HashMap<>(Builtins.NAMESPACE);
        scope.putAll(this.namespace);
        scope.putAll(namespace);
        Renderer r = new Renderer(scope, namedBlocks, loader, root);
        root.body.render(r);
        return r.out.toString();
    }

    @Override
    public String toString() {
        return "Template(" + name + ")";
    }
}
