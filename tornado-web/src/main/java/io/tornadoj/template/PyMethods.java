package io.tornadoj.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The methods of Python's {@code str}, {@code dict} and {@code list} that templates commonly call, on
 * Java strings, maps and lists: {@code str.upper lower strip lstrip rstrip startswith endswith split join
 * replace capitalize title}, {@code dict.items keys values get}, {@code list.append index count}. They take
 * precedence over Java methods of the same name ({@code "a,b".split(",")} is literal, not a regex).
 */
final class PyMethods {
    private static final Set<String> STR = Set.of("upper", "lower", "strip", "lstrip", "rstrip", "startswith",
            "endswith", "split", "join", "replace", "capitalize", "title");
    private static final Set<String> DICT = Set.of("items", "keys", "values", "get");
    private static final Set<String> LIST = Set.of("append", "index", "count");

    private PyMethods() {
    }

    static boolean has(Object obj, String name) {
        return obj instanceof CharSequence ? STR.contains(name)
                : obj instanceof Map ? DICT.contains(name)
                : obj instanceof List && LIST.contains(name);
    }

    /** Calls the method, or returns {@link Interop#NOT_FOUND} when it is not one of these (or the arity differs). */
    static Object call(Object obj, String name, List<Object> args) {
        if (!has(obj, name)) {
            return Interop.NOT_FOUND;
        }
        int n = args.size();
        Object a = n > 0 ? args.get(0) : null;
        if (obj instanceof CharSequence) {
            String s = obj.toString();
            switch (name) {
                case "upper": return n == 0 ? s.toUpperCase(Locale.ROOT) : Interop.NOT_FOUND;
                case "lower": return n == 0 ? s.toLowerCase(Locale.ROOT) : Interop.NOT_FOUND;
                case "strip": return n == 0 ? s.strip() : n == 1 ? rstrip(lstrip(s, a), a) : Interop.NOT_FOUND;
                case "lstrip": return n <= 1 ? lstrip(s, a) : Interop.NOT_FOUND;
                case "rstrip": return n <= 1 ? rstrip(s, a) : Interop.NOT_FOUND;
                case "startswith": return n == 1 ? s.startsWith(Py.str(a)) : Interop.NOT_FOUND;
                case "endswith": return n == 1 ? s.endsWith(Py.str(a)) : Interop.NOT_FOUND;
                case "split": return n <= 2 ? split(s, a, n == 2 ? (int) Py.toLong(args.get(1)) : -1) : Interop.NOT_FOUND;
                case "join": return n == 1 ? join(s, a) : Interop.NOT_FOUND;
                case "replace": return n == 2 ? s.replace(Py.str(a), Py.str(args.get(1))) : Interop.NOT_FOUND;
                case "capitalize": return n == 0 ? capitalize(s) : Interop.NOT_FOUND;
                default: return n == 0 ? title(s) : Interop.NOT_FOUND;
            }
        }
        if (obj instanceof Map) {
            Map<?, ?> m = (Map<?, ?>) obj;
            switch (name) {
                case "items": {
                    if (n != 0) {
                        return Interop.NOT_FOUND;
                    }
                    List<Object> items = new ArrayList<>(m.size());
                    m.forEach((k, v) -> items.add(new Tuple(k, v)));
                    return items;
                }
                case "keys": return n == 0 ? new ArrayList<Object>(m.keySet()) : Interop.NOT_FOUND;
                case "values": return n == 0 ? new ArrayList<Object>(m.values()) : Interop.NOT_FOUND;
                default:
                    if (n == 0 || n > 2) {
                        return Interop.NOT_FOUND;
                    }
                    return m.containsKey(a) ? m.get(a) : n == 2 ? args.get(1) : null;
            }
        }
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) obj;
        if (n != 1) {
            return Interop.NOT_FOUND;
        }
        switch (name) {
            case "append":
                list.add(a);
                return null;
            case "count":
                return list.stream().filter(x -> Py.eq(x, a)).count();
            default:
                for (int i = 0; i < list.size(); i++) {
                    if (Py.eq(list.get(i), a)) {
                        return (long) i;
                    }
                }
                throw new PyError("ValueError", Py.repr(a) + " is not in list");
        }
    }

    private static String lstrip(String s, Object chars) {
        if (chars == null) {
            return s.stripLeading();
        }
        String c = Py.str(chars);
        int i = 0;
        while (i < s.length() && c.indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        return s.substring(i);
    }

    private static String rstrip(String s, Object chars) {
        if (chars == null) {
            return s.stripTrailing();
        }
        String c = Py.str(chars);
        int i = s.length();
        while (i > 0 && c.indexOf(s.charAt(i - 1)) >= 0) {
            i--;
        }
        return s.substring(0, i);
    }

    private static List<Object> split(String s, Object sep, int max) {
        List<Object> out = new ArrayList<>();
        if (sep == null) {
            for (String part : s.strip().split("\\s+", max < 0 ? 0 : max + 1)) {
                if (!part.isEmpty()) {
                    out.add(part);
                }
            }
            return out;
        }
        String d = Py.str(sep);
        if (d.isEmpty()) {
            throw new PyError("ValueError", "empty separator");
        }
        int start = 0;
        int i;
        while ((max < 0 || out.size() < max) && (i = s.indexOf(d, start)) >= 0) {
            out.add(s.substring(start, i));
            start = i + d.length();
        }
        out.add(s.substring(start));
        return out;
    }

    private static String join(String sep, Object items) {
        StringBuilder sb = new StringBuilder();
        boolean first = true;
        for (Object o : Py.iterate(items)) {
            if (!(o instanceof CharSequence)) {
                throw Py.typeError("sequence item: expected str instance, " + Py.typeName(o) + " found");
            }
            if (!first) {
                sb.append(sep);
            }
            first = false;
            sb.append(o);
        }
        return sb.toString();
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
    }

    private static String title(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean start = true;
        for (char c : s.toCharArray()) {
            sb.append(start ? Character.toUpperCase(c) : Character.toLowerCase(c));
            start = !Character.isLetter(c);
        }
        return sb.toString();
    }
}
