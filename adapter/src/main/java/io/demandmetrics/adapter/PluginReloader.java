package io.demandmetrics.adapter;

import io.demandmetrics.adapter.metrics.PluginMeters;
import io.demandmetrics.adapter.registry.Plugin;
import io.demandmetrics.adapter.registry.PluginPins;
import io.demandmetrics.adapter.registry.RegistryException;
import io.demandmetrics.adapter.registry.ScalerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies changes of the plugin directory without a restart, as {@link ConfigReloader} applies
 * the config file's, and in turn with them. A change loads the new and changed plugins (the
 * others keep their versions), parses the running config again with the resulting scaler types
 * and applies it: metrics of a replaced type are recreated on the new classes, each polled once
 * before the switch, so no request fails for it. Then the versions no longer served are retired
 * (each class loader closed once its last scaler is). A new version that cannot be loaded keeps
 * the running one; a change the running config cannot be parsed with (it removes a type a metric
 * uses) is not applied at all. Either is logged once and shown at {@code /metrics}.
 */
final class PluginReloader {

    private static final Logger LOG = LoggerFactory.getLogger(PluginReloader.class);

    private final Vertx vertx;
    private final Path pluginDir;
    private final Path pinsFile;
    private final ConfigReloader config;
    private final PluginMeters meters;
    private final Consumer<ClassLoader> onUnload;
    private volatile ScalerRegistry current;
    /** Refusals logged at the last reload: one logged again only if it is new. */
    private Set<String> logged = new HashSet<>();

    /**
     * @param pluginDir the plugin directory; null when there is none (nothing to reload, the meters still show)
     * @param onUnload hears of each retired version's class loader once it is closed
     */
    PluginReloader(Vertx vertx, Path pluginDir, Path pinsFile, ScalerRegistry initial, ConfigReloader config,
                   MeterRegistry registry, Consumer<ClassLoader> onUnload) {
        this.vertx = vertx;
        this.pluginDir = pluginDir;
        this.pinsFile = pinsFile;
        this.current = initial;
        this.config = config;
        this.meters = new PluginMeters(registry, this::current);
        this.onUnload = onUnload;
        initial.refusals().forEach(refusal -> logged.add(refusal.entry() + " " + refusal.message()));
    }

    /** The registry serving now. */
    ScalerRegistry current() {
        return current;
    }

    /** A {@link FileWatch} callback: the directory changed (or could not be read). */
    void changed(String listing, Throwable error) {
        if (error != null) {
            LOG.warn("cannot read --plugin-dir {}: {}; keeping the running plugins", pluginDir, error.getMessage());
            return;
        }
        config.inTurn(this::reload);
    }

    /** One reload, within a config turn: nothing else changes the registry or the config meanwhile. */
    private Future<Void> reload() {
        ScalerRegistry running = current;
        Set<String> refusedNow = new HashSet<>();
        return vertx.executeBlocking(() -> {
            PluginPins pins = pinsFile == null ? null : PluginPins.read(pinsFile);
            return running.reload(pluginDir, pins, message -> {
                refusedNow.add(message);
                if (!logged.contains(message)) {
                    LOG.warn(message);
                }
            });
        }, false).compose(candidate -> {
            logged = refusedNow;
            if (running.samePluginsAs(candidate)) {
                current = candidate; // the same versions; only what is refused may differ
                meters.refreshed(candidate);
                return Future.succeededFuture();
            }
            return config.applyRunningConfigWith(candidate).andThen(applied -> {
                meters.reload(applied.succeeded());
                if (applied.succeeded()) {
                    List<Plugin> retired = running.retireReplacedBy(candidate, onUnload);
                    meters.retired(retired);
                    current = candidate;
                    meters.refreshed(candidate);
                    LOG.info("plugins reloaded from {}: {} serving, {} retired (unloaded once their last scaler"
                            + " closes); scaler types: {}", pluginDir, candidate.pluginsLoaded(), retired.size(),
                            candidate.types());
                } else {
                    running.abandon(candidate);
                    LOG.warn("--plugin-dir {} changed, but the running config cannot be applied with it; keeping"
                            + " the running plugins (a later change retries):\n  {}", pluginDir,
                            applied.cause() instanceof io.demandmetrics.adapter.config.ConfigException invalid
                                    ? String.join("\n  ", invalid.problems()) : applied.cause().getMessage());
                }
            });
        }, failure -> {
            String why = failure instanceof RegistryException ? failure.getMessage() : String.valueOf(failure);
            LOG.warn("--plugin-dir {} changed, but cannot be reloaded: {}; keeping the running plugins", pluginDir,
                    why);
            meters.reload(false);
            return Future.succeededFuture();
        }).mapEmpty();
    }
}
