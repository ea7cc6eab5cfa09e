package io.tornadoj.queues;

/** Thrown by {@link Queue#putNowait(Object)} when the queue is at its maxsize. */
public class QueueFull extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A new QueueFull. */
    public QueueFull() {
        super("queue is full");
    }
}
