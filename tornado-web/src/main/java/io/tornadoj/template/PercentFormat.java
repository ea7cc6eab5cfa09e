package io.tornadoj.template;

import java.util.List;
import java.util.Map;

/**
 * Python's {@code "..." % args} for the common conversions: {@code %s %r %d %i %f %e %g %x %o %c %%}, with
 * flags ({@code -+ 0#}), width and precision, and {@code %(name)s} taking values from a dict.
 */
final class PercentFormat {
    private PercentFormat() {
    }

    static String format(String fmt, Object args) {
        List<?> positional = args instanceof Tuple ? (List<?>) args : List.of(args == null ? "None" : args);
        boolean nullArg = args == null;
        StringBuilder out = new StringBuilder();
        int next = 0;
        int n = fmt.length();
        for (int i = 0; i < n; i++) {
            char c = fmt.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            if (++i >= n) {
                throw new PyError("ValueError", "incomplete format");
            }
            Object value;
            String key = null;
            if (fmt.charAt(i) == '(') {
                int close = fmt.indexOf(')', i);
                if (close < 0) {
                    throw new PyError("ValueError", "incomplete format key");
                }
                key = fmt.substring(i + 1, close);
                i = close + 1;
            }
            int specStart = i;
            while (i < n && "-+ 0#".indexOf(fmt.charAt(i)) >= 0) {
                i++;
            }
            while (i < n && (Character.isDigit(fmt.charAt(i)) || fmt.charAt(i) == '.')) {
                i++;
            }
            if (i >= n) {
                throw new PyError("ValueError", "incomplete format");
            }
            String spec = fmt.substring(specStart, i);
            char conv = fmt.charAt(i);
            if (conv == '%') {
                out.append('%');
                continue;
            }
            if (key != null) {
                if (!(args instanceof Map)) {
                    throw Py.typeError("format requires a mapping");
                }
                value = Py.getitem(args, key);
            } else {
                if (next >= positional.size()) {
                    throw Py.typeError("not enough arguments for format string");
                }
                value = nullArg ? null : positional.get(next++);
            }
            out.append(convert(spec, conv, value));
        }
        if (!(args instanceof Map) && next < positional.size()) {
            throw Py.typeError("not all arguments converted during string formatting");
        }
        return out.toString();
    }

    private static String convert(String spec, char conv, Object value) {
        switch (conv) {
            case 's':
                return String.format("%" + spec.replace("0", "") + "s", Py.str(value));
            case 'r':
                return String.format("%" + spec.replace("0", "") + "s", Py.repr(value));
            case 'd':
            case 'i':
            case 'x':
            case 'X':
            case 'o':
                requireNumber(value, conv);
                return String.format("%" + spec + (conv == 'i' ? 'd' : conv), (long) Py.toDouble(value));
            case 'f':
            case 'F':
            case 'e':
            case 'E':
            case 'g':
            case 'G':
                requireNumber(value, conv);
                return String.format("%" + (spec.contains(".") || conv == 'g' || conv == 'G' ? spec : spec + ".6")
                        + conv, Py.toDouble(value));
            case 'c':
                return value instanceof CharSequence ? value.toString()
                        : new String(Character.toChars((int) Py.toLong(value)));
            default:
                throw new PyError("ValueError", "unsupported format character '" + conv + "'");
        }
    }

    private static void requireNumber(Object value, char conv) {
        if (!Py.isNumber(value)) {
            throw Py.typeError("%" + conv + " format: a number is required, not " + Py.typeName(value));
        }
    }
}
