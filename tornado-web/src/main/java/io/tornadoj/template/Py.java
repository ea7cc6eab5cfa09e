package io.tornadoj.template;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Python's semantics over Java values, for the template language: truthiness, {@code str}/{@code repr},
 * arithmetic, comparisons, iteration, indexing, attributes and calls. Java types stand in for Python's:
 * {@code null} is {@code None}, {@link Boolean} is {@code bool}, integral {@link Number}s are {@code int}
 * (computed as {@code long}), other numbers are {@code float} ({@code double}), {@link CharSequence} is
 * {@code str}, {@link List}s and arrays are lists ({@link Tuple} is a tuple), {@link Map}s are dicts.
 */
final class Py {
    private Py() {
    }

    // ------------------------------------------------------------------ truth and text

    static boolean truthy(Object v) {
        if (v == null) {
            return false;
        }
        if (v instanceof Boolean) {
            return (Boolean) v;
        }
        if (v instanceof Number) {
            return isInt(v) ? ((Number) v).longValue() != 0 : ((Number) v).doubleValue() != 0;
        }
        if (v instanceof CharSequence) {
            return ((CharSequence) v).length() > 0;
        }
        if (v instanceof Collection) {
            return !((Collection<?>) v).isEmpty();
        }
        if (v instanceof Map) {
            return !((Map<?, ?>) v).isEmpty();
        }
        if (v.getClass().isArray()) {
            return Array.getLength(v) > 0;
        }
        if (v instanceof Optional) {
            return ((Optional<?>) v).isPresent();
        }
        return true;
    }

    /** Python's {@code str()}. */
    static String str(Object v) {
        if (v instanceof String) {
            return (String) v;
        }
        if (v instanceof CharSequence) {
            return v.toString();
        }
        if (v instanceof byte[]) {
            return io.tornadoj.escape.Escape.toUnicode((byte[]) v);
        }
        if (v instanceof Throwable) {
            return String.valueOf(((Throwable) v).getMessage());
        }
        return repr(v);
    }

