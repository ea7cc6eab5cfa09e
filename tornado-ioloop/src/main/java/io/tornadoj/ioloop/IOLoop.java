package io.tornadoj.ioloop;

import io.netty.channel.EventLoop;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.netty.util.internal.PlatformDependent;
import io.tornadoj.internal.Loops;
import io.tornadoj.internal.Seconds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.SelectableChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Tornado's {@code IOLoop}: one event-loop thread running callbacks, timeouts and I/O handlers one at a
 * time. One IOLoop is one Netty {@link IoEventLoop} (a single-thread {@link MultiThreadIoEventLoopGroup}
 * on the chosen {@link Transport}); Netty owns the thread, which is live from {@link #create()} until
 * {@link #close()}, so work queued before {@link #start()} may already run.
 *
 * <p>A loop iteration runs, in order: the callbacks queued before it began, then every due timeout, then
 * polls I/O (running I/O handlers and Netty channel events). A callback added while callbacks run waits
 * for the next iteration, so a callback that re-adds itself cannot starve I/O or timeouts.
 *
 * <p>Thread-safety: {@link #addCallback}, {@link #spawnCallback}, {@link #execute}, {@link #addFuture},
 * {@link #removeTimeout}, {@link #runSync}, {@link #stop}, {@link #close}, the timeout methods and
 * the handler methods may be called from any thread (they hop onto the loop where needed). Everything
 * a loop owns runs on its thread.
 */
public final class IOLoop implements Executor, AutoCloseable {
    /** No events. */
    public static final int NONE = 0;
    /** Readable (epoll's EPOLLIN). */
    public static final int READ = 0x001;
    /** Writable (epoll's EPOLLOUT). */
    public static final int WRITE = 0x004;
    /** Error or hang-up (epoll's EPOLLERR | EPOLLHUP); always reported. */
    public static final int ERROR = 0x018;

    private static final Logger APP_LOG = LoggerFactory.getLogger("tornado.application");
    private static final long ORIGIN = System.nanoTime();
    private static final ThreadLocal<IOLoop> CURRENT = new ThreadLocal<>();
    private static final AtomicInteger LOOP_IDS = new AtomicInteger();
    private static volatile Transport configured;

    private final Transport transport;
    private final MultiThreadIoEventLoopGroup group;
    private final IoEventLoop eventLoop;
    private LoopIoHandler ioHandler;
    private volatile Thread thread;

    private final Queue<Runnable> callbacks = PlatformDependent.newMpscQueue();
    private final TimeoutHeap timeouts = new TimeoutHeap();
    private long timeoutSequence;
    private final Map<Integer, FdWatch> fdWatches = new HashMap<>();
    private final Map<SelectableChannel, FdWatch> channelWatches = new IdentityHashMap<>();

    private volatile BiConsumer<Object, Throwable> exceptionHandler = IOLoop::logCallbackException;
    private volatile BlockingWatchdog watchdog;
    private volatile Executor defaultExecutor;
    private ExecutorService ownedExecutor;
    private volatile boolean closed;

    private final Object runLock = new Object();
    private boolean running;
    private boolean stopRequested;

    private IOLoop(Transport requested) {
        Transport t = requested.resolve();
        Throwable cause = t.unavailabilityCause();
        if (cause != null) {
            throw new IllegalStateException("Transport " + t + " is not available here", cause);
        }
        this.transport = t;
        IoHandlerFactory nettyFactory = Loops.ioHandlerFactory(t);
        IoHandlerFactory factory = executor -> ioHandler = new LoopIoHandler(this, nettyFactory.newHandler(executor));
        String name = "tornado-ioloop-" + LOOP_IDS.incrementAndGet();
        ThreadFactory threads = r -> {
            Thread th = new FastThreadLocalThread(r, name);
            th.setDaemon(true);
            return th;
        };
        this.group = new MultiThreadIoEventLoopGroup(1, threads, factory);
        this.eventLoop = group.next();
        // Start the thread now (Netty starts it lazily) and wait until it is current on it.
        eventLoop.submit(() -> { }).syncUninterruptibly();
    }

    // ------------------------------------------------------------------ creation and current loop

    /**
     * A new loop on the configured transport ({@link #configure}, else the {@code tornado.transport}
     * system property, else {@link Transport#AUTO}) with its own thread. Does not make it current.
     * Any thread.
     *
     * @return the new loop
     * @throws IllegalStateException when the configured transport is not available here
     */
    public static IOLoop create() {
        return create(configuredTransport());
    }

    /**
     * A new loop on the given transport with its own thread. Does not make it current. Any thread.
     *
     * @param transport the transport; {@link Transport#AUTO} picks {@link Transport#best()}
     * @return the new loop
     * @throws IllegalStateException when the transport is not available here
     */
    public static IOLoop create(Transport transport) {
        return new IOLoop(Objects.requireNonNull(transport, "transport"));
    }

    /**
     * Sets the transport used by later {@link #create()} calls (overrides the {@code tornado.transport}
     * system property). Any thread.
     *
     * @param transport the transport, or {@link Transport#AUTO}
     */
    public static void configure(Transport transport) {
        configured = Objects.requireNonNull(transport, "transport");
    }

    private static Transport configuredTransport() {
        Transport t = configured;
        if (t != null) {
            return t;
        }
        String prop = System.getProperty("tornado.transport");
        return prop == null || prop.isBlank() ? Transport.AUTO : Transport.parse(prop);
    }

    /**
     * On a loop thread, that loop; elsewhere the calling thread's current loop, created with
     * {@link #create()} and made current if there is none. Any thread.
     *
     * @return the current loop
     */
    public static IOLoop current() {
        IOLoop loop = CURRENT.get();
        if (loop == null) {
            loop = create();
            CURRENT.set(loop);
        }
        return loop;
    }

    /**
     * Like {@link #current()} but returns null instead of creating a loop. Any thread.
     *
     * @return the current loop or null
     */
    public static IOLoop currentOrNull() {
        return CURRENT.get();
    }

    /** Makes this loop the calling thread's current loop. Any thread. */
    public void makeCurrent() {
        CURRENT.set(this);
    }

    /** Unbinds the calling thread's current loop (the loop itself is not closed). Any thread. */
    public static void clearCurrent() {
        CURRENT.remove();
    }

    /** Called by {@link LoopIoHandler#initialize()} on the new loop thread. */
    void onLoopThreadStarted() {
        thread = Thread.currentThread();
        CURRENT.set(this);
        Loops.register(this);
    }

    // ------------------------------------------------------------------ accessors

    /**
     * The transport this loop runs on; never {@link Transport#AUTO}. Any thread.
     *
     * @return the transport
     */
    public Transport transport() {
        return transport;
    }

    /**
     * The Netty event loop behind this IOLoop, to register existing Netty channels and bootstraps on the
     * same thread. Any thread.
     *
     * @return the Netty loop
     */
    public EventLoop eventLoop() {
        return eventLoop;
    }

    /**
     * Whether the calling thread is this loop's thread. Any thread.
     *
     * @return true on the loop thread
     */
    public boolean inLoop() {
        return eventLoop.inEventLoop();
    }

    /**
     * The loop's monotonic clock: seconds since an arbitrary origin. Any thread.
     *
     * @return seconds
     */
    public double time() {
        return nanosToSeconds(System.nanoTime());
    }

    static double nanosToSeconds(long nanoTime) {
        return (nanoTime - ORIGIN) / 1e9;
    }

    static long secondsToNanos(double seconds) {
        return ORIGIN + (long) (seconds * 1e9);
    }

    // ------------------------------------------------------------------ callbacks

    /**
     * Runs the callback on the loop thread, after the callbacks already queued; one added while callbacks
     * run waits for the next iteration. After {@link #close()} the callback is dropped silently. Any thread.
     *
     * @param callback what to run
     */
    public void addCallback(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        if (closed) {
            return;
        }
        callbacks.offer(callback);
        if (!eventLoop.inEventLoop()) {
            ioHandler.wakeup();
        }
    }

    /**
     * Same as {@link #addCallback}, for fire-and-forget work (Tornado's {@code spawn_callback}). Any thread.
     *
     * @param callback what to run
     */
    public void spawnCallback(Runnable callback) {
        addCallback(callback);
    }

    /**
     * The {@link Executor} view of {@link #addCallback}, so a loop can be passed to
     * {@code CompletableFuture.thenApplyAsync(fn, loop)} and the like. Any thread.
     *
     * @param command what to run
     */
    @Override
    public void execute(Runnable command) {
        addCallback(command);
    }

    /**
     * Runs {@code callback} on the loop (through {@link #addCallback}) once {@code future} completes.
     * Any thread.
     *
     * @param future   the stage to wait for
     * @param callback receives the completed future
     * @param <T>      the value type
     */
    public <T> void addFuture(CompletionStage<T> future, Consumer<CompletableFuture<T>> callback) {
        Objects.requireNonNull(callback, "callback");
        CompletableFuture<T> f = future.toCompletableFuture();
        f.whenComplete((v, t) -> addCallback(new Runnable() {
            @Override
            public void run() {
                callback.accept(f);
            }

            @Override
            public String toString() {
                return "addFuture callback " + callback;
            }
        }));
    }

    /** Whether the next poll must not block: callbacks are waiting or a timeout is due. Loop thread. */
    boolean hasReadyWork() {
        if (!callbacks.isEmpty()) {
            return true;
        }
        Timeout t = timeouts.peek();
        return t != null && t.deadlineNanos - System.nanoTime() <= 0;
    }

    /** nanoTime of the earliest timeout, or Long.MAX_VALUE. Loop thread. */
    long nextTimeoutNanos() {
        Timeout t = timeouts.peek();
        return t == null ? Long.MAX_VALUE : t.deadlineNanos;
    }

    /** One Tornado iteration after the I/O poll: queued callbacks, then due timeouts. Loop thread. */
    void runIteration() {
        for (int n = callbacks.size(); n > 0; n--) {
            Runnable r = callbacks.poll();
            if (r == null) {
                break;
            }
            runCallback(r);
        }
        if (timeouts.size() == 0) {
            return;
        }
        long now = System.nanoTime();
        Timeout t;
        while ((t = timeouts.peek()) != null && t.deadlineNanos - now <= 0) {
            timeouts.poll();
            Runnable r = t.callback;
            t.callback = null;
            if (!t.isCancelled()) {
                runCallback(r);
            }
        }
    }

    private void runCallback(Runnable r) {
        BlockingWatchdog w = watchdog;
        if (w != null) {
            w.enter(r);
        }
        try {
            r.run();
        } catch (Throwable t) {
            handleCallbackException(r, t);
        } finally {
            if (w != null) {
                w.exit();
            }
        }
    }

    void runFdHandler(FdWatch watch, int events) {
        BlockingWatchdog w = watchdog;
        if (w != null) {
            w.enter(watch);
        }
        try {
            watch.handler.handle(watch.watchedFd(), events);
        } catch (Throwable t) {
            handleCallbackException(watch.handler, t);
        } finally {
            if (w != null) {
                w.exit();
            }
        }
    }

    /**
     * Replaces the policy for an exception escaping a callback, timeout, fd handler or future callback.
     * The default logs "Exception in callback …" with the stack on {@code tornado.application}. Whatever
     * the policy does, the loop goes on. Any thread.
     *
     * @param handler receives the callback object and the exception; null restores the default
     */
    public void setCallbackExceptionHandler(BiConsumer<Object, Throwable> handler) {
        exceptionHandler = handler == null ? IOLoop::logCallbackException : handler;
    }

    /**
     * Runs the installed exception policy, as the loop does for a failing callback. An exception the
     * policy itself throws is logged. Usually on the loop thread.
     *
     * @param callback the callback that failed
     * @param t        what it threw
     */
    public void handleCallbackException(Object callback, Throwable t) {
        try {
            exceptionHandler.accept(callback, t);
        } catch (Throwable again) {
            APP_LOG.error("Exception in callback exception handler for {}", callback, again);
        }
    }

    private static void logCallbackException(Object callback, Throwable t) {
        APP_LOG.error("Exception in callback {}", callback, t);
    }

    // ------------------------------------------------------------------ timeouts

    /**
     * Runs the callback on the loop at an absolute {@link #time()} deadline. Any thread.
     *
     * @param deadline seconds on this loop's clock
     * @param callback what to run
     * @return a handle for {@link #removeTimeout}
     */
    public Timeout addTimeout(double deadline, Runnable callback) {
        return schedule(secondsToNanos(deadline), callback);
    }

    /**
     * Runs the callback on the loop after a delay. Any thread.
     *
     * @param delay    how long from now
     * @param callback what to run
     * @return a handle for {@link #removeTimeout}
     */
    public Timeout addTimeout(Duration delay, Runnable callback) {
        return schedule(System.nanoTime() + delay.toNanos(), callback);
    }

    /**
     * Runs the callback on the loop after {@code delaySeconds}. Any thread.
     *
     * @param delaySeconds seconds from now
     * @param callback     what to run
     * @return a handle for {@link #removeTimeout}
     */
    public Timeout callLater(double delaySeconds, Runnable callback) {
        return schedule(System.nanoTime() + (long) (delaySeconds * 1e9), callback);
    }

    /**
     * Runs the callback on the loop after a delay. Any thread.
     *
     * @param delay    how long from now
     * @param callback what to run
     * @return a handle for {@link #removeTimeout}
     */
    public Timeout callLater(Duration delay, Runnable callback) {
        return addTimeout(delay, callback);
    }

    /**
     * Runs the callback on the loop at an absolute {@link #time()}. Any thread.
     *
     * @param when     seconds on this loop's clock
     * @param callback what to run
     * @return a handle for {@link #removeTimeout}
     */
    public Timeout callAt(double when, Runnable callback) {
        return addTimeout(when, callback);
    }

    private Timeout schedule(long deadlineNanos, Runnable callback) {
        Timeout t = new Timeout(this, deadlineNanos, Objects.requireNonNull(callback, "callback"));
        if (eventLoop.inEventLoop()) {
            enqueue(t);
        } else {
            addCallback(() -> enqueue(t)); // order among equal deadlines = order of arrival on the loop
        }
        return t;
    }

    private void enqueue(Timeout t) {
        if (!t.isCancelled() && !closed) {
            t.sequence = timeoutSequence++;
            timeouts.add(t);
        }
    }

    /**
     * Cancels a timeout. Safe to call twice, after it ran, and from any thread.
     *
     * @param timeout the handle from {@link #addTimeout}/{@link #callLater}/{@link #callAt}
     */
    public void removeTimeout(Timeout timeout) {
        if (!timeout.markCancelled()) {
            return;
        }
        if (eventLoop.inEventLoop()) {
            unlink(timeout);
        } else {
            addCallback(() -> unlink(timeout));
        }
    }

    private void unlink(Timeout timeout) {
        timeouts.remove(timeout);
        timeout.callback = null;
    }

    // ------------------------------------------------------------------ executors and runSync

    /**
     * Runs blocking work off the loop. The future completes on the loop thread. Any thread.
     *
     * @param executor where to run it; null means {@link #setDefaultExecutor the default executor}
     * @param func     the blocking work
     * @param <T>      the result type
     * @return the result, delivered on the loop
     */
    public <T> CompletableFuture<T> runInExecutor(Executor executor, Callable<T> func) {
        Objects.requireNonNull(func, "func");
        CompletableFuture<T> result = new CompletableFuture<>();
        Executor ex = executor != null ? executor : defaultExecutor();
        try {
            ex.execute(() -> {
                T value;
                try {
                    value = func.call();
                } catch (Throwable t) {
                    addCallback(() -> result.completeExceptionally(t));
                    return;
                }
                addCallback(() -> result.complete(value));
            });
        } catch (RuntimeException rejected) {
            result.completeExceptionally(rejected);
        }
        return result;
    }

    /**
     * Replaces the executor {@link #runInExecutor} uses when given null. The default is a pool of
     * {@code 5 × cores} daemon threads (Tornado's default), created on first use and shut down by
     * {@link #close()}. Any thread.
     *
     * @param executor the new default
     */
    public void setDefaultExecutor(Executor executor) {
        defaultExecutor = Objects.requireNonNull(executor, "executor");
    }

    private Executor defaultExecutor() {
        Executor ex = defaultExecutor;
        if (ex != null) {
            return ex;
        }
        synchronized (runLock) {
            if (defaultExecutor == null) {
                int n = 5 * Runtime.getRuntime().availableProcessors();
                ThreadPoolExecutor pool = new ThreadPoolExecutor(n, n, 60, TimeUnit.SECONDS,
                        new LinkedBlockingQueue<>(), new DefaultThreadFactory(threadName() + "-executor", true));
                pool.allowCoreThreadTimeOut(true);
                ownedExecutor = pool;
                defaultExecutor = pool;
            }
            return defaultExecutor;
        }
    }

    private String threadName() {
        Thread t = thread;
        return t == null ? "tornado-ioloop" : t.getName();
    }

    /**
     * Calls {@code func} on the loop and blocks the calling thread until the stage it returns completes,
     * waiting without limit. See {@link #runSync(Callable, Duration)}.
     *
     * @param func produces the stage, on the loop thread; may return null (result null)
     * @param <T>  the result type
     * @return the stage's value
     * @throws Exception the stage's exception, unwrapped
     */
    public <T> T runSync(Callable<? extends CompletionStage<T>> func) throws Exception {
        return runSync(func, null);
    }

    /**
     * Calls {@code func} on the loop and blocks the calling thread until the stage it returns completes, for
     * at most {@code timeoutSeconds} (Tornado's {@code run_sync(func, timeout=)}). See
     * {@link #runSync(Callable, Duration)}.
     *
     * @param func           produces the stage, on the loop thread; may return null (result null)
     * @param timeoutSeconds how long to wait, in seconds
     * @param <T>            the result type
     * @return the stage's value
     * @throws TimeoutException      when the timeout passed first (the stage is then cancelled)
     * @throws IllegalStateException on the loop thread, or when the loop is closed
     * @throws Exception             the stage's (or func's) exception, unwrapped
     */
    public <T> T runSync(Callable<? extends CompletionStage<T>> func, double timeoutSeconds) throws Exception {
        return runSync(func, Seconds.toDuration(timeoutSeconds));
    }

    /**
     * Calls {@code func} on the loop and blocks the calling thread until the stage it returns completes.
     * Must not be called on the loop thread.
     *
     * @param func    produces the stage, on the loop thread; may return null (result null)
     * @param timeout how long to wait; null waits without limit
     * @param <T>     the result type
     * @return the stage's value
     * @throws TimeoutException      when the timeout passed first (the stage is then cancelled)
     * @throws IllegalStateException on the loop thread, or when the loop is closed
     * @throws Exception             the stage's (or func's) exception, unwrapped
     */
    public <T> T runSync(Callable<? extends CompletionStage<T>> func, Duration timeout) throws Exception {
        Objects.requireNonNull(func, "func");
        if (inLoop()) {
            throw new IllegalStateException("runSync() blocks until the loop answers, so it cannot run on the loop thread");
        }
        if (closed) {
            throw new IllegalStateException("IOLoop is closed");
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        CompletableFuture<CompletionStage<T>> started = new CompletableFuture<>();
        addCallback(() -> {
            try {
                CompletionStage<T> stage = func.call();
                started.complete(stage);
                if (stage == null) {
                    result.complete(null);
                } else {
                    stage.whenComplete((v, t) -> {
                        if (t != null) {
                            result.completeExceptionally(unwrap(t));
                        } else {
                            result.complete(v);
                        }
                    });
                }
            } catch (Throwable t) {
                started.complete(null);
                result.completeExceptionally(t);
            }
        });
        try {
            return timeout == null ? result.get() : result.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception) {
                throw (Exception) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw e;
        } catch (TimeoutException e) {
            started.thenAccept(stage -> {
                if (stage != null) {
                    stage.toCompletableFuture().cancel(false);
                }
            });
            throw new TimeoutException("Operation timed out after " + timeout);
        }
    }

    /** Strips CompletionException/ExecutionException wrappers. */
    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    // ------------------------------------------------------------------ start/stop/close

    /**
     * Blocks the calling thread until {@link #stop()} (the loop itself runs all the time, on its own
     * thread). A {@code stop()} that came before {@code start()} makes it return at once. Not on the loop
     * thread.
     *
     * @throws IllegalStateException if already started, closed, or called on the loop thread
     */
    public void start() {
        if (inLoop()) {
            throw new IllegalStateException("start() blocks until stop(), so it cannot run on the loop thread");
        }
        synchronized (runLock) {
            if (running) {
                throw new IllegalStateException("IOLoop is already running");
            }
            if (closed) {
                throw new IllegalStateException("IOLoop is closed");
            }
            running = true;
            try {
                while (!stopRequested && !closed) {
                    runLock.wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                stopRequested = false;
                running = false;
            }
        }
    }

    /**
     * Makes {@link #start()} return: at once from another thread, after the current iteration's callbacks
     * when called on the loop thread. Remembered if the loop is not started yet. Any thread.
     */
    public void stop() {
        if (inLoop()) {
            eventLoop.execute(this::signalStop);
        } else {
            signalStop();
        }
    }

    private void signalStop() {
        synchronized (runLock) {
            stopRequested = true;
            runLock.notifyAll();
        }
    }

    /**
     * Whether a thread is blocked in {@link #start()} and {@link #stop()} was not called yet. Any thread.
     *
     * @return true while running
     */
    public boolean isRunning() {
        synchronized (runLock) {
            return running && !stopRequested;
        }
    }

    /** Shuts the loop down, leaving fds added with {@link #addHandler} open. See {@link #close(boolean)}. */
    @Override
    public void close() {
        close(false);
    }

    /**
     * Shuts the Netty loop down: pending callbacks and timeouts are dropped, Netty channels on the loop are
     * closed, {@link #start()} returns, the default executor stops, and later {@link #addCallback} calls do
     * nothing. Idempotent. From another thread it waits (up to 10 s) for the loop thread to end.
     * Any thread.
     *
     * @param allFds also close every fd and channel watched with {@link #addHandler}
     */
    public void close(boolean allFds) {
        synchronized (runLock) {
            if (closed) {
                return;
            }
            closed = true;
            runLock.notifyAll();
        }
        eventLoop.execute(() -> {
            List<FdWatch> watches = new ArrayList<>(fdWatches.values());
            watches.addAll(channelWatches.values());
            fdWatches.clear();
            channelWatches.clear();
            for (FdWatch w : watches) {
                w.remove();
                if (allFds) {
                    try {
                        w.closeFd();
                    } catch (IOException e) {
                        APP_LOG.debug("Error closing {}", w, e);
                    }
                }
            }
            timeouts.clear();
            callbacks.clear();
            // Close every channel on the loop now: with a zero quiet period Netty may finish shutting
            // down before its own pass over the registrations, leaving channels (and buffers) open.
            ioHandler.prepareToDestroy();
        });
        Loops.unregister(this);
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        if (!inLoop()) {
            group.terminationFuture().awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
        setBlockingLogThreshold(null);
        ExecutorService owned;
        synchronized (runLock) {
            owned = ownedExecutor;
        }
        if (owned != null) {
            owned.shutdown();
        }
        if (CURRENT.get() == this) {
            CURRENT.remove();
        }
    }

    // ------------------------------------------------------------------ blocking log

    /**
     * The float-seconds form of {@link #setBlockingLogThreshold(Duration)} (Tornado's
     * {@code set_blocking_log_threshold(seconds)}). Any thread.
     *
     * @param seconds the longest run that is not reported, in seconds; zero turns it off
     */
    public void setBlockingLogThreshold(double seconds) {
        setBlockingLogThreshold(Seconds.toDuration(seconds));
    }

    /**
     * When one callback, timeout or handler runs longer than {@code threshold}, log a warning on
     * {@code tornado.general} with the loop thread's stack at that moment (Tornado's
     * {@code set_blocking_log_threshold}). A sampling thread watches the loop; null or zero turns it off.
     * Any thread.
     *
     * @param threshold the longest run that is not reported
     */
    public void setBlockingLogThreshold(Duration threshold) {
        BlockingWatchdog next = threshold == null || threshold.isZero() || threshold.isNegative() || closed
                ? null : new BlockingWatchdog(thread, threshold.toNanos());
        BlockingWatchdog old;
        synchronized (runLock) {
            old = watchdog;
            watchdog = next;
        }
        if (old != null) {
            old.stop();
        }
    }

    // ------------------------------------------------------------------ fd handlers

    /**
     * Watches a raw POSIX fd on a native transport (epoll, io_uring, kqueue), level-triggered: the
     * handler runs on the loop while the fd is ready for one of {@code events}; {@link #ERROR} is always
     * included. The fd stays the caller's. Any thread (waits for the loop when called elsewhere).
     *
     * @param fd      the file descriptor
     * @param handler runs on the loop with the ready events
     * @param events  {@link #READ} and/or {@link #WRITE}
     * @throws UnsupportedOperationException on the NIO transport (use the {@code SelectableChannel} form)
     * @throws IllegalArgumentException      when the fd is already watched
     */
    public void addHandler(int fd, FdHandler handler, int events) {
        Objects.requireNonNull(handler, "handler");
        FdWatch watch;
        switch (transport) {
            case EPOLL:
                watch = new EpollFdWatch(this, fd, handler, events);
                break;
            case IO_URING:
                watch = new IoUringFdWatch(this, fd, handler, events);
                break;
            case KQUEUE:
                watch = new KQueueFdWatch(this, fd, handler, events);
                break;
            default:
                throw new UnsupportedOperationException("The " + transport + " transport cannot watch raw fds; "
                        + "use addHandler(SelectableChannel, ...) or a native transport");
        }
        onLoop(() -> register(fdWatches, fd, watch));
    }

    /**
     * Watches a {@link SelectableChannel} on the NIO transport (it is switched to non-blocking mode),
     * level-triggered; the handler gets fd -1. NIO has no hang-up event: a closed peer is reported as
     * {@link #READ}. Any thread (waits for the loop when called elsewhere).
     *
     * @param channel the channel
     * @param handler runs on the loop with the ready events
     * @param events  {@link #READ} and/or {@link #WRITE}
     * @throws UnsupportedOperationException on a native transport (use the int fd form)
     * @throws IllegalArgumentException      when the channel is already watched
     */
    public void addHandler(SelectableChannel channel, FdHandler handler, int events) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(handler, "handler");
        if (transport != Transport.NIO) {
            throw new UnsupportedOperationException("The " + transport + " transport watches raw fds; "
                    + "use addHandler(int fd, ...) or IOLoop.create(Transport.NIO)");
        }
        onLoop(() -> {
            try {
                channel.configureBlocking(false);
            } catch (IOException e) {
                throw new IllegalArgumentException("Cannot make " + channel + " non-blocking", e);
            }
            register(channelWatches, channel, new NioFdWatch(this, channel, handler, events));
        });
    }

    private <K> void register(Map<K, FdWatch> watches, K key, FdWatch watch) {
        if (closed) {
            throw new IllegalStateException("IOLoop is closed");
        }
        if (watches.containsKey(key)) {
            throw new IllegalArgumentException(key + " already has a handler; use updateHandler");
        }
        io.netty.util.concurrent.Future<IoRegistration> f = eventLoop.register(watch);
        if (!f.isSuccess()) {
            throw new IllegalArgumentException("Cannot watch " + key, f.cause());
        }
        watch.registration = f.getNow();
        watch.applyInterest();
        watches.put(key, watch);
    }

    /**
     * Changes the events watched for a fd. Any thread (waits for the loop when called elsewhere).
     *
     * @param fd     a fd given to {@link #addHandler(int, FdHandler, int)}
     * @param events the new interest set ({@link #ERROR} is always included)
     * @throws IllegalArgumentException when the fd is not watched
     */
    public void updateHandler(int fd, int events) {
        onLoop(() -> update(fdWatches.get(fd), fd, events));
    }

    /**
     * Changes the events watched for a channel. Any thread (waits for the loop when called elsewhere).
     *
     * @param channel a channel given to {@link #addHandler(SelectableChannel, FdHandler, int)}
     * @param events  the new interest set
     * @throws IllegalArgumentException when the channel is not watched
     */
    public void updateHandler(SelectableChannel channel, int events) {
        onLoop(() -> update(channelWatches.get(channel), channel, events));
    }

    private static void update(FdWatch watch, Object key, int events) {
        if (watch == null) {
            throw new IllegalArgumentException(key + " has no handler");
        }
        watch.events = events;
        watch.applyInterest();
    }

    /**
     * Stops watching a fd (it stays open); no event is delivered after this returns. Unknown fds are
     * ignored. Any thread (waits for the loop when called elsewhere).
     *
     * @param fd the fd
     */
    public void removeHandler(int fd) {
        onLoop(() -> remove(fdWatches.remove(fd)));
    }

    /**
     * Stops watching a channel (it stays open). Unknown channels are ignored. Any thread.
     *
     * @param channel the channel
     */
    public void removeHandler(SelectableChannel channel) {
        onLoop(() -> remove(channelWatches.remove(channel)));
    }

    private static void remove(FdWatch watch) {
        if (watch != null) {
            watch.remove();
        }
    }

    /** Runs the action on the loop, waiting for it (and rethrowing its exception) from other threads. */
    private void onLoop(Runnable action) {
        if (inLoop()) {
            action.run();
            return;
        }
        io.netty.util.concurrent.Future<?> f = eventLoop.submit(action).awaitUninterruptibly();
        Throwable cause = f.cause();
        if (cause instanceof RuntimeException) {
            throw (RuntimeException) cause;
        }
        if (cause instanceof Error) {
            throw (Error) cause;
        }
    }

    @Override
    public String toString() {
        return "IOLoop(" + threadName() + ", " + transport + (closed ? ", closed" : "") + ")";
    }
}
