package io.demandmetrics.adapter.registry;

import io.demandmetrics.scaler.spi.ScalerProvider;
import io.demandmetrics.scaler.spi.SpiVersion;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The scaler types the adapter can run: the built-in ones on its class path and those of
 * every plugin in the plugin directory, all found through {@link ServiceLoader}. A plugin is
 * a jar, or a directory of jars (the plugin and the libraries it needs), each with a class
 * loader of its own ({@link PluginClassLoader}: the plugin's classes first, the SPI and the
 * JDK from the adapter), so two plugins may carry different versions of one library.
 *
 * <p>A broken plugin jar (not a jar, a missing class, a provider that throws) is reported
 * and skipped, so one team's mistake does not take down every other metric. Two providers
 * of one type stop startup: which one would serve is otherwise a matter of file order.
 */
public final class ScalerRegistry {

    private static final String SERVICES = "META-INF/services/" + ScalerProvider.class.getName();
    private static final String NO_PROVIDER = "it registers no " + ScalerProvider.class.getName()
            + " in META-INF/services";
    private static final Pattern KEBAB_CASE = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

    /** A provider and where it came from (a jar path), for messages. */
    public record LoadedProvider(ScalerProvider<Object> provider, String origin) {
    }

    private final Map<String, LoadedProvider> byType;
    private final int pluginsLoaded;
    private final int pluginsRefused;

    private ScalerRegistry(Map<String, LoadedProvider> byType, int pluginsLoaded, int pluginsRefused) {
        this.byType = byType;
        this.pluginsLoaded = pluginsLoaded;
        this.pluginsRefused = pluginsRefused;
    }

    /**
     * Loads the built-in providers and those in {@code pluginDir}.
     *
     * @param pluginDir a directory of plugin jars, or null
     * @param warn receives one message per skipped jar or provider
     * @throws RegistryException when two providers declare one type, or the directory is unreadable
     */
    public static ScalerRegistry load(Path pluginDir, Consumer<String> warn) throws RegistryException {
        return load(pluginDir, null, warn);
    }

    /**
     * Loads the built-in providers and those in {@code pluginDir} whose jars {@code pins} lists.
     *
     * @param pins the jars that may be loaded, by digest; null to load any
     */
    public static ScalerRegistry load(Path pluginDir, PluginPins pins, Consumer<String> warn) throws RegistryException {
        Map<String, List<LoadedProvider>> found = new TreeMap<>();
        ClassLoader own = ScalerRegistry.class.getClassLoader();
        int loaded = 0;
        int refused = 0;
        collect(ServiceLoader.load(ScalerProvider.class, own), null, "built-in", found, warn);
        if (pluginDir != null) {
            for (Path plugin : plugins(pluginDir)) {
                if (loadPlugin(pluginDir, plugin, pins, own, found, warn)) {
                    loaded++;
                } else {
                    refused++;
                }
            }
        }
        List<String> duplicates = new ArrayList<>();
        Map<String, LoadedProvider> byType = new LinkedHashMap<>();
        found.forEach((type, providers) -> {
            if (providers.size() > 1) {
                duplicates.add("scaler type \"" + type + "\" is provided by more than one jar: "
                        + String.join(" and ", providers.stream().map(LoadedProvider::origin).toList()));
            } else {
                byType.put(type, providers.get(0));
            }
        });
        if (!duplicates.isEmpty()) {
            throw new RegistryException(String.join("; ", duplicates));
        }
        return new ScalerRegistry(byType, loaded, refused);
    }

    /** A registry of exactly these providers (tests, embedding). */
    @SafeVarargs
    public static ScalerRegistry of(ScalerProvider<?>... providers) {
        Map<String, LoadedProvider> byType = new LinkedHashMap<>();
        for (ScalerProvider<?> provider : providers) {
            byType.put(provider.type(), new LoadedProvider(erase(provider), "given"));
        }
        return new ScalerRegistry(byType, 0, 0);
    }

    public Optional<ScalerProvider<Object>> provider(String type) {
        return Optional.ofNullable(byType.get(type)).map(LoadedProvider::provider);
    }

    /** The registered types, sorted. */
    public List<String> types() {
        return byType.keySet().stream().sorted().toList();
    }

    public List<LoadedProvider> providers() {
        return List.copyOf(byType.values());
    }

    /** Plugins (jars and directories of the plugin directory) whose providers were loaded. */
    public int pluginsLoaded() {
        return pluginsLoaded;
    }

    /** Plugins skipped or refused (each logged once with its reason). */
    public int pluginsRefused() {
        return pluginsRefused;
    }

    /** The plugins in the directory: its jars and its directories, by name. */
    private static List<Path> plugins(Path pluginDir) throws RegistryException {
        if (!Files.isDirectory(pluginDir)) {
            throw new RegistryException("--plugin-dir " + pluginDir + " is not a directory");
        }
        try (Stream<Path> files = Files.list(pluginDir)) {
            return files.filter(f -> Files.isDirectory(f) || isJar(f))
                    .filter(f -> !f.getFileName().toString().startsWith(".")) // ..data and the like of a mounted volume
                    .sorted().toList();
        } catch (IOException e) {
            throw new RegistryException("cannot list --plugin-dir " + pluginDir + ": " + e.getMessage());
        }
    }

    private static boolean isJar(Path file) {
        return file.getFileName().toString().endsWith(".jar");
    }

