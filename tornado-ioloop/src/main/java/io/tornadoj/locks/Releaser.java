package io.tornadoj.locks;

/**
 * What {@link Semaphore#acquire()} and {@link Lock#acquire()} deliver: closing it releases, so
 * {@code try (Releaser r = ...) { ... }} works like Tornado's {@code async with}. Loop thread.
 */
@FunctionalInterface
public interface Releaser extends AutoCloseable {
    /** Releases the semaphore or lock this came from. */
    @Override
    void close();
}
