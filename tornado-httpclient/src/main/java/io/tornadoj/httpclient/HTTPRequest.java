package io.tornadoj.httpclient;

import io.netty.handler.ssl.SslContext;
import io.tornadoj.httputil.HTTPHeaders;
import io.tornadoj.internal.Seconds;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Tornado's {@code HTTPRequest}: everything about one fetch. Immutable; {@link #builder(String)} makes one.
 * Unset options take the client's {@code defaults}, then Tornado's defaults (GET, 20 s timeouts, follow up
 * to 5 redirects, decompress responses, validate certificates, allow IPv6).
 */
public final class HTTPRequest {
    private final String url;
    private final String method;
    private final HTTPHeaders headers;
    private final byte[] body;
    private final BodyProducer bodyProducer;
    private final String authUsername;
    private final String authPassword;
    private final String authMode;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final Instant ifModifiedSince;
    private final Boolean followRedirects;
    private final Integer maxRedirects;
    private final String userAgent;
    private final Boolean decompressResponse;
    private final String networkInterface;
    private final Consumer<byte[]> streamingCallback;
    private final Consumer<String> headerCallback;
    private final String proxyHost;
    private final Integer proxyPort;
    private final String proxyUsername;
    private final String proxyPassword;
    private final Boolean allowNonstandardMethods;
    private final Boolean validateCert;
    private final String caCerts;
    private final String clientKey;
    private final String clientCert;
    private final SslContext sslContext;
    private final Boolean allowIpv6;
    private final Boolean expect100Continue;

    /**
     * A GET of a URL with every option at its default.
     *
     * @param url the URL (http or https)
     */
    public HTTPRequest(String url) {
        this(new Builder(url));
    }

    private HTTPRequest(Builder b) {
        url = b.url;
        method = b.method;
        headers = b.headers == null ? new HTTPHeaders() : b.headers.copy();
        body = b.body;
        bodyProducer = b.bodyProducer;
        authUsername = b.authUsername;
        authPassword = b.authPassword;
        authMode = b.authMode;
        connectTimeout = b.connectTimeout;
        requestTimeout = b.requestTimeout;
        ifModifiedSince = b.ifModifiedSince;
        followRedirects = b.followRedirects;
        maxRedirects = b.maxRedirects;
        userAgent = b.userAgent;
        decompressResponse = b.decompressResponse;
        networkInterface = b.networkInterface;
        streamingCallback = b.streamingCallback;
        headerCallback = b.headerCallback;
        proxyHost = b.proxyHost;
        proxyPort = b.proxyPort;
        proxyUsername = b.proxyUsername;
        proxyPassword = b.proxyPassword;
        allowNonstandardMethods = b.allowNonstandardMethods;
        validateCert = b.validateCert;
        caCerts = b.caCerts;
        clientKey = b.clientKey;
        clientCert = b.clientCert;
        sslContext = b.sslContext;
        allowIpv6 = b.allowIpv6;
        expect100Continue = b.expect100Continue;
    }

    /**
     * A builder for a URL.
     *
     * @param url the URL
     * @return a builder
     */
    public static Builder builder(String url) {
        return new Builder(url);
    }

    /** @return a builder holding this request's values (for variations, e.g. redirects) */
    public Builder toBuilder() {
        Builder b = new Builder(url);
        b.method = method;
        b.headers = headers.copy();
        b.body = body;
        b.bodyProducer = bodyProducer;
        b.authUsername = authUsername;
        b.authPassword = authPassword;
        b.authMode = authMode;
        b.connectTimeout = connectTimeout;
        b.requestTimeout = requestTimeout;
        b.ifModifiedSince = ifModifiedSince;
        b.followRedirects = followRedirects;
        b.maxRedirects = maxRedirects;
        b.userAgent = userAgent;
        b.decompressResponse = decompressResponse;
        b.networkInterface = networkInterface;
        b.streamingCallback = streamingCallback;
        b.headerCallback = headerCallback;
        b.proxyHost = proxyHost;
        b.proxyPort = proxyPort;
        b.proxyUsername = proxyUsername;
        b.proxyPassword = proxyPassword;
        b.allowNonstandardMethods = allowNonstandardMethods;
        b.validateCert = validateCert;
        b.caCerts = caCerts;
        b.clientKey = clientKey;
        b.clientCert = clientCert;
        b.sslContext = sslContext;
        b.allowIpv6 = allowIpv6;
        b.expect100Continue = expect100Continue;
        return b;
    }

