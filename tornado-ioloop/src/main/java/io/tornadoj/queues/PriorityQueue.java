package io.tornadoj.queues;

import java.util.Comparator;

/**
 * Tornado's {@code PriorityQueue}: the smallest item comes out first (natural order or a comparator;
 * Tornado users put {@code (priority, item)} tuples, Java users a comparable record). Loop-confined.
 *
 * @param <T> the item type
 */
public class PriorityQueue<T> extends Queue<T> {
    private final java.util.PriorityQueue<T> heap;

    /** An unbounded queue in natural order. */
    public PriorityQueue() {
        this(0);
    }

    /**
     * A bounded queue in natural order.
     *
     * @param maxsize the bound; 0 = unbounded
     */
    public PriorityQueue(int maxsize) {
        this(maxsize, null);
    }

    /**
     * A bounded queue ordered by a comparator.
     *
     * @param maxsize    the bound; 0 = unbounded
     * @param comparator the order, or null for natural order
     */
    public PriorityQueue(int maxsize, Comparator<? super T> comparator) {
        super(maxsize);
        heap = new java.util.PriorityQueue<>(comparator);
    }

    @Override
    protected void putItem(T item) {
        heap.add(item);
    }

    @Override
    protected T getItem() {
        return heap.poll();
    }

    @Override
    protected int size() {
        return heap.size();
    }
}
