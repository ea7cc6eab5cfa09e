package io.tornadoj.testing;

import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * This module's tests run under Netty's paranoid leak detection, with the tornado-ioloop test-jar's
 * LeakDetector auto-registered (it fails a test class when a leak was reported while it ran).
 */
class LeakDetectionTest {
    private static volatile String autodetection;

    @RegisterExtension
    static final BeforeEachCallback CONFIGURATION = context ->
            autodetection = context.getConfigurationParameter("junit.jupiter.extensions.autodetection.enabled").orElse(null);

    @Test
    void paranoidLeakDetectionIsOn() {
        assertEquals(ResourceLeakDetector.Level.PARANOID, ResourceLeakDetector.getLevel());
    }

    @Test
    void theLeakDetectorIsAutoRegistered() {
        assertEquals("true", autodetection, "JUnit extension auto-detection is off");
        boolean found = ServiceLoader.load(Extension.class).stream()
                .anyMatch(p -> p.type().getName().equals("io.tornadoj.testsupport.LeakDetector"));
        assertTrue(found, "io.tornadoj.testsupport.LeakDetector is not a registered extension");
    }
}
