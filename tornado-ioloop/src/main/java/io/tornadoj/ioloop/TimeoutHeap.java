package io.tornadoj.ioloop;

import java.util.Arrays;

/**
 * A binary min-heap of {@link Timeout}s ordered by deadline, then by insertion order. Each timeout
 * knows its index, so removal is O(log n) and a cancelled timeout keeps no memory. Loop thread only.
 */
final class TimeoutHeap {
    private static final Timeout[] EMPTY = new Timeout[0];
    private Timeout[] heap = EMPTY;
    private int size;

    int size() {
        return size;
    }

    Timeout peek() {
        return size == 0 ? null : heap[0];
    }

    void add(Timeout t) {
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, Math.max(16, size * 2));
        }
        siftUp(size++, t);
    }

    Timeout poll() {
        if (size == 0) {
            return null;
        }
        Timeout top = heap[0];
        removeAt(0);
        return top;
    }

    /** Removes t if it is in this heap; returns whether it was. */
    boolean remove(Timeout t) {
        int i = t.heapIndex;
        if (i < 0 || i >= size || heap[i] != t) {
            return false;
        }
        removeAt(i);
        return true;
    }

    void clear() {
        for (int i = 0; i < size; i++) {
            heap[i].heapIndex = -1;
            heap[i] = null;
        }
        size = 0;
    }

    private void removeAt(int i) {
        Timeout removed = heap[i];
        removed.heapIndex = -1;
        int last = --size;
        Timeout moved = heap[last];
        heap[last] = null;
        if (i != last) {
            siftDown(i, moved);
            if (heap[i] == moved) {
                siftUp(i, moved);
            }
        }
        // Give memory back after a burst of cancellations.
        if (heap.length > 64 && size < heap.length / 4) {
            heap = Arrays.copyOf(heap, heap.length / 2);
        }
    }

    private void siftUp(int i, Timeout t) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Timeout p = heap[parent];
            if (t.compareTo(p) >= 0) {
                break;
            }
            heap[i] = p;
            p.heapIndex = i;
            i = parent;
        }
        heap[i] = t;
        t.heapIndex = i;
    }

    private void siftDown(int i, Timeout t) {
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            Timeout c = heap[child];
            int right = child + 1;
            if (right < size && heap[right].compareTo(c) < 0) {
                child = right;
                c = heap[child];
            }
            if (t.compareTo(c) <= 0) {
                break;
            }
            heap[i] = c;
            c.heapIndex = i;
            i = child;
        }
        heap[i] = t;
        t.heapIndex = i;
    }
}
