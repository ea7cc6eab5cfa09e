package io.tornadoj.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Tornado's {@code @gen_test}: marks a {@code void} test method (JUnit runs only those) of an
 * {@link AsyncTestCase} whose body and every {@code await} are bounded by a timeout. A test that runs
 * over fails with a message naming the test and the timeout, and carries the loop thread's stack at that
 * moment as the cause, so a hung test says where the loop was. Meta-annotated with JUnit's {@link Test}.
 */
@Documented
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Test
@ExtendWith(GenTestExtension.class)
public @interface GenTest {
    /**
     * The limit in seconds; 0 or less means the {@code ASYNC_TEST_TIMEOUT} environment variable, else 5.
     *
     * @return seconds
     */
    double timeout() default -1;
}
