package io.tornadoj.web;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Objects;

/**
 * The attributes of an outgoing cookie: the keyword arguments of Tornado's {@code set_cookie}
 * ({@code domain}, {@code expires}, {@code path}, {@code expires_days}, {@code max_age}, {@code httponly},
 * {@code secure}, {@code samesite}). Immutable and thread-safe; made with {@link #builder()}.
 *
 * <pre>{@code
 * setCookie("session", id, CookieOptions.builder().httpOnly(true).secure(true).sameSite("Lax").build());
 * }</pre>
 *
 * <p>As in Tornado the path defaults to {@code /}; {@code expires} wins over {@code expiresDays}; a cookie
 * with neither (nor {@code maxAge}) lasts for the browser session.
 */
public final class CookieOptions {
    private static final CookieOptions DEFAULTS = builder().build();

    private final String domain;
    private final Instant expires;
    private final String path;
    private final Double expiresDays;
    private final Long maxAge;
    private final boolean httpOnly;
    private final boolean secure;
    private final String sameSite;

    private CookieOptions(Builder b) {
        this.domain = b.domain;
        this.expires = b.expires;
        this.path = b.path;
        this.expiresDays = b.expiresDays;
        this.maxAge = b.maxAge;
        this.httpOnly = b.httpOnly;
        this.secure = b.secure;
        this.sameSite = b.sameSite;
    }

    /** @return a builder with Tornado's defaults (path {@code /}, nothing else) */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the default options: path {@code /}, a session cookie */
    public static CookieOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Options from Tornado-style keyword arguments, as in the {@code xsrf_cookie_kwargs} setting: {@code domain},
     * {@code expires} ({@link Instant}, {@link Date} or epoch seconds as a {@link Number}), {@code path},
     * {@code expires_days}, {@code max_age} (or {@code max-age}; seconds or a {@link Duration}), {@code httponly},
     * {@code secure}, {@code samesite} (keys are case-insensitive).
     *
     * @param kwargs the arguments (null means none)
     * @return the options
     * @throws IllegalArgumentException for an unknown key or a value of the wrong type (Python's
     *                                  {@code CookieError})
     */
    public static CookieOptions fromKwargs(Map<String, ?> kwargs) {
        Builder b = builder();
        if (kwargs == null) {
            return b.build();
        }
        for (Map.Entry<String, ?> e : kwargs.entrySet()) {
            String key = e.getKey().toLowerCase(java.util.Locale.ROOT);
            Object v = e.getValue();
            try {
                switch (key) {
                    case "domain" -> b.domain((String) v);
                    case "path" -> b.path((String) v);
                    case "expires" -> {
                        if (v == null || v instanceof Instant) {
                            b.expires((Instant) v);
                        } else if (v instanceof Date) {
                            b.expires(((Date) v).toInstant());
                        } else {
                            b.expires(Instant.ofEpochMilli(Math.round(((Number) v).doubleValue() * 1000)));
                        }
                    }
                    case "expires_days" -> b.expiresDays(v == null ? null : ((Number) v).doubleValue());
                    case "max_age", "max-age" -> {
                        if (v == null) {
                            b.maxAge = null;
                        } else if (v instanceof Duration) {
                            b.maxAge((Duration) v);
                        } else {
                            b.maxAge(((Number) v).longValue());
                        }
                    }
                    case "httponly" -> b.httpOnly(truthy(v));
                    case "secure" -> b.secure(truthy(v));
                    case "samesite" -> b.sameSite(v == null ? null : v.toString());
                    default -> throw new IllegalArgumentException("Invalid attribute " + e.getKey());
                }
            } catch (ClassCastException ex) {
                throw new IllegalArgumentException("Invalid value for cookie attribute " + e.getKey() + ": " + v, ex);
            }
        }
        return b.build();
    }

    private static boolean truthy(Object v) {
        if (v == null || Boolean.FALSE.equals(v)) {
            return false;
        }
        if (v instanceof Number) {
            return ((Number) v).doubleValue() != 0;
        }
        return !(v instanceof String) || !((String) v).isEmpty();
    }

