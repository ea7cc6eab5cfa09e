package io.tornadoj.testing;

import io.tornadoj.httpclient.HTTPResponse;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.ioloop.Transport;
import io.tornadoj.web.Application;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.tornadoj.web.Web.url;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** getNewIoLoop() picks the test's loop, here on Java NIO: server, client and fetch all run on it. */
class NioTransportTest extends AsyncHTTPTestCase {
    @Override
    protected IOLoop getNewIoLoop() {
        return IOLoop.create(Transport.NIO);
    }

    @Override
    protected Application getApp() {
        return new Application(List.of(url("/hello", AsyncHTTPTestCaseTest.Hello.class)));
    }

    @Test
    void theTestLoopIsTheOverridesLoop() {
        assertEquals(Transport.NIO, ioLoop.transport());
        assertSame(ioLoop, IOLoop.current());
    }

    @Test
    void fetchWorksOnIt() throws Exception {
        HTTPResponse r = fetch("/hello");
        assertEquals(200, r.code());
        assertEquals("Hello", r.bodyAsString());
    }

    @GenTest(timeout = 2)
    void genTestsRunOnIt() throws Exception {
        assertEquals(Transport.NIO, IOLoop.current().transport());
        assertEquals(200, fetch("/hello").code());
    }
}
