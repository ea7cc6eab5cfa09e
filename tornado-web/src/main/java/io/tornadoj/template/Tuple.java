package io.tornadoj.template;

import java.util.AbstractList;
import java.util.RandomAccess;

/** Python's tuple: an immutable list that prints as {@code (a, b)} and is the right operand of {@code %}. */
final class Tuple extends AbstractList<Object> implements RandomAccess {
    private final Object[] items;

    Tuple(Object... items) {
        this.items = items;
    }

    @Override
    public Object get(int index) {
        return items[index];
    }

    @Override
    public int size() {
        return items.length;
    }
}
