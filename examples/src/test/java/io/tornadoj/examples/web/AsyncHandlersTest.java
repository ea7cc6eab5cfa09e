package io.tornadoj.examples.web;

import io.tornadoj.httpclient.HTTPResponse;
import io.tornadoj.testing.AsyncHTTPTestCase;
import io.tornadoj.testing.GenTest;
import io.tornadoj.web.Application;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AsyncHandlersTest extends AsyncHTTPTestCase {
    @Override
    public Application getApp() {
        return AsyncHandlers.makeApp();
    }

    @GenTest
    void sleepAwaitsATimeoutOnTheLoop() throws Exception {
        double start = ioLoop.time();
        HTTPResponse r = fetch("/sleep/200");
        assertTrue(ioLoop.time() - start >= 0.2);
        assertEquals(200, r.code());
        assertTrue(r.bodyAsString().replace(" ", "").contains("\"slept_ms\":200"), r.bodyAsString());
    }

    @GenTest
    void streamArrivesInChunks() throws Exception {
        List<String> chunks = new ArrayList<>();
        HTTPResponse r = fetch("/stream", b -> b.streamingCallback(c -> chunks.add(new String(c))));
        assertEquals(200, r.code());
        assertEquals("chunk 1\nchunk 2\nchunk 3\n", String.join("", chunks));
        assertTrue(chunks.size() >= 2, "flushed in pieces: " + chunks);
        assertTrue(r.headers().get("Content-Length") == null, "chunked, no Content-Length");
    }
}
