package io.tornadoj.template;

import java.util.List;
import java.util.Map;

/**
 * A parsed piece of a template (Tornado's {@code _Node}s): text, {@code {{ }}} output, statements and
 * blocks. {@link #render} writes it through a {@link Renderer}; {@link #findNamedBlocks} collects the
 * {@code {% block %}}s it contains (following {@code {% include %}}s), so that a child template's blocks can
 * replace its parents'.
 */
abstract class Node {
    abstract void render(Renderer r);

    void findNamedBlocks(BaseLoader loader, Map<String, NamedBlock> blocks) {
    }

    /** A sequence of nodes. */
    static final class Chunks extends Node {
        final List<Node> nodes;

        Chunks(List<Node> nodes) {
            this.nodes = nodes;
        }

        @Override
        void render(Renderer r) {
            for (Node n : nodes) {
                n.render(r);
            }
        }

        @Override
        void findNamedBlocks(BaseLoader loader, Map<String, NamedBlock> blocks) {
            for (Node n : nodes) {
                n.findNamedBlocks(loader, blocks);
            }
        }
    }

    /** Literal text (whitespace already filtered). */
    static final class Text extends Node {
        final String value;

        Text(String value) {
            this.value = value;
        }

        @Override
        void render(Renderer r) {
            r.out.append(value);
        }
    }

    /** {@code {{ expr }}} (autoescaped) and {@code {% raw expr %}}. */
    static final class Output extends Node {
        final Expr expr;
        final int line;
        final boolean raw;

        Output(Expr expr, int line, boolean raw) {
            this.expr = expr;
            this.line = line;
            this.raw = raw;
        }

        @Override
        void render(Renderer r) {
            String s = Py.str(r.eval(expr, line));
            r.out.append(raw ? s : r.autoescape(s, line));
        }
    }

    /**
     * {@code {% module Name(args) %}}: the entry {@code Name} of the namespace's {@code _tt_modules} map is
     * called, or, when it is not callable, its {@code render} method; the result is not escaped.
     */
    static final class Module extends Node {
        final String name;
        final Expr.Call call;
        final int line;

        Module(String name, Expr.Call call, int line) {
            this.name = name;
            this.call = call;
            this.line = line;
        }

        @Override
        void render(Renderer r) {
            Object result = r.run(line, () -> {
                Object modules = new Expr.Name("_tt_modules").eval(r.scope);
                if (!(modules instanceof Map) || !((Map<?, ?>) modules).containsKey(name)) {
                    throw new PyError("AttributeError", "no UI module named '" + name + "'");
                }
                Object module = ((Map<?, ?>) modules).get(name);
                List<Object> args = Expr.evalAll(call.args, r.scope);
                Map<String, Object> kwargs = Expr.evalKwargs(call.kwargs, r.scope);
                return Py.callable(module) ? Py.call(module, args, kwargs) : Py.callMethod(module, "render", args, kwargs);
            });
            r.out.append(Py.str(result));
        }
    }

    /** {@code {% set target = expr %}}, {@code {% set x += expr %}}, or {@code {% set expr %}} for its effect. */
    static final class Statement extends Node {
        final Expr.Target target;
        final String op;
        final Expr value;
        final int line;

        Statement(Expr.Target target, String op, Expr value, int line) {
            this.target = target;
            this.op = op;
            this.value = value;
            this.line = line;
        }

        @Override
        void render(Renderer r) {
            r.run(line, () -> {
                Object v = value.eval(r.scope);
                if (target != null) {
                    if (!"=".equals(op)) {
                        Object current = new Expr.Name(target.name).eval(r.scope);
                        v = Py.binary(op.substring(0, op.length() - 1), current, v);
                    }
                    target.assign(r.scope, v);
                }
                return null;
            });
        }
    }

    /** {@code {% block name %}}: renders the most derived template's block of that name. */
    static final class NamedBlock extends Node {
        final String name;
        final Chunks body;
        final Template template;
        final int line;

        NamedBlock(String name, Chunks body, Template template, int line) {
            this.name = name;
            this.body = body;
            this.template = template;
            this.line = line;
        }

