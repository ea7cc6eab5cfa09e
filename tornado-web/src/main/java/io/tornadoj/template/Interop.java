package io.tornadoj.template;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Java objects seen from templates: properties ({@code getX()}, {@code isX()}, a record component or
 * other no-argument method {@code x()}, a public field {@code x}) and public methods called by name and
 * arity, with numbers converted to the parameter types. Only public members are used; a method declared
 * by a non-public class is called through the public interface or superclass that declares it.
 * The lookups are cached per class.
 */
final class Interop {
    /** Returned when no member fits. */
    static final Object NOT_FOUND = new Object();

    /** {@code Object}'s methods a template has no business calling. */
    private static final java.util.Set<String> HIDDEN = java.util.Set.of("getClass", "wait", "notify", "notifyAll");

    /** Public methods by name, callable from here, per class. */
    private static final ClassValue<Map<String, List<Method>>> METHODS = new ClassValue<>() {
        @Override
        protected Map<String, List<Method>> computeValue(Class<?> type) {
            Map<String, List<Method>> byName = new HashMap<>();
            for (Method m : type.getMethods()) {
                if (Modifier.isStatic(m.getModifiers()) || HIDDEN.contains(m.getName())) {
                    continue;
                }
                Method callable = callable(m, type);
                if (callable != null) {
                    byName.computeIfAbsent(m.getName(), k -> new ArrayList<>()).add(callable);
                }
            }
            return byName;
        }
    };

    private Interop() {
    }

    /** The same method, declared by a public exported type, or made accessible; null when neither works. */
    private static Method callable(Method m, Class<?> type) {
        if (isPublicApi(m.getDeclaringClass())) {
            return m;
        }
        Deque<Class<?>> todo = new ArrayDeque<>();
        todo.add(type);
        while (!todo.isEmpty()) {
            Class<?> c = todo.poll();
            if (isPublicApi(c)) {
                try {
                    return c.getMethod(m.getName(), m.getParameterTypes());
                } catch (NoSuchMethodException ignored) {
                    // keep looking
                }
            }
            if (c.getSuperclass() != null) {
                todo.add(c.getSuperclass());
            }
            todo.addAll(List.of(c.getInterfaces()));
        }
        return m.trySetAccessible() ? m : null;
    }

    private static boolean isPublicApi(Class<?> c) {
        return Modifier.isPublic(c.getModifiers()) && c.getModule().isExported(c.getPackageName())
                && (c.getEnclosingClass() == null || isPublicApi(c.getEnclosingClass()));
    }

    static boolean hasMethod(Object obj, String name) {
        return METHODS.get(obj.getClass()).containsKey(name);
    }

    /** Property accessors by name (a no-argument {@link Method}, a {@link Field}, or {@link #NOT_FOUND}), per class. */
    private static final ClassValue<Map<String, Object>> PROPERTIES = new ClassValue<>() {
        @Override
        protected Map<String, Object> computeValue(Class<?> type) {
            return new ConcurrentHashMap<>();
        }
    };

