package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.demandmetrics.adapter.registry.PluginJars;
import java.lang.ref.WeakReference;
import java.net.URLClassLoader;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin directory changes under HPA-client load, without a restart: a replaced plugin
 * serves from its new classes with no failed request and its old class loader is closed; the
 * plugins that did not change keep their scalers; a broken new jar and a removal the config
 * cannot do without both keep what runs, and say so at {@code /metrics}.
 */
class PluginReloadIT {

    private static final String EXTERNAL = "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/";

    @TempDir
    Path dir;

    @Test
    void aReplacedPluginServesFromItsNewClassesWithNoFailedRequest() throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        replace(plugins.resolve("versioned.jar"), plugin("versioned", 1));
        replace(plugins.resolve("steady.jar"), plugin("steady", 5));
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, "metrics:\n"
                + "  - {name: v, namespace: shop, type: versioned, pollInterval: 200ms}\n"
                + "  - {name: s, namespace: shop, type: steady, pollInterval: 200ms}\n");
        Adapter adapter = TestAdapters.start(dir, config, Clock.systemUTC(), "--config-check-interval", "100ms",
                "--plugin-dir", plugins.toString());
        HttpClient client = TestAdapters.client(TestAdapters.certFile(dir));
        MetricClients load = new MetricClients(client, adapter, 4, List.of(EXTERNAL + "v", EXTERNAL + "s"));
        Set<String> versionsServed = load.values(EXTERNAL + "v");
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> load.answered() > 200);
            WeakReference<?> firstLoader = (WeakReference<?>) System.getProperties().get("loader.versioned.1");
            assertThat(firstLoader.get()).isNotNull();
            int steadyCreated = Integer.getInteger("created.steady");

            // Replaced: served from version 2 with no failed request; version 1's loader closed.
            replace(plugins.resolve("versioned.jar"), plugin("versioned", 2));
            await().atMost(Duration.ofSeconds(10)).until(() -> versionsServed.contains("2"));
            await().atMost(Duration.ofSeconds(10)).until(() -> TestAdapters.get(client, adapter, "/metrics").body()
                    .contains("demand_adapter_plugin_reloads_total{result=\"applied\"} 1.0"));
            await().atMost(Duration.ofSeconds(10)).until(() -> TestAdapters.get(client, adapter, "/metrics").body()
                    .contains("demand_adapter_plugins_retired 0.0"));
            URLClassLoader closed = (URLClassLoader) firstLoader.get();
            if (closed != null) { // a closed URLClassLoader finds nothing more in its jars
                assertThat(closed.findResource("META-INF/services/io.demandmetrics.scaler.spi.ScalerProvider"))
                        .isNull();
            }
            assertThat(Integer.getInteger("created.steady")).as("the unchanged plugin's scaler was kept")
                    .isEqualTo(steadyCreated);

            // A broken new jar: version 2 keeps serving, and /metrics says why.
            int before = load.answered();
            Path garbage = dir.resolve("garbage.jar");
            Files.writeString(garbage, "not a jar");
            replace(plugins.resolve("versioned.jar"), garbage);
            await().atMost(Duration.ofSeconds(10)).until(() -> TestAdapters.get(client, adapter, "/metrics").body()
                    .contains("demand_adapter_plugin_refused{plugin=\"versioned.jar\",reason=\"unreadable\"} 1.0"));
            await().atMost(Duration.ofSeconds(10)).until(() -> load.answered() > before + 200);
            assertThat(MetricClients.firstValue(TestAdapters.get(client, adapter, EXTERNAL + "v"))).isEqualTo("2");

            // Removing a plugin the config still uses is not applied: s keeps serving.
            Files.delete(plugins.resolve("steady.jar"));
            await().atMost(Duration.ofSeconds(10)).until(() -> TestAdapters.get(client, adapter, "/metrics").body()
                    .contains("demand_adapter_plugin_reloads_total{result=\"rejected\"} 1.0"));
            assertThat(MetricClients.firstValue(TestAdapters.get(client, adapter, EXTERNAL + "s"))).isEqualTo("5");

            assertThat(load.stop()).as("failed requests while the plugins changed").isEmpty();
            assertThat(versionsServed).containsExactlyInAnyOrder("1", "2");
        } finally {
            load.close();
            adapter.stop();
        }
    }

    /**
     * A plugin of {@code type} serving {@code version}: its class loader is left (weakly) in a
     * system property, and each scaler it creates is counted in another.
     */
    private Path plugin(String type, int version) {
        String pkg = "com.example.reload." + type + ".v" + version;
        return new PluginJars().source(pkg + ".Provider", """
                package %s;
                import io.demandmetrics.scaler.spi.*;
                import io.vertx.core.Future;
                import java.util.List;
                import java.util.Map;
                public final class Provider implements ScalerProvider<Object> {
                    static {
                        System.getProperties().put("loader.%s.%d",
                                new java.lang.ref.WeakReference<>(Provider.class.getClassLoader()));
                    }
                    public String type() { return "%s"; }
                    public Object parseConfig(Map<String, Object> parameters) { return parameters; }
                    public Scaler createScaler(Object config, ScalerContext context) {
                        System.setProperty("created.%s", String.valueOf(Integer.getInteger("created.%s", 0) + 1));
                        return () -> Future.succeededFuture(List.of(Sample.of(%d)));
                    }
                }
                """.formatted(pkg, type, version, type, type, type, version)).provider(pkg + ".Provider")
                .writeTo(dir.resolve("build").resolve(type + "-" + version + ".jar"));
    }

    /** Puts {@code jar} at {@code target} in one step, as a volume's update does. */
    private static void replace(Path target, Path jar) throws Exception {
        Path next = target.resolveSibling(target.getFileName() + ".next");
        Files.copy(jar, next, StandardCopyOption.REPLACE_EXISTING);
        Files.move(next, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
