package io.demandmetrics.adapter;

import io.demandmetrics.adapter.registry.PluginJars;
import io.demandmetrics.scaler.spi.Sample;
import java.lang.management.ClassLoadingMXBean;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A plugin replaced again and again under HPA-client load (bench/plugins runs it after the load
 * figures): the adapter runs in this JVM with 100 metrics, half of them of a plugin's type (a
 * directory: its provider jar beside Commons CSV and its dependencies), and four clients ask for
 * a metric of the plugin and a built-in one as fast as they are answered while the provider jar
 * is swapped between two versions. Prints how long each replacement takes to be served (from the
 * file's rename to the first answer with the new version's value), the requests answered and
 * failed, and the classes and metaspace after full collections against before the first
 * replacement: retired versions that were not unloaded would show there.
 *
 * <p>Usage: {@code PluginReplaceBench LIBRARY_DIR ROUNDS WORK_DIR}.
 */
public final class PluginReplaceBench {

    private static final String EXTERNAL = "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/";
    private static final int METRICS_PER_TYPE = 50;

    private PluginReplaceBench() {
    }

    public static void main(String[] args) throws Exception {
        Path libraries = Path.of(args[0]);
        int rounds = Integer.parseInt(args[1]);
        Path work = Path.of(args[2]);
        List<Path> libraryJars;
        try (Stream<Path> files = Files.list(libraries)) {
            libraryJars = files.filter(f -> f.getFileName().toString().startsWith("commons-")).sorted().toList();
        }
        Path plugin = Files.createDirectories(work.resolve("plugins").resolve("csv-bench"));
        for (Path library : libraryJars) {
            Files.copy(library, plugin.resolve(library.getFileName()));
        }
        Path[] versions = {null, provider(work, libraryJars, 1), provider(work, libraryJars, 2)};
        swap(versions[1], plugin.resolve("csv-bench.jar"));
        StringBuilder config = new StringBuilder("metrics:\n");
        TestValuesScalerProvider.set("steady", List.of(Sample.of(5)));
        for (int i = 0; i < METRICS_PER_TYPE; i++) {
            config.append("  - {name: plugin-").append(i).append(", namespace: shop, type: csv-bench, pollInterval: 1s}\n");
            config.append("  - {name: builtin-").append(i).append(", namespace: shop, type: test-values,")
                    .append(" parameters: {source: steady}, pollInterval: 1s}\n");
        }
        Files.writeString(work.resolve("config.yaml"), config);
        Adapter adapter = TestAdapters.start(work, work.resolve("config.yaml"), Clock.systemUTC(),
                "--config-check-interval", "100ms", "--plugin-dir", work.resolve("plugins").toString());
        HttpClient client = TestAdapters.client(TestAdapters.certFile(work));
        String pluginPath = EXTERNAL + "plugin-0";
        MetricClients load = new MetricClients(client, adapter, 4, List.of(pluginPath, EXTERNAL + "builtin-0"));
        try {
            waitFor(() -> load.answered() > 2_000);
            // The first replacement and its unloading load and run code once: not in the baseline.
            swap(versions[2], plugin.resolve("csv-bench.jar"));
            waitFor(() -> served(client, adapter, pluginPath, "2") && retiredNone(client, adapter));
            swap(versions[1], plugin.resolve("csv-bench.jar"));
            waitFor(() -> served(client, adapter, pluginPath, "1") && retiredNone(client, adapter));
            long[] before = memory();
            ClassLoadingMXBean classes = ManagementFactory.getClassLoadingMXBean();
            long unloadedBefore = classes.getUnloadedClassCount();
            int answeredBefore = load.answered();
            List<Double> millis = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                String next = round % 2 == 0 ? "2" : "1";
                long started = System.nanoTime();
                swap(versions[Integer.parseInt(next)], plugin.resolve("csv-bench.jar"));
                waitFor(() -> served(client, adapter, pluginPath, next));
                millis.add((System.nanoTime() - started) / 1e6);
                waitFor(() -> retiredNone(client, adapter));
            }
            int answered = load.answered() - answeredBefore;
            Set<String> failures = load.stop();
            long[] after = memory();
            millis.sort(Double::compare);
            System.out.printf("plugin replacement under load: %d rounds, a directory plugin (provider jar + %d"
                    + " library jars) serving %d of %d metrics, 4 clients%n", rounds, libraryJars.size(),
                    METRICS_PER_TYPE, 2 * METRICS_PER_TYPE);
            System.out.printf("   replaced -> served from the new classes: median %.0f ms, max %.0f ms"
                    + " (the check interval is 100 ms; every recreated metric polls once before the switch)%n",
                    millis.get(millis.size() / 2), millis.get(millis.size() - 1));
            System.out.printf("   requests meanwhile: %d answered, %d failed%s%n", answered, failures.size(),
                    failures.isEmpty() ? "" : " " + failures.stream().limit(3).toList());
            System.out.printf("   after %d replacements, full collections: classes loaded %+d (%d unloaded),"
                    + " metaspace %+.0f KiB, heap %+.0f KiB%n", rounds, after[2] - before[2],
                    classes.getUnloadedClassCount() - unloadedBefore, (after[1] - before[1]) / 1024.0,
                    (after[0] - before[0]) / 1024.0);
        } finally {
            load.close();
            adapter.stop();
        }
    }

    /** The provider jar of {@code version}: serves {@code version} through Commons CSV. */
    private static Path provider(Path work, List<Path> libraryJars, int version) {
        String pkg = "com.example.bench.v" + version;
        PluginJars jars = PluginJars.csvPlugin(pkg, "csv-bench", version);
        libraryJars.forEach(jars::against);
        return jars.writeTo(work.resolve("build").resolve("csv-bench-" + version + ".jar"));
    }

    /** Puts {@code jar} at {@code target} in one step, as a volume's update does. */
    private static void swap(Path jar, Path target) throws Exception {
        Path next = target.resolveSibling("." + target.getFileName() + ".next");
        Files.copy(jar, next, StandardCopyOption.REPLACE_EXISTING);
        Files.move(next, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static boolean served(HttpClient client, Adapter adapter, String path, String value) throws Exception {
        HttpResponse<String> response = TestAdapters.get(client, adapter, path);
        return response.statusCode() == 200 && MetricClients.firstValue(response).equals(value);
    }

    private static boolean retiredNone(HttpClient client, Adapter adapter) throws Exception {
        return TestAdapters.get(client, adapter, "/metrics").body().contains("demand_adapter_plugins_retired 0.0");
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    /** Polls {@code condition} every 5 ms, for at most 30 s. */
    private static void waitFor(Condition condition) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not reached within 30 s");
            }
            Thread.sleep(5);
        }
    }

    /** Heap used, metaspace used and classes loaded, after full collections. */
    private static long[] memory() {
        System.gc(); // a full collection, finished when it returns (bench/plugins runs the serial collector)
        System.gc(); // again: what the first one's reference processing released
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long metaspace = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getName().equals("Metaspace"))
                .mapToLong(p -> p.getUsage().getUsed()).sum();
        return new long[] {heap, metaspace, ManagementFactory.getClassLoadingMXBean().getLoadedClassCount()};
    }
}
