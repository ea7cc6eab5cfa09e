package io.tornadoj.httputil;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Tornado's {@code HTTPServerRequest}: one HTTP request as the server received it. Arguments are
 * decoded as UTF-8 when the request is built (query) and when the body is set (form bodies); bytes that
 * are not valid UTF-8 there make the server answer 400. Created and used on the connection's loop
 * thread.
 */
public class HTTPServerRequest {
    /** Tornado's {@code _ABNF.host}: RFC 3986 host characters (brackets and colons anywhere) and a port. */
    private static final String HOST_CHARS = "[]:-._~!$&'()*+,;=";
    private final String method;
    private final String uri;
    private final String version;
    private final HTTPHeaders headers;
    private final HTTPConnection connection;
    private final String remoteIp;
    private final String protocol;
    private final String host;
    /** Computed on first use (most handlers never ask). */
    private String hostName;
    private final String path;
    private final String query;
    private final double startTime;
    private final long startNanos;
    // the argument maps are made on first use: most requests have no query or form (loop thread only)
    private Map<String, List<String>> queryArguments;
    private Map<String, List<String>> bodyArguments;
    private Map<String, List<String>> arguments;
    private Map<String, List<HTTPFile>> files;
    private byte[] body = new byte[0];
    private Map<String, String> cookies;

    /**
     * A request.
     *
     * @param method     e.g. GET
     * @param uri        the request target as sent
     * @param version    e.g. HTTP/1.1
     * @param headers    the request headers
     * @param connection the connection that answers it (may be null in tests)
     * @param remoteIp   the client's address (after X-Real-Ip/X-Forwarded-For when trusted)
     * @param protocol   {@code http} or {@code https}
     * @throws HTTPInputError when the query string is not valid UTF-8 percent-encoding, or the Host header is
     *                        malformed or repeated
     */
    public HTTPServerRequest(String method, String uri, String version, HTTPHeaders headers,
                             HTTPConnection connection, String remoteIp, String protocol) {
        this.method = Objects.requireNonNull(method, "method");
        this.uri = Objects.requireNonNull(uri, "uri");
        this.version = version == null ? "HTTP/1.0" : version;
        this.headers = headers == null ? new HTTPHeaders() : headers;
        this.connection = connection;
        this.remoteIp = remoteIp;
        this.protocol = protocol == null ? "http" : protocol;
        String h = this.headers.get("Host");
        this.host = h == null || h.isEmpty() ? "127.0.0.1" : h;
        // As Tornado: a bad Host is a 400, and so are several (joined with ","; DNS names have no commas).
        if (!validHost(host)) {
            throw new HTTPInputError("Invalid Host header: " + host);
        }
        if (host.contains(",")) {
            throw new HTTPInputError("Multiple host headers not allowed: " + host);
        }
        int q = uri.indexOf('?');
        this.path = q < 0 ? uri : uri.substring(0, q);
        this.query = q < 0 ? "" : uri.substring(q + 1);
        if (!query.isEmpty()) {
            this.queryArguments = HTTPUtil.parseQueryString(query); // invalid UTF-8 is a 400 now, not later
        }
        this.startTime = System.currentTimeMillis() / 1000.0;
        this.startNanos = System.nanoTime();
    }

