package io.tornadoj.httpserver;

import io.tornadoj.testsupport.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the HTTPServer tests that start a {@link ServerFixture} and read what the server logs: captures
 * tornado.general, tornado.application and tornado.access for each test, and closes the fixture (when the
 * test started one), then the captures, after it.
 */
abstract class LoggedServerTest {
    ServerFixture fx;
    LogCapture gen;
    LogCapture app;
    LogCapture access;

    @BeforeEach
    void captureLogs() {
        gen = new LogCapture("tornado.general");
        app = new LogCapture("tornado.application");
        access = new LogCapture("tornado.access");
    }

    @AfterEach
    void closeFixtureAndLogs() throws Exception {
        try {
            if (fx != null) {
                fx.close();
            }
        } finally {
            gen.close();
            app.close();
            access.close();
        }
    }
}
