package io.tornadoj.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tornadoj.ioloop.IOLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ExpectLog: matching records are swallowed (a capturing appender on the logger never sees them) and
 * counted, others pass, the level and child loggers are honoured, and a required record that never came
 * fails at close.
 */
@SuppressWarnings("try") // ExpectLog blocks often only need to be open
class ExpectLogTest {
    private static final AtomicInteger IDS = new AtomicInteger();

    private String name;
    private Logger log;
    private ListAppender<ILoggingEvent> appender;

    @BeforeEach
    void captureAFreshLogger() {
        name = "expectlog.test" + IDS.incrementAndGet();
        log = (Logger) LoggerFactory.getLogger(name);
        log.setLevel(Level.INFO);
        log.setAdditive(false); // what reaches the logger's appenders is only what the test logs
        appender = new ListAppender<>();
        appender.setContext(log.getLoggerContext());
        appender.start();
        log.addAppender(appender);
    }

    @AfterEach
    void release() {
        log.detachAppender(appender);
        appender.stop();
        log.setLevel(null);
        log.setAdditive(true);
    }

    /** The messages that reached the appender (were not swallowed). */
    private List<String> passed() {
        synchronized (appender) {
            return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    @Test
    void swallowsMatchingRecordsAndCountsThem() {
        try (ExpectLog e = new ExpectLog(name, "boom")) {
            log.error("boom one");
            log.warn("boom {}", 2);
            log.info("boom {} {}", 3, "three");
            assertEquals(3, e.matched());
        }
        assertEquals(List.of(), passed());
    }

    @Test
    void letsNonMatchingRecordsThrough() {
        try (ExpectLog e = new ExpectLog(name, "boom")) {
            log.error("something else");
            log.error("a boom not at the start"); // re.match: the pattern matches from the start
            log.error("boom");
            assertEquals(1, e.matched());
        }
        assertEquals(List.of("something else", "a boom not at the start"), passed());
    }

    @Test
    void matchesTheFormattedMessageAcrossLines() {
        try (ExpectLog e = new ExpectLog(name, "failed 3 times: .*line two$")) {
            log.error("failed {} times: {}", 3, "line one\nline two", new IOException("the trailing throwable"));
            log.error("failed {} times: {}", 3, "only one line");
            assertEquals(1, e.matched());
        }
        assertEquals(List.of("failed 3 times: only one line"), passed());
    }

    @Test
    void matchesARecordWithAThrowable() {
        try (ExpectLog e = new ExpectLog(name, "Uncaught exception")) {
            log.error("Uncaught exception", new IllegalStateException("x"));
        }
        assertEquals(List.of(), passed());
    }

    @Test
    void aRequiredRecordThatNeverCameFailsAtClose() {
        AssertionError e = assertThrows(AssertionError.class, () -> {
            try (ExpectLog x = new ExpectLog(name, "never logged")) {
                log.error("something else");
            }
        });
        assertEquals("did not get expected log message on " + name + ": never logged", e.getMessage());
        assertEquals(List.of("something else"), passed());
    }

    @Test
    void aRequiredRecordThatNeverCameFailsTheTest() {
        Throwable t = SampleRunner.onlyFailure(SampleRunner.run(MissingRecordSample.class));
        assertEquals(AssertionError.class, t.getClass());
        assertEquals("did not get expected log message on expectlog.sample: never logged", t.getMessage());
    }

    @Test
    void theBodysOwnFailureWinsOverAMissingRecord() {
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> {
            try (ExpectLog x = new ExpectLog(name, "never logged")) {
                throw new IllegalStateException("the body failed first");
            }
        });
        assertEquals(1, thrown.getSuppressed().length);
        assertInstanceOf(AssertionError.class, thrown.getSuppressed()[0]);
    }

    @Test
    void notRequiredMeansNoFailureButStillSwallows() {
        try (ExpectLog e = new ExpectLog(name, "maybe", false)) {
            assertEquals(0, e.matched());
        }
        try (ExpectLog e = new ExpectLog(name, "maybe", false)) {
            log.warn("maybe it came");
            log.warn("maybe twice");
            assertEquals(2, e.matched());
        }
        assertEquals(List.of(), passed());
    }

    @Test
    void afterCloseNothingIsSwallowedOrCounted() {
        ExpectLog e = new ExpectLog(name, "boom");
        log.error("boom inside");
        e.close();
        log.error("boom after");
        assertEquals(1, e.matched());
        assertEquals(List.of("boom after"), passed());
    }

    @Test
    void aLevelMatchesOnlyThatLevel() {
        try (ExpectLog e = new ExpectLog(name, "boom", true, org.slf4j.event.Level.WARN)) {
            log.warn("boom warned");
            log.error("boom errored");
            log.info("boom informed");
            assertEquals(1, e.matched());
        }
        assertEquals(List.of("boom errored", "boom informed"), passed());
    }

    @Test
    void aLevelBelowTheLoggersLevelIsStillCaught() {
        log.setLevel(Level.WARN);
        try (ExpectLog e = new ExpectLog(name, "boom", true, org.slf4j.event.Level.DEBUG)) {
            log.debug("boom in debug");
            assertEquals(1, e.matched());
        }
        assertEquals(List.of(), passed());
    }

    /** Tornado adjusts the logger's level for an expected level: code that checks isXxxEnabled() logs too. */
    @Test
    void aLevelBelowTheLoggersLevelEnablesGuardedLogging() {
        log.setLevel(Level.WARN);
        try (ExpectLog e = new ExpectLog(name, "boom", true, org.slf4j.event.Level.INFO)) {
            if (log.isInfoEnabled()) {
                log.info("boom behind a guard");
            }
            assertEquals(1, e.matched());
            assertTrue(log.isInfoEnabled());
            assertTrue(!log.isDebugEnabled(), "only the expected level is enabled");
        }
        assertTrue(!log.isInfoEnabled(), "the level is back once closed");
        assertEquals(List.of(), passed());
    }

    @Test
    void withoutALevelOnlyRecordsTheLoggerLetsThroughMatch() {
        log.setLevel(Level.WARN);
        try (ExpectLog e = new ExpectLog(name, "boom", false)) {
            log.info("boom at info");
            log.debug("boom at debug");
            assertEquals(0, e.matched());
            log.warn("boom at warn");
            assertEquals(1, e.matched());
        }
        assertEquals(List.of(), passed());
    }

    @Test
    void childLoggersAreCoveredButNotLookAlikes() {
        Logger child = (Logger) LoggerFactory.getLogger(name + ".child.grandchild");
        Logger lookAlike = (Logger) LoggerFactory.getLogger(name + "x");
        ListAppender<ILoggingEvent> lookAlikeSeen = new ListAppender<>();
        lookAlikeSeen.setContext(lookAlike.getLoggerContext());
        lookAlikeSeen.start();
        lookAlike.addAppender(lookAlikeSeen);
        lookAlike.setAdditive(false);
        try (ExpectLog e = new ExpectLog(name, "boom")) {
            child.error("boom from a child");
            lookAlike.error("boom from a look-alike");
            assertEquals(1, e.matched());
        } finally {
            lookAlike.detachAppender(lookAlikeSeen);
            lookAlike.setAdditive(true);
        }
        assertEquals(List.of(), passed(), "the child's record was swallowed before reaching the parent's appender");
        assertEquals(1, lookAlikeSeen.list.size());
    }

    @Test
    void otherLoggersAreUntouched() {
        Logger other = (Logger) LoggerFactory.getLogger("expectlog.other" + IDS.incrementAndGet());
        ListAppender<ILoggingEvent> otherSeen = new ListAppender<>();
        otherSeen.setContext(other.getLoggerContext());
        otherSeen.start();
        other.addAppender(otherSeen);
        other.setAdditive(false);
        try (ExpectLog e = new ExpectLog(name, "boom")) {
            other.error("boom elsewhere");
            log.error("boom here");
        } finally {
            other.detachAppender(otherSeen);
            other.setAdditive(true);
        }
        assertEquals(1, otherSeen.list.size());
    }

    @Test
    void recordsFromOtherThreadsAreCaught() throws Exception {
        IOLoop loop = IOLoop.create();
        try (ExpectLog e = new ExpectLog(name, "boom")) {
            loop.runSync(() -> {
                log.error("boom on the loop thread");
                return CompletableFuture.completedFuture(null);
            });
            Thread t = new Thread(() -> log.error("boom on a plain thread"));
            t.start();
            t.join();
            assertEquals(2, e.matched());
        } finally {
            loop.close();
        }
        assertEquals(List.of(), passed());
    }

    @Test
    void enabledChecksAreNotRecords() {
        try (ExpectLog e = new ExpectLog(name, ".*", false)) {
            assertTrue(log.isErrorEnabled());
            assertTrue(log.isInfoEnabled());
            assertEquals(0, e.matched());
        }
    }

    @Test
    void nestedExpectLogsEachSwallowTheirOwn() {
        try (ExpectLog outer = new ExpectLog(name, "outer"); ExpectLog inner = new ExpectLog(name, "inner")) {
            log.error("outer record");
            log.error("inner record");
            log.error("neither");
            assertEquals(1, outer.matched());
            assertEquals(1, inner.matched());
        }
        assertEquals(List.of("neither"), passed());
    }

    // ------------------------------------------------------------------ samples (run only by EngineTestKit)

    static class MissingRecordSample {
        @Test
        void expectsARecordThatNeverComes() {
            try (ExpectLog e = new ExpectLog("expectlog.sample", "never logged")) {
                LoggerFactory.getLogger("expectlog.sample").debug("never logged (but below the level)");
            }
        }
    }
}