    /** A property of a Java object, or {@link #NOT_FOUND}. */
    static Object getProperty(Object obj, String name) {
        Object accessor = PROPERTIES.get(obj.getClass()).computeIfAbsent(name, n -> accessor(obj.getClass(), n));
        if (accessor instanceof Method) {
            return invoke((Method) accessor, obj, new Object[0]);
        }
        if (accessor instanceof Field) {
            try {
                return ((Field) accessor).get(obj);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        return NOT_FOUND;
    }

    /** {@code getX()}, {@code isX()} (boolean), {@code x()}, or the public field {@code x}. */
    private static Object accessor(Class<?> type, String name) {
        Map<String, List<Method>> methods = METHODS.get(type);
        String cap = name.isEmpty() ? name : Character.toUpperCase(name.charAt(0)) + name.substring(1);
        for (String candidate : new String[]{"get" + cap, "is" + cap, name}) {
            for (Method m : methods.getOrDefault(candidate, List.of())) {
                if (m.getParameterCount() == 0 && m.getReturnType() != void.class
                        && (!candidate.startsWith("is") || candidate.equals(name) || m.getReturnType() == boolean.class)) {
                    return m;
                }
            }
        }
        try {
            Field f = type.getField(name);
            if (!Modifier.isStatic(f.getModifiers()) && (isPublicApi(f.getDeclaringClass()) || f.trySetAccessible())) {
                return f;
            }
        } catch (NoSuchFieldException ignored) {
            // not a field
        }
        return NOT_FOUND;
    }

    /** Calls a public method by name whose parameters accept the arguments, or returns {@link #NOT_FOUND}. */
    static Object invoke(Object obj, String name, List<Object> args) {
        List<Method> candidates = METHODS.get(obj.getClass()).get(name);
        if (candidates == null) {
            return NOT_FOUND;
        }
        for (boolean strict : new boolean[]{true, false}) {
            for (Method m : candidates) {
                Object[] converted = convert(m, args, strict);
                if (converted != null) {
                    return invoke(m, obj, converted);
                }
            }
        }
        return NOT_FOUND;
    }

    private static Object invoke(Method m, Object obj, Object[] args) {
        try {
            return m.invoke(obj, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw new IllegalStateException(cause);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object[] convert(Method m, List<Object> args, boolean strict) {
        Class<?>[] types = m.getParameterTypes();
        if (m.isVarArgs() && !strict) {
            if (args.size() < types.length - 1) {
                return null;
            }
            Object[] out = new Object[types.length];
            for (int i = 0; i < types.length - 1; i++) {
                if (!fits(args.get(i), types[i], false, out, i)) {
                    return null;
                }
            }
            Class<?> component = types[types.length - 1].getComponentType();
            Object rest = java.lang.reflect.Array.newInstance(component, args.size() - types.length + 1);
            Object[] one = new Object[1];
            for (int i = types.length - 1; i < args.size(); i++) {
                if (!fits(args.get(i), component, false, one, 0)) {
                    return null;
                }
                java.lang.reflect.Array.set(rest, i - types.length + 1, one[0]);
            }
            out[types.length - 1] = rest;
            return out;
        }
        if (types.length != args.size()) {
            return null;
        }
        Object[] out = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            if (!fits(args.get(i), types[i], strict, out, i)) {
                return null;
            }
        }
        return out;
    }

    private static final Map<Class<?>, Class<?>> BOXES = Map.of(int.class, Integer.class, long.class, Long.class,
            double.class, Double.class, float.class, Float.class, short.class, Short.class, byte.class, Byte.class,
            boolean.class, Boolean.class, char.class, Character.class);

    /** Whether a value can be passed as a parameter type; the converted value goes to {@code out[i]}. */
    private static boolean fits(Object v, Class<?> type, boolean strict, Object[] out, int i) {
        Class<?> boxed = type.isPrimitive() ? BOXES.get(type) : type;
        if (v == null) {
            out[i] = null;
            return !type.isPrimitive();
        }
        if (boxed.isInstance(v)) {
            out[i] = v;
            return true;
        }
        if (strict) {
            return false;
        }
        if (Py.isNumber(v) && !(v instanceof Boolean)) {
            Number n = (Number) v;
            boolean integral = Py.isInt(v);
            if (boxed == Integer.class && integral && n.longValue() == n.intValue()) {
                out[i] = n.intValue();
            } else if (boxed == Long.class && integral) {
                out[i] = n.longValue();
            } else if (boxed == Double.class) {
                out[i] = n.doubleValue();
            } else if (boxed == Float.class) {
                out[i] = n.floatValue();
            } else if (boxed == Short.class && integral && n.longValue() == n.shortValue()) {
                out[i] = n.shortValue();
            } else if (boxed == Byte.class && integral && n.longValue() == n.byteValue()) {
                out[i] = n.byteValue();
            } else {
                return false;
            }
            return true;
        }
        if (boxed == Character.class && v instanceof CharSequence && ((CharSequence) v).length() == 1) {
            out[i] = ((CharSequence) v).charAt(0);
            return true;
        }
        return false;
    }
}
