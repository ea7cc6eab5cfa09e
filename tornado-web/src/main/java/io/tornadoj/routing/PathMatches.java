package io.tornadoj.routing;

import io.tornadoj.escape.Escape;
import io.tornadoj.httputil.HTTPInputError;
import io.tornadoj.httputil.HTTPServerRequest;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Matches the request path against a regex (Tornado's {@code PathMatches}); a {@code $} is added if
 * missing, so patterns are anchored. Unnamed groups become positional arguments, named groups
 * ({@code (?<name>…)}, or Python's {@code (?P<name>…)}) keyword arguments; values are percent-decoded
 * as UTF-8, strictly (invalid bytes → the request gets 400). Simple patterns can be reversed into URLs.
 */
public class PathMatches implements Matcher {
    private static final Pattern GROUP_NAME = Pattern.compile("\\(\\?<([a-zA-Z][a-zA-Z0-9]*)>");
    private final Pattern regex;
    private final List<String> groupNames = new ArrayList<>();
    private final String reverseFormat;
    private final int groupCount;
    /** The path itself when the pattern has no regex syntax (e.g. {@code /}): matched without a regex. */
    private final String literal;

    /**
     * A path matcher.
     *
     * @param pathPattern the regex
     */
    public PathMatches(String pathPattern) {
        this(anchored(pathPattern.replace("(?P<", "(?<")));
    }

    /**
     * A path matcher for a compiled regex, used as it is (flags kept, no {@code $} added: as Tornado, which
     * anchors only patterns given as strings).
     *
     * @param pathPattern the regex
     */
    public PathMatches(Pattern pathPattern) {
        this.regex = pathPattern;
        String p = pathPattern.pattern();
        java.util.regex.Matcher names = GROUP_NAME.matcher(p);
        while (names.find()) {
            groupNames.add(names.group(1));
        }
        this.groupCount = regex.matcher("").groupCount();
        this.reverseFormat = findGroups(p, groupCount);
        String body = p.endsWith("$") ? p.substring(0, p.length() - 1) : null;
        this.literal = body == null || pathPattern.flags() != 0
                || body.chars().anyMatch(c -> "\\.[]{}()*+-?^$|".indexOf(c) >= 0) ? null : body;
    }

    private static Pattern anchored(String p) {
        return Pattern.compile(p.endsWith("$") ? p : p + "$");
    }

    /** @return the anchored regex */
    public Pattern regex() {
        return regex;
    }

    /** @return the arguments a handler's method takes: the named groups if any, else every group */
    public int groupCount() {
        return groupNames.isEmpty() ? groupCount : groupNames.size();
    }

    @Override
    public Match match(HTTPServerRequest request) {
        if (literal != null) {
            return literal.equals(request.path()) ? Match.EMPTY : null;
        }
        java.util.regex.Matcher m = regex.matcher(request.path());
        if (!m.lookingAt()) {
            return null;
        }
        if (groupCount == 0) {
            return Match.EMPTY;
        }
        if (!groupNames.isEmpty()) {
            Map<String, String> kwargs = new LinkedHashMap<>();
            for (String name : groupNames) {
                kwargs.put(name, unquote(m.group(name)));
            }
            return new Match(List.of(), kwargs);
        }
        List<String> args = new ArrayList<>(groupCount);
        for (int i = 1; i <= groupCount; i++) {
            args.add(unquote(m.group(i)));
        }
        return new Match(args, Map.of());
    }

    /**
     * Percent-decodes a group as UTF-8, strictly: bytes that are not UTF-8 make the request a 400 (as
     * Tornado's {@code decode_argument}), reported as an {@link HTTPInputError}.
     */
    private static String unquote(String s) {
        if (s == null || s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int hi;
            int lo;
            if (c == '%' && i + 2 < s.length()
                    && (hi = Character.digit(s.charAt(i + 1), 16)) >= 0 && (lo = Character.digit(s.charAt(i + 2), 16)) >= 0) {
                bytes.write(hi * 16 + lo);
                i += 2;
            } else {
                byte[] raw = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(raw, 0, raw.length);
            }
        }
        try {
            return Escape.toUnicode(bytes.toByteArray()); // strict: invalid UTF-8 is refused
        } catch (IllegalArgumentException e) {
            throw new HTTPInputError("Invalid unicode in path argument: " + s);
        }
    }

    /**
     * Builds the path for the given arguments, each percent-encoded.
     *
     * @param args one per group
     * @return the path
     * @throws IllegalArgumentException when the pattern is too complex to reverse or the count is wrong
     */
    @Override
    public String reverse(Object... args) {
        if (reverseFormat == null) {
            throw new IllegalArgumentException("Cannot reverse url regex " + regex.pattern());
        }
        if (args.length != groupCount) {
            throw new IllegalArgumentException("required number of arguments not found: " + groupCount + " for "
                    + regex.pattern());
        }
        if (args.length == 0) {
            return reverseFormat;
        }
        StringBuilder sb = new StringBuilder();
        int argIndex = 0;
        int from = 0;
        int at;
        while ((at = reverseFormat.indexOf('\u0000', from)) >= 0) {
            sb.append(reverseFormat, from, at).append(Escape.urlEscape(String.valueOf(args[argIndex++]), false));
            from = at + 1;
        }
        return sb.append(reverseFormat.substring(from)).toString();
    }

    /**
     * Tornado's {@code _find_groups}: the pattern with each group replaced by a placeholder (NUL), or null
     * when it is too complex (nested or non-capturing groups, escapes of letters, quantifiers, classes,
     * alternation outside groups).
     */
    private static String findGroups(String pattern, int groups) {
        String p = pattern;
        if (p.startsWith("^")) {
            p = p.substring(1);
        }
        if (p.endsWith("$")) {
            p = p.substring(0, p.length() - 1);
        }
        if (groups != p.chars().filter(c -> c == '(').count()) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        String[] fragments = p.split("\\(", -1);
        for (int i = 0; i < fragments.length; i++) {
            String fragment = fragments[i];
            int paren = fragment.indexOf(')');
            String literal;
            if (i > 0 && paren >= 0) {
                out.append('\u0000');
                literal = fragment.substring(paren + 1);
            } else if (i > 0) {
                return null;
            } else {
                literal = fragment;
            }
            String unescaped = reUnescape(literal);
            if (unescaped == null) {
                return null;
            }
            out.append(unescaped);
        }
        return out.toString();
    }

    /**
     * Removes backslash escapes of punctuation; null for a regex construct (e.g. \d) or a metacharacter other
     * than {@code .}. An unescaped dot is kept as is, as Tornado does: it matches itself, so
     * {@code /robots.txt} reverses to {@code /robots.txt}.
     */
    private static String reUnescape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                if (i + 1 >= s.length() || Character.isLetterOrDigit(s.charAt(i + 1))) {
                    return null;
                }
                sb.append(s.charAt(++i));
            } else if ("[]{}*+?|^$".indexOf(c) >= 0) {
                return null;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "PathMatches(" + regex.pattern() + ")";
    }
}
