package io.demandmetrics.adapter.metrics;

import io.demandmetrics.adapter.registry.Plugin;
import io.demandmetrics.adapter.registry.ScalerRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The plugin directory at {@code /metrics}: plugins serving and refused, each refused entry with
 * its reason, reloads applied and rejected, and replaced versions still waiting for their last
 * scaler to close. Label values are bounded: an entry's file name (the first
 * {@value #MAX_REFUSED_SHOWN} refused entries of the directory) and a reason from a fixed set.
 */
public final class PluginMeters {

    /** Refused entries shown one by one at most; {@code demand_adapter_plugins{state="refused"}} counts them all. */
    static final int MAX_REFUSED_SHOWN = 100;

    private final MultiGauge refused;
    private final Counter reloadsApplied;
    private final Counter reloadsRejected;
    private final List<Plugin> retired = new CopyOnWriteArrayList<>();

    public PluginMeters(MeterRegistry registry, Supplier<ScalerRegistry> current) {
        Gauge.builder("demand_adapter_plugins", current, c -> c.get().pluginsLoaded()).tag("state", "loaded")
                .description("Plugins of the plugin directory, by state (refused ones are logged with the reason)")
                .strongReference(true).register(registry);
        Gauge.builder("demand_adapter_plugins", current, c -> c.get().pluginsRefused()).tag("state", "refused")
                .description("Plugins of the plugin directory, by state (refused ones are logged with the reason)")
                .strongReference(true).register(registry);
        Gauge.builder("demand_adapter_plugins_retired", retired, r -> {
            r.removeIf(Plugin::unloaded);
            return r.size();
        }).description("Replaced or removed plugin versions whose class loader waits for its last scaler to close")
                .strongReference(true).register(registry);
        refused = MultiGauge.builder("demand_adapter_plugin_refused")
                .description("1 for each plugin entry whose current files do not serve, with the reason"
                        + " (the log line has the details)").register(registry);
        reloadsApplied = Counter.builder("demand_adapter_plugin_reloads").tag("result", "applied")
                .description("Plugin directory changes applied").register(registry);
        reloadsRejected = Counter.builder("demand_adapter_plugin_reloads").tag("result", "rejected")
                .description("Plugin directory changes not applied; the running plugins were kept").register(registry);
        refreshed(current.get());
    }

    /** The registry now serving: its refused entries replace the ones shown. */
    public void refreshed(ScalerRegistry registry) {
        refused.register(registry.refusals().stream().limit(MAX_REFUSED_SHOWN).map(refusal -> MultiGauge.Row.of(Tags.of(
                "plugin", String.valueOf(refusal.entry().getFileName()), "reason", refusal.reason()), 1)).toList(),
                true);
    }

    public void reload(boolean applied) {
        (applied ? reloadsApplied : reloadsRejected).increment();
    }

    public void retired(List<Plugin> versions) {
        versions.stream().filter(version -> !version.unloaded()).forEach(retired::add);
    }
}
