package io.tornadoj.ioloop;

import io.tornadoj.testsupport.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tornado's IOLoop semantics, on every transport this machine has. */
@org.junit.jupiter.api.Timeout(60)
class IOLoopTest {
    private IOLoop loop;

    private IOLoop open(Transport t) {
        loop = IOLoop.create(t);
        return loop;
    }

    @AfterEach
    void closeLoop() {
        if (loop != null) {
            loop.close(true);
        }
    }

    @ParameterizedTest
    @MethodSource("io.tornadoj.testsupport.Transports#available")
    void callbacksRunInFifoOrderOnTheLoopThread(Transport t) throws Exception {
        IOLoop l = open(t);
        assertEquals(t, l.transport());
        List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean offLoop = new AtomicBoolean();
        for (int i = 0; i < 1000; i++) {
            int n = i;
            l.addCallback(() -> {
                if (!l.inLoop() || IOLoop.current() != l) {
                    offLoop.set(true);
                }
                seen.add(n);
            });
        }
        l.runSync(() -> CompletableFuture.completedFuture(null));
        assertFalse(offLoop.get());
        assertEquals(1000, seen.size());
        for (int i = 0; i < 1000; i++) {
            assertEquals(i, seen.get(i));
        }
        assertFalse(l.inLoop());
    }

    @ParameterizedTest
    @MethodSource("io.tornadoj.testsupport.Transports#available")
    void callbackAddedDuringABatchWaitsForTheNextIOPoll(Transport t) throws Exception {
        IOLoop l = open(t);
        List<String> order = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        try (TestPipe pipe = new TestPipe(l)) {
            pipe.write(new byte[] {1});
            l.addCallback(() -> {
                order.add("A");
                // The pipe is readable already; the handler must run before the callback queued now.
                pipe.watchReader((fd, ev) -> {
                    order.add("io");
                    pipe.removeReader();
                }, IOLoop.READ);
                l.addCallback(() -> {
                    order.add("B");
                    done.countDown();
                });
            });
            assertTrue(done.await(5, TimeUnit.SECONDS));
        }
        assertEquals(List.of("A", "io", "B"), order);
    }

    @ParameterizedTest
    @MethodSource("io.tornadoj.testsupport.Transports#available")
    void selfReaddingCallbackDoesNotStarveIoOrTimeouts(Transport t) throws Exception {
        IOLoop l = open(t);
        AtomicBoolean spinning = new AtomicBoolean(true);
        AtomicInteger spins = new AtomicInteger();
        Runnable spin = new Runnable() {
            @Override
            public void run() {
                spins.incrementAndGet();
                if (spinning.get()) {
                    l.addCallback(this);
                }
            }
        };
        CountDownLatch timeoutRan = new CountDownLatch(1);
        CountDownLatch ioRan = new CountDownLatch(1);
        try (TestPipe pipe = new TestPipe(l)) {
            l.addCallback(spin);
            l.callLater(0.02, timeoutRan::countDown);
            pipe.watchReader((fd, ev) -> {
                ioRan.countDown();
                pipe.removeReader();
            }, IOLoop.READ);
            pipe.write(new byte[] {1});
            assertTrue(timeoutRan.await(5, TimeUnit.SECONDS), "timeout starved");
            assertTrue(ioRan.await(5, TimeUnit.SECONDS), "I/O starved");
            spinning.set(false);
        }
        assertTrue(spins.get() > 1);
    }

