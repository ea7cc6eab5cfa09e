package io.tornadoj.testing;

import io.tornadoj.httpserver.HTTPServer;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.web.Application;
import io.tornadoj.web.RequestHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.RepeatedTest;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static io.tornadoj.web.Web.url;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ports never collide across 200 sequential tests: no test's server gets a port that a still-live server
 * holds, each earlier server and loop is closed, and each fetch reaches this test's own server.
 */
class PortCollisionTest extends AsyncHTTPTestCase {
    private static final Map<Integer, HTTPServer> SERVERS = new HashMap<>();
    private static final Set<Integer> PORTS_SEEN = new HashSet<>();
    private static IOLoop previousLoop;
    private static int tests;

    private final String token = UUID.randomUUID().toString();

    /** Answers the token of the test that made it. */
    public static class Token extends RequestHandler {
        private final String token;

        Token(String token) {
            this.token = token;
        }

        /** Writes the token. */
        public void get() {
            write(token);
        }
    }

    @Override
    protected Application getApp() {
        return new Application(List.of(url("/", () -> new Token(token))));
    }

    @RepeatedTest(200)
    void portsNeverCollide() throws Exception {
        int port = getHttpPort();
        synchronized (SERVERS) {
            // earlier servers are all closed by their tearDown
            SERVERS.values().removeIf(s -> s.boundAddresses().isEmpty());
            assertEquals(Map.of(), SERVERS, "an earlier test's server is still listening");
            assertFalse(SERVERS.containsKey(port), "port " + port + " is held by a live server");
            SERVERS.put(port, httpServer);
            PORTS_SEEN.add(port);
            assertTrue(previousLoop == null || previousLoop.eventLoop().isTerminated(), "the previous loop is closed");
            previousLoop = ioLoop;
            tests++;
        }
        assertEquals(token, fetch("/").bodyAsString(), "the request reached another test's server");
    }

    @AfterAll
    static void manyDistinctPorts() {
        synchronized (SERVERS) {
            assertEquals(200, tests);
            // ephemeral ports rotate: sequential servers rarely get the same one (it would be allowed once closed)
            assertTrue(PORTS_SEEN.size() > 100, "only " + PORTS_SEEN.size() + " distinct ports");
        }
    }
}