        @Override
        void render(Renderer r) {
            NamedBlock block = r.blocks.get(name);
            r.include(block.template, line, () -> block.body.render(r));
        }

        @Override
        void findNamedBlocks(BaseLoader loader, Map<String, NamedBlock> blocks) {
            blocks.put(name, this);
            body.findNamedBlocks(loader, blocks);
        }
    }

    /** {@code {% extends "name" %}}: used when the template is compiled; renders nothing. */
    static final class Extends extends Node {
        final String name;
        final int line;

        Extends(String name, int line) {
            this.name = name;
            this.line = line;
        }

        @Override
        void render(Renderer r) {
        }
    }

    /** {@code {% include "name" %}}: the other template's body, rendered in this namespace. */
    static final class Include extends Node {
        final String name;
        final String parent;
        final int line;

        Include(String name, String parent, int line) {
            this.name = name;
            this.parent = parent;
            this.line = line;
        }

        @Override
        void render(Renderer r) {
            Template included = r.run(line, () -> r.loader.load(name, parent));
            r.include(included, line, () -> included.body.render(r));
        }

        @Override
        void findNamedBlocks(BaseLoader loader, Map<String, NamedBlock> blocks) {
            if (loader == null) {
                throw new ParseError("{% include %} block found, but no template loader", parent, line);
            }
            loader.load(name, parent).body.findNamedBlocks(loader, blocks);
        }
    }

    /** {@code {% apply f %}...{% end %}}: the body's output goes through {@code f} (not escaped again). */
    static final class Apply extends Node {
        final Expr fn;
        final Chunks body;
        final int line;

        Apply(Expr fn, Chunks body, int line) {
            this.fn = fn;
            this.body = body;
            this.line = line;
        }

        @Override
        void render(Renderer r) {
            StringBuilder outer = r.out;
            r.out = new StringBuilder();
            String content;
            try {
                body.render(r);
                content = r.out.toString();
            } finally {
                r.out = outer;
            }
            r.out.append(Py.str(r.run(line, () -> Py.call(fn.eval(r.scope), List.of(content), Map.of()))));
        }

        @Override
        void findNamedBlocks(BaseLoader loader, Map<String, NamedBlock> blocks) {
            body.findNamedBlocks(loader, blocks);
        }
    }

    /** {@code {% if %}{% elif %}{% else %}{% end %}}. */
    static final class If extends Node {
        final List<Expr> conditions;
        final List<Chunks> bodies;
        final Chunks orElse;
        final List<Integer> lines;

        If(List<Expr> conditions, List<Chunks> bodies, Chunks orElse, List<Integer> lines) {
            this.conditions = conditions;
            this.bodies = bodies;
            this.orElse = orElse;
            this.lines = lines;
        }

        @Override
        void render(Renderer r) {
            for (int i = 0; i < conditions.size(); i++) {
                if (Py.truthy(r.eval(conditions.get(i), lines.get(i)))) {
                    bodies.get(i).render(r);
                    return;
                }
            }
            if (orElse != null) {
                orElse.render(r);
            }
        }

        @Override
        void findNamedBlocks(BaseLoader loader, Map<String, NamedBlock> blocks) {
            bodies.forEach(b -> b.findNamedBlocks(loader, blocks));
            if (orElse != null) {
                orElse.findNamedBlocks(loader, blocks);
            }
        }
    }

    /** {@code break} and {@code continue}: unwind to the loop. */
    static final class LoopSignal extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final LoopSignal BREAK = new LoopSignal();
        static final LoopSignal CONTINUE = new LoopSignal();

