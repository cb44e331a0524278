package io.demandmetrics.adapter.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One loaded version of a plugin: the entry of the plugin directory it came from, the digest of
 * its jars, the private copy of them its class loader reads, its providers, and how many of its
 * scalers are open. A version that a reload replaces or removes is retired: its class loader is
 * closed (and its copy deleted) once its last scaler is, not before, since a scaler still
 * polling needs its classes.
 */
public final class Plugin {

    private static final Logger LOG = LoggerFactory.getLogger(Plugin.class);

    private final Path entry;
    private final String digest;
    private final Path copy;
    private final PluginClassLoader loader;
    private List<ScalerRegistry.LoadedProvider> providers = List.of();
    private int openScalers;
    private Consumer<ClassLoader> onUnload;
    private boolean retired;
    private boolean unloaded;

    Plugin(Path entry, String digest, Path copy, PluginClassLoader loader) {
        this.entry = entry;
        this.digest = digest;
        this.copy = copy;
        this.loader = loader;
    }

    /** The jar or directory of the plugin directory this version was loaded from. */
    public Path entry() {
        return entry;
    }

    /** SHA-256 over its jars' names and contents: another digest is another version. */
    public String digest() {
        return digest;
    }

    ClassLoader loader() {
        return loader;
    }

    List<ScalerRegistry.LoadedProvider> providers() {
        return providers;
    }

    void providers(List<ScalerRegistry.LoadedProvider> providers) {
        this.providers = List.copyOf(providers);
    }

    /** Scalers created by this version's providers and not yet closed. */
    public synchronized int openScalers() {
        return openScalers;
    }

    synchronized void scalerOpened() {
        openScalers++;
    }

    void scalerClosed() {
        boolean unload;
        synchronized (this) {
            openScalers--;
            unload = readyToUnload();
        }
        if (unload) {
            unload();
        }
    }

    /**
     * No registry serves this version any more: it is unloaded now if none of its scalers is
     * open, else when the last one closes. {@code onUnload} then hears of its class loader
     * (the adapter forgets what its scalers shared).
     */
    void retire(Consumer<ClassLoader> onUnload) {
        boolean unload;
        synchronized (this) {
            this.onUnload = onUnload;
            retired = true;
            unload = readyToUnload();
        }
        if (unload) {
            unload();
        }
    }

    /** Whether this version was retired and unloaded (its class loader closed). */
    public synchronized boolean unloaded() {
        return unloaded;
    }

    private boolean readyToUnload() {
        if (retired && openScalers == 0 && !unloaded) {
            unloaded = true;
            return true;
        }
        return false;
    }

    /** Closes a version that never served (refused after loading, or a reload given up). */
    void discard() {
        synchronized (this) {
            if (unloaded) {
                return;
            }
            unloaded = true;
        }
        closeLoader();
    }

    private void unload() {
        closeLoader();
        if (onUnload != null) {
            onUnload.accept(loader);
        }
        LOG.info("plugin {} (SHA-256 {}) unloaded: its last scaler closed", entry, digest.substring(0, 12));
    }

    private void closeLoader() {
        try {
            loader.close();
        } catch (IOException e) {
            LOG.warn("plugin {}: closing its class loader: {}", entry, e.getMessage());
        }
        deleteCopy(copy);
    }

    static void deleteCopy(Path copy) {
        if (copy == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(copy)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            LOG.warn("cannot delete the copy of a plugin in {}: {}", copy, e.getMessage());
        }
    }
}
