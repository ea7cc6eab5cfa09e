package io.tornadoj.examples.web;

import io.tornadoj.gen.Gen;
import io.tornadoj.httpclient.HTTPResponse;
import io.tornadoj.testing.AsyncHTTPTestCase;
import io.tornadoj.testing.ExpectLog;
import io.tornadoj.testing.GenTest;
import io.tornadoj.web.Application;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's "Testing your app" example: Tornado's AsyncHTTPTestCase, in Java. */
class HelloWorldAppTest extends AsyncHTTPTestCase {
    @Override
    public Application getApp() {
        return HelloWorld.makeApp();
    }

    @GenTest
    void homepage() throws Exception {
        HTTPResponse response = fetch("/");
        assertEquals(200, response.code());
        assertEquals("Hello, world", response.bodyAsString());
    }

    @GenTest(timeout = 10)
    void unknownPathsAre404AndLogged() throws Exception {
        try (ExpectLog log = new ExpectLog("tornado.access", "404 GET /nope")) {
            assertEquals(404, fetch("/nope").code());
        }
    }

    @GenTest
    void awaitingALoopFuture() throws Exception {
        double start = ioLoop.time();
        await(Gen.sleep(Duration.ofMillis(50)));
        assertTrue(ioLoop.time() - start >= 0.05);
        ioLoop.callLater(0.01, () -> stop("done"));
        assertEquals("done", await());
    }
}