    @ParameterizedTest
    @MethodSource("io.tornadoj.testsupport.Transports#available")
    void dueTimeoutsRunAfterTheCallbackBatchAndEqualDeadlinesInInsertionOrder(Transport t) throws Exception {
        IOLoop l = open(t);
        List<String> order = new CopyOnWriteArrayList<>();
        // Hold the loop in one callback while the next iteration's work is queued from this thread.
        CountDownLatch hold = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(1);
        l.addCallback(() -> {
            holding.countDown();
            try {
                hold.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(holding.await(5, TimeUnit.SECONDS));
        double past = l.time() - 1;
        l.addTimeout(past, () -> order.add("T1"));
        l.addCallback(() -> order.add("C1"));
        l.addTimeout(past, () -> order.add("T2"));
        l.addCallback(() -> order.add("C2"));
        double when = l.time() + 0.05;
        for (int i = 0; i < 50; i++) {
            int n = i;
            l.callAt(when, () -> order.add("E" + n));
        }
        hold.countDown();
        l.runSync(() -> {
            CompletableFuture<Void> done = new CompletableFuture<>();
            l.callLater(Duration.ofMillis(100), () -> done.complete(null));
            return done;
        }, Duration.ofSeconds(5));
        List<String> expected = new ArrayList<>(List.of("C1", "C2", "T1", "T2"));
        for (int i = 0; i < 50; i++) {
            expected.add("E" + i);
        }
        assertEquals(expected, order);

        // On the loop: a timeout due now runs in this iteration, a callback added now in the next one.
        order.clear();
        l.runSync(() -> {
            l.addCallback(() -> order.add("next-iteration callback"));
            l.callLater(0, () -> order.add("due timeout"));
            CompletableFuture<Void> done = new CompletableFuture<>();
            l.callLater(0.02, () -> done.complete(null));
            return done;
        });
        assertEquals(List.of("due timeout", "next-iteration callback"), order);
    }

    @ParameterizedTest
    @MethodSource("io.tornadoj.testsupport.Transports#available")
    void timeoutsFireAtTheirDeadlineNotBefore(Transport t) throws Exception {
        IOLoop l = open(t);
        double start = l.time();
        double fired = l.runSync(() -> {
            CompletableFuture<Double> f = new CompletableFuture<>();
            l.callLater(0.05, () -> f.complete(l.time()));
            return f;
        }, Duration.ofSeconds(5));
        assertTrue(fired - start >= 0.05, "fired after " + (fired - start));
        // A timeout added from another thread while the loop sleeps in the poll wakes it up.
        CountDownLatch ran = new CountDownLatch(1);
        Timeout timeout = l.addTimeout(Duration.ofMillis(10), ran::countDown);
        assertTrue(ran.await(5, TimeUnit.SECONDS));
        assertFalse(timeout.isCancelled());
        assertTrue(timeout.deadline() > start);
    }

    @ParameterizedTest
    @MethodSource("io.tornadoj.testsupport.Transports#available")
    void removeTimeoutWorksFromAnyThreadTwiceAndAfterItRan(Transport t) throws Exception {
        IOLoop l = open(t);
        AtomicInteger ran = new AtomicInteger();
        Timeout fromOutside = l.callLater(0.05, ran::incrementAndGet);
        l.removeTimeout(fromOutside);
        l.removeTimeout(fromOutside);
        assertTrue(fromOutside.isCancelled());
        Timeout onLoop = l.runSync(() -> CompletableFuture.completedFuture(l.callLater(0.05, ran::incrementAndGet)));
        onLoop.cancel();
        Timeout cancelledOnLoop = l.runSync(() -> {
            Timeout x = l.callLater(0.05, ran::incrementAndGet);
            l.removeTimeout(x);
            l.removeTimeout(x);
            return CompletableFuture.completedFuture(x);
        });
        assertTrue(cancelledOnLoop.isCancelled());
        CountDownLatch fired = new CountDownLatch(1);
        Timeout already = l.callLater(0.001, fired::countDown);
        assertTrue(fired.await(5, TimeUnit.SECONDS));
        l.removeTimeout(already);
        l.removeTimeout(already);
        Thread.sleep(150);
        assertEquals(0, ran.get());
    }

    @ParameterizedTest
    @MethodSource("io.tornadoj.testsupport.Transports#available")
    void exceptionsAreLoggedOnTornadoApplicationAndTheLoopGoesOn(Transport t) throws Exception {
        IOLoop l = open(t);
        try (LogCapture log = new LogCapture("tornado.application"); TestPipe pipe = new TestPipe(l)) {
            l.addCallback(() -> {
                throw new IllegalStateException("boom in callback");
            });
            l.callLater(0, () -> {
                throw new IllegalStateException("boom in timeout");
            });
            CountDownLatch handled = new CountDownLatch(1);
            pipe.watchReader((fd, ev) -> {
                pipe.removeReader();
                handled.countDown();
                throw new IOException("boom in handler");
            }, IOLoop.READ);
            pipe.write(new byte[] {1});
            assertTrue(handled.await(5, TimeUnit.SECONDS));
            assertEquals("still going", l.runSync(() -> {
                CompletableFuture<String> f = new CompletableFuture<>();
                l.callLater(0.02, () -> f.complete("still going"));
                return f;
            }));
            List<String> messages = log.messages();
            assertEquals(3, messages.size(), messages.toString());
            for (String m : messages) {
                assertTrue(m.startsWith("Exception in callback"), m);
            }
            List<String> causes = new ArrayList<>();
            log.events().forEach(e -> causes.add(e.getThrowableProxy().getMessage()));
            assertTrue(causes.containsAll(List.of("boom in callback", "boom in timeout", "boom in handler")), causes.toString());
        }
    }

    @Test
    void callbackExceptionHandlerReplacesThePolicy() throws Exception {
        IOLoop l = open(Transport.AUTO);
        List<Object> seen = new CopyOnWriteArrayList<>();
        l.setCallbackExceptionHandler((cb, ex) -> seen.add(ex.getMessage()));
        try (LogCapture log = new LogCapture("tornado.application")) {
            l.addCallback(() -> {
                throw new RuntimeException("mine");
            });
            l.runSync(() -> CompletableFuture.completedFuture(null));
            assertEquals(List.of("mine"), seen);
            assertTrue(log.events().isEmpty());
            // A handler that itself throws is logged, and the loop still goes on.
            l.setCallbackExceptionHandler((cb, ex) -> {
                throw new IllegalStateException("handler broke");
            });
            l.addCallback(() -> {
                throw new RuntimeException("again");
            });
            assertEquals(1, (int) l.runSync(() -> CompletableFuture.completedFuture(1)));
            assertEquals(1, log.events().size());
            l.setCallbackExceptionHandler(null);
            l.handleCallbackException("direct", new RuntimeException("direct call"));
            assertEquals(2, log.events().size());
            assertTrue(log.messages().get(1).contains("direct"));
        }
    }

    @ParameterizedTest
    @MethodSource("io.tornadoj.testsupport.Transports#available")
    void fourForeignThreadsLoseNothingAndKeepTheirOrder(Transport t) throws Exception {
        IOLoop l = open(t);
        int threads = 4;
        int perThread = 100_000;
        int[] last = new int[threads];
        java.util.Arrays.fill(last, -1);
        AtomicInteger outOfOrder = new AtomicInteger();
        AtomicInteger total = new AtomicInteger();
        List<Thread> producers = new ArrayList<>();
        for (int p = 0; p < threads; p++) {
            int id = p;
            producers.add(new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    int n = i;
                    l.addCallback(() -> {
                        if (last[id] != n - 1) {
                            outOfOrder.incrementAndGet();
                        }
                        last[id] = n;
                        total.incrementAndGet();
                    });
                }
            }));
        }
        producers.forEach(Thread::start);
        for (Thread th : producers) {
            th.join();
        }
        l.runSync(() -> CompletableFuture.completedFuture(null), Duration.ofSeconds(30));
        assertEquals(threads * perThread, total.get());
        assertEquals(0, outOfOrder.get());
    }

