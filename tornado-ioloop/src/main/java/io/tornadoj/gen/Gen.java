package io.tornadoj.gen;

import io.tornadoj.internal.Seconds;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.ioloop.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Tornado's {@code tornado.gen} helpers for code that composes {@link CompletableFuture}s on an
 * {@link IOLoop}. Methods that need a loop use {@link IOLoop#current()} of the calling thread (on a loop
 * thread, that loop); the futures they return complete on that loop's thread.
 */
public final class Gen {
    private static final Logger APP_LOG = LoggerFactory.getLogger("tornado.application");

    private Gen() {
    }

    /**
     * A future that completes after the delay, on the current loop (Tornado's {@code gen.sleep}).
     *
     * @param duration how long
     * @return completes with null
     */
    public static CompletableFuture<Void> sleep(Duration duration) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        IOLoop.current().callLater(duration, () -> f.complete(null));
        return f;
    }

    /**
     * A future that completes after {@code seconds}, on the current loop (Tornado's {@code gen.sleep}
     * with float seconds).
     *
     * @param seconds how long, in seconds
     * @return completes with null
     */
    public static CompletableFuture<Void> sleep(double seconds) {
        return sleep(Seconds.toDuration(seconds));
    }

    /**
     * A future that completes on the current loop's next iteration, after pending I/O is handled
     * (Tornado's {@code gen.moment}): chain on it to yield to other work.
     *
     * @return completes with null
     */
    public static CompletableFuture<Void> moment() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        IOLoop.current().addCallback(() -> f.complete(null));
        return f;
    }

    /**
     * Waits for all stages; the results in order. The first failure fails the result; failures after that
     * are logged on {@code tornado.application}.
     *
     * @param children the stages
     * @param <T>      the element type
     * @return all results, in the order of {@code children}
     */
    public static <T> CompletableFuture<List<T>> multi(List<? extends CompletionStage<? extends T>> children) {
        return multi(children, Collections.emptySet());
    }

    /**
     * As {@link #multi(List)}, but later failures of the given types are not logged (Tornado's
     * {@code quiet_exceptions}).
     *
     * @param children        the stages
     * @param quietExceptions exception types not to log
     * @param <T>             the element type
     * @return all results, in order
     */
    public static <T> CompletableFuture<List<T>> multi(List<? extends CompletionStage<? extends T>> children,
                                                       Set<Class<? extends Throwable>> quietExceptions) {
        Objects.requireNonNull(quietExceptions, "quietExceptions");
        IOLoop loop = IOLoop.currentOrNull();
        int n = children.size();
        @SuppressWarnings("unchecked")
        T[] results = (T[]) new Object[n];
        CompletableFuture<List<T>> result = new CompletableFuture<>();
        if (n == 0) {
            result.complete(new ArrayList<>());
            return result;
        }
        AtomicInteger remaining = new AtomicInteger(n);
        // Whether a failure was already taken: result.isDone() lags when the completion is handed to the loop.
        AtomicBoolean failed = new AtomicBoolean();
        for (int i = 0; i < n; i++) {
            int index = i;
            children.get(i).whenComplete((v, t) -> {
                if (t != null) {
                    Throwable cause = unwrap(t);
                    boolean first = failed.compareAndSet(false, true) && completeOn(loop, result, null, cause);
                    if (!first && !isQuiet(cause, quietExceptions)) {
                        APP_LOG.error("Multiple exceptions in yield list", cause);
                    }
                    return;
                }
                results[index] = v;
                if (remaining.decrementAndGet() == 0) {
                    completeOn(loop, result, new ArrayList<>(Arrays.asList(results)), null);
                }
            });
        }
        return result;
    }

    /**
     * The map form of {@link #multi(List)}: a map with the same keys, in the same (insertion) order.
     *
     * @param children the stages by key
     * @param <K>      the key type
     * @param <T>      the value type
     * @return the results by key
     */
    public static <K, T> CompletableFuture<Map<K, T>> multi(Map<K, ? extends CompletionStage<? extends T>> children) {
        List<K> keys = new ArrayList<>(children.keySet());
        List<CompletionStage<? extends T>> stages = new ArrayList<>(children.values());
        CompletableFuture<Map<K, T>> result = new CompletableFuture<>();
        multi(stages).whenComplete((values, t) -> {
            if (t != null) {
                result.completeExceptionally(unwrap(t));
                return;
            }
            Map<K, T> out = new LinkedHashMap<>();
            for (int i = 0; i < keys.size(); i++) {
                out.put(keys.get(i), values.get(i));
            }
            result.complete(out);
        });
        return result;
    }

    /**
     * Fails with {@link TimeoutException} when {@code stage} does not complete within the timeout. The
     * stage itself is not cancelled; if it fails later, that is logged.
     *
     * @param timeout how long to wait
     * @param stage   the stage
     * @param <T>     the value type
     * @return the stage's outcome, or a {@link TimeoutException}
     */
    public static <T> CompletableFuture<T> withTimeout(Duration timeout, CompletionStage<T> stage) {
        return withTimeout(timeout, stage, Collections.emptySet());
    }

    /**
     * As {@link #withTimeout(Duration, CompletionStage)}, but a later failure of one of the given types
     * is not logged.
     *
     * @param timeout         how long to wait
     * @param stage           the stage
     * @param quietExceptions exception types not to log
     * @param <T>             the value type
     * @return the stage's outcome, or a {@link TimeoutException}
     */
    public static <T> CompletableFuture<T> withTimeout(Duration timeout, CompletionStage<T> stage,
                                                       Set<Class<? extends Throwable>> quietExceptions) {
        Objects.requireNonNull(quietExceptions, "quietExceptions");
        IOLoop loop = IOLoop.current();
        CompletableFuture<T> result = new CompletableFuture<>();
        Timeout timer = loop.callLater(timeout, () -> {
            if (result.completeExceptionally(new TimeoutException("Timeout after " + timeout))) {
                stage.whenComplete((v, t) -> {
                    Throwable cause = t == null ? null : unwrap(t);
                    if (cause != null && !(cause instanceof CancellationException)
                            && !isQuiet(cause, quietExceptions)) {
                        APP_LOG.error("Exception in Future {} after timeout", stage, cause);
                    }
                });
            }
        });
        stage.whenComplete((v, t) -> {
            timer.cancel();
            completeOn(loop, result, v, t == null ? null : unwrap(t));
        });
        return result;
    }

    /**
     * Copies {@code a}'s outcome to {@code b} unless {@code b} is already done.
     *
     * @param a   the source
     * @param b   the target
     * @param <T> the value type
     */
    public static <T> void chainFuture(CompletionStage<T> a, CompletableFuture<T> b) {
        Objects.requireNonNull(b, "b");
        a.whenComplete((v, t) -> {
            if (t != null) {
                b.completeExceptionally(unwrap(t));
            } else {
                b.complete(v);
            }
        });
    }

    /**
     * Tornado's {@code convert_yielded}: a {@link CompletionStage} as a future; a {@link List} or {@link Map}
     * of stages through {@link #multi}; null as {@link #moment()}.
     *
     * @param yielded the object
     * @param <T>     the expected value type
     * @return a future for it
     * @throws IllegalArgumentException for anything else
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static <T> CompletableFuture<T> convert(Object yielded) {
        if (yielded == null) {
            return (CompletableFuture<T>) moment();
        }
        if (yielded instanceof CompletionStage) {
            return ((CompletionStage<T>) yielded).toCompletableFuture();
        }
        if (yielded instanceof List) {
            requireStages((List<?>) yielded);
            return (CompletableFuture<T>) multi((List) yielded);
        }
        if (yielded instanceof Map) {
            requireStages(((Map<?, ?>) yielded).values());
            return (CompletableFuture<T>) multi((Map) yielded);
        }
        throw new IllegalArgumentException("yielded unknown object " + yielded);
    }

    private static void requireStages(Collection<?> children) {
        for (Object child : children) {
            if (!(child instanceof CompletionStage)) {
                throw new IllegalArgumentException("yielded unknown object in list/map: " + child);
            }
        }
    }

    private static boolean isQuiet(Throwable t, Set<Class<? extends Throwable>> quiet) {
        for (Class<? extends Throwable> c : quiet) {
            if (c.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /**
     * Completes f (on the loop thread when a loop is given and we are elsewhere). Returns false when f was
     * already done at the time of the call.
     */
    private static <T> boolean completeOn(IOLoop loop, CompletableFuture<T> f, T value, Throwable error) {
        if (f.isDone()) {
            return false;
        }
        Runnable complete = () -> {
            if (error != null) {
                f.completeExceptionally(error);
            } else {
                f.complete(value);
            }
        };
        if (loop == null || loop.inLoop()) {
            complete.run();
        } else {
            loop.addCallback(complete);
        }
        return true;
    }
}