    /** Tornado's host syntax (RFC 3986 reg-name/IP-literal characters and %XX escapes), checked by hand. */
    private static boolean validHost(String host) {
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || HOST_CHARS.indexOf(c) >= 0) {
                continue;
            }
            if (c == '%' && i + 2 < host.length() && HTTPUtil.hexValue(host.charAt(i + 1)) >= 0
                    && HTTPUtil.hexValue(host.charAt(i + 2)) >= 0) {
                i += 2;
                continue;
            }
            return false;
        }
        return true;
    }

    /**
     * Sets the body once it has arrived and parses form arguments and files from it
     * ({@code application/x-www-form-urlencoded}, {@code multipart/form-data}).
     *
     * @param body the whole body
     * @throws HTTPInputError when a form body is malformed or not UTF-8
     */
    public void setBody(byte[] body) {
        this.body = body == null ? new byte[0] : body;
        String type = headers.get("Content-Type");
        if (type != null && this.body.length > 0) {
            Map<String, List<String>> parsed = new LinkedHashMap<>();
            HTTPUtil.parseBodyArguments(type, this.body, parsed, files(), headers);
            parsed.forEach((k, v) -> {
                bodyArguments().computeIfAbsent(k, x -> new ArrayList<>()).addAll(v);
                arguments().computeIfAbsent(k, x -> new ArrayList<>()).addAll(v);
            });
        }
    }

    /** @return the method, e.g. {@code GET} */
    public String method() {
        return method;
    }

    /** @return the request target as sent, path and query */
    public String uri() {
        return uri;
    }

    /** @return the HTTP version, e.g. {@code HTTP/1.1} */
    public String version() {
        return version;
    }

    /** @return the request headers */
    public HTTPHeaders headers() {
        return headers;
    }

    /** @return the body (empty until it has arrived, and for streamed bodies) */
    public byte[] body() {
        return body;
    }

    /** @return the path part of the uri, still percent-encoded */
    public String path() {
        return path;
    }

    /** @return the query string without {@code ?} (empty when none) */
    public String query() {
        return query;
    }

    /** @return the client's IP address */
    public String remoteIp() {
        return remoteIp;
    }

    /** @return {@code http} or {@code https} */
    public String protocol() {
        return protocol;
    }

    /** @return the Host header, or {@code 127.0.0.1} when absent */
    public String host() {
        return host;
    }

    /** @return the host without the port, lower case */
    public String hostName() {
        if (hostName == null) {
            hostName = HTTPUtil.splitHostAndPort(host.toLowerCase(Locale.ROOT)).host();
        }
        return hostName;
    }

    /** @return query and body arguments together (name → values in order) */
    public Map<String, List<String>> arguments() {
        if (arguments == null) {
            arguments = new LinkedHashMap<>();
            queryArguments().forEach((k, v) -> arguments.put(k, new ArrayList<>(v)));
        }
        return arguments;
    }

    /** @return the query arguments */
    public Map<String, List<String>> queryArguments() {
        if (queryArguments == null) {
            queryArguments = new LinkedHashMap<>();
        }
        return queryArguments;
    }

    /** @return the form body arguments */
    public Map<String, List<String>> bodyArguments() {
        if (bodyArguments == null) {
            bodyArguments = new LinkedHashMap<>();
        }
        return bodyArguments;
    }

    /** @return uploaded files by form field */
    public Map<String, List<HTTPFile>> files() {
        if (files == null) {
            files = new LinkedHashMap<>();
        }
        return files;
    }

    /** @return the cookies sent (name → value), parsed on first use */
    public Map<String, String> cookies() {
        if (cookies == null) {
            Map<String, String> c = new LinkedHashMap<>();
            for (String header : headers.getList("Cookie")) {
                c.putAll(HTTPUtil.parseCookie(header));
            }
            cookies = Collections.unmodifiableMap(c);
        }
        return cookies;
    }

    /** @return {@code protocol://host/uri} */
    public String fullUrl() {
        return protocol + "://" + host + uri;
    }

    /** @return seconds since the request started (its duration once finished) */
    public double requestTime() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** @return when the request started, seconds since the epoch */
    public double startTime() {
        return startTime;
    }

    /** @return the connection that answers this request */
    public HTTPConnection connection() {
        return connection;
    }

    /** @return the body decoded as UTF-8 (a convenience) */
    public String bodyAsString() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "HTTPServerRequest(protocol=" + protocol + ", host=" + host + ", method=" + method + ", uri=" + uri
                + ", version=" + version + ", remote_ip=" + remoteIp + ")";
    }
}
