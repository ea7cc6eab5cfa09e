package io.tornadoj.testsupport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The leak check itself must be able to fail. */
class LeakDetectorTest {
    @Test
    void aLeakedBufferIsReported() throws Exception {
        leak();
        AssertionError e = assertThrows(AssertionError.class, () -> {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (true) {
                new LeakDetector().afterAll(null);
                if (System.nanoTime() > deadline) {
                    return;
                }
            }
        });
        assertTrue(e.getMessage().contains("LEAK"), e.getMessage());
    }

    private static void leak() {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.buffer(64);
        b.writeLong(42);
        // dropped without release()
    }
}
