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
        List<?> positional = args instanceof Tuple ? (List<?>) args : java.util.Collections.singletonList(args);
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
            int flagsStart = i;
            while (i < n && "-+ 0#".indexOf(fmt.charAt(i)) >= 0) {
                i++;
            }
            String flags = fmt.substring(flagsStart, i);
            int sizeStart = i;
            while (i < n && (Character.isDigit(fmt.charAt(i)) || fmt.charAt(i) == '.')) {
                i++;
            }
            if (i >= n) {
                throw new PyError("ValueError", "incomplete format");
            }
            String size = fmt.substring(sizeStart, i);
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
                value = positional.get(next++);
            }
            try {
                out.append(convert(flags, size, conv, value));
            } catch (java.util.IllegalFormatException e) {
                throw new PyError("ValueError", "unsupported format %" + flags + size + conv);
            }
        }
        if (!(args instanceof Map) && next < positional.size()) {
            throw Py.typeError("not all arguments converted during string formatting");
        }
        return out.toString();
    }

    private static String convert(String flags, String size, char conv, Object value) {
        switch (conv) {
            case 's':
            case 'r':
                String text = conv == 's' ? Py.str(value) : Py.repr(value);
                return String.format("%" + (flags.contains("-") ? "-" : "") + size + "s", text);
            case 'd':
            case 'i':
            case 'x':
            case 'X':
            case 'o':
                requireNumber(value, conv);
                return String.format("%" + flags + size + (conv == 'i' ? 'd' : conv),
                        Py.isInt(value) ? Py.toLong(value) : (long) Py.toDouble(value));
            case 'f':
            case 'F':
            case 'e':
            case 'E':
            case 'g':
            case 'G':
                requireNumber(value, conv);
                String precision = size.contains(".") || conv == 'g' || conv == 'G' ? size : size + ".6";
                return String.format("%" + flags + precision + (conv == 'F' ? 'f' : conv), Py.toDouble(value));
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