        private LoopSignal() {
            super(null, null, false, false);
        }
    }

    /** {@code {% break %}}, {@code {% continue %}}. */
    static final class Jump extends Node {
        final LoopSignal signal;

        Jump(LoopSignal signal) {
            this.signal = signal;
        }

        @Override
        void render(Renderer r) {
            throw signal;
        }
    }

    /** {@code {% for target in iterable %}...{% else %}...{% end %}} and {@code {% while cond %}}. */
    static final class Loop extends Node {
        final Expr.Target target;
        final Expr expr;
        final Chunks body;
        final Chunks orElse;
        final int line;

        /** A for loop when target is non-null, else a while loop on expr. */
        Loop(Expr.Target target, Expr expr, Chunks body, Chunks orElse, int line) {
            this.target = target;
            this.expr = expr;
            this.body = body;
            this.orElse = orElse;
            this.line = line;
        }

        @Override
        void render(Renderer r) {
            boolean broke = target == null ? loopWhile(r) : loopFor(r);
            if (!broke && orElse != null) {
                orElse.render(r);
            }
        }

        private boolean loopFor(Renderer r) {
            Iterable<?> items = r.run(line, () -> Py.iterate(expr.eval(r.scope)));
            for (Object item : items) {
                r.run(line, () -> {
                    target.assign(r.scope, item);
                    return null;
                });
                if (step(r)) {
                    return true;
                }
            }
            return false;
        }

        private boolean loopWhile(Renderer r) {
            while (Py.truthy(r.eval(expr, line))) {
                if (step(r)) {
                    return true;
                }
            }
            return false;
        }

        /** @return whether the body broke out */
        private boolean step(Renderer r) {
            try {
                body.render(r);
            } catch (LoopSignal s) {
                return s == LoopSignal.BREAK;
            }
            return false;
        }

        @Override
        void findNamedBlocks(BaseLoader loader, Map<String, NamedBlock> blocks) {
            body.findNamedBlocks(loader, blocks);
            if (orElse != null) {
                orElse.findNamedBlocks(loader, blocks);
            }
        }
    }

    /** An {@code {% except [Type[, ...]] [as name] %}} clause; no types catches everything. */
    static final class Except {
        final List<String> types;
        final String as;
        final Chunks body;

        Except(List<String> types, String as, Chunks body) {
            this.types = types;
            this.as = as;
            this.body = body;
        }

        boolean matches(Throwable error) {
            if (types.isEmpty() || types.contains("Exception") || types.contains("BaseException")) {
                return true;
            }
            if (error instanceof PyError) {
                String type = ((PyError) error).type();
                return types.contains(type)
                        || (types.contains("LookupError") && (type.equals("KeyError") || type.equals("IndexError")))
                        || (types.contains("ArithmeticError") && type.equals("ZeroDivisionError"));
            }
            for (Class<?> c = error.getClass(); c != null; c = c.getSuperclass()) {
                if (types.contains(c.getSimpleName())) {
                    return true;
                }
            }
            return false;
        }
    }

    /** {@code {% try %}...{% except %}...{% else %}...{% finally %}...{% end %}}. */
    static final class Try extends Node {
        final Chunks body;
        final List<Except> handlers;
        final Chunks orElse;
        final Chunks finallyBody;

        Try(Chunks body, List<Except> handlers, Chunks orElse, Chunks finallyBody) {
            this.body = body;
            this.handlers = handlers;
            this.orElse = orElse;
            this.finallyBody = finallyBody;
        }

        @Override
        void render(Renderer r) {
            try {
                boolean ok = false;
                try {
                    body.render(r);
                    ok = true;
                } catch (TemplateError e) {
                    Throwable cause = e.getCause() != null ? e.getCause() : e;
                    Except handler = handlers.stream().filter(h -> h.matches(cause)).findFirst().orElseThrow(() -> e);
                    if (handler.as != null) {
                        r.scope.put(handler.as, cause);
                    }
                    handler.body.render(r);
                }
                if (ok && orElse != null) {
                    orElse.render(r);
                }
            } finally {
                if (finallyBody != null) {
                    finallyBody.render(r);
                }
            }
        }

        @Override
        void findNamedBlocks(BaseLoader loader, Map<String, NamedBlock> blocks) {
            body.findNamedBlocks(loader, blocks);
            handlers.forEach(h -> h.body.findNamedBlocks(loader, blocks));
            for (Chunks c : new Chunks[]{orElse, finallyBody}) {
                if (c != null) {
                    c.findNamedBlocks(loader, blocks);
                }
            }
        }
    }
}