    /** Python's {@code repr()}. */
    static String repr(Object v) {
        if (v == null) {
            return "None";
        }
        if (v instanceof Boolean) {
            return (Boolean) v ? "True" : "False";
        }
        if (v instanceof Double || v instanceof Float) {
            return floatRepr(((Number) v).doubleValue());
        }
        if (v instanceof CharSequence || v instanceof Character) {
            String s = v.toString();
            char q = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
            StringBuilder sb = new StringBuilder().append(q);
            for (char c : s.toCharArray()) {
                if (c == q || c == '\\') {
                    sb.append('\\').append(c);
                } else if (c == '\n') {
                    sb.append("\\n");
                } else if (c == '\t') {
                    sb.append("\\t");
                } else if (c == '\r') {
                    sb.append("\\r");
                } else if (c < 0x20 || c == 0x7f) {
                    sb.append(String.format("\\x%02x", (int) c));
                } else {
                    sb.append(c);
                }
            }
            return sb.append(q).toString();
        }
        if (v instanceof Tuple) {
            List<?> t = (Tuple) v;
            return t.size() == 1 ? "(" + repr(t.get(0)) + ",)" : join(t, "(", ")");
        }
        if (v instanceof List || v.getClass().isArray()) {
            return join(iterate(v), "[", "]");
        }
        if (v instanceof Collection) {
            return ((Collection<?>) v).isEmpty() ? "set()" : join((Collection<?>) v, "{", "}");
        }
        if (v instanceof Map) {
            StringBuilder sb = new StringBuilder("{");
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (sb.length() > 1) {
                    sb.append(", ");
                }
                sb.append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
            }
            return sb.append('}').toString();
        }
        if (v instanceof Throwable) {
            return v.getClass().getSimpleName() + "(" + repr(((Throwable) v).getMessage()) + ")";
        }
        return v.toString();
    }

    private static String join(Iterable<?> items, String open, String close) {
        StringBuilder sb = new StringBuilder(open);
        for (Object o : items) {
            if (sb.length() > open.length()) {
                sb.append(", ");
            }
            sb.append(repr(o));
        }
        return sb.append(close).toString();
    }

    /** Python's {@code repr(float)}: shortest digits, positional for exponents -4..15, else {@code 1e+16}. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0.0" : "0.0";
        }
        BigDecimal bd = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        int exp = bd.precision() - bd.scale() - 1;
        if (exp >= -4 && exp < 16) {
            String plain = bd.toPlainString();
            return plain.indexOf('.') >= 0 ? plain : plain + ".0";
        }
        String digits = bd.unscaledValue().abs().toString();
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return (d < 0 ? "-" : "") + mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "")
                + Math.abs(exp);
    }

    static String typeName(Object v) {
        if (v == null) {
            return "NoneType";
        }
        if (v instanceof Boolean) {
            return "bool";
        }
        if (v instanceof Number) {
            return isInt(v) ? "int" : "float";
        }
        if (v instanceof CharSequence) {
            return "str";
        }
        if (v instanceof Tuple) {
            return "tuple";
        }
        if (v instanceof List || v.getClass().isArray()) {
            return "list";
        }
        if (v instanceof Map) {
            return "dict";
        }
        return v.getClass().getSimpleName();
    }

    static PyError typeError(String message) {
        return new PyError("TypeError", message);
    }

    // ------------------------------------------------------------------ numbers

    static boolean isInt(Object v) {
        return v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte
                || v instanceof Boolean || v instanceof java.math.BigInteger
                || v instanceof java.util.concurrent.atomic.AtomicInteger
                || v instanceof java.util.concurrent.atomic.AtomicLong;
    }

    static boolean isNumber(Object v) {
        return v instanceof Number || v instanceof Boolean;
    }

    static long toLong(Object v) {
        return v instanceof Boolean ? ((Boolean) v ? 1 : 0) : ((Number) v).longValue();
    }

    static double toDouble(Object v) {
        return v instanceof Boolean ? ((Boolean) v ? 1 : 0) : ((Number) v).doubleValue();
    }

    static Object unary(String op, Object v) {
        if (!isNumber(v)) {
            throw typeError("bad operand type for unary " + op + ": '" + typeName(v) + "'");
        }
        if ("+".equals(op)) {
            return isInt(v) ? (Object) toLong(v) : (Object) toDouble(v);
        }
        return isInt(v) ? (Object) Math.negateExact(toLong(v)) : (Object) (-toDouble(v));
    }

    static Object binary(String op, Object a, Object b) {
        if (isNumber(a) && isNumber(b)) {
            return arithmetic(op, a, b);
        }
        switch (op) {
            case "+":
                if (a instanceof CharSequence && b instanceof CharSequence) {
                    return a.toString() + b;
                }
                if (a instanceof List && b instanceof List) {
                    List<Object> out = new ArrayList<>((List<?>) a);
                    out.addAll((List<?>) b);
                    return a instanceof Tuple ? new Tuple(out.toArray()) : out;
                }
                break;
            case "*":
                if (isInt(b) && (a instanceof CharSequence || a instanceof List)) {
                    return repeat(a, toLong(b));
                }
                if (isInt(a) && (b instanceof CharSequence || b instanceof List)) {
                    return repeat(b, toLong(a));
                }
                break;
            case "%":
                if (a instanceof CharSequence) {
                    return PercentFormat.format(a.toString(), b);
                }
                break;
            default:
                break;
        }
        throw typeError("unsupported operand type(s) for " + op + ": '" + typeName(a) + "' and '" + typeName(b) + "'");
    }

    private static Object repeat(Object seq, long times) {
        if (seq instanceof CharSequence) {
            return seq.toString().repeat((int) Math.max(0, times));
        }
        List<Object> out = new ArrayList<>();
        for (long i = 0; i < times; i++) {
            out.addAll((List<?>) seq);
        }
        return seq instanceof Tuple ? new Tuple(out.toArray()) : out;
    }

    private static Object arithmetic(String op, Object a, Object b) {
        if (isInt(a) && isInt(b)) {
            long x = toLong(a);
            long y = toLong(b);
            switch (op) {
                case "+": return Math.addExact(x, y);
                case "-": return Math.subtractExact(x, y);
                case "*": return Math.multiplyExact(x, y);
                case "/": return divide(x, y);
                case "//": checkZero(y); return Math.floorDiv(x, y);
                case "%": checkZero(y); return Math.floorMod(x, y);
                case "**":
                    if (y < 0) {
                        return Math.pow(x, y);
                    }
                    long r = 1;
                    for (long i = 0; i < y; i++) {
                        r = Math.multiplyExact(r, x);
                    }
                    return r;
                default: throw new IllegalStateException(op);
            }
        }
        double x = toDouble(a);
        double y = toDouble(b);
        switch (op) {
            case "+": return x + y;
            case "-": return x - y;
            case "*": return x * y;
            case "/": return divide(x, y);
            case "//": checkZero(y); return Math.floor(x / y);
            case "%": checkZero(y); return x - Math.floor(x / y) * y;
            case "**": return Math.pow(x, y);
            default: throw new IllegalStateException(op);
        }
    }

    private static double divide(double x, double y) {
        checkZero(y);
        return x / y;
    }

    private static void checkZero(double y) {
        if (y == 0) {
            throw new PyError("ZeroDivisionError", "division by zero");
        }
    }

    // ------------------------------------------------------------------ comparisons

    static boolean compare(String op, Object a, Object b) {
        switch (op) {
            case "==": return eq(a, b);
            case "!=": return !eq(a, b);
            case "is": return a == b || (a != null && b != null && isNumber(a) && a.getClass() == b.getClass() && a.equals(b));
            case "is not": return !compare("is", a, b);
            case "in": return contains(b, a);
            case "not in": return !contains(b, a);
            default:
                int c = order(op, a, b);
                switch (op) {
                    case "<": return c < 0;
                    case "<=": return c <= 0;
                    case ">": return c > 0;
                    default: return c >= 0;
                }
        }
    }

    static boolean eq(Object a, Object b) {
        if (isNumber(a) && isNumber(b)) {
            return isInt(a) && isInt(b) ? toLong(a) == toLong(b) : toDouble(a) == toDouble(b);
        }
        if (a instanceof CharSequence && b instanceof CharSequence) {
            return a.toString().equals(b.toString());
        }
        if (a instanceof List && b instanceof List) {
            List<?> x = (List<?>) a;
            List<?> y = (List<?>) b;
            if (x.size() != y.size() || (a instanceof Tuple) != (b instanceof Tuple)) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!eq(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return Objects.equals(a, b);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static int order(String op, Object a, Object b) {
        if (isNumber(a) && isNumber(b)) {
            return isInt(a) && isInt(b) ? Long.compare(toLong(a), toLong(b)) : Double.compare(toDouble(a), toDouble(b));
        }
        if (a instanceof CharSequence && b instanceof CharSequence) {
            return a.toString().compareTo(b.toString());
        }
        if (a instanceof List && b instanceof List) {
            List<?> x = (List<?>) a;
            List<?> y = (List<?>) b;
            for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
                if (!eq(x.get(i), y.get(i))) {
                    return order(op, x.get(i), y.get(i));
                }
            }
            return Integer.compare(x.size(), y.size());
        }
        if (a instanceof Comparable && b != null && a.getClass().isInstance(b)) {
            return ((Comparable) a).compareTo(b);
        }
        throw typeError("'" + op + "' not supported between instances of '" + typeName(a) + "' and '"
                + typeName(b) + "'");
    }

    static boolean contains(Object container, Object item) {
        if (container instanceof CharSequence) {
            if (!(item instanceof CharSequence)) {
                throw typeError("'in <string>' requires string as left operand, not " + typeName(item));
            }
            return container.toString().contains(item.toString());
        }
        if (container instanceof Map) {
            Map<?, ?> m = (Map<?, ?>) container;
            if (m.containsKey(item)) {
                return true;
            }
            container = m.keySet();
        } else if (container instanceof Collection && !(container instanceof List)) {
            if (((Collection<?>) container).contains(item)) {
                return true;
            }
        }
        for (Object o : iterate(container)) {
            if (eq(o, item)) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ sequences

    /** Python's {@code iter()}: iterables, arrays, strings (characters), maps (keys), iterators. */
    static Iterable<?> iterate(Object v) {
        if (v instanceof Map) {
            return ((Map<?, ?>) v).keySet();
        }
        if (v instanceof Iterable) {
            return (Iterable<?>) v;
        }
        if (v instanceof CharSequence) {
            String s = v.toString();
            List<String> chars = new ArrayList<>(s.length());
            s.codePoints().forEach(cp -> chars.add(new String(Character.toChars(cp))));
            return chars;
        }
        if (v != null && v.getClass().isArray()) {
            return asList(v);
        }
        if (v instanceof Iterator) {
            return once((Iterator<?>) v);
        }
        if (v instanceof java.util.stream.BaseStream) {
            return once(((java.util.stream.BaseStream<?, ?>) v).iterator());
        }
        throw typeError("'" + typeName(v) + "' object is not iterable");
    }

    @SuppressWarnings("unchecked")
    private static Iterable<Object> once(Iterator<?> it) {
        return () -> (Iterator<Object>) it;
    }

    /** What a tuple target unpacks: like {@link #iterate}, but a {@link Map.Entry} is (key, value). */
    static Iterable<?> unpackable(Object v) {
        if (v instanceof Map.Entry) {
            Map.Entry<?, ?> e = (Map.Entry<?, ?>) v;
            return new Tuple(e.getKey(), e.getValue());
        }
        return iterate(v);
    }

    static List<Object> asList(Object array) {
        int n = Array.getLength(array);
        List<Object> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(Array.get(array, i));
        }
        return out;
    }

    static List<Object> toList(Object v) {
        List<Object> out = new ArrayList<>();
        for (Object o : iterate(v)) {
            out.add(o);
        }
        return out;
    }

    static int len(Object v) {
        if (v instanceof CharSequence) {
            return v.toString().codePointCount(0, ((CharSequence) v).length());
        }
        if (v instanceof Collection) {
            return ((Collection<?>) v).size();
        }
        if (v instanceof Map) {
            return ((Map<?, ?>) v).size();
        }
        if (v != null && v.getClass().isArray()) {
            return Array.getLength(v);
        }
        throw typeError("object of type '" + typeName(v) + "' has no len()");
    }

    static Object getitem(Object obj, Object key) {
        if (obj instanceof Map) {
            Map<?, ?> m = (Map<?, ?>) obj;
            Object v = m.get(key);
            if (v == null && !m.containsKey(key)) {
                if (isInt(key)) {
                    for (Map.Entry<?, ?> e : m.entrySet()) {
                        if (eq(e.getKey(), key)) {
                            return e.getValue();
                        }
                    }
                }
                throw new PyError("KeyError", repr(key));
            }
            return v;
        }
        if (!isInt(key)) {
            if (obj == null) {
                throw typeError("'NoneType' object is not subscriptable");
            }
            throw typeError(typeName(obj) + " indices must be integers, not " + typeName(key));
        }
        List<?> seq = sequence(obj);
        int n = seq.size();
        long i = toLong(key);
        if (i < 0) {
            i += n;
        }
        if (i < 0 || i >= n) {
            throw new PyError("IndexError", typeName(obj) + " index out of range");
        }
        return seq.get((int) i);
    }

    private static List<?> sequence(Object obj) {
        if (obj instanceof List) {
            return (List<?>) obj;
        }
        if (obj instanceof CharSequence || (obj != null && obj.getClass().isArray())) {
            return toList(obj);
        }
        throw typeError("'" + typeName(obj) + "' object is not subscriptable");
    }

    static Object slice(Object obj, Object lo, Object hi, Object step) {
        List<?> seq = sequence(obj);
        int n = seq.size();
        long st = step == null ? 1 : toLong(step);
        if (st == 0) {
            throw new PyError("ValueError", "slice step cannot be zero");
        }
        long start = bound(lo, n, st > 0 ? 0 : n - 1, st);
        long stop = bound(hi, n, st > 0 ? n : -1, st);
        List<Object> out = new ArrayList<>();
        for (long i = start; st > 0 ? i < stop : i > stop; i += st) {
            out.add(seq.get((int) i));
        }
        if (obj instanceof CharSequence) {
            StringBuilder sb = new StringBuilder();
            out.forEach(sb::append);
            return sb.toString();
        }
        return obj instanceof Tuple ? new Tuple(out.toArray()) : out;
    }

    private static long bound(Object v, int n, long dflt, long step) {
        if (v == null) {
            return dflt;
        }
        if (!isInt(v)) {
            throw typeError("slice indices must be integers or None");
        }
        long i = toLong(v);
        if (i < 0) {
            i += n;
        }
        return step > 0 ? Math.max(0, Math.min(i, n)) : Math.max(-1, Math.min(i, n - 1));
    }

    // ------------------------------------------------------------------ attributes and calls

    static Object getattr(Object obj, String name) {
        if (obj instanceof Map && ((Map<?, ?>) obj).containsKey(name)) {
            return ((Map<?, ?>) obj).get(name);
        }
        if (obj != null) {
            Object v = Interop.getProperty(obj, name);
            if (v != Interop.NOT_FOUND) {
                return v;
            }
            if (PyMethods.has(obj, name) || Interop.hasMethod(obj, name)) {
                return (TemplateFunction) (args, kwargs) -> callMethod(obj, name, args, kwargs);
            }
        }
        throw new PyError("AttributeError", "'" + typeName(obj) + "' object has no attribute '" + name + "'");
    }

    static boolean callable(Object fn) {
        return fn instanceof TemplateFunction || fn instanceof Function || fn instanceof BiFunction
                || fn instanceof Supplier;
    }

    static Object call(Object fn, List<Object> args, Map<String, Object> kwargs) {
        if (!callable(fn)) {
            throw typeError("'" + typeName(fn) + "' object is not callable");
        }
        return TemplateFunction.of(fn).call(args, kwargs);
    }

    /**
     * {@code obj.name(args)}: a callable map entry, else a Python method of str/dict/list, else a public Java
     * method by name and arity, else a callable attribute.
     */
    static Object callMethod(Object obj, String name, List<Object> args, Map<String, Object> kwargs) {
        if (obj instanceof Map && ((Map<?, ?>) obj).containsKey(name)) {
            return call(((Map<?, ?>) obj).get(name), args, kwargs);
        }
        if (obj != null) {
            Object r = PyMethods.call(obj, name, args);
            if (r == Interop.NOT_FOUND) {
                r = Interop.invoke(obj, name, args);
            }
            if (r != Interop.NOT_FOUND) {
                if (!kwargs.isEmpty()) {
                    throw typeError(name + "() takes no keyword arguments");
                }
                return r;
            }
            Object attr = Interop.getProperty(obj, name);
            if (attr != Interop.NOT_FOUND) {
                return call(attr, args, kwargs);
            }
            if (Interop.hasMethod(obj, name) || PyMethods.has(obj, name)) {
                throw typeError(name + "() of '" + typeName(obj) + "' does not take " + args.size()
                        + " argument(s) of types " + Arrays.toString(args.stream().map(Py::typeName).toArray()));
            }
        }
        throw new PyError("AttributeError", "'" + typeName(obj) + "' object has no attribute '" + name + "'");
    }
}
