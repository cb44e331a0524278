package io.demandmetrics.adapter.registry;

import io.demandmetrics.adapter.tls.Sha256;
import io.demandmetrics.scaler.spi.ScalerProvider;
import io.demandmetrics.scaler.spi.SpiVersion;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Loads one entry of the plugin directory (a jar, or a directory of jars) into a {@link Plugin},
 * or says why not. The jars are copied first, and everything after reads the copy: the pins are
 * checked against the bytes the class loader will read, and a jar overwritten in the plugin
 * directory later cannot change classes a running version has yet to load.
 */
final class PluginLoading {

    static final String SERVICES = "META-INF/services/" + ScalerProvider.class.getName();
    static final String NO_PROVIDER = "it registers no " + ScalerProvider.class.getName() + " in META-INF/services";
    private static final Pattern KEBAB_CASE = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");
    private static final AtomicInteger COPIES = new AtomicInteger();

    /** Why an entry does not serve, as a bounded label for {@code /metrics}, and the message logged. */
    record Refused(String reason, String message) {
    }

    /** A loaded version, or why there is none: exactly one is set. */
    record Outcome(Plugin plugin, Refused refused) {
    }

    private final Path pluginDir;
    private final PluginPins pins;
    private final Path copies;
    private final ClassLoader adapter;

    /**
     * @param pins the jars that may be loaded, by digest; null to load any
     * @param copies where the versions' copies go (a directory of this adapter's own)
     */
    PluginLoading(Path pluginDir, PluginPins pins, Path copies, ClassLoader adapter) {
        this.pluginDir = pluginDir;
        this.pins = pins;
        this.copies = copies;
        this.adapter = adapter;
    }

