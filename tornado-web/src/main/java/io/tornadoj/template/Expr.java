package io.tornadoj.template;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An expression of the template language, parsed once by {@link ExprParser} and evaluated against a
 * namespace (the template's variables) with Python's semantics as implemented by {@link Py}.
 */
abstract class Expr {
    /**
     * Evaluates the expression.
     *
     * @param scope the template's variables (assignments write into it)
     * @return the value ({@code null} is {@code None})
     */
    abstract Object eval(Map<String, Object> scope);

    static List<Object> evalAll(List<Expr> exprs, Map<String, Object> scope) {
        List<Object> values = new ArrayList<>(exprs.size());
        for (Expr e : exprs) {
            values.add(e.eval(scope));
        }
        return values;
    }

    static Map<String, Object> evalKwargs(Map<String, Expr> kwargs, Map<String, Object> scope) {
        if (kwargs.isEmpty()) {
            return Map.of();
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<String, Expr> e : kwargs.entrySet()) {
            values.put(e.getKey(), e.getValue().eval(scope));
        }
        return Collections.unmodifiableMap(values);
    }

    /** A literal. */
    static final class Const extends Expr {
        final Object value;

        Const(Object value) {
            this.value = value;
        }

        @Override
        Object eval(Map<String, Object> scope) {
            return value;
        }
    }

    /** A variable. */
    static final class Name extends Expr {
        final String id;

        Name(String id) {
            this.id = id;
        }

        @Override
        Object eval(Map<String, Object> scope) {
            Object v = scope.get(id);
            if (v == null && !scope.containsKey(id)) {
                throw new PyError("NameError", "name '" + id + "' is not defined");
            }
            return v;
        }
    }

    /** {@code [a, b]} or {@code (a, b)}. */
    static final class Sequence extends Expr {
        final List<Expr> items;
        final boolean tuple;

        Sequence(List<Expr> items, boolean tuple) {
            this.items = items;
            this.tuple = tuple;
        }

        @Override
        Object eval(Map<String, Object> scope) {
            List<Object> values = evalAll(items, scope);
            return tuple ? new Tuple(values.toArray()) : values;
        }
    }

    /** {@code {k: v}}. */
    static final class Dict extends Expr {
        final List<Expr> keys;
        final List<Expr> values;

        Dict(List<Expr> keys, List<Expr> values) {
            this.keys = keys;
            this.values = values;
        }

        @Override
        Object eval(Map<String, Object> scope) {
            Map<Object, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < keys.size(); i++) {
                m.put(keys.get(i).eval(scope), values.get(i).eval(scope));
            }
            return m;
        }
    }

    /** {@code [elt for target in iter if cond]}; the target is bound in the namespace, then restored. */
    static final class ListComp extends Expr {
        final Expr elt;
        final Target target;
        final Expr iter;
        final Expr cond;

        ListComp(Expr elt, Target target, Expr iter, Expr cond) {
            this.elt = elt;
            this.target = target;
            this.iter = iter;
            this.cond = cond;
        }

        @Override
        Object eval(Map<String, Object> scope) {
            List<Object> out = new ArrayList<>();
            Map<String, Object> saved = target.save(scope);
            try {
                for (Object item : Py.iterate(iter.eval(scope))) {
                    target.assign(scope, item);
                    if (cond == null || Py.truthy(cond.eval(scope))) {
                        out.add(elt.eval(scope));
                    }
                }
            } finally {
                target.restore(scope, saved);
            }
            return out;
        }
    }

    /** {@code obj.name}. */
    static final class Attr extends Expr {
        final Expr obj;
        final String name;

        Attr(Expr obj, String name) {
            this.obj = obj;
            this.name = name;
        }

        @Override
        Object eval(Map<String, Object> scope) {
            return Py.getattr(obj.eval(scope), name);
        }
    }

    /** {@code obj[index]}. */
    static final class Index extends Expr {
        final Expr obj;
        final Expr index;

        Index(Expr obj, Expr index) {
            this.obj = obj;
            this.index = index;
        }

        @Override
        Object eval(Map<String, Object> scope) {
            return Py.getitem(obj.eval(scope), index.eval(scope));
        }
    }

    /** {@code obj[lo:hi:step]} (each part optional). */
    static final class Slice extends Expr {
        final Expr obj;
        final Expr lo;
        final Expr hi;
        final Expr step;

        Slice(Expr obj, Expr lo, Expr hi, Expr step) {
            this.obj = obj;
            this.lo = lo;
            this.hi = hi;
            this.step = step;
        }

        @Override
        Object eval(Map<String, Object> scope) {
            return Py.slice(obj.eval(scope), lo == null ? null : lo.eval(scope), hi == null ? null : hi.eval(scope),
                    step == null ? null : step.eval(scope));
        }
    }

    /** {@code f(args, name=value)}; {@code obj.m(...)} calls the method {@code m} of {@code obj}. */
    static final class Call extends Expr {
        final Expr fn;
        final List<Expr> args;
        final Map<String, Expr> kwargs;

        Call(Expr fn, List<Expr> args, Map<String, Expr> kwargs) {
            this.fn = fn;
            this.args = args;
            this.kwargs = kwargs;
        }

        @Override
        Object eval(Map<String, Object> scope) {
            Object target = fn instanceof Attr ? ((Attr) fn).obj.eval(scope) : fn.eval(scope);
            List<Object> argv = Collections.unmodifiableList(evalAll(args, scope));
            Map<String, Object> kw = evalKwargs(kwargs, scope);
            return fn instanceof Attr ? Py.callMethod(target, ((Attr) fn).name, argv, kw) : Py.call(target, argv, kw);
        }
    }

    /** {@code -x}, {@code +x}, {@code not x}. */
    static final class Unary extends Expr {
        final String op;
        final Expr operand;

        Unary(String op, Expr operand) {
            this.op = op;
            this.operand = operand;
        }

        @Override
        Object eval(Map<String, Object> scope) {
            Object v = operand.eval(scope);
            return "not".equals(op) ? !Py.truthy(v) : Py.unary(op, v);
        }
    }

    /** Arithmetic: {@code + - * / // % **}. */
    static final class Binary extends Expr {
        final String op;
        final Expr left;
        final Expr right;

        Binary(String op, Expr left, Expr right) {
            this.op = op;
            this.left = left;
            this.right = right;
        }

        @Override
        Object eval(Map<String, Object> scope) {
            return Py.binary(op, left.eval(scope), right.eval(scope));
        }
    }

    /** {@code a and b}, {@code a or b}: short-circuit, the value of the deciding operand (as Python). */
    static final class BoolOp extends Expr {
        final boolean and;
        final Expr left;
        final Expr right;

        BoolOp(boolean and, Expr left, Expr right) {
            this.and = and;
            this.left = left;
            this.right = right;
        }

        @Override
        Object eval(Map<String, Object> scope) {
            Object l = left.eval(scope);
            return Py.truthy(l) == and ? right.eval(scope) : l;
        }
    }

    /** Chained comparisons: {@code a < b <= c}, {@code ==}, {@code !=}, {@code in}, {@code not in}, {@code is}. */
    static final class Compare extends Expr {
        final List<String> ops;
        final List<Expr> operands;

        Compare(List<String> ops, List<Expr> operands) {
            this.ops = ops;
            this.operands = operands;
        }

        @Override
        Object eval(Map<String, Object> scope) {
            Object left = operands.get(0).eval(scope);
            for (int i = 0; i < ops.size(); i++) {
                Object right = operands.get(i + 1).eval(scope);
                if (!Py.compare(ops.get(i), left, right)) {
                    return false;
                }
                left = right;
            }
            return true;
        }
    }

    /** {@code a if cond else b}. */
    static final class IfElse extends Expr {
        final Expr body;
        final Expr cond;
        final Expr orElse;

        IfElse(Expr body, Expr cond, Expr orElse) {
            this.body = body;
            this.cond = cond;
            this.orElse = orElse;
        }

        @Override
        Object eval(Map<String, Object> scope) {
            return Py.truthy(cond.eval(scope)) ? body.eval(scope) : orElse.eval(scope);
        }
    }

    /** An assignment target: a name, or names to unpack ({@code k, v}). */
    static final class Target {
        /** The name, or null for a tuple. */
        final String name;
        final List<Target> parts;

        Target(String name, List<Target> parts) {
            this.name = name;
            this.parts = parts;
        }

        /** Binds the value, unpacking sequences (and {@link Map.Entry}s) into tuple targets. */
        void assign(Map<String, Object> scope, Object value) {
            if (name != null) {
                scope.put(name, value);
                return;
            }
            List<Object> values = new ArrayList<>();
            for (Object v : Py.unpackable(value)) {
                values.add(v);
            }
            if (values.size() != parts.size()) {
                throw new PyError("ValueError", "cannot unpack " + values.size() + " values into " + parts.size());
            }
            for (int i = 0; i < parts.size(); i++) {
                parts.get(i).assign(scope, values.get(i));
            }
        }

        Map<String, Object> save(Map<String, Object> scope) {
            Map<String, Object> saved = new LinkedHashMap<>();
            collect(scope, saved);
            return saved;
        }

        private void collect(Map<String, Object> scope, Map<String, Object> saved) {
            if (name != null) {
                saved.put(name, scope.containsKey(name) ? scope.get(name) : Target.class);
            } else {
                for (Target t : parts) {
                    t.collect(scope, saved);
                }
            }
        }

        void restore(Map<String, Object> scope, Map<String, Object> saved) {
            saved.forEach((k, v) -> {
                if (v == Target.class) {
                    scope.remove(k);
                } else {
                    scope.put(k, v);
                }
            });
        }
    }
}