    /** @return whether the plugin's providers were added; if not, one warning said why */
    private static boolean loadPlugin(Path pluginDir, Path plugin, PluginPins pins, ClassLoader adapter,
                                   Map<String, List<LoadedProvider>> found, Consumer<String> warn) {
        String what = Files.isDirectory(plugin) ? "plugin directory " : "plugin jar ";
        List<URL> jars = new ArrayList<>();
        try {
            for (Path jar : Files.isDirectory(plugin) ? jarsIn(plugin) : List.of(plugin)) {
                try (JarFile ignored = new JarFile(jar.toFile())) {
                    // opened only to reject a file that is not a jar before a class loader sees it
                } catch (IOException e) {
                    String which = jar.equals(plugin) ? "not" : jar.getFileName() + " is not";
                    warn.accept(what + plugin + " skipped: " + which + " a readable jar (" + e.getMessage() + ")");
                    return false;
                }
                String unpinned = pins == null ? null
                        : pins.refusal(pluginDir.relativize(jar).toString(), jar);
                if (unpinned != null) {
                    warn.accept(what + plugin + " refused: " + unpinned);
                    return false;
                }
                jars.add(jar.toUri().toURL());
            }
        } catch (IOException e) {
            warn.accept(what + plugin + " skipped: " + e.getMessage());
            return false;
        }
        if (jars.isEmpty()) {
            warn.accept(what + plugin + " skipped: it holds no jar");
            return false;
        }
        PluginClassLoader loader = new PluginClassLoader("plugin:" + plugin.getFileName(), jars, adapter);
        String refusal = refusal(loader);
        if (refusal != null) {
            warn.accept(what + plugin + " skipped: " + refusal);
            closeQuietly(loader);
            return false;
        }
        Map<String, List<LoadedProvider>> fromPlugin = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        collect(ServiceLoader.load(ScalerProvider.class, loader), loader, plugin.toString(), fromPlugin, problems::add);
        if (!problems.isEmpty() || fromPlugin.isEmpty()) {
            String why = problems.isEmpty() ? NO_PROVIDER : String.join("; ", problems);
            warn.accept(what + plugin + " skipped: " + why);
            closeQuietly(loader);
            return false;
        }
        fromPlugin.forEach((type, providers) -> found.computeIfAbsent(type, t -> new ArrayList<>()).addAll(providers));
        return true;
    }

    /**
     * Why the plugin cannot be loaded, read from its jars before any of its code runs: it
     * registers no provider, or it was built against an SPI this adapter does not run; null
     * when it can be loaded.
     */
    private static String refusal(PluginClassLoader loader) {
        try {
            if (!loader.findResources(SERVICES).hasMoreElements()) {
                return NO_PROVIDER;
            }
            List<String> recorded = new ArrayList<>();
            for (URL version : Collections.list(loader.findResources(SpiVersion.RESOURCE))) {
                try (InputStream in = version.openStream()) {
                    recorded.add(new String(in.readNBytes(64), StandardCharsets.UTF_8).trim());
                }
            }
            return SpiCompatibility.problem(recorded, SpiVersion.CURRENT);
        } catch (IOException e) {
            return "cannot read it: " + e.getMessage();
        }
    }

    private static List<Path> jarsIn(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(ScalerRegistry::isJar).sorted().toList();
        }
    }

    /**
     * Adds the providers the loader finds. With {@code onlyFrom}, only providers whose class
     * that loader defined: a plugin's loader also sees the built-in providers through its parent.
     */
    private static void collect(ServiceLoader<ScalerProvider> loader, ClassLoader onlyFrom, String origin,
                                Map<String, List<LoadedProvider>> found, Consumer<String> problem) {
        var providers = loader.stream().iterator();
        while (true) {
            try {
                if (!providers.hasNext()) {
                    return;
                }
                var entry = providers.next();
                if (onlyFrom != null && entry.type().getClassLoader() != onlyFrom) {
                    continue;
                }
                ScalerProvider<?> provider = entry.get();
                String type = provider.type();
                if (type == null || !KEBAB_CASE.matcher(type).matches()) {
                    problem.accept(entry.type().getName() + " has type \"" + type + "\", which is not kebab-case");
                    continue;
                }
                String where = onlyFrom == null ? origin + " " + location(entry.type()) : origin;
                found.computeIfAbsent(type, t -> new ArrayList<>()).add(new LoadedProvider(erase(provider), where));
            } catch (ServiceConfigurationError | LinkageError | RuntimeException e) {
                problem.accept(describe(e));
                if (e instanceof ServiceConfigurationError && onlyFrom != null) {
                    return; // a broken registration file: the rest of the iteration is unreliable
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static ScalerProvider<Object> erase(ScalerProvider<?> provider) {
        return (ScalerProvider<Object>) provider;
    }

    private static String location(Class<?> type) {
        var source = type.getProtectionDomain().getCodeSource();
        return source == null ? "(" + type.getName() + ")" : "(" + source.getLocation().getPath() + ")";
    }

    private static String describe(Throwable e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        return cause == e ? message : message + " (" + cause + ")";
    }

    private static void closeQuietly(PluginClassLoader loader) {
        try {
            loader.close();
        } catch (IOException ignored) {
            // nothing was loaded from it; the handle is released on exit anyway
        }
    }
}
