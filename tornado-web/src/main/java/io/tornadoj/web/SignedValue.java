package io.tornadoj.web;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.function.DoubleSupplier;

/**
 * Tornado's signed values ({@code create_signed_value} / {@code decode_signed_value}), byte-compatible with
 * Python Tornado so both can share a {@code cookie_secret}.
 *
 * <p>Version 2 (what {@link #create} writes) is {@code 2|<key version>|<timestamp>|<name>|<value>|<signature>},
 * each field but the first and the signature written as {@code <length>:<text>}; the value is the base64 of
 * the UTF-8 bytes; the signature is the lower-case hex HMAC-SHA256 of everything before it (final {@code |}
 * included). Version 1 ({@code <base64>|<timestamp>|<hex HMAC-SHA1 of name, base64, timestamp>}) is still
 * read, as Tornado does by default.
 *
 * <p>A secret is a {@code String} (used as its UTF-8 bytes), a {@code byte[]}, or a {@code Map<Integer, ?>}
 * of such secrets by key version. Signatures are compared in constant time. Pure functions; thread-safe.
 */
final class SignedValue {
    private static final Logger GEN_LOG = LoggerFactory.getLogger("tornado.general");
    private static final double DAY = 86400;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** The wall clock in seconds, as Python's {@code time.time()}. */
    static final DoubleSupplier WALL_CLOCK = () -> System.currentTimeMillis() / 1000.0;

    private SignedValue() {
    }