    /**
     * This request with the client's defaults filled in where it left options unset (Tornado's
     * {@code _RequestProxy}). Keys are the builder's option names, in Java form ({@code userAgent}) or
     * Tornado's ({@code user_agent}); every option but the URL may have a default. Values have the builder
     * setter's type, with Tornado's forms also taken: seconds as a {@code Number} for the timeouts, epoch
     * seconds for {@code if_modified_since}, a {@code String} body, and {@code headers} as an
     * {@link HTTPHeaders} or a {@code Map} of names to values (merged under the request's own headers).
     *
     * @param defaults the client's defaults
     * @return the merged request
     * @throws IllegalArgumentException for an unknown key or a value of the wrong type
     */
    HTTPRequest withDefaults(Map<String, Object> defaults) {
        if (defaults.isEmpty()) {
            return this;
        }
        Builder b = toBuilder();
        for (Map.Entry<String, Object> e : defaults.entrySet()) {
            try {
                applyDefault(b, e.getKey(), e.getValue());
            } catch (ClassCastException | NullPointerException ex) {
                throw new IllegalArgumentException("invalid default " + e.getKey() + " = " + e.getValue(), ex);
            }
        }
        return b.build();
    }

    @SuppressWarnings("unchecked")
    private static void applyDefault(Builder b, String key, Object v) {
        switch (camelCase(key)) {
            case "method": if (b.method == null) { b.method = (String) v; } break;
            case "headers": b.headers = mergedHeaders(v, b.headers); break;
            case "body": if (b.body == null) { b.body = v instanceof String ? ((String) v).getBytes(StandardCharsets.UTF_8) : (byte[]) v; } break;
            case "bodyProducer": if (b.bodyProducer == null) { b.bodyProducer = (BodyProducer) v; } break;
            case "authUsername": if (b.authUsername == null) { b.authUsername = (String) v; } break;
            case "authPassword": if (b.authPassword == null) { b.authPassword = (String) v; } break;
            case "authMode": if (b.authMode == null) { b.authMode = (String) v; } break;
            case "connectTimeout": if (b.connectTimeout == null) { b.connectTimeout = duration(v); } break;
            case "requestTimeout": if (b.requestTimeout == null) { b.requestTimeout = duration(v); } break;
            case "ifModifiedSince":
                if (b.ifModifiedSince == null) {
                    b.ifModifiedSince = v instanceof Number
                            ? Instant.EPOCH.plus(Seconds.toDuration(((Number) v).doubleValue())) : (Instant) v;
                }
                break;
            case "followRedirects": if (b.followRedirects == null) { b.followRedirects = (Boolean) v; } break;
            case "maxRedirects": if (b.maxRedirects == null) { b.maxRedirects = ((Number) v).intValue(); } break;
            case "userAgent": if (b.userAgent == null) { b.userAgent = (String) v; } break;
            case "decompressResponse": if (b.decompressResponse == null) { b.decompressResponse = (Boolean) v; } break;
            case "networkInterface": if (b.networkInterface == null) { b.networkInterface = (String) v; } break;
            case "streamingCallback":
                if (b.streamingCallback == null) { b.streamingCallback = (Consumer<byte[]>) v; }
                break;
            case "headerCallback": if (b.headerCallback == null) { b.headerCallback = (Consumer<String>) v; } break;
            case "proxyHost": if (b.proxyHost == null) { b.proxyHost = (String) v; } break;
            case "proxyPort": if (b.proxyPort == null) { b.proxyPort = ((Number) v).intValue(); } break;
            case "proxyUsername": if (b.proxyUsername == null) { b.proxyUsername = (String) v; } break;
            case "proxyPassword": if (b.proxyPassword == null) { b.proxyPassword = (String) v; } break;
            case "allowNonstandardMethods":
                if (b.allowNonstandardMethods == null) { b.allowNonstandardMethods = (Boolean) v; }
                break;
            case "validateCert": if (b.validateCert == null) { b.validateCert = (Boolean) v; } break;
            case "caCerts": if (b.caCerts == null) { b.caCerts = (String) v; } break;
            case "clientKey": if (b.clientKey == null) { b.clientKey = (String) v; } break;
            case "clientCert": if (b.clientCert == null) { b.clientCert = (String) v; } break;
            case "sslContext": if (b.sslContext == null) { b.sslContext = (SslContext) v; } break;
            case "allowIpv6": if (b.allowIpv6 == null) { b.allowIpv6 = (Boolean) v; } break;
            case "expect100Continue": if (b.expect100Continue == null) { b.expect100Continue = (Boolean) v; } break;
            default:
                throw new IllegalArgumentException("unknown default: " + key);
        }
    }

