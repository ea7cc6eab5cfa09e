package io.tornadoj.internal;

import java.time.Duration;

/**
 * Not public API: converts Tornado's float seconds to {@link Duration}, for the {@code double}
 * overloads that every Tornado-J module offers next to its {@code Duration} ones. Any thread.
 */
public final class Seconds {
    private Seconds() {
    }

    /**
     * The duration of {@code seconds}, to the nanosecond.
     *
     * @param seconds a time in seconds (fractions allowed)
     * @return the duration
     * @throws IllegalArgumentException when {@code seconds} is NaN or infinite
     */
    public static Duration toDuration(double seconds) {
        if (!Double.isFinite(seconds)) {
            throw new IllegalArgumentException("not a finite number of seconds: " + seconds);
        }
        return Duration.ofNanos((long) (seconds * 1e9));
    }
}
