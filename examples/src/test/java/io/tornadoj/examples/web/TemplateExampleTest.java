package io.tornadoj.examples.web;

import io.tornadoj.httpclient.HTTPResponse;
import io.tornadoj.testing.AsyncHTTPTestCase;
import io.tornadoj.testing.GenTest;
import io.tornadoj.web.Application;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The template example: layout, loop, UI module and escaping, over HTTP. */
class TemplateExampleTest extends AsyncHTTPTestCase {
    @Override
    public Application getApp() {
        return TemplateExample.makeApp();
    }

    @GenTest
    void homePage() throws Exception {
        HTTPResponse response = fetch("/");
        assertEquals(200, response.code());
        String body = response.bodyAsString();
        assertTrue(body.startsWith("<html><head><title>My blog</title></head>"), body);
        assertTrue(body.contains("<article><h2>Hello</h2><p>Tornado templates, in Java</p></article>"), body);
        assertTrue(body.contains("<h2>&lt;Escaping&gt;</h2><p>{{ }} output is escaped &amp; safe</p>"), body);
        assertTrue(body.contains("<p>2 entries</p>"), body);
    }
}