    /** Tornado's {@code snake_case} option name in the builder's form ({@code expect_100_continue} → {@code expect100Continue}). */
    private static String camelCase(String key) {
        StringBuilder sb = new StringBuilder(key.length());
        boolean upper = false;
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '_') {
                upper = true;
            } else {
                sb.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return sb.toString();
    }

    /** The default headers (an HTTPHeaders or a Map) overridden by the request's own. */
    private static HTTPHeaders mergedHeaders(Object defaults, HTTPHeaders own) {
        HTTPHeaders merged;
        if (defaults instanceof HTTPHeaders) {
            merged = ((HTTPHeaders) defaults).copy();
        } else {
            merged = new HTTPHeaders();
            ((Map<?, ?>) defaults).forEach((k, val) -> merged.add((String) k, (String) val));
        }
        for (String name : own.names()) {
            merged.remove(name);
        }
        for (Map.Entry<String, String> h : own.entries()) {
            merged.add(h.getKey(), h.getValue());
        }
        return merged;
    }

    private static Duration duration(Object v) {
        return v instanceof Duration ? (Duration) v : Seconds.toDuration(((Number) v).doubleValue());
    }

    /** @return the URL */
    public String url() {
        return url;
    }

    /** @return the method (default GET) */
    public String method() {
        return method != null ? method : "GET";
    }

    /** @return the request headers (a copy is taken when sending) */
    public HTTPHeaders headers() {
        return headers;
    }

    /** @return the body, or null */
    public byte[] body() {
        return body;
    }

    /** @return the streamed body, or null */
    public BodyProducer bodyProducer() {
        return bodyProducer;
    }

    /** @return the user for authentication, or null */
    public String authUsername() {
        return authUsername;
    }

    /** @return the password for authentication, or null */
    public String authPassword() {
        return authPassword;
    }

    /** @return the authentication mode (only "basic" is supported) */
    public String authMode() {
        return authMode != null ? authMode : "basic";
    }

    /** @return the limit for connecting (default 20 s) */
    public Duration connectTimeout() {
        return connectTimeout != null ? connectTimeout : Duration.ofSeconds(20);
    }

    /** @return the limit for the whole request (default 20 s) */
    public Duration requestTimeout() {
        return requestTimeout != null ? requestTimeout : Duration.ofSeconds(20);
    }

    /** @return the If-Modified-Since time, or null */
    public Instant ifModifiedSince() {
        return ifModifiedSince;
    }

    /** @return whether redirects are followed (default true) */
    public boolean followRedirects() {
        return followRedirects == null || followRedirects;
    }

    /** @return the most redirects followed (default 5) */
    public int maxRedirects() {
        return maxRedirects != null ? maxRedirects : 5;
    }

    /** @return the User-Agent, or null for the client's own */
    public String userAgent() {
        return userAgent;
    }

    /** @return whether gzip/deflate responses are decompressed (default true) */
    public boolean decompressResponse() {
        return decompressResponse == null || decompressResponse;
    }

    /** @return the local address to connect from, or null */
    public String networkInterface() {
        return networkInterface;
    }

    /** @return receives body chunks instead of the response's body, or null */
    public Consumer<byte[]> streamingCallback() {
        return streamingCallback;
    }

