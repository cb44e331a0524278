package io.demandmetrics.adapter;

import io.demandmetrics.adapter.config.AdapterConfig;
import io.demandmetrics.adapter.config.ConfigException;
import io.demandmetrics.adapter.config.ConfigParser;
import io.demandmetrics.adapter.config.MetricDefinition;
import io.demandmetrics.adapter.config.MetricKey;
import io.demandmetrics.adapter.crd.TeamMetrics;
import io.demandmetrics.adapter.forward.Forwarding;
import io.demandmetrics.adapter.metrics.AdapterMetrics;
import io.demandmetrics.adapter.registry.ScalerRegistry;
import io.demandmetrics.adapter.store.MetricStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies config file changes, plugin changes and DemandMetric changes in the order they came:
 * each is a turn that starts when the one before has ended (parsed on a worker, then handed to
 * {@link MetricStore#apply}), so the running config always ends as the file's last valid
 * content plus the DemandMetrics that can be served beside it, parsed with the scaler types the
 * adapter last switched to.
 */
final class ConfigReloader {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigReloader.class);

    private final Context context;
    private final Path file;
    private final MetricStore store;
    private final Forwarding forwarding;
    private final AdapterMetrics metrics;
    /** Read and written only in turns, on {@link #context}. */
    private ConfigParser parser;
    /** The text of the config being served: what a plugin change parses again. */
    private String appliedText;
    /** What that text defines: its metrics are served before any DemandMetric's. */
    private AdapterConfig fileConfig;
    /** The cluster's DemandMetrics, or null when they are not watched (standalone). */
    private final TeamMetrics team;
    /** Told after every turn the store applied (the DemandMetrics' statuses are written). */
    private final Runnable applied;
    private Future<?> lastTurn = Future.succeededFuture();

    /**
     * @param applied {@code appliedText} parsed: what the store serves now
     * @param team the DemandMetrics served beside the file's metrics; null for none
     * @param afterTurn run after each turn the store applied, on this reloader's context
     */
    ConfigReloader(Vertx vertx, Path file, ConfigParser parser, String appliedText, AdapterConfig applied,
                   TeamMetrics team, Runnable afterTurn, MetricStore store, Forwarding forwarding,
                   AdapterMetrics metrics) {
        this.forwarding = forwarding;
        this.fileConfig = applied;
        this.team = team;
        this.applied = afterTurn;
        this.context = vertx.getOrCreateContext();
        this.file = file;
        this.parser = parser;
        this.appliedText = appliedText;
        this.store = store;
        this.metrics = metrics;
    }

    /** A {@link FileWatch} callback: the file's new text, or why it could not be read. */
    void changed(String text, Throwable error) {
        if (error != null) {
            LOG.warn("cannot read config {}: {}; keeping the running config", file, error.getMessage());
            return;
        }
        inTurn(() -> applyText(parser, text)).onComplete(this::report);
    }

    /**
     * A turn that serves the DemandMetrics as they are now beside the file's metrics.
     *
     * @return done when the store serves them; failed when that could not be applied (logged)
     */
    Future<Void> teamChanged() {
        return inTurn(() -> {
            ConfigParser current = parser;
            AdapterConfig file = fileConfig;
            return context.executeBlocking(() -> withTeam(file, current), false).compose(store::apply)
                    .onSuccess(done -> applied.run());
        }).onFailure(failure -> LOG.warn("DemandMetrics changed but cannot be applied: {}", failure.getMessage()));
    }

    /** The file's metrics, then the DemandMetrics that can be served beside them (none without {@link #team}). */
    private AdapterConfig withTeam(AdapterConfig file, ConfigParser current) {
        if (team == null) {
            return file;
        }
        Set<MetricKey> fileKeys = new HashSet<>();
        file.metrics().forEach(definition -> fileKeys.add(definition.key()));
        List<MetricDefinition> metrics = new ArrayList<>(file.metrics());
        metrics.addAll(team.definitions(current, fileKeys));
        return new AdapterConfig(metrics, file.forward());
    }

    /**
     * Runs {@code step} on this reloader's context once every turn called before it has ended.
     * A plugin change's whole reload is one turn, so a config change cannot be parsed with
     * scaler types that are about to be replaced.
     */
    <T> Future<T> inTurn(Supplier<Future<T>> step) {
        Promise<T> done = Promise.promise();
        context.runOnContext(ignored -> {
            Future<T> turn = lastTurn.transform(previous -> step.get());
            lastTurn = turn;
            turn.onComplete(done);
        });
        return done.future();
    }

    /**
     * Within a turn: the running config, parsed again with {@code registry}'s scaler types and
     * applied (metrics whose provider changed are recreated, each polled once before the switch).
     * On success the parser uses those types from now on; on failure nothing changed.
     */
    Future<Void> applyRunningConfigWith(ScalerRegistry registry) {
        return applyText(new ConfigParser(registry), appliedText);
    }

    /** A file's metrics as parsed, and what is served: those and the DemandMetrics beside them. */
    private record Parsed(AdapterConfig file, AdapterConfig served) {
    }

    /**
     * Within a turn: {@code text} parsed with {@code with} and served with the DemandMetrics
     * beside it. On success the reloader parses with {@code with} from then on and the backends
     * follow the file's {@code forward}; on failure nothing changed.
     */
    private Future<Void> applyText(ConfigParser with, String text) {
        // Parsing thousands of metrics takes a while: a worker does it, and the merge.
        return context.executeBlocking(() -> {
            AdapterConfig file = with.parse(text);
            return new Parsed(file, withTeam(file, with));
        }, false).compose(parsed -> store.apply(parsed.served()).onSuccess(done -> {
            forwarding.apply(parsed.file().forward());
            parser = with;
            appliedText = text;
            fileConfig = parsed.file();
            applied.run();
        }));
    }

    private void report(io.vertx.core.AsyncResult<Void> result) {
        metrics.configReload(result.succeeded());
        if (result.succeeded()) {
            LOG.info("config {} reloaded", file);
        } else if (result.cause() instanceof ConfigException invalid) {
            LOG.warn("config {} changed but is invalid; keeping the running config:\n  {}", file,
                    String.join("\n  ", invalid.problems()));
        } else {
            LOG.warn("config {} changed but cannot be applied; keeping the running config:\n  {}", file,
                    result.cause().getMessage());
        }
    }
}
