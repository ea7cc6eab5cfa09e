package io.tornadoj.httputil;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Tornado's {@code HTTPHeaders}: case-insensitive, multi-valued, insertion-ordered headers. Names are
 * kept in Tornado's normalized form ({@code content-type} → {@code Content-Type}). A value containing CR
 * or LF is refused, so a header can never split a response. Not thread-safe.
 */
public class HTTPHeaders {
    /** Lower-case forms of frequent names (as Netty and HTTP/2-era peers send them) → normalized. */
    private static final Map<String, String> COMMON_NAMES = new HashMap<>();

    static {
        for (String n : new String[] {"Accept", "Accept-Encoding", "Accept-Language", "Accept-Ranges", "Age",
                "Authorization", "Cache-Control", "Connection", "Content-Disposition", "Content-Encoding",
                "Content-Language", "Content-Length", "Content-Range", "Content-Type", "Cookie", "Date", "Etag",
                "Expect", "Expires", "Host", "If-Modified-Since", "If-None-Match", "Keep-Alive", "Last-Modified",
                "Location", "Origin", "Pragma", "Range", "Referer", "Server", "Set-Cookie", "Transfer-Encoding",
                "Upgrade", "User-Agent", "Vary", "Via", "X-Forwarded-For", "X-Forwarded-Proto", "X-Real-Ip",
                "X-Requested-With"}) {
            COMMON_NAMES.put(n.toLowerCase(Locale.ROOT), n);
        }
    }

    /** Above this many names, lookups go through {@link #index} instead of a scan. */
    private static final int SCAN_LIMIT = 16;

    /** One header name (normalized) and its values, in insertion order. */
    private static final class Field {
        final String name;
        /** The first value. */
        String value;
        /** The values after the first, or null (most headers have one value). */
        List<String> more;

        Field(String name) {
            this.name = name;
        }

        void add(String v) {
            if (value == null) {
                value = v;
            } else {
                if (more == null) {
                    more = new ArrayList<>(2);
                }
                more.add(v);
            }
        }

        List<String> values() {
            if (more == null) {
                return List.of(value);
            }
            List<String> all = new ArrayList<>(1 + more.size());
            all.add(value);
            all.addAll(more);
            return all;
        }
    }

    /** Insertion order. Requests and responses carry few headers, so a scan beats hashing. */
    private final List<Field> fields = new ArrayList<>(8);
    /** Lower-cased name → field, built once there are more than {@link #SCAN_LIMIT} names. */
    private Map<String, Field> index;
    /** The field the last line added to (continuation lines extend it); null when none or removed. */
    private Field last;
    private boolean lastRemoved;

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
            if (lastRemoved) {
                throw new IllegalArgumentException("continuation line for a removed header");
            }
            if (last == null) {
                throw new IllegalArgumentException("first header line cannot start with whitespace");
            }
            String part = stripHttpWhitespace(line);
            check(last.name, part);
            if (last.more == null) {
                last.value = last.value + " " + part;
            } else {
                int i = last.more.size() - 1;
                last.more.set(i, last.more.get(i) + " " + part);
            }
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
        if (isNormalized(name)) {
            return name;
        }
        String common = COMMON_NAMES.get(name);
        if (common != null) {
            return common; // e.g. Netty's lower-case names: no new string per header
        }
        StringBuilder sb = new StringBuilder(name.length());
        boolean upper = true;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            sb.append(upper ? Character.toUpperCase(c) : Character.toLowerCase(c));
            upper = c == '-';
        }
        return sb.toString();
    }

    private static boolean isNormalized(String name) {
        boolean upper = true;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c != (upper ? Character.toUpperCase(c) : Character.toLowerCase(c))) {
                return false;
            }
            upper = c == '-';
        }
        return true;
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    private Field find(String name) {
        if (index != null) {
            return index.get(key(name));
        }
        for (int i = 0, n = fields.size(); i < n; i++) {
            Field f = fields.get(i);
            if (f.name.equalsIgnoreCase(name)) {
                return f;
            }
        }
        return null;
    }

    /** The field for a (checked) name, created at the end when absent. */
    private Field field(String name) {
        Field f = find(name);
        if (f == null) {
            f = new Field(normalize(name));
            fields.add(f);
            if (index != null) {
                index.put(key(name), f);
            } else if (fields.size() > SCAN_LIMIT) {
                index = new HashMap<>();
                for (Field g : fields) {
                    index.put(key(g.name), g);
                }
            }
        }
        last = f;
        lastRemoved = false;
        return f;
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
        field(name).add(value);
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
        Field f = field(name);
        f.value = value;
        f.more = null;
    }

    /**
     * All values of a header joined with {@code ","} (as Tornado's {@code headers[name]}), or null.
     *
     * @param name the header name
     * @return the joined values, or null when absent
     */
    public String get(String name) {
        Field f = find(name);
        if (f == null) {
            return null;
        }
        return f.more == null ? f.value : String.join(",", f.values());
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
        Field f = find(name);
        return f == null ? null : f.value;
    }

    /**
     * Every value of a header (Tornado's {@code get_list}).
     *
     * @param name the header name
     * @return the values, empty when absent
     */
    public List<String> getList(String name) {
        Field f = find(name);
        return f == null ? List.of() : Collections.unmodifiableList(f.values());
    }

    /**
     * Removes every value of a header.
     *
     * @param name the header name
     * @return whether it was present
     */
    public boolean remove(String name) {
        Field f = find(name);
        if (f == null) {
            return false;
        }
        fields.remove(f);
        if (index != null) {
            index.remove(key(name));
        }
        if (f == last) {
            last = null;
            lastRemoved = true;
        }
        return true;
    }

    /**
     * Whether a header is present.
     *
     * @param name the header name
     * @return true when it has a value
     */
    public boolean contains(String name) {
        return find(name) != null;
    }

    /**
     * The header names in insertion order, normalized.
     *
     * @return the names
     */
    public Set<String> names() {
        Set<String> out = new LinkedHashSet<>();
        for (Field f : fields) {
            out.add(f.name);
        }
        return Collections.unmodifiableSet(out);
    }

    /**
     * Every (name, value) pair, a header with several values once per value (Tornado's {@code get_all}).
     *
     * @return the pairs in insertion order
     */
    public List<Map.Entry<String, String>> entries() {
        List<Map.Entry<String, String>> out = new ArrayList<>(fields.size());
        for (Field f : fields) {
            out.add(new AbstractMap.SimpleImmutableEntry<>(f.name, f.value));
            if (f.more != null) {
                for (String v : f.more) {
                    out.add(new AbstractMap.SimpleImmutableEntry<>(f.name, v));
                }
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
        return fields.isEmpty();
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
        if (!(o instanceof HTTPHeaders) || ((HTTPHeaders) o).fields.size() != fields.size()) {
            return false;
        }
        for (Field f : fields) {
            Field g = ((HTTPHeaders) o).find(f.name);
            if (g == null || !g.value.equals(f.value) || !Objects.equals(g.more, f.more)) {
                return false;
            }
        }
        return true; // as maps: the same names with the same values, in any order
    }

    @Override
    public int hashCode() {
        int h = 0;
        for (Field f : fields) {
            h += key(f.name).hashCode() ^ f.values().hashCode();
        }
        return h;
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
