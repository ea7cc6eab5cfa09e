package io.tornadoj.testing;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * Runs a "sample" test class through JUnit's {@link EngineTestKit}, so that a test expected to fail can be
 * run and its failure asserted. Samples are static nested classes named {@code ...Sample}: Surefire skips
 * nested classes ({@code **}{@code /*$*}) and their names match none of its include patterns, so they only
 * ever run from here.
 */
final class SampleRunner {
    private SampleRunner() {
    }

    /**
     * Runs every test of one sample class.
     *
     * @param sample the class
     * @return what happened
     */
    static EngineExecutionResults run(Class<?> sample) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(sample)).execute();
    }

    /**
     * The failure of the sample's only failed test; fails unless exactly one test failed.
     *
     * @param results a run
     * @return the throwable JUnit reported for it
     */
    static Throwable onlyFailure(EngineExecutionResults results) {
        assertNoContainerFailure(results);
        List<Event> failed = results.testEvents().failed().list();
        assertEquals(1, failed.size(), () -> "expected exactly one failed test, got: " + describe(results));
        return throwable(failed.get(0));
    }

    /**
     * Fails unless every test of the run passed (and at least one ran).
     *
     * @param results a run
     * @param tests   how many tests should have passed
     */
    static void assertAllPassed(EngineExecutionResults results, int tests) {
        assertNoContainerFailure(results);
        if (results.testEvents().succeeded().count() != tests || results.testEvents().failed().count() != 0
                || results.testEvents().aborted().count() != 0) {
            fail("expected " + tests + " passing tests: " + describe(results));
        }
    }

    private static void assertNoContainerFailure(EngineExecutionResults results) {
        if (results.containerEvents().failed().count() != 0) {
            fail("a sample container failed: " + describe(results));
        }
    }

    private static Throwable throwable(Event e) {
        return e.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable)
                .orElseThrow(() -> new AssertionError("no throwable in " + e));
    }

    private static String describe(EngineExecutionResults results) {
        return results.allEvents().list().stream()
                .filter(e -> e.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable).isPresent())
                .map(e -> e.getTestDescriptor().getDisplayName() + ": " + stack(throwable(e)))
                .collect(Collectors.joining("\n", "succeeded=" + results.testEvents().succeeded().count()
                        + " failed=" + results.testEvents().failed().count() + "\n", ""));
    }

    /**
     * A throwable's full printed stack, causes included.
     *
     * @param t the throwable
     * @return its printout
     */
    static String stack(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }
}
