package io.tornadoj.httputil;

import io.tornadoj.escape.Escape;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Static helpers of Tornado's {@code tornado.httputil} module: URL building, form body parsing
 * ({@code application/x-www-form-urlencoded} and {@code multipart/form-data}), HTTP dates, host/port
 * splitting, cookie parsing and start-line parsing.
 *
 * <p>Every method is a pure function of its arguments (apart from appending to the maps it is given and
 * logging a warning on {@code tornado.general}); all may be called from any thread.
 */
public final class HTTPUtil {
    /** The most parts a {@code multipart/form-data} body may have (Tornado's {@code ParseMultipartConfig.max_parts}). */
    static final int MAX_MULTIPART_PARTS = 100;

    /** The largest header block of one multipart part, in bytes (Tornado's {@code max_part_header_size}). */
    static final int MAX_MULTIPART_PART_HEADER_SIZE = 10 * 1024;

    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);


    private static final Pattern HTTP1_VERSION = Pattern.compile("HTTP/1\\.[0-9]");

    private static final Pattern STATUS_LINE = Pattern.compile("([^ ]+) ([0-9]{3})(?: (.*))?", Pattern.DOTALL);

    /** RFC 2231 parameter names: {@code name*}, {@code name*0}, {@code name*0*}. */
    private static final Pattern RFC2231_NAME = Pattern.compile("(\\w+)\\*(?:([0-9]+)\\*?)?");

    private HTTPUtil() {
    }

    // ------------------------------------------------------------------------------------------------
    // url_concat

    /**
     * Adds query arguments to a URL, whether or not it already has a query (Tornado's {@code url_concat}).
     *
     * <p>As in Tornado, the existing query is re-parsed (blank values kept, so {@code ?x} becomes
     * {@code ?x=}) and re-encoded together with the new arguments in {@code quote_plus} form
     * ({@code ' '} → {@code +}, {@code /} → {@code %2F}); the fragment is kept at the end. A value may be a
     * {@code String}, any other object (its {@code toString()}), a {@code null} (an empty value) or a
     * {@code Collection} or array of those (the key is repeated once per element, in order).
     *
     * <pre>{@code
     * urlConcat("http://example.com/foo?a=b", Map.of("c", "d"))      // http://example.com/foo?a=b&c=d
     * urlConcat("http://example.com/foo", Map.of("c", List.of("d", "d2")))  // ...foo?c=d&c=d2
     * }</pre>
     *
     * <p>Thread-safety: any thread (pure function).
     *
     * @param url  the URL, with or without a query and fragment
     * @param args the arguments to append, in the map's iteration order; null or empty returns {@code url}
     *             unchanged
     * @return the new URL
     */
    public static String urlConcat(String url, Map<String, ?> args) {
        if (args == null || args.isEmpty()) {
            return url;
        }
        String rest = url;
        String fragment = "";
        int hash = rest.indexOf('#');
        if (hash >= 0) {
            fragment = rest.substring(hash + 1);
            rest = rest.substring(0, hash);
        }
        String query = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        List<String[]> pairs = parseQueryLenient(query);
        for (Map.Entry<String, ?> e : args.entrySet()) {
            String name = e.getKey();
            Object v = e.getValue();
            if (v instanceof Collection<?> c) {
                for (Object o : c) {
                    pairs.add(new String[] {name, valueString(o)});
                }
            } else if (v instanceof Object[] arr) {
                for (Object o : arr) {
                    pairs.add(new String[] {name, valueString(o)});
                }
            } else {
                pairs.add(new String[] {name, valueString(v)});
            }
        }
        StringBuilder sb = new StringBuilder(url.length() + 16 * pairs.size());
        sb.append(rest);
        boolean first = true;
        for (String[] p : pairs) {
            sb.append(first ? '?' : '&');
            first = false;
            quote(sb, String.valueOf(p[0]), true, false);
            sb.append('=');
            quote(sb, p[1], true, false);
        }
        if (!fragment.isEmpty()) {
            sb.append('#').append(fragment);
        }
        return sb.toString();
    }

    private static String valueString(Object o) {
        return o == null ? "" : o.toString();
    }

    /** Python's {@code parse_qsl(qs, keep_blank_values=True)}: lenient, bad escapes kept, bad UTF-8 replaced. */
    private static List<String[]> parseQueryLenient(String qs) {
        List<String[]> out = new ArrayList<>();
        if (qs.isEmpty()) {
            return out;
        }
        for (String field : qs.split("&", -1)) {
            if (field.isEmpty()) {
                continue;
            }
            int eq = field.indexOf('=');
            String name = eq < 0 ? field : field.substring(0, eq);
            String value = eq < 0 ? "" : field.substring(eq + 1);
            out.add(new String[] {Escape.urlUnescape(name, true), Escape.urlUnescape(value, true)});
        }
        return out;
    }

    static int hexValue(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /**
     * Python's {@code quote}/{@code quote_plus}: UTF-8 bytes, {@code A-Za-z0-9_.-~} kept, everything else
     * {@code %XX} (upper case); with {@code plus} a space becomes {@code +}; with {@code keepSlash} {@code /}
     * is kept.
     *
     * @param sb        where to append
     * @param s         the text
     * @param plus      quote_plus semantics
     * @param keepSlash keep {@code /} (quote's default safe set)
     */
    static void quote(StringBuilder sb, String s, boolean plus, boolean keepSlash) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '.' || c == '-' || c == '~' || (keepSlash && c == '/')) {
                sb.append((char) c);
            } else if (plus && c == ' ') {
                sb.append('+');
            } else {
                sb.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // query strings and form bodies

    /**
     * Parses a query string or urlencoded body into an insertion-ordered map of name → values
     * (Python's {@code parse_qs(qs, keep_blank_values=True)} followed by Tornado's strict UTF-8 decoding of
     * arguments).
     *
     * <p>Fields are separated by {@code &} (empty fields are skipped); a field without {@code =} has the
     * value {@code ""}; {@code +} is a space; {@code %XX} escapes are decoded to bytes. Characters up to
     * U+00FF stand for the byte of the same value (how the wire's bytes reach us, as in Tornado, which decodes
     * the request line as Latin-1); any higher character is taken as UTF-8. The bytes of each name and value
     * are then decoded as strict UTF-8.
     *
     * @param qs the query string without {@code ?} (null or empty gives an empty map)
     * @return name → values, in order of first appearance
     * @throws HTTPInputError for a malformed {@code %} escape or invalid UTF-8
     */
    static Map<String, List<String>> parseQueryString(String qs) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (qs == null || qs.isEmpty()) {
            return out;
        }
        int n = qs.length();
        int start = 0;
        while (start <= n) {
            int amp = qs.indexOf('&', start);
            int end = amp < 0 ? n : amp;
            if (end > start) {
                int eq = qs.indexOf('=', start);
                String name;
                String value;
                if (eq < 0 || eq >= end) {
                    name = decodeQueryComponent(qs, start, end);
                    value = "";
                } else {
                    name = decodeQueryComponent(qs, start, eq);
                    value = decodeQueryComponent(qs, eq + 1, end);
                }
                out.computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
            }
            if (amp < 0) {
                break;
            }
            start = amp + 1;
        }
        return out;
    }

    private static String decodeQueryComponent(String s, int from, int to) {
        boolean plain = true;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '%' || c == '+' || c >= 0x80) {
                plain = false;
                break;
            }
        }
        if (plain) {
            return s.substring(from, to);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(to - from);
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '+') {
                bytes.write(' ');
            } else if (c == '%') {
                if (i + 2 >= to) {
                    throw new HTTPInputError("Malformed percent-escape in query string: "
                            + abbreviate(s.substring(i, to)));
                }
                int hi = hexValue(s.charAt(i + 1));
                int lo = hexValue(s.charAt(i + 2));
                if (hi < 0 || lo < 0) {
                    throw new HTTPInputError("Malformed percent-escape in query string: "
                            + abbreviate(s.substring(i, Math.min(to, i + 3))));
                }
                bytes.write(hi * 16 + lo);
                i += 2;
            } else if (c <= 0xff) {
                bytes.write(c);
            } else {
                int end = i + 1;
                if (Character.isHighSurrogate(c) && end < to && Character.isLowSurrogate(s.charAt(end))) {
                    end++;
                }
                byte[] b = s.substring(i, end).getBytes(StandardCharsets.UTF_8);
                bytes.write(b, 0, b.length);
                i = end - 1;
            }
        }
        return decodeUtf8Strict(bytes.toByteArray(), "query argument");
    }

    static String decodeUtf8Strict(byte[] bytes, String what) {
        try {
            return Escape.toUnicode(bytes); // strict: invalid UTF-8 is refused
        } catch (IllegalArgumentException e) {
            throw new HTTPInputError("Invalid UTF-8 in " + what);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    /**
     * Parses a form request body into {@code arguments} and {@code files} (Tornado's
     * {@code parse_body_arguments}).
     *
     * <p>Supports {@code application/x-www-form-urlencoded} (see {@link #parseQueryString}: UTF-8, {@code +}
     * is a space, blank values kept) and {@code multipart/form-data} (the {@code boundary} parameter, quoted or
     * not; see {@link #parseMultipartFormData}). Any other content type (or null) leaves the maps unchanged.
     * For the two form types, a {@code Content-Encoding} header other than {@code identity} is refused, since
     * the body would still be compressed. Values are appended to the lists already in the maps, in order.
     *
     * <p>Thread-safety: any thread (pure function apart from filling the given maps, which the caller owns).
     *
     * @param contentType the request's {@code Content-Type}
     * @param body        the request body
     * @param arguments   receives name → values
     * @param files       receives name → uploaded files
     * @param headers     the request headers, or null
     * @throws HTTPInputError on an unsupported {@code Content-Encoding}, a malformed body, or invalid UTF-8
     */
    public static void parseBodyArguments(String contentType, byte[] body, Map<String, List<String>> arguments,
                                          Map<String, List<HTTPFile>> files, HTTPHeaders headers) {
        if (contentType == null) {
            return;
        }
        String lower = contentType.toLowerCase(Locale.ROOT);
        boolean urlencoded = lower.startsWith("application/x-www-form-urlencoded");
        boolean multipart = lower.startsWith("multipart/form-data");
        if (!urlencoded && !multipart) {
            return;
        }
        if (headers != null && headers.contains("Content-Encoding")) {
            String enc = headers.get("Content-Encoding");
            if (!enc.strip().equalsIgnoreCase("identity")) {
                throw new HTTPInputError("Unsupported Content-Encoding: " + enc);
            }
        }
        byte[] data = body == null ? new byte[0] : body;
        if (urlencoded) {
            Map<String, List<String>> parsed;
            try {
                parsed = parseQueryString(new String(data, StandardCharsets.ISO_8859_1));
            } catch (HTTPInputError e) {
                throw new HTTPInputError("Invalid x-www-form-urlencoded body: " + e.getMessage());
            }
            for (Map.Entry<String, List<String>> e : parsed.entrySet()) {
                arguments.computeIfAbsent(e.getKey(), k -> new ArrayList<>(e.getValue().size()))
                        .addAll(e.getValue());
            }
            return;
        }
        parseMultipartFormData(multipartBoundary(contentType).getBytes(StandardCharsets.UTF_8), data, arguments, files);
    }

    /** The {@code boundary} parameter of a {@code multipart/form-data} Content-Type, as given (maybe quoted). */
    static String multipartBoundary(String contentType) {
        String[] fields = contentType.split(";", -1);
        if (!fields[0].strip().equalsIgnoreCase("multipart/form-data")) {
            // e.g. "multipart/form-dataxyz"
            throw new HTTPInputError("Invalid multipart/form-data: Invalid content type");
        }
        for (String field : fields) {
            String f = field.strip();
            int eq = f.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String k = f.substring(0, eq);
            String v = f.substring(eq + 1);
            if (k.equalsIgnoreCase("boundary") && !v.isEmpty()) {
                return v;
            }
        }
        throw new HTTPInputError("Invalid multipart/form-data: multipart boundary not found");
    }

    /**
     * Parses a {@code multipart/form-data} body (Tornado's {@code parse_multipart_form_data}).
     *
     * <p>The whole body through {@link MultipartStreamParser} (one implementation of the rules for both).
     * The boundary may be given quoted ({@code "1234"}). Everything after the first final boundary
     * ({@code --boundary--}) is ignored (Tornado takes the last one; see {@link MultipartStreamParser}). Each
     * part's headers are decoded as UTF-8; its {@code Content-Disposition} parameters are parsed as Tornado
     * does (quoted or bare values, backslash escapes, RFC 2231/5987 {@code filename*=UTF-8''...}). A part with
     * a non-empty {@code filename} goes to {@code files} as
     * {@code HTTPFile(filename, body, Content-Type or "application/unknown")}; any other part
     * goes to {@code arguments}, its body decoded as strict UTF-8.
     *
     * <p>A part whose disposition is not {@code form-data}, or that has no {@code name}, is skipped with a
     * warning on the {@code tornado.general} logger. These are errors ({@link HTTPInputError}): no final
     * boundary, a part without a header block or not ending in CRLF, a control character in a part header
     * ({@code Invalid header value}), invalid UTF-8 in a header or argument value, more than 100 parts, or a
     * part header block over 10 KiB (Tornado 6.5's default limits).
     *
     * <p>Thread-safety: any thread (pure function apart from filling the given maps, which the caller owns).
     *
     * @param boundary  the boundary from the content type, possibly quoted
     * @param data      the body
     * @param arguments receives name → values
     * @param files     receives name → uploaded files
     * @throws HTTPInputError when the body is malformed
     */
    public static void parseMultipartFormData(byte[] boundary, byte[] data, Map<String, List<String>> arguments,
                                              Map<String, List<HTTPFile>> files) {
        Map<String, List<HTTPFile>> newFiles = new LinkedHashMap<>();
        MultipartStreamParser parser = new MultipartStreamParser(boundary, new MultipartStreamParser.Listener() {
            private final ByteArrayOutputStream body = new ByteArrayOutputStream();

            @Override
            public CompletionStage<?> partData(MultipartStreamParser.Part part, byte[] chunk) {
                body.writeBytes(chunk);
                return null;
            }

            @Override
            public CompletionStage<?> partEnd(MultipartStreamParser.Part part) {
                newFiles.computeIfAbsent(part.name(), k -> new ArrayList<>(1))
                        .add(new HTTPFile(part.filename(), body.toByteArray(), part.contentType()));
                body.reset();
                return null;
            }
        }, Long.MAX_VALUE);
        // the listener completes at once: so do the stages
        try {
            parser.feed(data).toCompletableFuture().join();
            parser.finish().toCompletableFuture().join();
        } catch (CompletionException e) {
            throw (HTTPInputError) e.getCause();
        }
        // nothing reaches the caller's maps unless the whole body is valid
        parser.arguments().forEach((k, v) -> arguments.computeIfAbsent(k, x -> new ArrayList<>(v.size())).addAll(v));
        newFiles.forEach((k, v) -> files.computeIfAbsent(k, x -> new ArrayList<>(v.size())).addAll(v));
    }

    static String quoteForMessage(String s) {
        StringBuilder sb = new StringBuilder("'");
        String t = abbreviate(s);
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('\'').toString();
    }

    // -- Content-Disposition / Content-Type parameter parsing (Tornado's _parse_header) -----------------

    /**
     * Parses a {@code Content-Type}-like header: returns the main value and fills {@code params} with the
     * parameters (names lower-cased; values unquoted; RFC 2231 {@code name*} forms decoded and preferred).
     */
    static String parseHeader(String line, Map<String, String> params) {
        List<String> parts = splitParams(line);
        String key = parts.get(0);
        Map<String, List<Object[]>> rfc2231 = new LinkedHashMap<>();
        for (int i = 1; i < parts.size(); i++) {
            String p = parts.get(i);
            int eq = p.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String name = p.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            String value = unquoteParam(p.substring(eq + 1).strip());
            Matcher m = RFC2231_NAME.matcher(name);
            if (m.matches()) {
                int num = m.group(2) == null ? -1 : parseIntCapped(m.group(2));
                rfc2231.computeIfAbsent(m.group(1), k -> new ArrayList<>())
                        .add(new Object[] {num, value, name.endsWith("*")});
            } else {
                params.put(name, value);
            }
        }
        for (Map.Entry<String, List<Object[]>> e : rfc2231.entrySet()) {
            List<Object[]> conts = e.getValue();
            conts.sort((x, y) -> Integer.compare((Integer) x[0], (Integer) y[0]));
            StringBuilder joined = new StringBuilder();
            boolean extended = false;
            for (Object[] c : conts) {
                String s = (String) c[1];
                if ((Boolean) c[2]) {
                    s = unquoteLatin1(s);
                    extended = true;
                }
                joined.append(s);
            }
            String value = joined.toString();
            if (extended) {
                value = decodeRfc2231(value);
            }
            params.put(e.getKey(), value);
        }
        for (Map.Entry<String, String> e : params.entrySet()) {
            String v = e.getValue();
            if (v.length() >= 2 && v.charAt(0) == '"' && v.charAt(v.length() - 1) == '"') {
                e.setValue(v.substring(1, v.length() - 1));
            }
        }
        return key;
    }

    private static int parseIntCapped(String digits) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }

    /** Splits on {@code ;} outside double-quoted strings (a backslash escapes the next character inside quotes). */
    private static List<String> splitParams(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inQuotes = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (inQuotes && c == '\\' && i + 1 < s.length()) {
                cur.append(c).append(s.charAt(++i));
            } else if (c == '"') {
                inQuotes = !inQuotes;
                cur.append(c);
            } else if (c == ';' && !inQuotes) {
                out.add(cur.toString().strip());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString().strip());
        return out;
    }

    /** email.utils.unquote: strips surrounding quotes (undoing {@code \\} and {@code \"}) or angle brackets. */
    private static String unquoteParam(String s) {
        if (s.length() > 1) {
            if (s.charAt(0) == '"' && s.charAt(s.length() - 1) == '"') {
                StringBuilder sb = new StringBuilder(s.length());
                for (int i = 1; i < s.length() - 1; i++) {
                    char c = s.charAt(i);
                    if (c == '\\' && i + 1 < s.length() - 1 && (s.charAt(i + 1) == '\\' || s.charAt(i + 1) == '"')) {
                        sb.append(s.charAt(++i));
                    } else {
                        sb.append(c);
                    }
                }
                return sb.toString();
            }
            if (s.charAt(0) == '<' && s.charAt(s.length() - 1) == '>') {
                return s.substring(1, s.length() - 1);
            }
        }
        return s;
    }

    /** Percent-decodes so that each {@code %XX} becomes the character U+00XX (malformed escapes kept). */
    private static String unquoteLatin1(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length() && hexValue(s.charAt(i + 1)) >= 0 && hexValue(s.charAt(i + 2)) >= 0) {
                sb.append((char) (hexValue(s.charAt(i + 1)) * 16 + hexValue(s.charAt(i + 2))));
                i += 2;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Decodes {@code charset'language'text} (text already percent-decoded to U+0000..U+00FF "bytes"). */
    private static String decodeRfc2231(String value) {
        String[] parts = value.split("'", 3);
        String charsetName;
        String text;
        if (parts.length < 3) {
            charsetName = "us-ascii";
            text = value;
        } else {
            charsetName = parts[0];
            text = parts[2];
        }
        Charset cs;
        try {
            cs = Charset.forName(charsetName);
        } catch (IllegalArgumentException e) { // illegal or unsupported name
            return text;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= 0xff) {
                bytes.write(c);
            } else {
                byte[] u = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(u, 0, u.length);
            }
        }
        try {
            return cs.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) { // not with REPLACE
            return text;
        }
    }

    // -- byte search ------------------------------------------------------------------------------------

    /** Knuth-Morris-Pratt failure table: searches stay linear whatever boundary a client picks. */
    static int[] kmpTable(byte[] needle) {
        int[] table = new int[needle.length];
        int k = 0;
        for (int i = 1; i < needle.length; i++) {
            while (k > 0 && needle[i] != needle[k]) {
                k = table[k - 1];
            }
            if (needle[i] == needle[k]) {
                k++;
            }
            table[i] = k;
        }
        return table;
    }

    /** First index of {@code needle} in {@code hay[from, to)} (the whole needle inside the range), or -1. */
    static int indexOf(byte[] hay, byte[] needle, int[] table, int from, int to) {
        int k = 0;
        for (int i = from; i < to; i++) {
            while (k > 0 && hay[i] != needle[k]) {
                k = table[k - 1];
            }
            if (hay[i] == needle[k]) {
                k++;
                if (k == needle.length) {
                    return i - needle.length + 1;
                }
            }
        }
        return -1;
    }

    // ------------------------------------------------------------------------------------------------
    // dates, hosts, cookies, start lines

    /**
     * Formats a time the way HTTP headers do (RFC 7231 IMF-fixdate, Tornado's {@code format_timestamp}), e.g.
     * {@code Sun, 06 Nov 1994 08:49:37 GMT}: English names, GMT, two-digit day, fractions of a second dropped.
     *
     * <p>Thread-safety: any thread (pure function).
     *
     * @param ts the time
     * @return the formatted date
     */
    public static String formatTimestamp(Instant ts) {
        return HTTP_DATE.format(ts);
    }

    /**
     * A host and optional port, as returned by {@link #splitHostAndPort(String)}.
     *
     * @param host the host part (IPv6 literals keep their brackets)
     * @param port the port, or null when the netloc has none
     */
    public record HostAndPort(String host, Integer port) {
    }

    /**
     * Splits a {@code host:port} network location (Tornado's {@code split_host_and_port}).
     *
     * <p>Exactly Tornado's rule, the regex {@code ^(.+):(\d+)$}: the port is the digits after the
     * <em>last</em> colon, the host everything before it, unchanged. So {@code "[::1]:8080"} gives host
     * {@code "[::1]"} (brackets kept) and port 8080, {@code "[::1]"} gives host {@code "[::1]"} and no port, and
     * a bare IPv6 address such as {@code "::1"} is (as in Tornado) split into host {@code ":"} and port 1. When
     * nothing matches — or the digits do not fit in an {@code int} — the whole netloc is the host and the port
     * is null. The port's range is not checked.
     *
     * <p>Thread-safety: any thread (pure function).
     *
     * @param netloc e.g. {@code example.com:8080}
     * @return the host and port (port null when absent)
     */
    public static HostAndPort splitHostAndPort(String netloc) {
        // Tornado's regex ^(.+):(\d+)$ by hand (this runs for every request): the last colon, digits after
        // it to the end, at least one character before it, and no line terminator (regex '.') in the host.
        int colon = netloc.lastIndexOf(':');
        if (colon <= 0 || colon == netloc.length() - 1) {
            return new HostAndPort(netloc, null);
        }
        for (int i = colon + 1; i < netloc.length(); i++) {
            char c = netloc.charAt(i);
            if (c < '0' || c > '9') {
                return new HostAndPort(netloc, null);
            }
        }
        for (int i = 0; i < colon; i++) {
            char c = netloc.charAt(i);
            if (c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029') {
                return new HostAndPort(netloc, null);
            }
        }
        try {
            return new HostAndPort(netloc.substring(0, colon), Integer.parseInt(netloc.substring(colon + 1)));
        } catch (NumberFormatException e) {
            return new HostAndPort(netloc, null);
        }
    }

    /**
     * Parses a {@code Cookie} request header into name → value (Tornado's {@code parse_cookie}).
     *
     * <p>Mimics browsers rather than the RFCs: chunks are split on every {@code ;} (even inside quotes), a chunk
     * without {@code =} is a value with the empty name, names and values are trimmed, chunks with both empty are
     * dropped, a later cookie with the same name replaces an earlier one, and a double-quoted value is unquoted
     * ({@code \"} → {@code "}, {@code \\} → {@code \}, {@code \012} octal escapes).
     *
     * <p>Thread-safety: any thread (pure function).
     *
     * @param cookie the header value
     * @return an insertion-ordered {@code LinkedHashMap} of cookies
     */
    public static Map<String, String> parseCookie(String cookie) {
        Map<String, String> out = new LinkedHashMap<>();
        if (cookie == null) {
            return out;
        }
        for (String chunk : cookie.split(";", -1)) {
            String key;
            String val;
            int eq = chunk.indexOf('=');
            if (eq >= 0) {
                key = chunk.substring(0, eq);
                val = chunk.substring(eq + 1);
            } else {
                key = "";
                val = chunk;
            }
            key = pyStrip(key);
            val = pyStrip(val);
            if (!key.isEmpty() || !val.isEmpty()) {
                out.put(key, unquoteCookie(val));
            }
        }
        return out;
    }

    /** Python's {@code str.isspace} for one character (close enough for stripping). */
    static boolean pyIsSpace(int c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0x85;
    }

    /** Python's {@code str.strip()} with no arguments. */
    static String pyStrip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && pyIsSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && pyIsSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    private static String unquoteCookie(String s) {
        if (s.length() < 2 || s.charAt(0) != '"' || s.charAt(s.length() - 1) != '"') {
            return s;
        }
        String inner = s.substring(1, s.length() - 1);
        if (inner.indexOf('\\') < 0) {
            return inner;
        }
        StringBuilder sb = new StringBuilder(inner.length());
        int n = inner.length();
        for (int i = 0; i < n; i++) {
            char c = inner.charAt(i);
            if (c != '\\' || i + 1 >= n) {
                sb.append(c);
                continue;
            }
            char d = inner.charAt(i + 1);
            if (i + 3 < n && d >= '0' && d <= '3' && isOctal(inner.charAt(i + 2)) && isOctal(inner.charAt(i + 3))) {
                sb.append((char) ((d - '0') * 64 + (inner.charAt(i + 2) - '0') * 8 + (inner.charAt(i + 3) - '0')));
                i += 3;
                continue;
            }
            if (d == '\n') { // '.' does not match a newline: the backslash stays
                sb.append(c);
                continue;
            }
            sb.append(d);
            i++;
        }
        return sb.toString();
    }

    private static boolean isOctal(char c) {
        return c >= '0' && c <= '7';
    }

    /**
     * Parses an HTTP/1.x request line, {@code METHOD target HTTP/1.x} (Tornado's
     * {@code parse_request_start_line}).
     *
     * <p>The line must be exactly three fields separated by single spaces: a token method, a request target
     * of visible characters (anything but controls and whitespace; characters from U+0080 up are allowed),
     * and a version. A version other than {@code HTTP/1.}<i>digit</i> gives
     * {@code "Malformed HTTP version in HTTP Request-Line: '...'"}; any other defect
     * {@code "Malformed HTTP request line"}.
     *
     * <p>Thread-safety: any thread (pure function).
     *
     * @param line the line without its CRLF
     * @return method, path and version
     * @throws HTTPInputError when the line is malformed
     */
    public static RequestStartLine parseRequestStartLine(String line) {
        String[] parts = line.split(" ", -1);
        if (parts.length != 3 || !isToken(parts[0]) || !isRequestTarget(parts[1])) {
            throw new HTTPInputError("Malformed HTTP request line");
        }
        if (!HTTP1_VERSION.matcher(parts[2]).matches()) {
            throw new HTTPInputError("Malformed HTTP version in HTTP Request-Line: " + quoteForMessage(parts[2]));
        }
        return new RequestStartLine(parts[0], parts[1], parts[2]);
    }

    /**
     * Parses an HTTP/1.x status line, {@code HTTP/1.x code reason} (Tornado's
     * {@code parse_response_start_line}).
     *
     * <p>The code is exactly three digits; the reason phrase (tabs, spaces, visible characters, U+0080 and up)
     * may be empty, and — a small leniency over Tornado — the space before an empty reason may be missing
     * ({@code HTTP/1.1 200}). A version other than {@code HTTP/1.}<i>digit</i> gives
     * {@code "Malformed HTTP version in HTTP Status-Line: '...'"}; any other defect
     * {@code "Error parsing response start line"}.
     *
     * <p>Thread-safety: any thread (pure function).
     *
     * @param line the line without its CRLF
     * @return version, code and reason
     * @throws HTTPInputError when the line is malformed
     */
    public static ResponseStartLine parseResponseStartLine(String line) {
        Matcher m = STATUS_LINE.matcher(line);
        if (!m.matches()) {
            throw new HTTPInputError("Error parsing response start line");
        }
        String reason = m.group(3) == null ? "" : m.group(3);
        for (int i = 0; i < reason.length(); i++) {
            char c = reason.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                throw new HTTPInputError("Error parsing response start line");
            }
        }
        if (!HTTP1_VERSION.matcher(m.group(1)).matches()) {
            throw new HTTPInputError("Malformed HTTP version in HTTP Status-Line: " + quoteForMessage(m.group(1)));
        }
        return new ResponseStartLine(m.group(1), Integer.parseInt(m.group(2)), reason);
    }

    private static final String TCHARS = "!#$%&'*+-.^_`|~";

    private static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || TCHARS.indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean isRequestTarget(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c == 0x7f) {
                return false;
            }
        }
        return true;
    }
}