    @ParameterizedTest
    @MethodSource("io.tornadoj.testsupport.Transports#available")
    void runSyncReturnsRethrowsAndTimesOut(Transport t) throws Exception {
        IOLoop l = open(t);
        assertEquals("v", l.runSync(() -> CompletableFuture.completedFuture("v")));
        assertNull(l.runSync(() -> null));
        // the original exception, not a wrapper
        IOException original = new IOException("original");
        IOException thrown = assertThrows(IOException.class, () -> l.runSync(() -> CompletableFuture.failedFuture(original)));
        assertSame(original, thrown);
        IllegalArgumentException fromFunc = assertThrows(IllegalArgumentException.class, () -> l.runSync(() -> {
            throw new IllegalArgumentException("from func");
        }));
        assertEquals("from func", fromFunc.getMessage());
        CompletableFuture<String> never = new CompletableFuture<>();
        assertThrows(TimeoutException.class, () -> l.runSync(() -> never, Duration.ofMillis(50)));
        assertTrue(never.isCancelled(), "the stage is cancelled after a timeout");
        // Tornado's float seconds
        assertEquals("w", l.runSync(() -> CompletableFuture.completedFuture("w"), 30.0));
        CompletableFuture<String> neverEither = new CompletableFuture<>();
        assertThrows(TimeoutException.class, () -> l.runSync(() -> neverEither, 0.05));
        assertTrue(neverEither.isCancelled());
        // On the loop thread: a clear IllegalStateException.
        AtomicReference<Throwable> onLoop = new AtomicReference<>();
        l.runSync(() -> {
            try {
                l.runSync(() -> null);
            } catch (Throwable e) {
                onLoop.set(e);
            }
            return null;
        });
        assertTrue(onLoop.get() instanceof IllegalStateException);
        assertTrue(onLoop.get().getMessage().contains("loop thread"));
    }

