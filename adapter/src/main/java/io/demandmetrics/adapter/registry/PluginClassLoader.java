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
 * Nothing else of the adapter's is visible: a class the plugin neither carries nor gets from
 * that list is not found, even where the adapter has it (its Jackson, Kafka client, AWS SDK, the
 * support artifact's helpers). So a plugin works only with what it ships, and keeps working
 * when the adapter's other libraries change; a missing jar shows at load or first use as a
 * {@code NoClassDefFoundError} naming the class, not as a silent borrow of another version.
 * Trino's plugin loaders draw the same line (the SPI's packages and the JDK only); Kafka
 * Connect's are child-first but still fall back to the framework's class path.
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
            return findClass(name); // the plugin's, or not found: never the adapter's
        }
    }

    /** A resource of the JDK or the shared packages, else the plugin's own only, as for classes. */
    @Override
    public URL getResource(String name) {
        if (fromAdapter(name.replace('/', '.'))) {
            return super.getResource(name);
        }
        URL jdk = platform.getResource(name);
        return jdk != null ? jdk : findResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        if (fromAdapter(name.replace('/', '.'))) {
            return super.getResources(name);
        }
        List<URL> all = new ArrayList<>(Collections.list(platform.getResources(name)));
        all.addAll(Collections.list(findResources(name)));
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
