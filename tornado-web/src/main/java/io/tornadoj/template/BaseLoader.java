package io.tornadoj.template;

import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tornado's {@code BaseLoader}: loads templates by name for {@code {% extends %}} and {@code {% include %}}
 * and caches them compiled; {@link #reset()} empties the cache. Subclasses resolve names
 * ({@link #resolvePath}) and read sources ({@link #createTemplate}). Thread-safe: cached templates are returned
 * without locking; compiling is serialized per loader (a template being compiled may load its parents and
 * includes).
 */
public abstract class BaseLoader {
    private final Options options;
    private final Map<String, Template> templates = new ConcurrentHashMap<>();
    /** Held while compiling: loading a missing template is serialized, cache hits are not. */
    private final Object lock = new Object();
    /** Names being compiled by the thread holding the lock: a cycle of extends/includes is an error. */
    private final Set<String> loading = new HashSet<>();

    /**
     * A loader.
     *
     * @param options autoescape, whitespace and namespace of its templates
     */
    protected BaseLoader(Options options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** @return the options of this loader's templates (any thread) */
    Options options() {
        return options;
    }

    /**
     * Loads a template, compiled once and cached (any thread).
     *
     * @param name the template's name, e.g. {@code "page.html"}
     * @return the template
     * @throws ParseError when it (or a template it extends or includes) has a syntax error
     */
    public Template load(String name) {
        return load(name, null);
    }

    /**
     * Loads a template named relative to another one (how {@code {% extends %}} and {@code {% include %}}
     * find theirs), compiled once and cached (any thread).
     *
     * @param name       the name
     * @param parentPath the name of the template that refers to it, or null
     * @return the template
     * @throws ParseError when it has a syntax error, or a cycle of extends/includes
     */
    public Template load(String name, String parentPath) {
        String resolved = resolvePath(name, parentPath);
        Template cached = templates.get(resolved);
        if (cached != null) {
            return cached;
        }
        synchronized (lock) {
            Template t = templates.get(resolved);
            if (t == null) {
                if (!loading.add(resolved)) {
                    throw new ParseError("recursive {% extends %} or {% include %} of " + resolved,
                            parentPath == null ? resolved : parentPath, 0);
                }
                try {
                    t = createTemplate(resolved);
                } finally {
                    loading.remove(resolved);
                }
                templates.put(resolved, t);
            }
            return t;
        }
    }

    /** Forgets every compiled template: the next {@link #load} reads and compiles again (any thread). */
    public void reset() {
        templates.clear();
    }

    /**
     * Turns a name, possibly relative to the template that refers to it, into the name the template is
     * cached and created under (any thread).
     *
     * @param name       the name as written
     * @param parentPath the referring template's name, or null
     * @return the resolved name
     */
    public abstract String resolvePath(String name, String parentPath);

    /**
     * Reads and compiles a template; called once per name until {@link #reset()}, with the loader's lock
     * held.
     *
     * @param name a resolved name
     * @return the compiled template, usually {@code new Template(source, name, this)}
     */
    protected abstract Template createTemplate(String name);

    /**
     * Options of a loader's templates, as Tornado's loader keyword arguments. Immutable; thread-safe.
     */
    public static final class Options {
        /** {@code xhtml_escape} autoescaping, whitespace by file name, no extra namespace. */
        public static final Options DEFAULT = builder().build();

        private final String autoescape;
        private final String whitespace;
        private final Map<String, Object> namespace;

        private Options(Builder b) {
            this.autoescape = b.autoescape;
            this.whitespace = b.whitespace;
            this.namespace = Collections.unmodifiableMap(new LinkedHashMap<>(b.namespace));
        }

        /** @return a builder with Tornado's defaults */
        public static Builder builder() {
            return new Builder();
        }

        /** @return the name of the namespace function {@code {{ }}} output goes through, or null for none */
        public String autoescape() {
            return autoescape;
        }

        /** @return {@code all}, {@code single} or {@code oneline}; null: {@code single} for .html and .js, else all */
        public String whitespace() {
            return whitespace;
        }

        /** @return values added to every template's default namespace */
        public Map<String, Object> namespace() {
            return namespace;
        }

        /** Builds {@link Options}. Not thread-safe. */
        public static final class Builder {
            private String autoescape = "xhtml_escape";
            private String whitespace;
            private Map<String, Object> namespace = Map.of();

            private Builder() {
            }

            /**
             * @param v the name of a namespace function applied to {@code {{ }}} output (default
             *          {@code xhtml_escape}), or null to not escape
             * @return this
             */
            public Builder autoescape(String v) {
                this.autoescape = v;
                return this;
            }

            /**
             * @param v {@code all}, {@code single} or {@code oneline}; null picks by file name
             * @return this
             * @throws IllegalArgumentException for another mode
             */
            public Builder whitespace(String v) {
                if (v != null) {
                    TemplateParser.filterWhitespace(v, "");
                }
                this.whitespace = v;
                return this;
            }

            /**
             * @param v values added to the default namespace (copied; the arguments of {@code generate} win)
             * @return this
             */
            public Builder namespace(Map<String, Object> v) {
                this.namespace = Objects.requireNonNull(v, "namespace");
                return this;
            }

            /** @return the options */
            public Options build() {
                return new Options(this);
            }
        }
    }
}
