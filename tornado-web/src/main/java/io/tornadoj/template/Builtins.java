package io.tornadoj.template;

import io.tornadoj.escape.Escape;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The default template namespace (see {@link Template} for the list): Tornado's escaping functions, a
 * small {@code datetime}, and the Python builtins templates commonly use.
 */
final class Builtins {
    /** The default namespace; never modified. */
    static final Map<String, Object> NAMESPACE = namespace();

    private Builtins() {
    }

    private static Map<String, Object> namespace() {
        Map<String, Object> ns = new HashMap<>();
        TemplateFunction escape = (a, kw) -> Escape.xhtmlEscape(Py.str(arg(a, kw, 0, "value", null, true)));
        ns.put("escape", escape);
        ns.put("xhtml_escape", escape);
        ns.put("url_escape", (TemplateFunction) (a, kw) -> Escape.urlEscape(Py.str(arg(a, kw, 0, "value", null, true)),
                Py.truthy(arg(a, kw, 1, "plus", true, false))));
        ns.put("json_encode", (TemplateFunction) (a, kw) -> Escape.jsonEncode(arg(a, kw, 0, "value", null, true)));
        ns.put("squeeze", (TemplateFunction) (a, kw) -> Escape.squeeze(Py.str(arg(a, kw, 0, "value", null, true))));
        ns.put("linkify", (TemplateFunction) (a, kw) -> {
            Object protocols = arg(a, kw, 4, "permitted_protocols", null, false);
            List<String> permitted = null;
            if (protocols != null) {
                permitted = new ArrayList<>();
                for (Object p : Py.iterate(protocols)) {
                    permitted.add(Py.str(p));
                }
            }
            return Escape.linkify(Py.str(arg(a, kw, 0, "text", null, true)),
                    Py.truthy(arg(a, kw, 1, "shorten", false, false)), Py.str(arg(a, kw, 2, "extra_params", "", false)),
                    Py.truthy(arg(a, kw, 3, "require_protocol", false, false)), permitted);
        });
        ns.put("datetime", Map.of(
                "datetime", Map.of(
                        "now", (TemplateFunction) (a, kw) -> LocalDateTime.now(),
                        "utcnow", (TemplateFunction) (a, kw) -> LocalDateTime.now(ZoneOffset.UTC),
                        "fromtimestamp", (TemplateFunction) (a, kw) -> LocalDateTime.ofInstant(
                                instant(arg(a, kw, 0, "timestamp", null, true)), ZoneId.systemDefault()),
                        "utcfromtimestamp", (TemplateFunction) (a, kw) -> LocalDateTime.ofInstant(
                                instant(arg(a, kw, 0, "timestamp", null, true)), ZoneOffset.UTC)),
                "date", Map.of("today", (TemplateFunction) (a, kw) -> LocalDate.now())));
        ns.put("len", (TemplateFunction) (a, kw) -> (long) Py.len(one(a, kw, "len")));
        ns.put("str", (TemplateFunction) (a, kw) -> a.isEmpty() ? "" : Py.str(one(a, kw, "str")));
        ns.put("repr", (TemplateFunction) (a, kw) -> Py.repr(one(a, kw, "repr")));
        ns.put("bool", (TemplateFunction) (a, kw) -> !a.isEmpty() && Py.truthy(one(a, kw, "bool")));
        ns.put("int", (TemplateFunction) (a, kw) -> a.isEmpty() ? 0L : toInt(one(a, kw, "int")));
        ns.put("float", (TemplateFunction) (a, kw) -> a.isEmpty() ? 0.0 : toFloat(one(a, kw, "float")));
        ns.put("list", (TemplateFunction) (a, kw) -> a.isEmpty() ? new ArrayList<>() : Py.toList(one(a, kw, "list")));
        ns.put("range", (TemplateFunction) Builtins::range);
        ns.put("enumerate", (TemplateFunction) (a, kw) -> {
            long i = Py.toLong(arg(a, kw, 1, "start", 0L, false));
            List<Object> out = new ArrayList<>();
            for (Object o : Py.iterate(arg(a, kw, 0, "iterable", null, true))) {
                out.add(new Tuple(i++, o));
            }
            return out;
        });
        ns.put("zip", (TemplateFunction) (a, kw) -> {
            List<List<Object>> lists = new ArrayList<>();
            int n = Integer.MAX_VALUE;
            for (Object o : a) {
                List<Object> l = Py.toList(o);
                lists.add(l);
                n = Math.min(n, l.size());
            }
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < (lists.isEmpty() ? 0 : n); i++) {
                Object[] row = new Object[lists.size()];
                for (int j = 0; j < row.length; j++) {
                    row[j] = lists.get(j).get(i);
                }
                out.add(new Tuple(row));
            }
            return out;
        });
        ns.put("sorted", (TemplateFunction) (a, kw) -> {
            List<Object> out = Py.toList(arg(a, kw, 0, "iterable", null, true));
            out.sort(comparator(kw.get("key")));
            if (Py.truthy(kw.get("reverse"))) {
                Collections.reverse(out);
            }
            return out;
        });
        ns.put("reversed", (TemplateFunction) (a, kw) -> {
            List<Object> out = Py.toList(one(a, kw, "reversed"));
            Collections.reverse(out);
            return out;
        });
        ns.put("min", (TemplateFunction) (a, kw) -> extreme(a, kw, -1));
        ns.put("max", (TemplateFunction) (a, kw) -> extreme(a, kw, 1));
        ns.put("sum", (TemplateFunction) (a, kw) -> {
            Object total = arg(a, kw, 1, "start", 0L, false);
            for (Object o : Py.iterate(arg(a, kw, 0, "iterable", null, true))) {
                total = Py.binary("+", total, o);
            }
            return total;
        });
        ns.put("abs", (TemplateFunction) (a, kw) -> {
            Object v = one(a, kw, "abs");
            return Py.compare("<", v, 0L) ? Py.unary("-", v) : Py.unary("+", v);
        });
        ns.put("round", (TemplateFunction) (a, kw) -> {
            Object v = arg(a, kw, 0, "number", null, true);
            Object digits = arg(a, kw, 1, "ndigits", null, false);
            if (!Py.isNumber(v)) {
                throw Py.typeError("type " + Py.typeName(v) + " doesn't define __round__ method");
            }
            if (digits == null) {
                return Py.isInt(v) ? Py.toLong(v) : (long) Math.rint(Py.toDouble(v));
            }
            BigDecimal d = new BigDecimal(Py.toDouble(v)).setScale((int) Py.toLong(digits), RoundingMode.HALF_EVEN);
            return Py.isInt(v) ? (Object) d.longValue() : (Object) d.doubleValue();
        });
        ns.put("any", (TemplateFunction) (a, kw) -> {
            for (Object o : Py.iterate(one(a, kw, "any"))) {
                if (Py.truthy(o)) {
                    return true;
                }
            }
            return false;
        });
        ns.put("all", (TemplateFunction) (a, kw) -> {
            for (Object o : Py.iterate(one(a, kw, "all"))) {
                if (!Py.truthy(o)) {
                    return false;
                }
            }
            return true;
        });
        return Collections.unmodifiableMap(ns);
    }

    /** A positional-or-keyword argument. */
    private static Object arg(List<Object> args, Map<String, Object> kwargs, int index, String name, Object dflt,
                              boolean required) {
        if (index < args.size()) {
            return args.get(index);
        }
        if (kwargs.containsKey(name)) {
            return kwargs.get(name);
        }
        if (required) {
            throw Py.typeError("missing required argument '" + name + "'");
        }
        return dflt;
    }

    private static Object one(List<Object> args, Map<String, Object> kwargs, String fn) {
        if (args.size() != 1 || !kwargs.isEmpty()) {
            throw Py.typeError(fn + "() takes exactly one argument (" + args.size() + " given)");
        }
        return args.get(0);
    }

    private static Instant instant(Object ts) {
        return Instant.ofEpochMilli(Math.round(Py.toDouble(ts) * 1000));
    }

    private static Object toInt(Object v) {
        if (v instanceof CharSequence) {
            try {
                return Long.parseLong(v.toString().strip().replace("_", ""));
            } catch (NumberFormatException e) {
                throw new PyError("ValueError", "invalid literal for int() with base 10: " + Py.repr(v));
            }
        }
        if (!Py.isNumber(v)) {
            throw Py.typeError("int() argument must be a string or a number, not '" + Py.typeName(v) + "'");
        }
        return Py.isInt(v) ? Py.toLong(v) : (long) Py.toDouble(v);
    }

    private static Object toFloat(Object v) {
        if (v instanceof CharSequence) {
            try {
                return Double.parseDouble(v.toString().strip());
            } catch (NumberFormatException e) {
                throw new PyError("ValueError", "could not convert string to float: " + Py.repr(v));
            }
        }
        if (!Py.isNumber(v)) {
            throw Py.typeError("float() argument must be a string or a number, not '" + Py.typeName(v) + "'");
        }
        return Py.toDouble(v);
    }

    private static Object range(List<Object> args, Map<String, Object> kwargs) {
        if (args.isEmpty() || args.size() > 3 || !kwargs.isEmpty()) {
            throw Py.typeError("range expected 1 to 3 integer arguments, got " + args.size());
        }
        for (Object o : args) {
            if (!Py.isInt(o)) {
                throw Py.typeError("'" + Py.typeName(o) + "' object cannot be interpreted as an integer");
            }
        }
        long start = args.size() == 1 ? 0 : Py.toLong(args.get(0));
        long stop = Py.toLong(args.get(args.size() == 1 ? 0 : 1));
        long step = args.size() == 3 ? Py.toLong(args.get(2)) : 1;
        if (step == 0) {
            throw new PyError("ValueError", "range() arg 3 must not be zero");
        }
        long count = step > 0 ? (stop - start + step - 1) / step : (start - stop - step - 1) / -step;
        int size = (int) Math.max(0, Math.min(count, Integer.MAX_VALUE));
        return new AbstractList<Object>() {
            @Override
            public Object get(int i) {
                if (i < 0 || i >= size) {
                    throw new IndexOutOfBoundsException(i);
                }
                return start + i * step;
            }

            @Override
            public int size() {
                return size;
            }
        };
    }

    private static Comparator<Object> comparator(Object key) {
        Comparator<Object> natural = (x, y) -> Py.order("<", x, y);
        if (key == null) {
            return natural;
        }
        return (x, y) -> natural.compare(Py.call(key, Collections.singletonList(x), Map.of()),
                Py.call(key, Collections.singletonList(y), Map.of()));
    }

    private static Object extreme(List<Object> args, Map<String, Object> kwargs, int sign) {
        Iterable<?> items = args.size() == 1 ? Py.iterate(args.get(0)) : args;
        Comparator<Object> cmp = comparator(kwargs.get("key"));
        Object best = null;
        boolean found = false;
        for (Object o : items) {
            if (!found || cmp.compare(o, best) * sign > 0) {
                best = o;
                found = true;
            }
        }
        if (!found) {
            if (kwargs.containsKey("default")) {
                return kwargs.get("default");
            }
            throw new PyError("ValueError", (sign < 0 ? "min" : "max") + "() arg is an empty sequence");
        }
        return best;
    }
}