    /** The plugins in the directory: its jars and its directories, by name. */
    static List<Path> entries(Path pluginDir) throws RegistryException {
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

    /**
     * What a watch of the directory compares: each plugin's jars (as {@link #entries} and the
     * loader read them) with their sizes and modification times, and the pins file's digest.
     * Cheap to read every few seconds; a reload compares contents.
     */
    static String listing(Path pluginDir, Path pinsFile) throws IOException {
        StringBuilder listing = new StringBuilder();
        try {
            for (Path entry : entries(pluginDir)) {
                for (Path jar : jarsOf(entry)) {
                    BasicFileAttributes attributes = Files.readAttributes(jar, BasicFileAttributes.class);
                    listing.append(pluginDir.relativize(jar)).append(' ').append(attributes.size()).append(' ')
                            .append(attributes.lastModifiedTime().toMillis()).append('\n');
                }
            }
        } catch (RegistryException e) {
            throw new IOException(e.getMessage(), e);
        }
        if (pinsFile != null) {
            listing.append("pins ").append(Sha256.hex(Files.readAllBytes(pinsFile))).append('\n');
        }
        return listing.toString();
    }

    /** How an entry is named in messages: {@code plugin jar /plugins/x.jar}, {@code plugin directory ...}. */
    static String describe(Path entry) {
        return (Files.isDirectory(entry) ? "plugin directory " : "plugin jar ") + entry;
    }

    /** SHA-256 over the entry's jars, names and contents: what tells a changed plugin from an unchanged one. */
    static String digest(Path entry) throws IOException {
        StringBuilder all = new StringBuilder();
        for (Path jar : jarsOf(entry)) {
            all.append(entry.relativize(jar)).append('\0').append(Sha256.hex(jar)).append('\n');
        }
        return Sha256.hex(all.toString());
    }

    Outcome load(Path entry) {
        Path copy = null;
        try {
            List<Path> jars = jarsOf(entry);
            if (jars.isEmpty()) {
                return refused(copy, "no_jar", "it holds no jar");
            }
            copy = Files.createDirectories(copies.resolve(entry.getFileName() + "-" + COPIES.incrementAndGet()));
            List<URL> urls = new ArrayList<>();
            StringBuilder digest = new StringBuilder();
            for (Path jar : jars) {
                Path copied = Files.copy(jar, copy.resolve(jar.getFileName().toString()));
                String name = entry.relativize(jar).toString();
                try (JarFile ignored = new JarFile(copied.toFile())) {
                    // opened only to reject a file that is not a jar before a class loader sees it
                } catch (IOException e) {
                    String which = name.isEmpty() ? "not" : name + " is not";
                    return refused(copy, "unreadable", which + " a readable jar (" + e.getMessage() + ")");
                }
                String copiedDigest = Sha256.hex(copied); // once: for the pin and the version's digest
                String unpinned = pins == null ? null
                        : pins.refusal(pluginDir.relativize(jar).toString(), copiedDigest);
                if (unpinned != null) {
                    return refused(copy, "not_pinned", unpinned);
                }
                digest.append(name).append('\0').append(copiedDigest).append('\n');
                urls.add(copied.toUri().toURL());
            }
            PluginClassLoader loader = new PluginClassLoader("plugin:" + entry.getFileName(), urls, adapter);
            Plugin plugin = new Plugin(entry, Sha256.hex(digest.toString()), copy, loader);
            Refused refusal = refusal(loader);
            if (refusal == null) {
                refusal = providers(plugin, loader);
            }
            if (refusal != null) {
                plugin.discard();
                return new Outcome(null, refusal);
            }
            return new Outcome(plugin, null);
        } catch (IOException e) {
            return refused(copy, "unreadable", e.getMessage());
        }
    }

    private static Outcome refused(Path copy, String reason, String message) {
        Plugin.deleteCopy(copy);
        return new Outcome(null, new Refused(reason, message));
    }

    /**
     * Why the plugin cannot be loaded, read from its jars before any of its code runs: it
     * registers no provider, or it was built against an SPI this adapter does not run; null
     * when it can be loaded.
     */
    private static Refused refusal(PluginClassLoader loader) {
        try {
            if (!loader.findResources(SERVICES).hasMoreElements()) {
                return new Refused("no_provider", NO_PROVIDER);
            }
            List<String> recorded = new ArrayList<>();
            for (URL version : Collections.list(loader.findResources(SpiVersion.RESOURCE))) {
                try (InputStream in = version.openStream()) {
                    recorded.add(new String(in.readNBytes(64), StandardCharsets.UTF_8).trim());
                }
            }
            String problem = SpiCompatibility.problem(recorded, SpiVersion.CURRENT);
            return problem == null ? null : new Refused("spi_version", problem);
        } catch (IOException e) {
            return new Refused("unreadable", "cannot read it: " + e.getMessage());
        }
    }

    /** Instantiates the plugin's providers (its code runs from here), each counted on the plugin. */
    private static Refused providers(Plugin plugin, PluginClassLoader loader) {
        Map<String, List<ScalerRegistry.LoadedProvider>> found = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        collect(ServiceLoader.load(ScalerProvider.class, loader), loader, plugin.entry().toString(), found,
                problems::add);
        if (!problems.isEmpty() || found.isEmpty()) {
            return new Refused(problems.isEmpty() ? "no_provider" : "provider_error",
                    problems.isEmpty() ? NO_PROVIDER : String.join("; ", problems));
        }
        List<ScalerRegistry.LoadedProvider> counted = new ArrayList<>();
        found.values().forEach(providers -> providers.forEach(loaded -> counted.add(new ScalerRegistry.LoadedProvider(
                new CountedProvider(loaded.provider(), plugin), loaded.origin()))));
        plugin.providers(counted);
        return null;
    }

    /**
     * Adds the providers the loader finds. With {@code onlyFrom}, only providers whose class
     * that loader defined (the JDK's own providers, if any, are not a plugin's).
     */
    static void collect(ServiceLoader<ScalerProvider> loader, ClassLoader onlyFrom, String origin,
                        Map<String, List<ScalerRegistry.LoadedProvider>> found, Consumer<String> problem) {
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
                found.computeIfAbsent(type, t -> new ArrayList<>())
                        .add(new ScalerRegistry.LoadedProvider(erase(provider), where));
            } catch (ServiceConfigurationError | LinkageError | RuntimeException e) {
                problem.accept(describe(e));
                if (e instanceof ServiceConfigurationError && onlyFrom != null) {
                    return; // a broken registration file: the rest of the iteration is unreliable
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    static ScalerProvider<Object> erase(ScalerProvider<?> provider) {
        return (ScalerProvider<Object>) provider;
    }

    private static List<Path> jarsOf(Path entry) throws IOException {
        if (!Files.isDirectory(entry)) {
            return List.of(entry);
        }
        try (Stream<Path> files = Files.list(entry)) {
            return files.filter(PluginLoading::isJar).sorted().toList();
        }
    }

    private static boolean isJar(Path file) {
        return file.getFileName().toString().endsWith(".jar");
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
}
