package io.demandmetrics.adapter.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;

/** {@code ScalerContext.shared}: one instance per class and adapter; a plugin's classes are its own. */
class SharedInstancesTest {

    /** A registry class as a scaler module would have. */
    public static final class Registry {
    }

    @org.junit.jupiter.api.Test
    void eachClassHasOneInstancePerAdapter() {
        SharedInstances adapter = new SharedInstances();
        List<Registry> made = new ArrayList<>();
        Registry first = adapter.get(Registry.class, () -> add(made, new Registry()));
        assertThat(adapter.get(Registry.class, () -> add(made, new Registry()))).isSameAs(first);
        assertThat(made).hasSize(1);
        // Another adapter in the same JVM (tests, a tool) starts afresh.
        assertThat(new SharedInstances().get(Registry.class, Registry::new)).isNotSameAs(first);
    }

    @org.junit.jupiter.api.Test
    void aPluginsCopyOfAClassIsAnotherKeyAndIsForgottenWithThePlugin() throws Exception {
        SharedInstances adapter = new SharedInstances();
        Object ours = adapter.get(Registry.class, Registry::new);
        URL classes = Registry.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader plugin = new URLClassLoader(new URL[] {classes}, null)) {
            @SuppressWarnings("unchecked")
            Class<Object> theirs = (Class<Object>) plugin.loadClass(Registry.class.getName());
            assertThat(theirs).isNotSameAs(Registry.class);
            Object instance = adapter.get(theirs, () -> newInstance(theirs));
            assertThat(instance).isNotSameAs(ours).isInstanceOf(theirs);
            adapter.forget(plugin);
            assertThat(adapter.get(theirs, () -> newInstance(theirs))).isNotSameAs(instance);
            assertThat(adapter.get(Registry.class, Registry::new)).isSameAs(ours);
        }
    }

    @org.junit.jupiter.api.Test
    void nullIsRefusedNamingTheClass() {
        assertThatThrownBy(() -> new SharedInstances().get(Registry.class, () -> null))
                .hasMessage("ScalerContext.shared(" + Registry.class.getName() + ") was given null");
    }

    private static <T> T add(List<T> made, T instance) {
        made.add(instance);
        return instance;
    }

    private static Object newInstance(Class<?> type) {
        try {
            return type.getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