    /** @return a builder starting from these options */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.domain = domain;
        b.expires = expires;
        b.path = path;
        b.expiresDays = expiresDays;
        b.maxAge = maxAge;
        b.httpOnly = httpOnly;
        b.secure = secure;
        b.sameSite = sameSite;
        return b;
    }

    /** @return the {@code Domain} attribute, or null for the request's host only */
    public String domain() {
        return domain;
    }

    /** @return the absolute expiry ({@code expires} attribute), or null */
    public Instant expires() {
        return expires;
    }

    /** @return the {@code Path} attribute (default {@code /}), or null for none */
    public String path() {
        return path;
    }

    /** @return days from now until the cookie expires (ignored when {@link #expires()} is set), or null */
    public Double expiresDays() {
        return expiresDays;
    }

    /** @return the {@code Max-Age} attribute in seconds, or null */
    public Long maxAge() {
        return maxAge;
    }

    /** @return whether the {@code HttpOnly} flag is set (hidden from scripts) */
    public boolean httpOnly() {
        return httpOnly;
    }

    /** @return whether the {@code Secure} flag is set (HTTPS only) */
    public boolean secure() {
        return secure;
    }

    /** @return the {@code SameSite} attribute ({@code Strict}, {@code Lax}, {@code None}), or null */
    public String sameSite() {
        return sameSite;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof CookieOptions)) {
            return false;
        }
        CookieOptions c = (CookieOptions) o;
        return httpOnly == c.httpOnly && secure == c.secure && Objects.equals(domain, c.domain)
                && Objects.equals(expires, c.expires) && Objects.equals(path, c.path)
                && Objects.equals(expiresDays, c.expiresDays) && Objects.equals(maxAge, c.maxAge)
                && Objects.equals(sameSite, c.sameSite);
    }

    @Override
    public int hashCode() {
        return Objects.hash(domain, expires, path, expiresDays, maxAge, httpOnly, secure, sameSite);
    }

    @Override
    public String toString() {
        return "CookieOptions(domain=" + domain + ", expires=" + expires + ", path=" + path + ", expiresDays="
                + expiresDays + ", maxAge=" + maxAge + ", httpOnly=" + httpOnly + ", secure=" + secure
                + ", sameSite=" + sameSite + ")";
    }

    /** Builds {@link CookieOptions}. Not thread-safe. */
    public static final class Builder {
        private String domain;
        private Instant expires;
        private String path = "/";
        private Double expiresDays;
        private Long maxAge;
        private boolean httpOnly;
        private boolean secure;
        private String sameSite;

        private Builder() {
        }

        /**
         * @param v the {@code Domain} attribute (null or empty: none)
         * @return this
         */
        public Builder domain(String v) {
            domain = v;
            return this;
        }

        /**
         * @param v when the cookie expires (null: none); wins over {@link #expiresDays}
         * @return this
         */
        public Builder expires(Instant v) {
            expires = v;
            return this;
        }

        /**
         * @param v the {@code Path} attribute (default {@code /}; null or empty: none)
         * @return this
         */
        public Builder path(String v) {
            path = v;
            return this;
        }

        /**
         * @param v days from now until the cookie expires (null: a session cookie, unless {@link #expires})
         * @return this
         */
        public Builder expiresDays(Double v) {
            expiresDays = v;
            return this;
        }

        /**
         * @param v days from now until the cookie expires
         * @return this
         */
        public Builder expiresDays(double v) {
            expiresDays = v;
            return this;
        }

        /**
         * @param seconds the {@code Max-Age} attribute
         * @return this
         */
        public Builder maxAge(long seconds) {
            maxAge = seconds;
            return this;
        }

        /**
         * @param v the {@code Max-Age} attribute, whole seconds (null: none)
         * @return this
         */
        public Builder maxAge(Duration v) {
            maxAge = v == null ? null : v.getSeconds();
            return this;
        }

        /**
         * @param v the {@code HttpOnly} flag
         * @return this
         */
        public Builder httpOnly(boolean v) {
            httpOnly = v;
            return this;
        }

        /**
         * @param v the {@code Secure} flag
         * @return this
         */
        public Builder secure(boolean v) {
            secure = v;
            return this;
        }

        /**
         * @param v the {@code SameSite} attribute ({@code Strict}, {@code Lax} or {@code None}; null: none)
         * @return this
         */
        public Builder sameSite(String v) {
            sameSite = v;
            return this;
        }

        /** @return the options */
        public CookieOptions build() {
            return new CookieOptions(this);
        }
    }
}
