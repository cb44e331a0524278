package io.demandmetrics.adapter.registry;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * The class loader of one plugin (a jar, or a directory of jars: the plugin and its
 * dependencies), child-first: a class the plugin carries is the plugin's, even where the
 * adapter has another version of it (Jackson, a Kafka or AWS client, Guava). Only what the
 * plugin and the adapter must agree on comes from the adapter, always:
 * <ul>
 * <li>the JDK ({@code java.*} and every class the platform class loader defines);</li>
 * <li>the SPI ({@code io.demandmetrics.scaler.spi}), so the adapter can call the plugin;</li>
 * <li>the libraries whose types the SPI's methods take and return: Vert.x ({@code Future},
 *     {@code Vertx}, {@code WorkerExecutor}) with the Netty it exposes, and Micrometer's
 *     {@code MeterRegistry}. A plugin's own copy of these would be other classes with the same
 *     names, and the first call across the SPI would fail with a {@code LinkageError};</li>
 * <li>SLF4J's API, so a plugin's log lines reach the adapter's log.</li>
 * </ul>
 * Kafka Connect's plugin loaders draw the same line (child-first for all but the framework's
 * API and the JDK); Trino's share only the SPI's packages.
 */
final class PluginClassLoader extends URLClassLoader {

    /** Package prefixes always loaded from the adapter. */
    static final List<String> FROM_ADAPTER = List.of("java.", "io.demandmetrics.scaler.spi.", "io.vertx.core.",
            "io.netty.", "io.micrometer.core.", "io.micrometer.common.", "org.slf4j.");

    static {
        registerAsParallelCapable();
    }

    private final ClassLoader platform = ClassLoader.getPlatformClassLoader();

    PluginClassLoader(String name, List<URL> jars, ClassLoader adapter) {
        super(name, jars.toArray(URL[]::new), adapter);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> loaded = findLoadedClass(name);
            if (loaded == null) {
                loaded = fromAdapter(name) ? getParent().loadClass(name) : childFirst(name);
            }
            if (resolve) {
                resolveClass(loaded);
            }
            return loaded;
        }
    }

    private Class<?> childFirst(String name) throws ClassNotFoundException {
        try {
            return platform.loadClass(name); // the JDK's modules beyond java.* (javax.net, java.sql's javax.sql, ...)
        } catch (ClassNotFoundException notInTheJdk) {
            try {
                return findClass(name);
            } catch (ClassNotFoundException notInThePlugin) {
                return getParent().loadClass(name);
            }
        }
    }

    /** The plugin's own resource first, for the same reason as its classes (a library's version file, its defaults). */
    @Override
    public URL getResource(String name) {
        if (fromAdapter(name.replace('/', '.'))) {
            return super.getResource(name);
        }
        URL own = findResource(name);
        return own != null ? own : super.getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        if (fromAdapter(name.replace('/', '.'))) {
            return super.getResources(name);
        }
        List<URL> all = new ArrayList<>(Collections.list(findResources(name)));
        all.addAll(Collections.list(getParent().getResources(name)));
        return Collections.enumeration(all);
    }

    static boolean fromAdapter(String name) {
        for (String prefix : FROM_ADAPTER) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
