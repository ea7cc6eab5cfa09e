package io.tornadoj.escape;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Tornado's {@code tornado.escape}: escaping and unescaping for HTML, URLs and JSON, plus a few string helpers
 * ({@link #utf8}, {@link #toUnicode}, {@link #squeeze}, {@link #linkify}).
 *
 * <p>Every method is a pure function and may be called from any thread. JSON goes through one shared, immutable
 * Jackson configuration.
 */
public final class Escape {
    private Escape() {
    }

    // ------------------------------------------------------------------------------------------------
    // HTML

    /**
     * Escapes a value so it is safe inside HTML or XML text and quoted attribute values (Tornado's
     * {@code xhtml_escape}): {@code &} → {@code &amp;}, {@code <} → {@code &lt;}, {@code >} → {@code &gt;},
     * {@code "} → {@code &quot;}, {@code '} → {@code &#39;}; nothing else changes.
     *
     * <p>A {@code byte[]} is decoded as UTF-8 first; any other object is escaped through its
     * {@code toString()}; {@code null} gives {@code ""}.
     *
     * <p>Thread-safety: any thread (pure function).
     *
     * @param value the value to escape
     * @return the escaped text
     * @throws IllegalArgumentException for a {@code byte[]} that is not valid UTF-8
     */
    public static String xhtmlEscape(Object value) {
        if (value == null) {
            return "";
        }
        String s = value instanceof byte[] b ? toUnicode(b) : value.toString();
        int n = s.length();
        int i = 0;
        while (i < n && !needsHtmlEscape(s.charAt(i))) {
            i++;
        }
        if (i == n) {
            return s;
        }
        StringBuilder sb = new StringBuilder(n + 16);
        sb.append(s, 0, i);
        for (; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    private static boolean needsHtmlEscape(char c) {
        return c == '&' || c == '<' || c == '>' || c == '"' || c == '\'';
    }

    /** HTML 4 named entities (plus XHTML's {@code apos}): name → code point. */
    private static final Map<String, Integer> ENTITIES = new HashMap<>(512);

    static {
        String table = ""
            + "quot:34,amp:38,apos:39,lt:60,gt:62,nbsp:160,iexcl:161,cent:162,pound:163,curren:164,"
            + "yen:165,brvbar:166,sect:167,uml:168,copy:169,ordf:170,laquo:171,not:172,shy:173,"
            + "reg:174,macr:175,deg:176,plusmn:177,sup2:178,sup3:179,acute:180,micro:181,para:182,"
            + "middot:183,cedil:184,sup1:185,ordm:186,raquo:187,frac14:188,frac12:189,frac34:190,"
            + "iquest:191,Agrave:192,Aacute:193,Acirc:194,Atilde:195,Auml:196,Aring:197,AElig:198,"
            + "Ccedil:199,Egrave:200,Eacute:201,Ecirc:202,Euml:203,Igrave:204,Iacute:205,Icirc:206,"
            + "Iuml:207,ETH:208,Ntilde:209,Ograve:210,Oacute:211,Ocirc:212,Otilde:213,Ouml:214,"
            + "times:215,Oslash:216,Ugrave:217,Uacute:218,Ucirc:219,Uuml:220,Yacute:221,THORN:222,"
            + "szlig:223,agrave:224,aacute:225,acirc:226,atilde:227,auml:228,aring:229,aelig:230,"
            + "ccedil:231,egrave:232,eacute:233,ecirc:234,euml:235,igrave:236,iacute:237,icirc:238,"
            + "iuml:239,eth:240,ntilde:241,ograve:242,oacute:243,ocirc:244,otilde:245,ouml:246,"
            + "divide:247,oslash:248,ugrave:249,uacute:250,ucirc:251,uuml:252,yacute:253,thorn:254,"
            + "yuml:255,OElig:338,oelig:339,Scaron:352,scaron:353,Yuml:376,fnof:402,circ:710,"
            + "tilde:732,Alpha:913,Beta:914,Gamma:915,Delta:916,Epsilon:917,Zeta:918,Eta:919,"
            + "Theta:920,Iota:921,Kappa:922,Lambda:923,Mu:924,Nu:925,Xi:926,Omicron:927,Pi:928,"
            + "Rho:929,Sigma:931,Tau:932,Upsilon:933,Phi:934,Chi:935,Psi:936,Omega:937,alpha:945,"
            + "beta:946,gamma:947,delta:948,epsilon:949,zeta:950,eta:951,theta:952,iota:953,"
            + "kappa:954,lambda:955,mu:956,nu:957,xi:958,omicron:959,pi:960,rho:961,sigmaf:962,"
            + "sigma:963,tau:964,upsilon:965,phi:966,chi:967,psi:968,omega:969,thetasym:977,"
            + "upsih:978,piv:982,ensp:8194,emsp:8195,thinsp:8201,zwnj:8204,zwj:8205,lrm:8206,"
            + "rlm:8207,ndash:8211,mdash:8212,lsquo:8216,rsquo:8217,sbquo:8218,ldquo:8220,"
            + "rdquo:8221,bdquo:8222,dagger:8224,Dagger:8225,bull:8226,hellip:8230,permil:8240,"
            + "prime:8242,Prime:8243,lsaquo:8249,rsaquo:8250,oline:8254,frasl:8260,euro:8364,"
            + "image:8465,weierp:8472,real:8476,trade:8482,alefsym:8501,larr:8592,uarr:8593,"
            + "rarr:8594,darr:8595,harr:8596,crarr:8629,lArr:8656,uArr:8657,rArr:8658,dArr:8659,"
            + "hArr:8660,forall:8704,part:8706,exist:8707,empty:8709,nabla:8711,isin:8712,"
            + "notin:8713,ni:8715,prod:8719,sum:8721,minus:8722,lowast:8727,radic:8730,prop:8733,"
            + "infin:8734,ang:8736,and:8743,or:8744,cap:8745,cup:8746,int:8747,there4:8756,"
            + "sim:8764,cong:8773,asymp:8776,ne:8800,equiv:8801,le:8804,ge:8805,sub:8834,sup:8835,"
            + "nsub:8836,sube:8838,supe:8839,oplus:8853,otimes:8855,perp:8869,sdot:8901,lceil:8968,"
            + "rceil:8969,lfloor:8970,rfloor:8971,lang:9001,rang:9002,loz:9674,spades:9824,"
            + "clubs:9827,hearts:9829,diams:9830"
;
        for (String entry : table.split(",")) {
            int colon = entry.indexOf(':');
            ENTITIES.put(entry.substring(0, colon), Integer.parseInt(entry.substring(colon + 1)));
        }
    }

    private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

    /**
     * Un-escapes XML/HTML character references (Tornado's {@code xhtml_unescape}).
     *
     * <p>Named references need their {@code ;} and are taken from HTML 4's set plus {@code &apos;}
     * ({@code &amp;}, {@code &lt;}, {@code &eacute;}, {@code &hellip;}, ...); an unknown name is left as it is.
     * Numeric references ({@code &#39;}, {@code &#x27;}, {@code &#X27;}, the {@code ;} optional) follow HTML5 as
     * Python's {@code html.unescape} does: {@code &#0;}, surrogates and values above U+10FFFF give U+FFFD,
     * {@code &#128;}–{@code &#159;} are read as Windows-1252, other control characters (except tab, LF, FF,
     * CR) and non-characters are dropped. Something that is not a reference ({@code &#xyz;}, {@code &#;}) is left as it is.
     *
     * <p>Thread-safety: any thread (pure function).
     *
     * @param value escaped text
     * @return the unescaped text
     * @throws NullPointerException when {@code value} is null
     */
    public static String xhtmlUnescape(String value) {
        Objects.requireNonNull(value, "value");
        int amp = value.indexOf('&');
        if (amp < 0) {
            return value;
        }
        int n = value.length();
        StringBuilder sb = new StringBuilder(n);
        sb.append(value, 0, amp);
        int i = amp;
        while (i < n) {
            char c = value.charAt(i);
            if (c != '&') {
                sb.append(c);
                i++;
                continue;
            }
            int end = i + 1 < n && value.charAt(i + 1) == '#'
                    ? numericReference(value, i, sb)
                    : namedReference(value, i, sb);
            if (end < 0) {
                sb.append('&');
                i++;
            } else {
                i = end;
            }
        }
        return sb.toString();
    }

    /** Appends the character of {@code &#...} at {@code amp} and returns the index after it, or -1. */
    private static int numericReference(String s, int amp, StringBuilder out) {
        int n = s.length();
        int i = amp + 2;
        boolean hex = i < n && (s.charAt(i) == 'x' || s.charAt(i) == 'X');
        if (hex) {
            i++;
        }
        int digitsStart = i;
        long num = 0;
        while (i < n) {
            char c = s.charAt(i);
            int d = hex ? hexDigit(c) : (c >= '0' && c <= '9' ? c - '0' : -1);
            if (d < 0) {
                break;
            }
            if (num <= 0x10FFFF) {
                num = num * (hex ? 16 : 10) + d;
            }
            i++;
        }
        if (i == digitsStart) {
            return -1;
        }
        if (i < n && s.charAt(i) == ';') {
            i++;
        }
        appendCharRef(num, out);
        return i;
    }

    private static void appendCharRef(long num, StringBuilder out) {
        if (num == 0 || (num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF) {
            out.append('\uFFFD');
            return;
        }
        if (num >= 0x80 && num <= 0x9F) {
            String mapped = new String(new byte[] {(byte) num}, WINDOWS_1252);
            // bytes Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) stay C1 characters
            out.append(mapped.equals("\uFFFD") ? String.valueOf((char) num) : mapped);
            return;
        }
        int cp = (int) num;
        if ((cp >= 0x1 && cp <= 0x8) || cp == 0xB || (cp >= 0xE && cp <= 0x1F) || cp == 0x7F
                || (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE) {
            return;
        }
        out.appendCodePoint(cp);
    }

    /** Appends the character of {@code &name;} at {@code amp} and returns the index after it, or -1. */
    private static int namedReference(String s, int amp, StringBuilder out) {
        int limit = Math.min(s.length(), amp + 34);
        int semi = -1;
        for (int i = amp + 1; i < limit; i++) {
            if (s.charAt(i) == ';') {
                semi = i;
                break;
            }
        }
        if (semi < 0 || semi == amp + 1) {
            return -1;
        }
        Integer cp = ENTITIES.get(s.substring(amp + 1, semi));
        if (cp == null) {
            return -1;
        }
        out.appendCodePoint(cp);
        return semi + 1;
    }

    private static int hexDigit(char c) {
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

    // ------------------------------------------------------------------------------------------------
    // URLs

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /**
     * URL-encodes a value for a query string: as {@code urlEscape(value, true)}.
     *
     * <p>Thread-safety: any thread (pure function).
     *
     * @param value the text
     * @return the encoded text ({@code "a b/c"} → {@code "a+b%2Fc"})
     * @throws NullPointerException when {@code value} is null
     */
    public static String urlEscape(String value) {
        return urlEscape(value, true);
    }

    /**
     * URL-encodes a value (Tornado's {@code url_escape}): the text is encoded as UTF-8 and every byte except
     * {@code A-Z a-z 0-9 _ . - ~} becomes {@code %XX} (upper-case hex).
     *
     * <p>With {@code plus} (Python's {@code quote_plus}, for query strings and form values) a space becomes
     * {@code +} and {@code /} is escaped ({@code %2F}); without it (Python's {@code quote}, for path segments) a
     * space is {@code %20} and {@code /} is kept.
     *
     * <p>Thread-safety: any thread (pure function).
     *
     * @param value the text
     * @param plus  query-string ({@code true}) or path ({@code false}) style
     * @return the encoded text
     * @throws NullPointerException when {@code value} is null
     */
    public static String urlEscape(String value, boolean plus) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(bytes.length + 8);
        for (byte b : bytes) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '.' || c == '-' || c == '~' || (!plus && c == '/')) {
                sb.append((char) c);
            } else if (plus && c == ' ') {
                sb.append('+');
            } else {
                sb.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return sb.toString();
    }

    /**
     * Decodes a URL-encoded query value: as {@code urlUnescape(value, true)}.
     *
     * <p>Thread-safety: any thread (pure function).
     *
     * @param value the encoded text
     * @return the decoded text ({@code "a+b%2Fc"} → {@code "a b/c"})
     * @throws NullPointerException when {@code value} is null
     */
    public static String urlUnescape(String value) {
        return urlUnescape(value, true);
    }

    /**
     * Decodes a URL-encoded value as UTF-8 (Tornado's {@code url_unescape} with the default encoding, i.e.
     * Python's {@code unquote_plus} / {@code unquote}).
     *
     * <p>With {@code plus}, {@code +} is a space first (literal plus signs must be {@code %2B}); without it
     * {@code +} stays. {@code %XX} escapes are decoded to bytes and read as UTF-8, invalid sequences becoming
     * U+FFFD; a {@code %} not followed by two hex digits is kept literally; non-ASCII characters are kept.
     *
     * <p>Thread-safety: any thread (pure function).
     *
     * @param value the encoded text
     * @param plus  treat {@code +} as a space
     * @return the decoded text
     * @throws NullPointerException when {@code value} is null
     */
    public static String urlUnescape(String value, boolean plus) {
        String s = plus ? value.replace('+', ' ') : value;
        if (s.indexOf('%') < 0) {
            return s;
        }
        int n = s.length();
        StringBuilder sb = new StringBuilder(n);
        ByteArrayOutputStream run = new ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                flush(run, sb);
                sb.append(c);
            } else if (c == '%' && i + 2 < n && hexDigit(s.charAt(i + 1)) >= 0 && hexDigit(s.charAt(i + 2)) >= 0) {
                run.write(hexDigit(s.charAt(i + 1)) * 16 + hexDigit(s.charAt(i + 2)));
                i += 2;
            } else {
                run.write(c);
            }
        }
        flush(run, sb);
        return sb.toString();
    }

    private static void flush(ByteArrayOutputStream run, StringBuilder sb) {
        if (run.size() > 0) {
            sb.append(new String(run.toByteArray(), StandardCharsets.UTF_8));
            run.reset();
        }
    }

    // ------------------------------------------------------------------------------------------------
    // JSON

    /** Python's {@code json.dumps} layout: {@code ", "} between items, {@code ": "} after keys. */
    private static final class PythonStylePrinter extends MinimalPrettyPrinter {
        private static final long serialVersionUID = 1L;

        @Override
        public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(": ");
        }

        @Override
        public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
            g.writeRaw(", ");
        }

        @Override
        public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(", ");
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final ObjectWriter WRITER = MAPPER.writer(new PythonStylePrinter());

    /**
     * JSON-encodes a value with Jackson (Tornado's {@code json_encode}), laid out as Python's
     * {@code json.dumps}: {@code {"a": 1, "b": [1, 2]}}, non-ASCII characters escaped as <code>&#92;uXXXX</code>.
     * The output never contains {@code </} (it is written {@code <\/}), so it is safe inside an HTML
     * {@code <script>} element.
     *
     * <p>Maps, collections, arrays, strings, numbers, booleans, {@code null}, records and Java beans are
     * supported as Jackson serializes them; maps keep their iteration order.
     *
     * <p>Thread-safety: any thread (pure function; the shared Jackson writer is immutable).
     *
     * @param value the value
     * @return the JSON text
     * @throws IllegalArgumentException when Jackson cannot serialize the value
     */
    public static String jsonEncode(Object value) {
        String json;
        try {
            json = WRITER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot JSON-encode " + value.getClass().getName() + ": "
                    + e.getOriginalMessage(), e);
        }
        return json.indexOf("</") < 0 ? json : json.replace("</", "<\\/");
    }

    /**
     * Parses JSON text with Jackson (Tornado's {@code json_decode}) into plain Java values: objects become
     * {@code LinkedHashMap<String, Object>}, arrays {@code ArrayList<Object>}, strings {@code String}, numbers
     * {@code Integer}/{@code Long}/{@code BigInteger} or {@code Double}, booleans {@code Boolean} and
     * {@code null} null. As Python's {@code json.loads}, {@code NaN} and {@code Infinity} are accepted and
     * anything after the value is an error.
     *
     * <p>Thread-safety: any thread (pure function; the shared Jackson mapper is only read).
     *
     * @param value the JSON text
     * @return the decoded value
     * @throws IllegalArgumentException when the text is not valid JSON (Python's {@code ValueError})
     * @throws NullPointerException     when {@code value} is null
     */
    public static Object jsonDecode(String value) {
        Objects.requireNonNull(value, "value");
        try {
            return MAPPER.readValue(value, Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("invalid JSON: " + e.getOriginalMessage(), e);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // strings

    /**
     * Encodes a string as UTF-8 (Tornado's {@code utf8}).
     *
     * <p>Thread-safety: any thread (pure function).
     *
     * @param value the string, or null
     * @return its UTF-8 bytes, or null for null
     */
    public static byte[] utf8(String value) {
        return value == null ? null : value.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Bytes are returned unchanged (Tornado's {@code utf8} passes bytes through), so code can call
     * {@code utf8} on either form.
     *
     * <p>Thread-safety: any thread (pure function).
     *
     * @param value the bytes, or null
     * @return the same array, or null for null
     */
    public static byte[] utf8(byte[] value) {
        return value;
    }

    /**
     * A string is returned unchanged (Tornado's {@code to_unicode} passes {@code str} through), so code can
     * call {@code toUnicode} on either form.
     *
     * <p>Thread-safety: any thread (pure function).
     *
     * @param value the string, or null
     * @return the same string, or null for null
     */
    public static String toUnicode(String value) {
        return value;
    }

    /**
     * Decodes UTF-8 bytes to a string (Tornado's {@code to_unicode}), strictly as Python's
     * {@code bytes.decode("utf-8")}.
     *
     * <p>Thread-safety: any thread (pure function).
     *
     * @param value the bytes, or null
     * @return the string, or null for null
     * @throws IllegalArgumentException when the bytes are not valid UTF-8
     */
    public static String toUnicode(byte[] value) {
        if (value == null) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("invalid UTF-8", e);
        }
    }

    /**
     * Replaces every run of whitespace and control characters (U+0000–U+0020) with one space and trims the
     * result (Tornado's {@code squeeze}).
     *
     * <p>Thread-safety: any thread (pure function).
     *
     * @param value the text
     * @return the squeezed text ({@code "a \t\n b "} → {@code "a b"})
     * @throws NullPointerException when {@code value} is null
     */
    public static String squeeze(String value) {
        int n = value.length();
        StringBuilder sb = new StringBuilder(n);
        boolean inRun = false;
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c <= 0x20) {
                if (!inRun) {
                    sb.append(' ');
                    inRun = true;
                }
            } else {
                sb.append(c);
                inRun = false;
            }
        }
        return pyStrip(sb);
    }

    /** Python's {@code str.isspace} for one code point. */
    private static boolean isSpace(int c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0x85;
    }

    private static String pyStrip(CharSequence s) {
        int start = 0;
        int end = s.length();
        while (start < end && isSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.subSequence(start, end).toString();
    }

    // ------------------------------------------------------------------------------------------------
    // linkify

    private static final List<String> DEFAULT_PROTOCOLS = List.of("http", "https");

    /**
     * Converts plain text to HTML with links: {@code linkify(text, false, "", false, ["http", "https"])}.
     *
     * <p>Thread-safety: any thread (pure function).
     *
     * @param text plain text
     * @return the HTML
     * @throws NullPointerException when {@code text} is null
     */
    public static String linkify(String text) {
        return linkify(text, false, "", false, DEFAULT_PROTOCOLS);
    }

    /**
     * Converts plain text to HTML with links (Tornado's {@code linkify}): the text is HTML-escaped with
     * {@link #xhtmlEscape} and each URL found in it is wrapped in {@code <a href="...">...</a>}, e.g.
     * {@code "Hello http://tornadoweb.org!"} → {@code Hello <a href="http://tornadoweb.org">http://tornadoweb.org</a>!}.
     *
     * <p>URLs are found with Tornado's rules: a {@code scheme:} followed by one to three slashes, or
     * {@code www.}, then characters other than whitespace, parentheses and {@code < > '}; balanced
     * {@code (...)} groups are part of the URL; trailing punctuation is not. A URL without a scheme
     * ({@code www.example.com}) gets {@code http://} in its {@code href}.
     *
     * <p>Thread-safety: any thread (pure function).
     *
     * @param text               plain text
     * @param shorten            shorten the visible text of long URLs (about 30 characters, {@code ...} appended,
     *                           the full URL in a {@code title} attribute)
     * @param extraParams        extra attributes for the {@code <a>} tag, e.g. {@code rel="nofollow"}
     *                           ({@code null} or empty for none)
     * @param requireProtocol    only link URLs that have a scheme (not bare {@code www.} ones)
     * @param permittedProtocols the schemes to link ({@code null}: {@code http} and {@code https}); never add
     *                           {@code javascript}
     * @return the HTML
     * @throws NullPointerException when {@code text} is null
     */
    public static String linkify(String text, boolean shorten, String extraParams, boolean requireProtocol,
                                 List<String> permittedProtocols) {
        List<String> protocols = permittedProtocols == null ? DEFAULT_PROTOCOLS : permittedProtocols;
        String extra = extraParams == null || extraParams.isEmpty() ? "" : " " + pyStrip(extraParams);
        int[] cps = text.codePoints().toArray();
        int n = cps.length;
        StringBuilder out = new StringBuilder(text.length() + 32);
        int copied = 0; // code points before this index are already in out
        int noSchemeBefore = -1; // a [\w-] run ending here is known not to be followed by ':'
        int i = 0;
        while (i < n) {
            if (!wordBoundary(cps, i)) {
                i++;
                continue;
            }
            int[] m = matchUrl(cps, i, noSchemeBefore);
            if (m == null) {
                if (noSchemeBefore <= i && isSchemeChar(cps[i])) {
                    int e = i;
                    while (e < n && isSchemeChar(cps[e])) {
                        e++;
                    }
                    if (e >= n || cps[e] != ':') {
                        noSchemeBefore = e;
                    }
                }
                i++;
                continue;
            }
            int end = m[0];
            out.append(xhtmlEscape(new String(cps, copied, i - copied)));
            String rawUrl = new String(cps, i, end - i);
            String proto = m[1] < 0 ? null : new String(cps, i, m[1] - i);
            int slashes = m[2];
            out.append(makeLink(xhtmlEscape(rawUrl), proto, slashes, shorten, extra, requireProtocol, protocols));
            copied = end;
            i = end;
        }
        out.append(xhtmlEscape(new String(cps, copied, n - copied)));
        return out.toString();
    }

    private static String makeLink(String url, String proto, int slashes, boolean shorten, String extra,
                                   boolean requireProtocol, List<String> protocols) {
        if (requireProtocol && proto == null) {
            return url;
        }
        if (proto != null && !protocols.contains(proto)) {
            return url;
        }
        String href = proto == null ? "http://" + url : url;
        String params = extra;
        final int maxLen = 30;
        if (shorten && cpLen(url) > maxLen) {
            String beforeClip = url;
            int protoLen = proto == null ? 0 : cpLen(proto) + 1 + slashes;
            List<String> parts = pySplit(cpSub(url, protoLen, cpLen(url)), '/');
            if (parts.size() > 1) {
                String first = cpSub(parts.get(1), 0, Math.min(8, cpLen(parts.get(1))));
                first = pySplit(pySplit(first, '?').get(0), '.').get(0);
                url = cpSub(url, 0, protoLen) + parts.get(0) + "/" + first;
            }
            if (cpLen(url) > maxLen * 1.5) {
                url = cpSub(url, 0, maxLen);
            }
            if (!url.equals(beforeClip)) {
                int amp = url.lastIndexOf('&');
                if (amp >= 0 && url.codePointCount(0, amp) > maxLen - 5) {
                    url = url.substring(0, amp);
                }
                url += "...";
                if (cpLen(url) >= cpLen(beforeClip)) {
                    url = beforeClip;
                } else {
                    params += " title=\"" + href + "\"";
                }
            }
        }
        return "<a href=\"" + href + "\"" + params + ">" + url + "</a>";
    }

    /**
     * Matches a URL starting at {@code start}: returns {end, index after the scheme's ':'-less name (or -1 when
     * there is no scheme), number of slashes}, or null.
     */
    private static int[] matchUrl(int[] cps, int start, int noSchemeBefore) {
        int n = cps.length;
        // alternative 1: scheme ":" "/"{1,3}
        if (isSchemeChar(cps[start]) && noSchemeBefore <= start) {
            int e = start;
            while (e < n && isSchemeChar(cps[e])) {
                e++;
            }
            if (e < n && cps[e] == ':') {
                int avail = 0;
                while (e + 1 + avail < n && cps[e + 1 + avail] == '/' && avail < 3) {
                    avail++;
                }
                for (int k = avail; k >= 1; k--) {
                    int end = matchBody(cps, e + 1 + k);
                    if (end >= 0) {
                        return new int[] {end, e, k};
                    }
                }
            }
        }
        // alternative 2: "www."
        if (start + 4 <= n && cps[start] == 'w' && cps[start + 1] == 'w' && cps[start + 2] == 'w'
                && cps[start + 3] == '.') {
            int end = matchBody(cps, start + 4);
            if (end >= 0) {
                return new int[] {end, -1, 0};
            }
        }
        return null;
    }

    /**
     * Matches the URL body at {@code pos}: one or more of (a) a run of body characters up to its last
     * non-punctuation character, or (b) a parenthesized run. Returns the end, or -1 when nothing matches.
     */
    private static int matchBody(int[] cps, int pos) {
        int n = cps.length;
        boolean any = false;
        while (true) {
            int r = pos;
            int lastFinal = -1;
            while (r < n && isBodyChar(cps[r])) {
                if (isFinalChar(cps[r])) {
                    lastFinal = r;
                }
                r++;
            }
            if (lastFinal >= 0) {
                pos = lastFinal + 1;
                any = true;
                continue;
            }
            if (pos < n && cps[pos] == '(') {
                int q = pos + 1;
                while (q < n && isBodyChar(cps[q])) {
                    q++;
                }
                if (q < n && cps[q] == ')') {
                    pos = q + 1;
                    any = true;
                    continue;
                }
            }
            return any ? pos : -1;
        }
    }

    private static boolean isWordChar(int c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    private static boolean isSchemeChar(int c) {
        return isWordChar(c) || c == '-';
    }

    private static boolean wordBoundary(int[] cps, int i) {
        boolean before = i > 0 && isWordChar(cps[i - 1]);
        boolean after = i < cps.length && isWordChar(cps[i]);
        return before != after;
    }

    /** May appear in a URL body: not whitespace, not a parenthesis, not one of {@code < > '}. */
    private static boolean isBodyChar(int c) {
        return !isSpace(c) && c != '(' && c != ')' && c != '<' && c != '>' && c != '\'';
    }

    private static final String PUNCTUATION = "!\"#$%&'()*+,.:;<=>?@[]^`{|}~";

    /** May end a URL: a body character that is not ASCII punctuation. */
    private static boolean isFinalChar(int c) {
        return isBodyChar(c) && (c >= 0x80 || PUNCTUATION.indexOf(c) < 0);
    }

    private static int cpLen(String s) {
        return s.codePointCount(0, s.length());
    }

    private static String cpSub(String s, int from, int to) {
        return s.substring(s.offsetByCodePoints(0, from), s.offsetByCodePoints(0, to));
    }

    /** Python's {@code str.split(sep)}: every piece, empty ones included. */
    private static List<String> pySplit(String s, char sep) {
        List<String> out = new java.util.ArrayList<>();
        int start = 0;
        int i;
        while ((i = s.indexOf(sep, start)) >= 0) {
            out.add(s.substring(start, i));
            start = i + 1;
        }
        out.add(s.substring(start));
        return out;
    }
}
