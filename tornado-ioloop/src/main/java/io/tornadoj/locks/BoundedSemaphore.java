package io.tornadoj.locks;

/**
 * Tornado's {@code locks.BoundedSemaphore}: a {@link Semaphore} that refuses to be released above its
 * initial value. Loop-confined.
 */
public class BoundedSemaphore extends Semaphore {
    private final int initial;

    /** A bounded semaphore with the initial and highest value 1 (Tornado's default). */
    public BoundedSemaphore() {
        this(1);
    }

    /**
     * A bounded semaphore.
     *
     * @param value the initial and highest count
     */
    public BoundedSemaphore(int value) {
        super(value);
        this.initial = value;
    }

    /**
     * Releases.
     *
     * @throws IllegalStateException when released more often than acquired
     */
    @Override
    public void release() {
        if (value() >= initial) {
            throw new IllegalStateException("Semaphore released too many times");
        }
        super.release();
    }
}