    /**
     * Signs and timestamps a value (version 2).
     *
     * @param secret     a String, byte[] or a map of them by key version
     * @param keyVersion the key of {@code secret} to sign with (required for a map; written as 0 when null)
     * @param name       the name the value is bound to
     * @param value      the value
     * @param clock      seconds since the epoch (truncated to an integer)
     * @return the signed value (ASCII unless the name is not)
     * @throws IllegalArgumentException for a map secret without a known key version
     */
    static String create(Object secret, Integer keyVersion, String name, byte[] value, DoubleSupplier clock) {
        String timestamp = Long.toString((long) clock.getAsDouble());
        String encoded = Base64.getEncoder().encodeToString(value);
        String toSign = "2|" + field(Integer.toString(keyVersion == null ? 0 : keyVersion)) + "|" + field(timestamp)
                + "|" + field(name) + "|" + field(encoded) + "|";
        byte[] key;
        if (secret instanceof Map) {
            if (keyVersion == null) {
                throw new IllegalArgumentException("Key version must be set when sign key dict is used");
            }
            key = keyBytes(((Map<?, ?>) secret).get(keyVersion));
            if (key == null) {
                throw new IllegalArgumentException("no cookie secret for key version " + keyVersion);
            }
        } else {
            key = keyBytes(secret);
        }
        return toSign + hex(hmac("HmacSHA256", key, toSign.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Python's {@code "%d:%s" % (len(s), s)}: the length is counted in characters (code points), as Tornado
     * does, so a non-ASCII name gives the same bytes as Python (which neither side can decode again).
     */
    private static String field(String s) {
        return s.codePointCount(0, s.length()) + ":" + s;
    }

    /**
     * Checks and decodes a signed value.
     *
     * @param secret     a String, byte[] or a map of them by key version
     * @param name       the name the value must be bound to
     * @param value      the signed value, or null
     * @param maxAgeDays how old its timestamp may be
     * @param clock      seconds since the epoch
     * @return the value's bytes, or null when absent, malformed, forged, bound to another name, signed with an
     * unknown key or expired
     */
    static byte[] decode(Object secret, String name, String value, double maxAgeDays, DoubleSupplier clock) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        int version = version(bytes);
        if (version == 1) {
            return secret instanceof Map ? null : decodeV1(secret, name, bytes, maxAgeDays, clock);
        }
        if (version == 2) {
            return decodeV2(secret, name, bytes, maxAgeDays, clock);
        }
        return null;
    }

    /**
     * The key version a signed value claims (Tornado's {@code get_signature_key_version}).
     *
     * @param value the signed value
     * @return the key version, or null for a version-1 or malformed value
     */
    static Integer keyVersion(String value) {
        if (value == null) {
            return null;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        if (version(bytes) < 2) {
            return null;
        }
        Fields f = fieldsV2(bytes);
        return f == null ? null : f.keyVersion;
    }

    /**
     * Tornado's {@code _get_version}: {@code ^([1-9][0-9]*)\|} gives the version (≤ 999; longer numbers are
     * version-1 base64), anything else is version 1.
     */
    private static int version(byte[] v) {
        int i = 0;
        if (v.length == 0 || v[0] < '1' || v[0] > '9') {
            return 1;
        }
        while (i < v.length && v[i] >= '0' && v[i] <= '9') {
            i++;
        }
        if (i >= v.length || v[i] != '|' || i > 3 || hasNewlineBeforeEnd(v, i + 1)) {
            return 1;
        }
        return Integer.parseInt(new String(v, 0, i, StandardCharsets.US_ASCII));
    }

    /** Python's {@code .} does not match a newline (and {@code $} only matches before a final one). */
    private static boolean hasNewlineBeforeEnd(byte[] v, int from) {
        for (int i = from; i < v.length; i++) {
            if (v[i] == '\n' && i != v.length - 1) {
                return true;
            }
        }
        return false;
    }

    private record Fields(int keyVersion, byte[] timestamp, byte[] name, byte[] value, int signatureStart) {
    }

    /** Tornado's {@code _decode_fields_v2}: four {@code length:bytes|} fields after the {@code 2|}. */
    private static Fields fieldsV2(byte[] v) {
        int[] pos = {2};
        byte[][] out = new byte[4][];
        for (int k = 0; k < 4; k++) {
            out[k] = consume(v, pos);
            if (out[k] == null) {
                return null;
            }
        }
        Long keyVersion = parseInt(out[0]);
        if (keyVersion == null || keyVersion > Integer.MAX_VALUE) {
            return null;
        }
        return new Fields(keyVersion.intValue(), out[1], out[2], out[3], pos[0]);
    }

    private static byte[] consume(byte[] v, int[] pos) {
        int start = pos[0];
        int colon = -1;
        for (int i = start; i < v.length; i++) {
            if (v[i] == ':') {
                colon = i;
                break;
            }
        }
        if (colon < 0) {
            return null;
        }
        Long n = parseInt(Arrays.copyOfRange(v, start, colon));
        if (n == null || n > v.length) {
            return null;
        }
        int end = colon + 1 + n.intValue();
        if (end >= v.length || v[end] != '|') {
            return null;
        }
        pos[0] = end + 1;
        return Arrays.copyOfRange(v, colon + 1, end);
    }

    /** A non-negative decimal integer of at most 18 digits, or null. */
    private static Long parseInt(byte[] digits) {
        if (digits.length == 0 || digits.length > 18) {
            return null;
        }
        long n = 0;
        for (byte b : digits) {
            if (b < '0' || b > '9') {
                return null;
            }
            n = n * 10 + (b - '0');
        }
        return n;
    }

    private static byte[] decodeV2(Object secret, String name, byte[] v, double maxAgeDays, DoubleSupplier clock) {
        Fields f = fieldsV2(v);
        if (f == null) {
            return null;
        }
        byte[] key;
        if (secret instanceof Map) {
            key = keyBytes(((Map<?, ?>) secret).get(f.keyVersion));
            if (key == null) {
                return null;
            }
        } else {
            key = keyBytes(secret);
        }
        byte[] passed = Arrays.copyOfRange(v, f.signatureStart, v.length);
        byte[] expected = hex(hmac("HmacSHA256", key, Arrays.copyOfRange(v, 0, f.signatureStart)))
                .getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(passed, expected)) {
            return null;
        }
        if (!Arrays.equals(f.name, name.getBytes(StandardCharsets.UTF_8))) {
            return null;
        }
        Long timestamp = parseInt(f.timestamp);
        if (timestamp == null || timestamp < clock.getAsDouble() - maxAgeDays * DAY) {
            return null; // expired
        }
        return base64(f.value);
    }

    private static byte[] decodeV1(Object secret, String name, byte[] v, double maxAgeDays, DoubleSupplier clock) {
        int p1 = indexOf(v, 0);
        int p2 = p1 < 0 ? -1 : indexOf(v, p1 + 1);
        if (p1 < 0 || p2 < 0 || indexOf(v, p2 + 1) >= 0) {
            return null;
        }
        byte[] payload = Arrays.copyOfRange(v, 0, p1);
        byte[] ts = Arrays.copyOfRange(v, p1 + 1, p2);
        byte[] passed = Arrays.copyOfRange(v, p2 + 1, v.length);
        byte[] key = keyBytes(secret);
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        byte[] signed = new byte[nameBytes.length + payload.length + ts.length];
        System.arraycopy(nameBytes, 0, signed, 0, nameBytes.length);
        System.arraycopy(payload, 0, signed, nameBytes.length, payload.length);
        System.arraycopy(ts, 0, signed, nameBytes.length + payload.length, ts.length);
        byte[] expected = hex(hmac("HmacSHA1", key, signed)).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(passed, expected)) {
            GEN_LOG.warn("Invalid cookie signature {}", new String(v, StandardCharsets.UTF_8));
            return null;
        }
        Long timestamp = parseInt(ts);
        if (timestamp == null) {
            return null;
        }
        double now = clock.getAsDouble();
        if (timestamp < now - maxAgeDays * DAY) {
            GEN_LOG.warn("Expired cookie {}", new String(v, StandardCharsets.UTF_8));
            return null;
        }
        if (timestamp > now + 31 * DAY) {
            // version 1 hashes no delimiter: digits could move from the payload to the timestamp
            GEN_LOG.warn("Cookie timestamp in future; possible tampering {}", new String(v, StandardCharsets.UTF_8));
            return null;
        }
        if (ts[0] == '0') {
            GEN_LOG.warn("Tampered cookie {}", new String(v, StandardCharsets.UTF_8));
            return null;
        }
        return base64(payload);
    }

    private static int indexOf(byte[] v, int from) {
        for (int i = from; i < v.length; i++) {
            if (v[i] == '|') {
                return i;
            }
        }
        return -1;
    }

    private static byte[] base64(byte[] encoded) {
        try {
            return Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static byte[] keyBytes(Object secret) {
        if (secret instanceof String) {
            return ((String) secret).getBytes(StandardCharsets.UTF_8);
        }
        if (secret instanceof byte[]) {
            return ((byte[]) secret).clone();
        }
        if (secret == null) {
            return null;
        }
        throw new IllegalArgumentException("cookie_secret must be a String, a byte[] or a Map<Integer, String>, not "
                + secret.getClass().getName());
    }

    private static byte[] hmac(String algorithm, byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            // an empty key is legal for HMAC (Python accepts it) but not for SecretKeySpec
            mac.init(key.length == 0 ? new EmptyKey(algorithm) : new SecretKeySpec(key, algorithm));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " unavailable", e);
        }
    }

    /** A zero-length HMAC key, which {@link SecretKeySpec} refuses. */
    private static final class EmptyKey implements javax.crypto.SecretKey {
        private static final long serialVersionUID = 1L;
        private final String algorithm;

        EmptyKey(String algorithm) {
            this.algorithm = algorithm;
        }

        @Override
        public String getAlgorithm() {
            return algorithm;
        }

        @Override
        public String getFormat() {
            return "RAW";
        }

        @Override
        public byte[] getEncoded() {
            return new byte[0];
        }
    }

    static String hex(byte[] bytes) {
        char[] out = new char[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            out[2 * i] = HEX[(bytes[i] >> 4) & 0xf];
            out[2 * i + 1] = HEX[bytes[i] & 0xf];
        }
        return new String(out);
    }
}