    /** @return receives the status line, each header line and the blank line, or null */
    public Consumer<String> headerCallback() {
        return headerCallback;
    }

    /**
     * @return the HTTP proxy host, or null. Plain http URLs are sent to it with the absolute URL in the
     *         request line; https URLs go through a {@code CONNECT} tunnel with TLS to the origin inside it
     */
    public String proxyHost() {
        return proxyHost;
    }

    /** @return the HTTP proxy port, or null (then 80) */
    public Integer proxyPort() {
        return proxyPort;
    }

    /** @return the proxy user, or null */
    public String proxyUsername() {
        return proxyUsername;
    }

    /** @return the proxy password (default "") */
    public String proxyPassword() {
        return proxyPassword != null ? proxyPassword : "";
    }

    /** @return whether any method/body combination is allowed (default false) */
    public boolean allowNonstandardMethods() {
        return allowNonstandardMethods != null && allowNonstandardMethods;
    }

    /** @return whether the server's certificate is checked (default true) */
    public boolean validateCert() {
        return validateCert == null || validateCert;
    }

    /** @return a PEM file of trusted CAs, or null for the JDK's */
    public String caCerts() {
        return caCerts;
    }

    /** @return a PEM private key file for a client certificate, or null */
    public String clientKey() {
        return clientKey;
    }

    /** @return a PEM client certificate file, or null */
    public String clientCert() {
        return clientCert;
    }

    /** @return a ready TLS context (overrides validateCert/caCerts/clientKey/clientCert), or null */
    public SslContext sslContext() {
        return sslContext;
    }

    /** @return whether IPv6 addresses may be used (default true) */
    public boolean allowIpv6() {
        return allowIpv6 == null || allowIpv6;
    }

    /** @return whether the body waits for {@code 100 Continue} (default false) */
    public boolean expect100Continue() {
        return expect100Continue != null && expect100Continue;
    }

    @Override
    public String toString() {
        return "HTTPRequest(" + method() + " " + url + ")";
    }

    /** Builds an {@link HTTPRequest}; setters carry Tornado's option names. Not thread-safe. */
    public static final class Builder {
        private String url;
        private String method;
        private HTTPHeaders headers;
        private byte[] body;
        private BodyProducer bodyProducer;
        private String authUsername;
        private String authPassword;
        private String authMode;
        private Duration connectTimeout;
        private Duration requestTimeout;
        private Instant ifModifiedSince;
        private Boolean followRedirects;
        private Integer maxRedirects;
        private String userAgent;
        private Boolean decompressResponse;
        private String networkInterface;
        private Consumer<byte[]> streamingCallback;
        private Consumer<String> headerCallback;
        private String proxyHost;
        private Integer proxyPort;
        private String proxyUsername;
        private String proxyPassword;
        private Boolean allowNonstandardMethods;
        private Boolean validateCert;
        private String caCerts;
        private String clientKey;
        private String clientCert;
        private SslContext sslContext;
        private Boolean allowIpv6;
        private Boolean expect100Continue;

        private Builder(String url) {
            this.url = Objects.requireNonNull(url, "url");
        }

        /** @param v the URL @return this */
        public Builder url(String v) {
            url = Objects.requireNonNull(v);
            return this;
        }

        /** @param v the method, e.g. POST @return this */
        public Builder method(String v) {
            method = Objects.requireNonNull(v);
            return this;
        }

        /** @param v the request headers @return this */
        public Builder headers(HTTPHeaders v) {
            headers = v;
            return this;
        }

        /**
         * Adds one request header.
         *
         * @param name  the name
         * @param value the value
         * @return this
         */
        public Builder header(String name, String value) {
            if (headers == null) {
                headers = new HTTPHeaders();
            }
            headers.add(name, value);
            return this;
        }

        /** @param v the body bytes @return this */
        public Builder body(byte[] v) {
            body = v;
            return this;
        }

