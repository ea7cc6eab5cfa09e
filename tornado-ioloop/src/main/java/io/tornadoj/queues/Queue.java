package io.tornadoj.queues;

import io.tornadoj.internal.Waiters;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.ioloop.Timeout;
import io.tornadoj.locks.Event;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * Tornado's {@code queues.Queue}: a FIFO queue for producers and consumers on one loop. {@link #put}
 * waits while the queue is full, {@link #get} while it is empty; waiting getters and putters are served in
 * FIFO order and one that times out is removed. {@link #join()} waits until every item put has been
 * marked done with {@link #taskDone()}. Loop-confined.
 *
 * @param <T> the item type
 */
public class Queue<T> {
    private final int maxsize;
    private final Waiters<T> getters = new Waiters<>();
    private final ArrayDeque<Putter<T>> putters = new ArrayDeque<>();
    private final Event finished = new Event();
    private int unfinishedTasks;
    private final ArrayDeque<T> items = new ArrayDeque<>();

    private static final class Putter<T> {
        final T item;
        final CompletableFuture<Void> future;

        Putter(T item, CompletableFuture<Void> future) {
            this.item = item;
            this.future = future;
        }
    }

    /** An unbounded queue. */
    public Queue() {
        this(0);
    }

    /**
     * A queue holding at most {@code maxsize} items.
     *
     * @param maxsize the bound; 0 means unbounded
     */
    public Queue(int maxsize) {
        if (maxsize < 0) {
            throw new IllegalArgumentException("maxsize must not be negative");
        }
        this.maxsize = maxsize;
        finished.set();
    }

    /**
     * The bound given at construction (0 = unbounded).
     *
     * @return maxsize
     */
    public int maxsize() {
        return maxsize;
    }

    /**
     * The number of items in the queue.
     *
     * @return the size
     */
    public int qsize() {
        return size();
    }

    /**
     * Whether the queue has no items.
     *
     * @return true when empty
     */
    public boolean empty() {
        return size() == 0;
    }

    /**
     * Whether the queue is at its bound (never true when unbounded).
     *
     * @return true when full
     */
    public boolean full() {
        return maxsize > 0 && size() >= maxsize;
    }

    /**
     * Puts an item, waiting while the queue is full.
     *
     * @param item the item
     * @return completes when the item is in the queue
     */
    public CompletableFuture<Void> put(T item) {
        return put(item, null);
    }

    /**
     * Puts an item, waiting at most {@code timeout} while the queue is full.
     *
     * @param item    the item
     * @param timeout the limit, or null for none
     * @return completes when the item is in; fails with {@link java.util.concurrent.TimeoutException}
     *         (and the item is not put) on timeout
     */
    public CompletableFuture<Void> put(T item, Duration timeout) {
        try {
            putNowait(item);
            return CompletableFuture.completedFuture(null);
        } catch (QueueFull full) {
            CompletableFuture<Void> waiter = new CompletableFuture<>();
            Putter<T> putter = new Putter<>(item, waiter);
            putters.add(putter);
            if (timeout == null) {
                return waiter;
            }
            // The putter leaves the queue before its future fails, so whoever sees the timeout finds it gone;
            // a caller that cancels the future gives up its place too.
            Timeout timer = IOLoop.current().callLater(timeout, () -> {
                if (!waiter.isDone()) {
                    putters.remove(putter);
                    waiter.completeExceptionally(new TimeoutException("Timeout after " + timeout));
                }
            });
            waiter.whenComplete((v, t) -> {
                timer.cancel();
                if (t != null) {
                    putters.remove(putter);
                }
            });
            return waiter;
        }
    }

    /**
     * Puts an item without waiting; hands it straight to a waiting getter if there is one.
     *
     * @param item the item
     * @throws QueueFull when the queue is full
     */
    public void putNowait(T item) {
        CompletableFuture<T> getter = getters.poll();
        if (getter != null) {
            putInternal(item);
            getter.complete(getItem());
        } else if (full()) {
            throw new QueueFull();
        } else {
            putInternal(item);
        }
    }

    /**
     * Removes and returns an item, waiting while the queue is empty.
     *
     * @return completes with the item
     */
    public CompletableFuture<T> get() {
        return get(null);
    }

    /**
     * Removes and returns an item, waiting at most {@code timeout}.
     *
     * @param timeout the limit, or null for none
     * @return the item; fails with {@link java.util.concurrent.TimeoutException} on timeout (the waiter
     *         then takes nothing later)
     */
    public CompletableFuture<T> get(Duration timeout) {
        try {
            return CompletableFuture.completedFuture(getNowait());
        } catch (QueueEmpty empty) {
            return getters.add(timeout);
        }
    }

    /**
     * Removes and returns an item without waiting; lets the oldest waiting putter in.
     *
     * @return the item
     * @throws QueueEmpty when there is none
     */
    public T getNowait() {
        Putter<T> putter;
        while ((putter = putters.poll()) != null && putter.future.isDone()) {
            // skip putters a caller cancelled
        }
        if (putter != null) {
            putInternal(putter.item);
            T item = getItem(); // before the putter's callbacks run, so they see a consistent queue
            putter.future.complete(null);
            return item;
        }
        if (size() > 0) {
            return getItem();
        }
        throw new QueueEmpty();
    }

    /**
     * Marks one item taken by a consumer as processed; {@link #join()} completes when every item is.
     *
     * @throws IllegalStateException when called more often than items were put
     */
    public void taskDone() {
        if (unfinishedTasks <= 0) {
            throw new IllegalStateException("taskDone() called too many times");
        }
        if (--unfinishedTasks == 0) {
            finished.set();
        }
    }

    /**
     * Waits until every item put has been marked with {@link #taskDone()}.
     *
     * @return completes when all work is done
     */
    public CompletableFuture<Void> join() {
        return finished.await();
    }

    /**
     * Like {@link #join()} with a limit.
     *
     * @param timeout the limit, or null for none
     * @return completes when all work is done; fails with {@link java.util.concurrent.TimeoutException}
     */
    public CompletableFuture<Void> join(Duration timeout) {
        return finished.await(timeout);
    }

    private void putInternal(T item) {
        unfinishedTasks++;
        finished.clear();
        putItem(item);
    }

    /**
     * Stores an item; subclasses change the order.
     *
     * @param item the item
     */
    protected void putItem(T item) {
        items.addLast(item);
    }

    /**
     * Takes the next item; subclasses change the order.
     *
     * @return the item
     */
    protected T getItem() {
        return items.pollFirst();
    }

    /**
     * The number of stored items; subclasses that store elsewhere override it.
     *
     * @return the size
     */
    protected int size() {
        return items.size();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(maxsize=" + maxsize + ", qsize=" + qsize() + ", tasks="
                + unfinishedTasks + ")";
    }
}
