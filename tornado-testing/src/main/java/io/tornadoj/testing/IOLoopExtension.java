package io.tornadoj.testing;

import io.tornadoj.ioloop.IOLoop;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension giving each test (or lifecycle method) that declares an {@link IOLoop} parameter a
 * fresh loop, current on the test thread and closed after the test — for tests that do not extend
 * {@link AsyncTestCase}.
 *
 * <pre>{@code
 * @ExtendWith(IOLoopExtension.class)
 * class MyTest {
 *     @Test
 *     void works(IOLoop loop) throws Exception {
 *         assertEquals(42, loop.runSync(() -> CompletableFuture.completedFuture(42)));
 *     }
 * }
 * }</pre>
 */
public class IOLoopExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(IOLoopExtension.class);

    /** Made by JUnit. */
    public IOLoopExtension() {
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == IOLoop.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        // Keyed by the context itself: a store lookup also searches the parents' stores, and a loop made for
        // a @BeforeAll (the class's context) must not be handed to the tests.
        return context.getStore(NS).getOrComputeIfAbsent(context.getUniqueId(), k -> new ClosingLoop(), ClosingLoop.class)
                .loop;
    }

    /** Closes the loop when the test's context ends. */
    @SuppressWarnings("deprecation")
    private static final class ClosingLoop implements ExtensionContext.Store.CloseableResource {
        final IOLoop loop = IOLoop.create();

        ClosingLoop() {
            loop.makeCurrent();
        }

        @Override
        public void close() {
            if (IOLoop.currentOrNull() == loop) {
                IOLoop.clearCurrent();
            }
            loop.close(true);
        }
    }
}