        /** @param v the body as UTF-8 text @return this */
        public Builder body(String v) {
            body = v == null ? null : v.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        /** @param v streams the body (sent chunked unless a Content-Length header is set) @return this */
        public Builder bodyProducer(BodyProducer v) {
            bodyProducer = v;
            return this;
        }

        /** @param v the user for basic authentication @return this */
        public Builder authUsername(String v) {
            authUsername = v;
            return this;
        }

        /** @param v the password for basic authentication @return this */
        public Builder authPassword(String v) {
            authPassword = v;
            return this;
        }

        /** @param v the authentication mode ("basic") @return this */
        public Builder authMode(String v) {
            authMode = v;
            return this;
        }

        /** @param v the connect limit @return this */
        public Builder connectTimeout(Duration v) {
            connectTimeout = v;
            return this;
        }

        /** @param seconds the connect limit in seconds @return this */
        public Builder connectTimeout(double seconds) {
            return connectTimeout(Seconds.toDuration(seconds));
        }

        /** @param v the limit for the whole request @return this */
        public Builder requestTimeout(Duration v) {
            requestTimeout = v;
            return this;
        }

        /** @param seconds the request limit in seconds @return this */
        public Builder requestTimeout(double seconds) {
            return requestTimeout(Seconds.toDuration(seconds));
        }

        /** @param v sends If-Modified-Since @return this */
        public Builder ifModifiedSince(Instant v) {
            ifModifiedSince = v;
            return this;
        }

        /** @param v follow redirects @return this */
        public Builder followRedirects(boolean v) {
            followRedirects = v;
            return this;
        }

        /** @param v the most redirects followed @return this */
        public Builder maxRedirects(int v) {
            maxRedirects = v;
            return this;
        }

        /** @param v the User-Agent @return this */
        public Builder userAgent(String v) {
            userAgent = v;
            return this;
        }

        /** @param v decompress gzip/deflate responses @return this */
        public Builder decompressResponse(boolean v) {
            decompressResponse = v;
            return this;
        }

        /** @param v the local address to connect from @return this */
        public Builder networkInterface(String v) {
            networkInterface = v;
            return this;
        }

        /** @param v receives each body chunk (the response body is then empty) @return this */
        public Builder streamingCallback(Consumer<byte[]> v) {
            streamingCallback = v;
            return this;
        }

        /** @param v receives each raw header line, then the blank line @return this */
        public Builder headerCallback(Consumer<String> v) {
            headerCallback = v;
            return this;
        }

        /** @param v the HTTP proxy host (https goes through a CONNECT tunnel) @return this */
        public Builder proxyHost(String v) {
            proxyHost = v;
            return this;
        }

        /** @param v the HTTP proxy port @return this */
        public Builder proxyPort(int v) {
            proxyPort = v;
            return this;
        }

        /** @param v the proxy user @return this */
        public Builder proxyUsername(String v) {
            proxyUsername = v;
            return this;
        }

        /** @param v the proxy password @return this */
        public Builder proxyPassword(String v) {
            proxyPassword = v;
            return this;
        }

        /** @param v allow any method with any body @return this */
        public Builder allowNonstandardMethods(boolean v) {
            allowNonstandardMethods = v;
            return this;
        }

        /** @param v check the server's certificate and name @return this */
        public Builder validateCert(boolean v) {
            validateCert = v;
            return this;
        }

        /** @param v a PEM file of trusted CAs @return this */
        public Builder caCerts(String v) {
            caCerts = v;
            return this;
        }

        /** @param v a PEM private key file for the client certificate @return this */
        public Builder clientKey(String v) {
            clientKey = v;
            return this;
        }

        /** @param v a PEM client certificate file @return this */
        public Builder clientCert(String v) {
            clientCert = v;
            return this;
        }

        /** @param v a ready client TLS context @return this */
        public Builder sslContext(SslContext v) {
            sslContext = v;
            return this;
        }

        /** @param v allow IPv6 addresses @return this */
        public Builder allowIpv6(boolean v) {
            allowIpv6 = v;
            return this;
        }

        /** @param v wait for 100 Continue before sending the body @return this */
        public Builder expect100Continue(boolean v) {
            expect100Continue = v;
            return this;
        }

        /** @return the request */
        public HTTPRequest build() {
            return new HTTPRequest(this);
        }
    }
}
