package io.tornadoj.queues;

/** Thrown by {@link Queue#getNowait()} when the queue has no item. */
public class QueueEmpty extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A new QueueEmpty. */
    public QueueEmpty() {
        super("queue is empty");
    }
}
