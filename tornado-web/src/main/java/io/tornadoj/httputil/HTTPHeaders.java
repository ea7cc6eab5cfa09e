package io.tornadoj.httputil;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Tornado's {@code HTTPHeaders}: case-insensitive, multi-valued, insertion-ordered headers. Names are
 * kept in Tornado's normalized form ({@code content-type} → {@code Content-Type}). A value containing CR
 * or LF is refused, so a header can never split a response. Not thread-safe.
 */
public class HTTPHeaders {
    private final Map<String, List<String>> values = new LinkedHashMap<>();
    private final Map<String, String> names = new LinkedHashMap<>();
    private String lastKey;

    /** Empty headers. */
    public HTTPHeaders() {
    }

    /**
     * Parses a header block ({@code Name: value} lines separated by CRLF or LF; continuation lines
     * that start with whitespace extend the previous value).
     *
     * @param headers the block
     * @return the headers
     * @throws IllegalArgumentException on a malformed line
     */
    public static HTTPHeaders parse(String headers) {
        HTTPHeaders h = new HTTPHeaders();
        for (String line : headers.split("\r?\n", -1)) {
            if (!line.isEmpty()) {
                h.parseLine(line);
            }
        }
        return h;
    }

    /**
     * Adds one header line ({@code Name: value}), or continues the previous value when it starts with
     * whitespace.
     *
     * @param line the line without its line ending
     * @throws IllegalArgumentException on a malformed line
     */
    public void parseLine(String line) {
        if (line.startsWith(" ") || line.startsWith("\t")) {
            if (lastKey == null) {
                throw new IllegalArgumentException("first header line cannot start with whitespace");
            }
            List<String> list = values.get(lastKey);
            if (list == null) {
                throw new IllegalArgumentException("continuation line for a removed header");
            }
            String part = stripHttpWhitespace(line);
            check(names.get(lastKey), part);
            int i = list.size() - 1;
            list.set(i, list.get(i) + " " + part);
            return;
        }
        int colon = line.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("no colon in header line: " + line);
        }
        add(line.substring(0, colon), stripHttpWhitespace(line.substring(colon + 1)));
    }

    /** Strips only HTTP whitespace (space and tab), as Tornado's {@code strip(HTTP_WHITESPACE)}. */
    private static String stripHttpWhitespace(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && (s.charAt(start) == ' ' || s.charAt(start) == '\t')) {
            start++;
        }
        while (end > start && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) {
            end--;
        }
        return s.substring(start, end);
    }

    /**
     * Tornado's header-name normalization: each dash-separated word capitalized.
     *
     * @param name a header name
     * @return the normalized name
     */
    static String normalize(String name) {
        StringBuilder sb = new StringBuilder(name.length());
        boolean upper = true;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            sb.append(upper ? Character.toUpperCase(c) : Character.toLowerCase(c));
            upper = c == '-';
        }
        return sb.toString();
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    private static void check(String name, String value) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("empty header name");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c == ':' || c >= 0x7f) {
                throw new IllegalArgumentException("invalid header name: " + name);
            }
        }
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("unsafe header value (CR or LF) for " + name);
        }
    }

    /**
     * Adds a value, keeping the ones already there.
     *
     * @param name  the header name
     * @param value the value
     * @throws IllegalArgumentException for a value with CR or LF, or an invalid name
     */
    public void add(String name, String value) {
        check(name, value);
        String k = key(name);
        values.computeIfAbsent(k, x -> new ArrayList<>(1)).add(value);
        if (!names.containsKey(k)) {
            names.put(k, normalize(name));
        }
        lastKey = k;
    }

    /**
     * Replaces every value of a header with one value.
     *
     * @param name  the header name
     * @param value the value
     * @throws IllegalArgumentException for a value with CR or LF, or an invalid name
     */
    public void set(String name, String value) {
        check(name, value);
        String k = key(name);
        List<String> list = new ArrayList<>(1);
        list.add(value);
        values.put(k, list);
        if (!names.containsKey(k)) {
            names.put(k, normalize(name));
        }
        lastKey = k;
    }

    /**
     * All values of a header joined with {@code ","} (as Tornado's {@code headers[name]}), or null.
     *
     * @param name the header name
     * @return the joined values, or null when absent
     */
    public String get(String name) {
        List<String> list = values.get(key(name));
        if (list == null) {
            return null;
        }
        return list.size() == 1 ? list.get(0) : String.join(",", list);
    }

    /**
     * As {@link #get(String)} with a default.
     *
     * @param name         the header name
     * @param defaultValue returned when absent
     * @return the joined values or the default
     */
    public String get(String name, String defaultValue) {
        String v = get(name);
        return v == null ? defaultValue : v;
    }

    /**
     * The first value of a header.
     *
     * @param name the header name
     * @return the value, or null
     */
    public String getFirst(String name) {
        List<String> list = values.get(key(name));
        return list == null ? null : list.get(0);
    }

    /**
     * Every value of a header (Tornado's {@code get_list}).
     *
     * @param name the header name
     * @return the values, empty when absent
     */
    public List<String> getList(String name) {
        List<String> list = values.get(key(name));
        return list == null ? List.of() : Collections.unmodifiableList(list);
    }

    /**
     * Removes every value of a header.
     *
     * @param name the header name
     * @return whether it was present
     */
    public boolean remove(String name) {
        String k = key(name);
        names.remove(k);
        return values.remove(k) != null;
    }

    /**
     * Whether a header is present.
     *
     * @param name the header name
     * @return true when it has a value
     */
    public boolean contains(String name) {
        return values.containsKey(key(name));
    }

    /**
     * The header names in insertion order, normalized.
     *
     * @return the names
     */
    public Set<String> names() {
        return Collections.unmodifiableSet(new java.util.LinkedHashSet<>(names.values()));
    }

    /**
     * Every (name, value) pair, a header with several values once per value (Tornado's {@code get_all}).
     *
     * @return the pairs in insertion order
     */
    public List<Map.Entry<String, String>> entries() {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : values.entrySet()) {
            String name = names.get(e.getKey());
            for (String v : e.getValue()) {
                out.add(new AbstractMap.SimpleImmutableEntry<>(name, v));
            }
        }
        return out;
    }

    /**
     * Whether there are no headers.
     *
     * @return true when empty
     */
    public boolean isEmpty() {
        return values.isEmpty();
    }

    /**
     * A copy that changes independently.
     *
     * @return the copy
     */
    public HTTPHeaders copy() {
        HTTPHeaders h = new HTTPHeaders();
        for (Map.Entry<String, String> e : entries()) {
            h.add(e.getKey(), e.getValue());
        }
        return h;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HTTPHeaders && ((HTTPHeaders) o).values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : entries()) {
            sb.append(e.getKey()).append(": ").append(e.getValue()).append("\r\n");
        }
        return sb.toString();
    }
}