    @ParameterizedTest
    @MethodSource("io.tornadoj.testsupport.Transports#available")
    void startStopStartAgain(Transport t) throws Exception {
        IOLoop l = open(t);
        assertFalse(l.isRunning());
        for (int round = 0; round < 3; round++) {
            AtomicBoolean wasRunning = new AtomicBoolean();
            l.callLater(0.01, () -> {
                wasRunning.set(l.isRunning());
                l.stop();
            });
            l.start();
            assertTrue(wasRunning.get());
            assertFalse(l.isRunning());
        }
        // stop() from another thread; start() twice is refused.
        Thread starter = new Thread(l::start);
        starter.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!l.isRunning() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertTrue(l.isRunning());
        assertThrows(IllegalStateException.class, l::start);
        l.stop();
        starter.join(5000);
        assertFalse(starter.isAlive());
        // start() on the loop thread is refused.
        AtomicReference<Throwable> err = new AtomicReference<>();
        l.runSync(() -> {
            try {
                l.start();
            } catch (Throwable e) {
                err.set(e);
            }
            return null;
        });
        assertTrue(err.get() instanceof IllegalStateException);
    }

    @ParameterizedTest
    @MethodSource("io.tornadoj.testsupport.Transports#available")
    void closeStopsEverythingAndLaterCallbacksAreDropped(Transport t) throws Exception {
        IOLoop l = open(t);
        AtomicInteger ran = new AtomicInteger();
        Thread starter = new Thread(l::start);
        starter.start();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!l.isRunning() && System.nanoTime() < until) {
            Thread.sleep(1); // close() must find start() blocked, not race it
        }
        l.callLater(10, ran::incrementAndGet);
        l.close();
        starter.join(5000);
        assertFalse(starter.isAlive(), "close() releases start()");
        l.addCallback(ran::incrementAndGet); // neither throws nor runs
        l.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> l.runSync(() -> null));
        assertThrows(IllegalStateException.class, l::start);
        Thread.sleep(20);
        assertEquals(0, ran.get());
        assertTrue(l.eventLoop().isShutdown());
    }

    @ParameterizedTest
    @MethodSource("io.tornadoj.testsupport.Transports#available")
    void closeWithAllFdsClosesWatchedFdsAndWithoutLeavesThemOpen(Transport t) throws Exception {
        IOLoop l = open(t);
        TestPipe kept = new TestPipe(l);
        kept.watchReader((fd, ev) -> { }, IOLoop.READ);
        l.close(false);
        assertTrue(kept.readerOpen());
        kept.close();

        IOLoop l2 = open(t);
        TestPipe closed = new TestPipe(l2);
        closed.watchReader((fd, ev) -> { }, IOLoop.READ);
        closed.watchWriter((fd, ev) -> { }, IOLoop.NONE);
        l2.close(true);
        assertFalse(closed.readerOpen());
        assertFalse(closed.writerOpen());
        closed.forget(); // the loop closed them; closing again could hit a reused fd number
    }

    @ParameterizedTest
    @MethodSource("io.tornadoj.testsupport.Transports#available")
    void fdHandlersAreLevelTriggered(Transport t) throws Exception {
        IOLoop l = open(t);
        try (TestPipe pipe = new TestPipe(l)) {
            // READ keeps firing while data remains unread: read one byte per event.
            List<Integer> bytes = new CopyOnWriteArrayList<>();
            CountDownLatch drained = new CountDownLatch(1);
            pipe.watchReader((fd, ev) -> {
                assertEquals(IOLoop.READ, ev & IOLoop.READ);
                int n = pipe.read(1);
                bytes.add(n);
                if (bytes.size() == 5) {
                    pipe.updateReader(IOLoop.NONE);
                    drained.countDown();
                }
            }, IOLoop.READ);
            pipe.write(new byte[] {1, 2, 3, 4, 5});
            assertTrue(drained.await(5, TimeUnit.SECONDS));
            assertEquals(List.of(1, 1, 1, 1, 1), bytes);

            // interest NONE: new data does not fire; updateHandler(READ) brings it back.
            pipe.write(new byte[] {6});
            Thread.sleep(50);
            assertEquals(5, bytes.size());
            CountDownLatch again = new CountDownLatch(1);
            l.runSync(() -> {
                pipe.removeReader();
                pipe.watchReader((fd, ev) -> {
                    pipe.read(16);
                    again.countDown();
                    pipe.updateReader(IOLoop.NONE);
                }, IOLoop.NONE);
                pipe.updateReader(IOLoop.READ);
                return null;
            });
            assertTrue(again.await(5, TimeUnit.SECONDS));
            // removeHandler: no event after it, even with data waiting.
            l.runSync(() -> {
                pipe.removeReader();
                pipe.removeReader(); // unknown now: ignored
                return null;
            });
            AtomicInteger after = new AtomicInteger();
            assertThrows(IllegalArgumentException.class, () -> pipe.updateReader(IOLoop.READ));
            pipe.write(new byte[] {7});
            Thread.sleep(50);
            assertEquals(0, after.get());
        }
    }

    @ParameterizedTest
    @MethodSource("io.tornadoj.testsupport.Transports#available")
    void writeFiresWhileWritableAndHangUpIsReported(Transport t) throws Exception {
        IOLoop l = open(t);
        try (TestPipe pipe = new TestPipe(l)) {
            AtomicInteger writable = new AtomicInteger();
            CountDownLatch threeTimes = new CountDownLatch(3);
            pipe.watchWriter((fd, ev) -> {
                if ((ev & IOLoop.WRITE) != 0) {
                    writable.incrementAndGet();
                    threeTimes.countDown();
                }
            }, IOLoop.WRITE);
            assertTrue(threeTimes.await(5, TimeUnit.SECONDS), "WRITE keeps firing while writable");

            // Hang-up: the other end closes. Native transports report ERROR; NIO reports READ with EOF.
            CompletableFuture<Integer> hangup = new CompletableFuture<>();
            pipe.watchReader((fd, ev) -> {
                if (t == Transport.NIO) {
                    if (pipe.read(16) == -1) {
                        hangup.complete(ev);
                        pipe.removeReader();
                    }
                } else if ((ev & IOLoop.ERROR) != 0) {
                    hangup.complete(ev);
                    pipe.removeReader();
                }
            }, IOLoop.READ);
            l.runSync(() -> {
                pipe.closeWriter();
                return null;
            });
            int ev = hangup.get(5, TimeUnit.SECONDS);
            if (t == Transport.NIO) {
                assertEquals(IOLoop.READ, ev);
            } else {
                assertNotEquals(0, ev & IOLoop.ERROR);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.tornadoj.testsupport.Transports#available")
    void handlerFormMustMatchTheTransport(Transport t) throws Exception {
        IOLoop l = open(t);
        try (TestPipe pipe = new TestPipe(l)) {
            pipe.watchReader((fd, ev) -> { }, IOLoop.READ);
            assertThrows(IllegalArgumentException.class, () -> pipe.watchReader((fd, ev) -> { }, IOLoop.READ),
                    "a second handler for the same fd");
            if (t == Transport.NIO) {
                UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                        () -> l.addHandler(0, (fd, ev) -> { }, IOLoop.READ));
                assertTrue(e.getMessage().contains("SelectableChannel"));
            } else {
                java.nio.channels.Pipe p = java.nio.channels.Pipe.open();
                try {
                    UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                            () -> l.addHandler(p.source(), (fd, ev) -> { }, IOLoop.READ));
                    assertTrue(e.getMessage().contains("raw fds"));
                } finally {
                    p.source().close();
                    p.sink().close();
                }
            }
            pipe.removeReader();
        }
    }

    @Test
    void currentLoopPerThread() throws Exception {
        IOLoop.clearCurrent();
        assertNull(IOLoop.currentOrNull());
        IOLoop created = IOLoop.current();
        loop = created;
        assertSame(created, IOLoop.current());
        assertSame(created, IOLoop.currentOrNull());
        // On the loop thread, current() is that loop.
        assertSame(created, created.runSync(() -> CompletableFuture.completedFuture(IOLoop.current())));
        IOLoop other = IOLoop.create();
        try {
            assertSame(created, IOLoop.current(), "create() does not make current");
            other.makeCurrent();
            assertSame(other, IOLoop.current());
            assertSame(other, other.runSync(() -> CompletableFuture.completedFuture(IOLoop.currentOrNull())));
            AtomicReference<IOLoop> elsewhere = new AtomicReference<>(other);
            Thread th = new Thread(() -> elsewhere.set(IOLoop.currentOrNull()));
            th.start();
            th.join();
            assertNull(elsewhere.get(), "current is per thread");
        } finally {
            IOLoop.clearCurrent();
            other.close();
        }
        assertNull(IOLoop.currentOrNull());
    }

    @Test
    void transportsReportAvailabilityAndBestIsNeverAuto() {
        Transport best = Transport.best();
        assertNotEquals(Transport.AUTO, best);
        assertNotEquals(Transport.IO_URING, best, "io_uring only when asked for");
        assertTrue(best.isAvailable());
        assertTrue(Transport.NIO.isAvailable());
        assertNull(Transport.NIO.unavailabilityCause());
        assertTrue(Transport.AUTO.isAvailable());
        if (System.getProperty("os.name").toLowerCase().contains("linux")) {
            assertFalse(Transport.KQUEUE.isAvailable());
            assertNotNull(Transport.KQUEUE.unavailabilityCause());
            assertEquals(Transport.EPOLL, best);
        }
        IOLoop l = open(Transport.AUTO);
        assertEquals(best, l.transport());
    }

    @Test
    void configureAndSystemPropertyPickTheTransport() {
        String old = System.getProperty("tornado.transport");
        try {
            System.setProperty("tornado.transport", "nio");
            try (IOLoop l = IOLoop.create()) {
                assertEquals(Transport.NIO, l.transport());
            }
            IOLoop.configure(Transport.AUTO);
            try (IOLoop l = IOLoop.create()) {
                assertEquals(Transport.best(), l.transport(), "configure() overrides the property");
            }
            if (Transport.IO_URING.isAvailable()) {
                IOLoop.configure(Transport.IO_URING);
                try (IOLoop l = IOLoop.create()) {
                    assertEquals(Transport.IO_URING, l.transport());
                }
            }
            if (!Transport.KQUEUE.isAvailable()) {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> IOLoop.create(Transport.KQUEUE));
                assertTrue(e.getMessage().contains("KQUEUE"));
            }
        } finally {
            IOLoop.configure(Transport.AUTO);
            if (old == null) {
                System.clearProperty("tornado.transport");
            } else {
                System.setProperty("tornado.transport", old);
            }
        }
        assertEquals(Transport.IO_URING, Transport.parse("io-uring"));
        assertEquals(Transport.EPOLL, Transport.parse(" EPOLL "));
        assertThrows(IllegalArgumentException.class, () -> Transport.parse("carrier-pigeon"));
    }

    @ParameterizedTest
    @MethodSource("io.tornadoj.testsupport.Transports#available")
    void runInExecutorAndAddFutureCompleteOnTheLoop(Transport t) throws Exception {
        IOLoop l = open(t);
        AtomicReference<Thread> workThread = new AtomicReference<>();
        String v = l.runSync(() -> l.runInExecutor(null, () -> {
            workThread.set(Thread.currentThread());
            return "done";
        }).thenApply(x -> {
            assertTrue(l.inLoop(), "continuation runs on the loop");
            return x;
        }), Duration.ofSeconds(5));
        assertEquals("done", v);
        assertFalse(workThread.get().getName().startsWith("tornado-ioloop-") && !workThread.get().getName().contains("executor"));
        assertTrue(workThread.get().isDaemon());
        IOException err = assertThrows(IOException.class, () -> l.runSync(() -> l.runInExecutor(null, () -> {
            throw new IOException("blocking failed");
        })));
        assertEquals("blocking failed", err.getMessage());
        // custom default executor
        AtomicInteger used = new AtomicInteger();
        l.setDefaultExecutor(r -> {
            used.incrementAndGet();
            new Thread(r).start();
        });
        assertEquals(7, (int) l.runSync(() -> l.runInExecutor(null, () -> 7)));
        assertEquals(1, used.get());
        // addFuture: callback on the loop with the completed future
        CompletableFuture<String> f = new CompletableFuture<>();
        CompletableFuture<String> seen = new CompletableFuture<>();
        l.addFuture(f, done -> seen.complete(l.inLoop() + ":" + done.join()));
        new Thread(() -> f.complete("x")).start();
        assertEquals("true:x", seen.get(5, TimeUnit.SECONDS));
        // execute()/spawnCallback are addCallback
        CountDownLatch both = new CountDownLatch(2);
        l.execute(both::countDown);
        l.spawnCallback(both::countDown);
        assertTrue(both.await(5, TimeUnit.SECONDS));
    }

    @ParameterizedTest
    @MethodSource("io.tornadoj.testsupport.Transports#available")
    void blockingLogThresholdLogsTheLoopThreadStackOnce(Transport t) throws Exception {
        IOLoop l = open(t);
        try (LogCapture log = new LogCapture("tornado.general")) {
            l.setBlockingLogThreshold(0.05); // Tornado's float seconds; the Duration form is used below
            l.addCallback(IOLoopTest::sleepTwoHundredMillis);
            l.addCallback(() -> { }); // quick ones are not reported
            l.runSync(() -> null);
            List<String> messages = log.messages();
            assertEquals(1, messages.size(), messages.toString());
            assertTrue(messages.get(0).contains("sleepTwoHundredMillis"), messages.get(0));
            assertTrue(messages.get(0).startsWith("IOLoop blocked for"), messages.get(0));
            l.setBlockingLogThreshold(null);
            l.addCallback(IOLoopTest::sleepTwoHundredMillis);
            l.runSync(() -> null);
            assertEquals(1, log.messages().size(), "off after null");
        }
    }

    private static void sleepTwoHundredMillis() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
