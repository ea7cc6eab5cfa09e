package io.tornadoj.httpclient;

import io.tornadoj.httputil.HTTPHeaders;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Tornado's {@code HTTPResponse}: the outcome of a fetch. For a 599 (no response) {@link #error()} says
 * why. Immutable.
 */
public final class HTTPResponse {
    private final HTTPRequest request;
    private final int code;
    private final String reason;
    private final HTTPHeaders headers;
    private final byte[] body;
    private final String effectiveUrl;
    private final HTTPClientError error;
    private final double startTime;
    private final double requestTime;
    private final Map<String, Double> timeInfo;

    HTTPResponse(HTTPRequest request, int code, String reason, HTTPHeaders headers, byte[] body, String effectiveUrl,
                 HTTPClientError error, double startTime, double requestTime, Map<String, Double> timeInfo) {
        this.request = request;
        this.code = code;
        this.reason = reason != null && !reason.isEmpty() ? reason : HTTPClientError.reasonOf(code);
        this.headers = headers != null ? headers : new HTTPHeaders();
        this.body = body != null ? body : new byte[0];
        this.effectiveUrl = effectiveUrl != null ? effectiveUrl : request.url();
        this.startTime = startTime;
        this.requestTime = requestTime;
        this.timeInfo = Map.copyOf(timeInfo);
        if (error == null && (code < 200 || code >= 300)) {
            error = new HTTPClientError(code, this.reason, this);
        }
        this.error = error;
    }

    /** @return the request that was made (the original one, before redirects) */
    public HTTPRequest request() {
        return request;
    }

    /** @return the status code, or 599 when no response came */
    public int code() {
        return code;
    }

    /** @return the reason phrase */
    public String reason() {
        return reason;
    }

    /** @return the response headers */
    public HTTPHeaders headers() {
        return headers;
    }

    /** @return the body (empty when a streaming callback took it) */
    public byte[] body() {
        return body;
    }

    /** @return the body decoded as UTF-8 */
    public String bodyAsString() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** @return the final URL after redirects */
    public String effectiveUrl() {
        return effectiveUrl;
    }

    /** @return the error for a non-2xx response or a failed request, else null */
    public HTTPClientError error() {
        return error;
    }

    /**
     * Throws {@link #error()} if there is one.
     *
     * @throws HTTPClientError the error
     */
    public void rethrow() throws HTTPClientError {
        if (error != null) {
            throw error;
        }
    }

    /** @return seconds from the start of the fetch to the end of the response */
    public double requestTime() {
        return requestTime;
    }

    /** @return when the fetch started, seconds since the epoch */
    public double startTime() {
        return startTime;
    }

    /** @return phase timings in seconds: {@code queue}, {@code connect}, {@code total} */
    public Map<String, Double> timeInfo() {
        return timeInfo;
    }

    @Override
    public String toString() {
        return "HTTPResponse(code=" + code + ", url=" + effectiveUrl + ", " + body.length + " bytes)";
    }
}
