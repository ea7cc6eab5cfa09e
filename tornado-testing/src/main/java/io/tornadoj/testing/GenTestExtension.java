package io.tornadoj.testing;

import io.netty.util.concurrent.SingleThreadEventExecutor;
import io.tornadoj.ioloop.IOLoop;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a {@link GenTest} body on a thread of its own (with the test's loop current there) and abandons it
 * when the timeout passes, reporting where the loop thread was. Not for direct use: {@code @GenTest}
 * registers it.
 */
public final class GenTestExtension implements InvocationInterceptor {
    /** Made by JUnit. */
    public GenTestExtension() {
    }

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
                                    ExtensionContext context) throws Throwable {
        Method method = context.getRequiredTestMethod();
        GenTest ann = method.getAnnotation(GenTest.class);
        Duration timeout = ann != null && ann.timeout() > 0
                ? Duration.ofNanos((long) (ann.timeout() * 1e9)) : AsyncTestCase.envTimeout();
        Object instance = context.getRequiredTestInstance();
        IOLoop loop = instance instanceof AsyncTestCase ? ((AsyncTestCase) instance).ioLoop : IOLoop.currentOrNull();
        if (instance instanceof AsyncTestCase) {
            ((AsyncTestCase) instance).setGenTestTimeout(timeout);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread body = new Thread(() -> {
            if (loop != null) {
                loop.makeCurrent();
            }
            try {
                invocation.proceed();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            } finally {
                IOLoop.clearCurrent();
            }
        }, "gen-test-" + method.getName());
        body.setDaemon(true);
        body.start();
        try {
            done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw e.getCause();
        } catch (TimeoutException e) {
            AssertionError failure = new AssertionError(context.getDisplayName() + " (" + method.getDeclaringClass().getName()
                    + "." + method.getName() + ") timed out after " + timeout.toNanos() / 1e9 + " seconds");
            failure.initCause(loopStack(loop));
            body.interrupt();
            throw failure;
        }
    }

    /** Where the loop thread is now, as a throwable whose stack is that thread's. */
    private static Throwable loopStack(IOLoop loop) {
        if (loop == null || !(loop.eventLoop() instanceof SingleThreadEventExecutor)) {
            return new Throwable("no IOLoop to show");
        }
        SingleThreadEventExecutor executor = (SingleThreadEventExecutor) loop.eventLoop();
        Throwable where = new Throwable("IOLoop thread " + executor.threadProperties().name() + " was here at the timeout");
        where.setStackTrace(executor.threadProperties().stackTrace());
        return where;
    }
}
