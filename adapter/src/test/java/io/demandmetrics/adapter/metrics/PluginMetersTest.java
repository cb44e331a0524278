package io.demandmetrics.adapter.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandmetrics.adapter.registry.ScalerRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plugin directory at /metrics: every refused entry counted, each shown with its reason, within a bound. */
class PluginMetersTest {

    @TempDir
    Path plugins;

    @Test
    void refusedEntriesAreCountedAllAndShownUpToTheBound() throws Exception {
        int entries = PluginMeters.MAX_REFUSED_SHOWN + 50;
        for (int i = 0; i < entries; i++) {
            Files.writeString(plugins.resolve("broken-" + i + ".jar"), "not a jar");
        }
        ScalerRegistry registry = ScalerRegistry.load(plugins, warning -> { });
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        new PluginMeters(meters, () -> registry);
        assertThat(meters.get("demand_adapter_plugins").tag("state", "refused").gauge().value()).isEqualTo(entries);
        assertThat(meters.get("demand_adapter_plugin_refused").gauges()).hasSize(PluginMeters.MAX_REFUSED_SHOWN)
                .allSatisfy(gauge -> assertThat(gauge.getId().getTag("reason")).isEqualTo("unreadable"));
        assertThat(meters.get("demand_adapter_plugin_refused").tag("plugin", "broken-0.jar").gauge().value())
                .isEqualTo(1);
    }
}
