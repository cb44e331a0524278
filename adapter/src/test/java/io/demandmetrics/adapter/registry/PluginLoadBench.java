package io.demandmetrics.adapter.registry;

import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.spi.ScalerProvider;
import io.demandmetrics.scaler.testkit.TestScalerContext;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What plugins cost the adapter (bench/plugins runs it): N plugin directories, each a provider
 * of its own type beside its own copy of a library (Commons CSV and its dependencies, from the
 * csv-scaler example's build), loaded by {@link ScalerRegistry}; then a scaler of each created
 * and polled once, so each plugin's loader has loaded what a working plugin loads. Prints the
 * load time, and the heap and metaspace each loaded plugin adds (after full collections,
 * against the same process before any plugin).
 *
 * <p>Usage: {@code PluginLoadBench build LIBRARY_DIR N PLUGIN_DIR}, then, in a fresh JVM so that
 * the compiler's memory is not in the figures, {@code PluginLoadBench load PLUGIN_DIR N}.
 */
public final class PluginLoadBench {

    private PluginLoadBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("build")) {
            build(Path.of(args[1]), Integer.parseInt(args[2]), Path.of(args[3]));
        } else {
            load(Path.of(args[1]), Integer.parseInt(args[2]));
        }
    }

    private static void build(Path libraries, int count, Path plugins) throws Exception {
        List<Path> libraryJars;
        try (Stream<Path> files = Files.list(libraries)) {
            libraryJars = files.filter(f -> f.getFileName().toString().startsWith("commons-")).sorted().toList();
        }
        for (int i = 1; i <= count; i++) {
            String type = "csv-" + i;
            String pkg = "com.example.csv" + i;
            PluginJars jars = PluginJars.csvPlugin(pkg, type, i);
            for (Path library : libraryJars) {
                jars.against(library);
            }
            Path plugin = plugins.resolve(type);
            jars.writeTo(plugin.resolve(type + ".jar"));
            for (Path library : libraryJars) {
                Files.copy(library, plugin.resolve(library.getFileName()));
            }
        }
    }

    private static void load(Path plugins, int count) throws Exception {
        List<String> libraryJars;
        try (Stream<Path> files = Files.list(plugins.resolve("csv-1"))) {
            libraryJars = files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("commons-")).sorted().toList();
        }
        Vertx vertx = Vertx.vertx();
        ScalerRegistry.load(null, warning -> { }); // the built-in providers' classes, before the baseline
        long[] before = memory();

        long started = System.nanoTime();
        List<String> warnings = new ArrayList<>();
        ScalerRegistry registry = ScalerRegistry.load(plugins, warnings::add);
        long loadNanos = System.nanoTime() - started;
        if (!warnings.isEmpty() || registry.types().stream().filter(t -> t.startsWith("csv-")).count() != count) {
            throw new IllegalStateException("not every plugin loaded: " + warnings);
        }
        started = System.nanoTime();
        List<Scaler> scalers = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            ScalerProvider<Object> provider = registry.provider("csv-" + i).orElseThrow();
            Scaler scaler = provider.createScaler(provider.parseConfig(Map.of()),
                    new TestScalerContext(vertx, "csv-" + i, "default/csv-" + i));
            double value = scaler.fetch().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).get(0).value();
            if (value != i) {
                throw new IllegalStateException("plugin csv-" + i + " served " + value);
            }
            scalers.add(scaler);
        }
        long firstPollsNanos = System.nanoTime() - started;
        long[] after = memory();
        System.out.printf("plugins: %d directories, each a provider jar and %d library jars (%s)%n", count,
                libraryJars.size(), String.join(", ", libraryJars));
        System.out.printf("   load (ScalerRegistry.load: list, open, version check, ServiceLoader): %.0f ms, %.1f ms per plugin%n",
                loadNanos / 1e6, loadNanos / 1e6 / count);
        System.out.printf("   a scaler of each created and polled once (loads the plugin's and its library's classes): %.0f ms%n",
                firstPollsNanos / 1e6);
        System.out.printf("   heap after full collections: +%.0f KiB per plugin; metaspace: +%.0f KiB per plugin"
                + " (%d plugins, %d scalers held)%n", (after[0] - before[0]) / 1024.0 / count,
                (after[1] - before[1]) / 1024.0 / count, count, scalers.size());
        vertx.close().await();
    }

    /** Heap used and metaspace used, after full collections. */
    private static long[] memory() {
        System.gc(); // a full collection, finished when it returns (bench/plugins runs the serial collector)
        System.gc(); // again: what the first one's reference processing released
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long metaspace = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getName().equals("Metaspace"))
                .mapToLong(p -> p.getUsage().getUsed()).sum();
        return new long[] {heap, metaspace};
    }
}
