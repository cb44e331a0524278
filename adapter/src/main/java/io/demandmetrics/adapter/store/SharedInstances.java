package io.demandmetrics.adapter.store;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * What {@code ScalerContext.shared} hands out: one instance per class for this adapter. Keyed by
 * the {@link Class} object, so each plugin (its own class loader) has its own, and
 * {@link #forget} drops a plugin's when it is unloaded.
 */
final class SharedInstances {

    private final Map<Class<?>, Object> byType = new ConcurrentHashMap<>();

    <T> T get(Class<T> type, Supplier<? extends T> create) {
        return type.cast(byType.computeIfAbsent(type, t -> {
            T created = create.get();
            if (created == null) {
                throw new IllegalStateException("ScalerContext.shared(" + type.getName() + ") was given null");
            }
            return created;
        }));
    }

    /** Drops the instances of the classes {@code loader} defined (a plugin being unloaded). */
    void forget(ClassLoader loader) {
        byType.keySet().removeIf(type -> type.getClassLoader() == loader);
    }
}
