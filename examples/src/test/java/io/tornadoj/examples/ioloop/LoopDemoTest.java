package io.tornadoj.examples.ioloop;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class LoopDemoTest {
    @Test
    void theTourRunsToTheEnd() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int ticks = LoopDemo.run(new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(5, ticks);
        assertTrue(out.indexOf("callback 1") < out.indexOf("callback 2"), out);
        assertTrue(out.contains("runSync returned: slept 50 ms"), out);
        assertTrue(out.contains("tick 5"), out);
        assertTrue(out.contains("loop stopped after 5 ticks"), out);
    }
}
