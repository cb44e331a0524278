package io.demandmetrics.adapter;

import io.demandmetrics.adapter.config.ConfigException;
import io.demandmetrics.adapter.config.ConfigParser;
import io.demandmetrics.adapter.forward.Forwarding;
import io.demandmetrics.adapter.metrics.AdapterMetrics;
import io.demandmetrics.adapter.registry.ScalerRegistry;
import io.demandmetrics.adapter.store.MetricStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies config file changes, and plugin changes, in the order they came: each is a turn that
 * starts when the one before has ended (parsed on a worker, then handed to
 * {@link MetricStore#apply}), so the running config always ends as the file's last valid
 * content, parsed with the scaler types the adapter last switched to.
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
    private Future<?> lastTurn = Future.succeededFuture();

    ConfigReloader(Vertx vertx, Path file, ConfigParser parser, String appliedText, MetricStore store,
                   Forwarding forwarding, AdapterMetrics metrics) {
        this.forwarding = forwarding;
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
        // Parsing thousands of metrics takes a while: a worker does it.
        inTurn(() -> {
            ConfigParser current = parser;
            return context.executeBlocking(() -> current.parse(text), false)
                    .compose(config -> store.apply(config).onSuccess(applied -> forwarding.apply(config.forward())))
                    .onSuccess(applied -> appliedText = text);
        }).onComplete(this::report);
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
        ConfigParser candidate = new ConfigParser(registry);
        String text = appliedText;
        return context.executeBlocking(() -> candidate.parse(text), false).compose(store::apply)
                .onSuccess(applied -> parser = candidate);
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
