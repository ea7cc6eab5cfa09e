package io.tornadoj.examples.websocket;

import io.tornadoj.testing.AsyncHTTPTestCase;
import io.tornadoj.testing.GenTest;
import io.tornadoj.web.Application;
import io.tornadoj.websocket.WebSocket;
import io.tornadoj.websocket.WebSocketClientConnection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The echo WebSocket example, tested with Tornado's AsyncHTTPTestCase and the WebSocket client. */
class EchoWebSocketTest extends AsyncHTTPTestCase {
    @Override
    public Application getApp() {
        return EchoWebSocket.makeApp();
    }

    @GenTest
    void echoes() throws Exception {
        WebSocketClientConnection ws = await(WebSocket.connect("ws://127.0.0.1:" + getHttpPort() + "/websocket"));
        assertEquals("Welcome!", await(ws.readMessage()));
        await(ws.writeMessage("hi"));
        assertEquals("You said: hi", await(ws.readMessage()));
        ws.close(1000, "bye");
        assertNull(await(ws.readMessage()));
        assertEquals(1000, ws.closeCode());
    }

    @GenTest
    void servesThePage() throws Exception {
        assertTrue(fetch("/").bodyAsString().contains("new WebSocket("));
    }
}
