package io.demandmetrics.adapter.registry;

import io.demandmetrics.scaler.spi.ScalerProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The scaler types the adapter can run: the built-in ones on its class path and those of
 * every plugin in the plugin directory, all found through {@link ServiceLoader}. A plugin is
 * a jar, or a directory of jars (the plugin and the libraries it needs), each with a class
 * loader of its own ({@link PluginClassLoader}: the plugin's classes first, the SPI and the
 * JDK from the adapter), so two plugins may carry different versions of one library.
 *
 * <p>A broken plugin (not a jar, a missing class, a provider that throws) is reported and
 * skipped, so one team's mistake does not take down every other metric. Two providers of one
 * type stop startup: which one would serve is otherwise a matter of file order.
 *
 * <p>A registry is immutable. {@link #reload} makes the next one from the directory as it is
 * now, keeping the versions whose files did not change; the caller switches to it once the
 * config has been applied with it, then {@link #retireReplacedBy retires} what the new one no
 * longer serves, or {@link #abandon abandons} it.
 */
public final class ScalerRegistry {

    /** A provider and where it came from (a jar path), for messages. */
    public record LoadedProvider(ScalerProvider<Object> provider, String origin) {
    }

    /** An entry of the plugin directory whose current files do not serve, and why. */
    public record Refusal(Path entry, String reason, String message) {
    }

    private final Map<String, LoadedProvider> byType;
    private final List<LoadedProvider> builtIn;
    private final List<Plugin> plugins;
    private final List<Refusal> refusals;
    private final Path copies;

    private ScalerRegistry(List<LoadedProvider> builtIn, List<Plugin> plugins, List<Refusal> refusals, Path copies) {
        this.builtIn = List.copyOf(builtIn);
        this.plugins = List.copyOf(plugins);
        this.refusals = List.copyOf(refusals);
        this.copies = copies;
        Map<String, LoadedProvider> types = new LinkedHashMap<>();
        builtIn.forEach(loaded -> types.put(loaded.provider().type(), loaded));
        plugins.forEach(plugin -> plugin.providers().forEach(loaded -> types.put(loaded.provider().type(), loaded)));
        this.byType = types;
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
        PluginLoading.collect(ServiceLoader.load(ScalerProvider.class, ScalerRegistry.class.getClassLoader()), null,
                "built-in", found, warn);
        List<LoadedProvider> builtIn = found.values().stream().flatMap(List::stream).toList();
        if (pluginDir == null) {
            duplicateFree(found);
            return new ScalerRegistry(builtIn, List.of(), List.of(), null);
        }
        Path copies = copiesDirectory();
        List<Plugin> plugins = new ArrayList<>();
        List<Refusal> refusals = new ArrayList<>();
        PluginLoading loading = new PluginLoading(pluginDir, pins, copies, ScalerRegistry.class.getClassLoader());
        for (Path entry : PluginLoading.entries(pluginDir)) {
            PluginLoading.Outcome outcome = loading.load(entry);
            if (outcome.plugin() != null) {
                plugins.add(outcome.plugin());
                outcome.plugin().providers().forEach(loaded ->
                        found.computeIfAbsent(loaded.provider().type(), t -> new ArrayList<>()).add(loaded));
            } else {
                refusals.add(refuse(entry, outcome.refused(), warn));
            }
        }
        try {
            duplicateFree(found);
        } catch (RegistryException e) {
            plugins.forEach(Plugin::discard);
            throw e;
        }
        return new ScalerRegistry(builtIn, plugins, refusals, copies);
    }

    /**
     * The registry for the plugin directory as it is now. An entry whose files are those of a
     * version this registry serves keeps that version (its class loader, its providers, its
     * scalers); a new or changed one is loaded afresh. A changed entry whose new files cannot be
     * loaded keeps its current version, and the refusal is reported; so is a new version
     * declaring a type another plugin (or a built-in scaler) already has. An entry no longer in
     * the directory is left out. Loads nothing when nothing changed, and never throws for a
     * plugin: only for a directory it cannot list.
     *
     * @param warn receives one message per refused entry
     */
    public ScalerRegistry reload(Path pluginDir, PluginPins pins, Consumer<String> warn) throws RegistryException {
        Path copyRoot = copies != null ? copies : copiesDirectory();
        PluginLoading loading = new PluginLoading(pluginDir, pins, copyRoot, ScalerRegistry.class.getClassLoader());
        Map<Path, Plugin> current = new LinkedHashMap<>();
        plugins.forEach(plugin -> current.put(plugin.entry(), plugin));
        List<Plugin> next = new ArrayList<>();
        Set<Plugin> fresh = new HashSet<>();
        List<Refusal> refused = new ArrayList<>();
        for (Path entry : PluginLoading.entries(pluginDir)) {
            Plugin running = current.get(entry);
            if (running != null && running.digest().equals(digestOrNull(entry))) {
                next.add(running);
                continue;
            }
            PluginLoading.Outcome outcome = loading.load(entry);
            if (outcome.plugin() != null) {
                next.add(outcome.plugin());
                fresh.add(outcome.plugin());
            } else {
                refused.add(refuse(entry, keeping(outcome.refused(), running), warn));
                if (running != null) {
                    next.add(running);
                }
            }
        }
        refuseConflicts(next, fresh, current, refused, warn);
        return new ScalerRegistry(builtIn, next, refused, copyRoot);
    }

    /**
     * Takes out the new versions that declare a type another plugin or a built-in scaler has,
     * putting back the version each replaced, until no type is declared twice (each round
     * takes out at least one new version, and the versions running now never clash).
     */
    private void refuseConflicts(List<Plugin> next, Set<Plugin> fresh, Map<Path, Plugin> current,
                                 List<Refusal> refused, Consumer<String> warn) {
        while (true) {
            Map<String, List<Object>> owners = new TreeMap<>();
            builtIn.forEach(loaded -> owners.computeIfAbsent(loaded.provider().type(), t -> new ArrayList<>())
                    .add("the built-in scalers"));
            next.forEach(plugin -> plugin.providers().forEach(loaded ->
                    owners.computeIfAbsent(loaded.provider().type(), t -> new ArrayList<>()).add(plugin)));
            Plugin clashing = null;
            String type = null;
            for (Map.Entry<String, List<Object>> entry : owners.entrySet()) {
                if (entry.getValue().size() > 1) {
                    for (Object owner : entry.getValue()) {
                        if (owner instanceof Plugin plugin && fresh.contains(plugin)) {
                            clashing = plugin;
                            type = entry.getKey();
                            break;
                        }
                    }
                }
                if (clashing != null) {
                    break;
                }
            }
            if (clashing == null) {
                return;
            }
            int at = next.indexOf(clashing);
            fresh.remove(clashing);
            clashing.discard();
            Plugin running = current.get(clashing.entry());
            PluginLoading.Refused why = new PluginLoading.Refused("type_conflict",
                    "scaler type \"" + type + "\" is already provided by another plugin or built in");
            refused.add(refuse(clashing.entry(), keeping(why, running), warn));
            if (running != null) {
                next.set(at, running);
            } else {
                next.remove(at);
            }
        }
    }

    /** The refusal of an entry's new files, saying that the version loaded before keeps serving. */
    private static PluginLoading.Refused keeping(PluginLoading.Refused refused, Plugin running) {
        return running == null ? refused : new PluginLoading.Refused(refused.reason(),
                refused.message() + "; the version loaded before (SHA-256 " + running.digest().substring(0, 12)
                        + ") keeps serving");
    }

    private static Refusal refuse(Path entry, PluginLoading.Refused refused, Consumer<String> warn) {
        String verb = refused.reason().equals("not_pinned") ? " refused: " : " skipped: ";
        warn.accept(PluginLoading.describe(entry) + verb + refused.message());
        return new Refusal(entry, refused.reason(), refused.message());
    }

    private static String digestOrNull(Path entry) {
        try {
            return PluginLoading.digest(entry);
        } catch (IOException e) {
            return null; // loaded afresh, which reports why it cannot be read
        }
    }

    private static Map<String, LoadedProvider> duplicateFree(Map<String, List<LoadedProvider>> found)
            throws RegistryException {
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
        return byType;
    }

    /**
     * What a watch of {@code pluginDir} compares to notice a change worth a {@link #reload}: the
     * jars the registry would read, with sizes and times, and the pins file's digest.
     *
     * @param pinsFile null when there is none
     */
    public static String listing(Path pluginDir, Path pinsFile) throws IOException {
        return PluginLoading.listing(pluginDir, pinsFile);
    }

    /** Where this adapter copies plugin versions: a directory of its own under the temporary directory. */
    private static Path copiesDirectory() throws RegistryException {
        try {
            return Files.createTempDirectory("demand-adapter-plugins-");
        } catch (IOException e) {
            throw new RegistryException("cannot create a directory for the plugins' copies under "
                    + System.getProperty("java.io.tmpdir") + ": " + e.getMessage());
        }
    }

    /** A registry of exactly these providers (tests, embedding). */
    @SafeVarargs
    public static ScalerRegistry of(ScalerProvider<?>... providers) {
        List<LoadedProvider> given = new ArrayList<>();
        for (ScalerProvider<?> provider : providers) {
            given.add(new LoadedProvider(PluginLoading.erase(provider), "given"));
        }
        return new ScalerRegistry(given, List.of(), List.of(), null);
    }

    public Optional<ScalerProvider<Object>> provider(String type) {
        return Optional.ofNullable(byType.get(type)).map(LoadedProvider::provider);
    }

    /** The class loader that defined {@code type}'s provider: a plugin's own, or the adapter's. */
    public Optional<ClassLoader> classLoader(String type) {
        return Optional.ofNullable(byType.get(type)).map(loaded -> loaded.provider() instanceof CountedProvider counted
                ? counted.provider().getClass().getClassLoader() : loaded.provider().getClass().getClassLoader());
    }

    /** The registered types, sorted. */
    public List<String> types() {
        return byType.keySet().stream().sorted().toList();
    }

    public List<LoadedProvider> providers() {
        return List.copyOf(byType.values());
    }

    /** The plugin versions this registry serves, in directory order. */
    public List<Plugin> plugins() {
        return plugins;
    }

    /** The entries whose current files do not serve (each logged once with its reason). */
    public List<Refusal> refusals() {
        return refusals;
    }

    /** Plugins (jars and directories of the plugin directory) whose providers were loaded. */
    public int pluginsLoaded() {
        return plugins.size();
    }

    /** Plugin entries whose current files were skipped or refused (each logged once with its reason). */
    public int pluginsRefused() {
        return refusals.size();
    }

    /** Whether {@code next} serves exactly the plugin versions this one does. */
    public boolean samePluginsAs(ScalerRegistry next) {
        return plugins.equals(next.plugins);
    }

    /**
     * Now that {@code next} serves: this registry's versions that {@code next} does not serve are
     * retired, each unloaded once its last scaler closes ({@code onUnload} then hears of its
     * class loader).
     *
     * @return the versions retired
     */
    public List<Plugin> retireReplacedBy(ScalerRegistry next, Consumer<ClassLoader> onUnload) {
        List<Plugin> retired = plugins.stream().filter(plugin -> !next.plugins.contains(plugin)).toList();
        retired.forEach(plugin -> plugin.retire(onUnload));
        return retired;
    }

    /** {@code candidate} will not serve: its versions that this registry does not serve are closed. */
    public void abandon(ScalerRegistry candidate) {
        candidate.plugins.stream().filter(plugin -> !plugins.contains(plugin)).forEach(Plugin::discard);
    }

    /** The adapter stops: every version's class loader is closed and its copy deleted. */
    public void close() {
        plugins.forEach(Plugin::discard);
        Plugin.deleteCopy(copies);
    }
}
