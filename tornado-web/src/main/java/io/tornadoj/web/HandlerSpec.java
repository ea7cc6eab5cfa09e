package io.tornadoj.web;

import io.tornadoj.websocket.WebSocketHandler;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * What the Application knows about a handler target, worked out once when the rule is added: how to make
 * a handler, and its HTTP methods (and a {@link WebSocketHandler}'s {@code open}) found by name, checked
 * against the pattern's group count, as method handles taking {@code (RequestHandler, String[])}.
 * Immutable; thread-safe.
 */
final class HandlerSpec {
    static final Set<String> METHOD_NAMES = Set.of("get", "head", "post", "delete", "patch", "put", "options");
    private static final String OPEN = "open";
    private static final MethodType INVOKER = MethodType.methodType(Object.class, RequestHandler.class, String[].class);

    final Class<? extends RequestHandler> type;
    /** Whether the handler is {@link StreamRequestBody} (looked up once, not per request). */
    final boolean streaming;
    private final Supplier<? extends RequestHandler> factory;
    private final Map<String, MethodHandle> methods = new HashMap<>();
    /** The HTTP methods (upper case) whose Java method carries {@link Authenticated}. */
    private final Set<String> authenticated = new HashSet<>();
    /** A {@link WebSocketHandler}'s {@code open}, or null. */
    private MethodHandle open;

    private HandlerSpec(Class<? extends RequestHandler> type, Supplier<? extends RequestHandler> factory) {
        this.type = type;
        this.streaming = type.isAnnotationPresent(StreamRequestBody.class);
        this.factory = factory;
    }

    /**
     * Whether a rule target is a handler (a RequestHandler class or supplier).
     */
    static boolean isHandler(Object target) {
        return target instanceof Class && RequestHandler.class.isAssignableFrom((Class<?>) target)
                || target instanceof Supplier;
    }

    /**
     * Inspects a handler target.
     *
     * @param target  a {@code Class<? extends RequestHandler>} or a {@code Supplier<? extends RequestHandler>}
     * @param groups  the pattern's group count, or -1 when unknown (then any arity is accepted)
     * @param pattern the pattern, for messages
     * @throws IllegalArgumentException when a method's arity or types do not fit the pattern
     */
    @SuppressWarnings("unchecked")
    static HandlerSpec of(Object target, int groups, String pattern) {
        HandlerSpec spec;
        if (target instanceof Class) {
            Class<? extends RequestHandler> type = (Class<? extends RequestHandler>) target;
            spec = new HandlerSpec(type, constructor(type));
        } else {
            Supplier<? extends RequestHandler> supplier = (Supplier<? extends RequestHandler>) target;
            RequestHandler sample = supplier.get();
            if (sample == null) {
                throw new IllegalArgumentException("handler supplier for " + pattern + " returned null");
            }
            spec = new HandlerSpec(sample.getClass(), supplier);
        }
        spec.findMethods(groups, pattern);
        return spec;
    }

    private static Supplier<RequestHandler> constructor(Class<? extends RequestHandler> type) {
        if (Modifier.isAbstract(type.getModifiers())) {
            throw new IllegalArgumentException(type.getName() + " is abstract");
        }
        try {
            Constructor<? extends RequestHandler> c = type.getDeclaredConstructor();
            c.setAccessible(true);
            MethodHandle mh = MethodHandles.lookup().unreflectConstructor(c)
                    .asType(MethodType.methodType(RequestHandler.class));
            return () -> {
                try {
                    return (RequestHandler) mh.invokeExact();
                } catch (RuntimeException | Error e) {
                    throw e;
                } catch (Throwable t) {
                    throw new IllegalStateException("cannot create " + type.getName(), t);
                }
            };
        } catch (NoSuchMethodException | IllegalAccessException e) {
            throw new IllegalArgumentException(type.getName() + " needs a no-argument constructor "
                    + "(use Web.url(pattern, () -> new Handler(...)) otherwise)", e);
        }
    }

    private void findMethods(int groups, String pattern) {
        boolean webSocket = WebSocketHandler.class.isAssignableFrom(type);
        Map<String, Method> found = new HashMap<>();
        for (Class<?> c = type; c != null && c != RequestHandler.class && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                boolean byName = METHOD_NAMES.contains(m.getName()) || webSocket && m.getName().equals(OPEN);
                if (!byName || !Modifier.isPublic(m.getModifiers())
                        || Modifier.isStatic(m.getModifiers()) || m.isBridge() || m.isSynthetic()) {
                    continue;
                }
                Method previous = found.get(m.getName());
                if (previous == null || fits(m, groups) && !fits(previous, groups)) {
                    found.put(m.getName(), m);
                }
            }
        }
        for (Method m : found.values()) {
            check(m, groups, pattern);
            try {
                m.setAccessible(true);
                MethodHandle mh = MethodHandles.lookup().unreflect(m).asFixedArity();
                int n = m.getParameterCount();
                if (m.isVarArgs() && n == 1) {
                    mh = mh.asType(INVOKER);
                } else {
                    mh = mh.asSpreader(String[].class, n).asType(INVOKER);
                }
                if (m.getName().equals(OPEN)) {
                    open = mh;
                    continue;
                }
                String httpMethod = m.getName().toUpperCase(Locale.ROOT);
                methods.put(httpMethod, mh);
                if (m.isAnnotationPresent(Authenticated.class)) {
                    authenticated.add(httpMethod);
                }
            } catch (IllegalAccessException e) {
                throw new IllegalArgumentException("cannot access " + m, e);
            }
        }
    }

    private static boolean fits(Method m, int groups) {
        return groups < 0 || m.getParameterCount() == groups || m.isVarArgs() && m.getParameterCount() == 1;
    }

    private void check(Method m, int groups, String pattern) {
        for (Class<?> p : m.getParameterTypes()) {
            if (p != String.class && p != String[].class) {
                throw new IllegalArgumentException(type.getName() + "." + m.getName() + " must take only String "
                        + "arguments (one per group of " + pattern + ")");
            }
        }
        Class<?> r = m.getReturnType();
        if (r != void.class && !CompletionStage.class.isAssignableFrom(r)) {
            throw new IllegalArgumentException(type.getName() + "." + m.getName()
                    + " must return void or a CompletionStage, not " + r.getName() + " (pattern " + pattern + ")");
        }
        if (m.isVarArgs() && m.getParameterCount() == 1) {
            return;
        }
        if (groups >= 0 && m.getParameterCount() != groups) {
            throw new IllegalArgumentException(type.getName() + "." + m.getName() + " takes " + m.getParameterCount()
                    + " argument(s) but the pattern " + pattern + " has " + groups + " group(s)");
        }
    }

    /** A new handler instance. */
    RequestHandler newHandler() {
        RequestHandler h = factory.get();
        if (h == null) {
            throw new IllegalStateException("handler supplier returned null");
        }
        return h;
    }

    /** The method for an HTTP method name (upper case), or null (→ 405). */
    MethodHandle method(String httpMethod) {
        return methods.get(httpMethod);
    }

    /** A {@link WebSocketHandler}'s {@code open} method, or null when it has none. */
    MethodHandle open() {
        return open;
    }

    /** Whether the method for an HTTP method name (upper case) is annotated {@link Authenticated}. */
    boolean authenticated(String httpMethod) {
        return authenticated.contains(httpMethod);
    }

    @Override
    public String toString() {
        return "HandlerSpec(" + type.getName() + ", " + methods.keySet() + ")";
    }
}
