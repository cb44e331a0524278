package io.demandmetrics.adapter;

import io.demandmetrics.adapter.config.ConfigException;
import io.demandmetrics.adapter.config.ConfigParser;
import io.demandmetrics.adapter.metrics.AdapterMetrics;
import io.demandmetrics.adapter.store.MetricStore;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies config file changes in the order the file took them: each change is parsed on a
 * worker, in order, and handed to {@link MetricStore#apply}, which applies one config at a time
 * in the order it was called, so the running config always ends as the file's last valid
 * content.
 */
final class ConfigReloader {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigReloader.class);

    private final Context context;
    private final Path file;
    private final ConfigParser parser;
    private final MetricStore store;
    private final AdapterMetrics metrics;

    ConfigReloader(Vertx vertx, Path file, ConfigParser parser, MetricStore store, AdapterMetrics metrics) {
        this.context = vertx.getOrCreateContext();
        this.file = file;
        this.parser = parser;
        this.store = store;
        this.metrics = metrics;
    }

    /** A {@link FileWatch} callback: the file's new text, or why it could not be read. */
    void changed(String text, Throwable error) {
        if (error != null) {
            LOG.warn("cannot read config {}: {}; keeping the running config", file, error.getMessage());
            return;
        }
        // Parsing thousands of metrics takes a while: a worker, ordered so that parses finish, and
        // reach the store, in file order (one context: FileWatch reports on its timer's).
        context.runOnContext(ignored -> context.executeBlocking(() -> parser.parse(text), true)
                .compose(store::apply).onComplete(this::report));
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
