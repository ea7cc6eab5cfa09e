package io.tornadoj.queues;

import java.util.ArrayDeque;

/**
 * Tornado's {@code LifoQueue}: the most recently put item comes out first. Loop-confined.
 *
 * @param <T> the item type
 */
public class LifoQueue<T> extends Queue<T> {
    private final ArrayDeque<T> stack = new ArrayDeque<>();

    /** An unbounded LIFO queue. */
    public LifoQueue() {
        this(0);
    }

    /**
     * A bounded LIFO queue.
     *
     * @param maxsize the bound; 0 = unbounded
     */
    public LifoQueue(int maxsize) {
        super(maxsize);
    }

    @Override
    protected void putItem(T item) {
        stack.push(item);
    }

    @Override
    protected T getItem() {
        return stack.pop();
    }

    @Override
    protected int size() {
        return stack.size();
    }
}
