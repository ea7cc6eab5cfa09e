package io.tornadoj.template;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;
import java.util.Locale;
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
                        BigInteger.valueOf(Py.isInt(value) ? Py.toLong(value) : (long) Py.toDouble(value)));
            case 'f':
            case 'F':
            case 'e':
            case 'E':
            case 'g':
            case 'G':
                requireNumber(value, conv);
                return floating(flags, size, conv, Py.toDouble(value));
            case 'c':
                return value instanceof CharSequence ? value.toString()
                        : new String(Character.toChars((int) Py.toLong(value)));
            default:
                throw new PyError("ValueError", "unsupported format character '" + conv + "'");
        }
    }

    /**
     * {@code %f}, {@code %e} and {@code %g} as Python formats them: the exact binary value rounded half-even
     * (so {@code '%.2f' % 2.675} is {@code 2.67}); {@code %g} uses {@code %e} when the exponent is below -4 or
     * at least the precision, else {@code %f}, and drops trailing zeros unless {@code #}.
     */
    private static String floating(String flags, String size, char conv, double v) {
        int dot = size.indexOf('.');
        String width = dot < 0 ? size : size.substring(0, dot);
        int precision = dot < 0 ? 6 : dot + 1 == size.length() ? 0 : Integer.parseInt(size.substring(dot + 1));
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return pad(flags.replace("0", ""), width, "", Py.floatRepr(v));
        }
        String sign = v < 0 || (v == 0 && 1 / v < 0) ? "-" : flags.contains("+") ? "+" : flags.contains(" ") ? " " : "";
        BigDecimal exact = new BigDecimal(Math.abs(v));
        char lower = Character.toLowerCase(conv);
        String body;
        if (lower == 'f') {
            body = exact.setScale(precision, RoundingMode.HALF_EVEN).toPlainString();
        } else if (lower == 'e') {
            body = scientific(exact, precision);
        } else {
            int p = Math.max(precision, 1);
            int exp = exponent(exact, p);
            body = exp < -4 || exp >= p ? scientific(exact, p - 1)
                    : exact.setScale(p - 1 - exp, RoundingMode.HALF_EVEN).toPlainString();
            if (!flags.contains("#")) {
                int e = body.indexOf('e');
                body = e < 0 ? dropZeros(body) : dropZeros(body.substring(0, e)) + body.substring(e);
            }
        }
        return pad(flags, width, sign, Character.isUpperCase(conv) ? body.toUpperCase(Locale.ROOT) : body);
    }

    /** The decimal exponent of a non-negative value rounded to {@code digits} significant digits. */
    private static int exponent(BigDecimal exact, int digits) {
        if (exact.signum() == 0) {
            return 0;
        }
        BigDecimal r = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
        return r.precision() - r.scale() - 1;
    }

    /** {@code d.ddde+XX} with {@code precision} decimals. */
    private static String scientific(BigDecimal exact, int precision) {
        int exp = exponent(exact, precision + 1);
        String digits = exact.signum() == 0 ? "0"
                : exact.round(new MathContext(precision + 1, RoundingMode.HALF_EVEN)).unscaledValue().toString();
        digits = (digits + "0".repeat(precision + 1)).substring(0, precision + 1);
        String mantissa = precision == 0 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
    }

    private static String dropZeros(String s) {
        if (s.indexOf('.') < 0) {
            return s;
        }
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    private static String pad(String flags, String width, String sign, String body) {
        int w = width.isEmpty() ? 0 : Integer.parseInt(width);
        int fill = w - sign.length() - body.length();
        if (fill <= 0) {
            return sign + body;
        }
        if (flags.contains("-")) {
            return sign + body + " ".repeat(fill);
        }
        return flags.contains("0") ? sign + "0".repeat(fill) + body : " ".repeat(fill) + sign + body;
    }

    private static void requireNumber(Object value, char conv) {
        if (!Py.isNumber(value)) {
            throw Py.typeError("%" + conv + " format: a number is required, not " + Py.typeName(value));
        }
    }
}
