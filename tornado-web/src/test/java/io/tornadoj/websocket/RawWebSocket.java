package io.tornadoj.websocket;

import io.tornadoj.web.RawHttp;
import io.tornadoj.web.TestServer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Test fixture: a WebSocket client written by hand over a raw socket, to send what a well-behaved client
 * never would (invalid UTF-8, no pongs) and to see the exact frames the server sends.
 */
final class RawWebSocket implements AutoCloseable {
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    /** A frame from the server. */
    record Frame(int opcode, byte[] payload) {
        /** @return a close frame's status, or -1 */
        int closeCode() {
            return payload.length < 2 ? -1 : (payload[0] & 0xff) << 8 | payload[1] & 0xff;
        }

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    final RawHttp raw;

    /**
     * Upgrades a new connection; fails unless the answer is 101.
     */
    RawWebSocket(TestServer server, String path) {
        raw = server.raw();
        raw.send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n");
        RawHttp.Head head = raw.readHead();
        assertEquals(101, head.code);
        assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", head.header("Sec-WebSocket-Accept"));
    }

    /** Sends one masked frame. */
    void send(int opcode, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + payload.length);
        b.put((byte) (0x80 | opcode));
        if (payload.length < 126) {
            b.put((byte) (0x80 | payload.length));
        } else if (payload.length < 65536) {
            b.put((byte) (0x80 | 126)).putShort((short) payload.length);
        } else {
            b.put((byte) (0x80 | 127)).putLong(payload.length);
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        b.put(mask);
        for (int i = 0; i < payload.length; i++) {
            b.put((byte) (payload[i] ^ mask[i % 4]));
        }
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        raw.send(out);
    }

    /** Reads one (unmasked) frame. */
    Frame read() {
        byte[] h = raw.read(2);
        int opcode = h[0] & 0x0f;
        long len = h[1] & 0x7f;
        if (len == 126) {
            len = ByteBuffer.wrap(raw.read(2)).getShort() & 0xffff;
        } else if (len == 127) {
            len = ByteBuffer.wrap(raw.read(8)).getLong();
        }
        return new Frame(opcode, raw.read((int) len));
    }

    @Override
    public void close() {
        raw.close();
    }
}
