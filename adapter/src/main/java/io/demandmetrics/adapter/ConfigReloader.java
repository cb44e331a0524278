package io.demandmetrics.adapter;

import io.demandmetrics.adapter.config.AdapterConfig;
import io.demandmetrics.adapter.config.ConfigException;
import io.demandmetrics.adapter.config.ConfigParser;
import io.demandmetrics.adapter.metrics.AdapterMetrics;
import io.demandmetrics.adapter.store.MetricStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies config file changes one at a time, in the order the file took them: each change is
 * parsed (on a worker, in order) and applied only after the one before it has been applied or
 * rejected, so the running config always ends as the file's last valid content.
 */
final class ConfigReloader {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigReloader.class);

    private final Vertx vertx;
    private final Context context;
    private final Path file;
    private final ConfigParser parser;
    private final MetricStore store;
    private final AdapterMetrics metrics;
    /** The last reload queued; touched on {@link #context} only. */
    private Future<Void> last = Future.succeededFuture();

    ConfigReloader(Vertx vertx, Path file, ConfigParser parser, MetricStore store, AdapterMetrics metrics) {
        this.vertx = vertx;
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
        context.runOnContext(ignored -> {
            // Parsing thousands of metrics takes a while: a worker, ordered so parses finish in file order.
            Future<AdapterConfig> parsed = context.executeBlocking(() -> parser.parse(text), true);
            last = last.transform(previous -> parsed.compose(store::apply)).andThen(this::report);
        });
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
