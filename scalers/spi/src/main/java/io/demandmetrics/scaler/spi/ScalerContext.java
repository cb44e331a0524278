package io.demandmetrics.scaler.spi;

import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;

/** What the adapter hands a scaler when it creates it. */
public interface ScalerContext {

    /** The adapter's Vert.x instance, for timers and asynchronous clients. */
    Vertx vertx();

    /**
     * The clock to read "now" from. Use it rather than {@code Instant.now()} so tests can
     * run a scaler at any instant.
     */
    Clock clock();

    /** The metric this scaler serves, as {@code namespace/name}, for log and error messages. */
    String metricId();

    /**
     * A worker pool shared by all scalers of this type, for calls that block. Run blocking
     * work with {@code blockingExecutor().executeBlocking(() -> ...)}; never on the event loop.
     */
    WorkerExecutor blockingExecutor();

    /**
     * What the metric describes: {@code "external"} for an external metric, else the resource
     * of its custom metric as the config names it ({@code "pods"}, {@code "deployments.apps"},
     * {@code "nodes"}, ...). A scaler that can serve either decides its samples' shape from it:
     * for {@code pods}, a sample per pod ({@link Sample#forObject}); for another resource,
     * samples without an object, which the adapter serves as the metric's configured
     * {@code object}.
     */
    default String describes() {
        return "external";
    }

    /** The metric's namespace; null for a custom metric about cluster-scoped objects. */
    default String namespace() {
        String id = metricId();
        int slash = id == null ? -1 : id.indexOf('/');
        return slash < 0 ? null : id.substring(0, slash);
    }

    /**
     * The cluster's pods, from the adapter's informer; empty when the adapter runs standalone
     * (or its host gives none), so a scaler that needs pods says so in its poll's failure.
     */
    default java.util.Optional<Pods> pods() {
        return java.util.Optional.empty();
    }

    /**
     * The metric's poll timeout: a {@link Scaler#fetch()} not completed by then is failed by
     * the adapter with "the poll timed out". A scaler whose source has timeouts of its own (a
     * client's request and call timeouts) sets them below this, so that the source's own error
     * ("broker unreachable", "queue does not exist") is what reaches the metric's 503 and the
     * log. The default is the adapter's default timeout.
     */
    default java.time.Duration pollTimeout() {
        return java.time.Duration.ofSeconds(10);
    }

    /**
     * What a scaler's calls to its source may take in all: four fifths of {@link #pollTimeout()},
     * so the source's own timeout error arrives, and is what the metric reports, before the
     * adapter's "the poll timed out". One rule for every scaler; override neither.
     */
    default java.time.Duration sourceTimeout() {
        return pollTimeout().multipliedBy(4).dividedBy(5);
    }

    /**
     * The adapter's meter registry, served at {@code /metrics}, for what a scaler wants
     * operators to see (its clients' requests, connections, cycle times). Name meters
     * {@code demand_adapter_<type>_...}, tag them with what tells instances apart, and remove
     * them in {@link Scaler#close()} when nothing else uses them. The default discards them.
     */
    default io.micrometer.core.instrument.MeterRegistry meterRegistry() {
        return NO_METERS;
    }

    /**
     * The adapter's one instance of {@code type}, made by {@code create} at the first call:
     * how the scalers of a plugin share a registry (of clients per cluster, of scrape pools)
     * without a static field. The instance belongs to the adapter that created the scaler, so
     * two adapters in one JVM (tests) or a reloaded plugin start afresh, and it is shared by
     * every provider of the plugin (the {@code rps} and {@code latency} providers share one
     * scrape pool per pod this way). Keyed by the class itself: a plugin's classes are its
     * own, so plugins never see each other's instances.
     *
     * <p>Kept until the adapter stops or the plugin is unloaded, and never closed by the
     * adapter: hold registries that close what they open when its last user is done (the
     * support artifact's {@code SharedResources}), not open resources. Thread-safe;
     * {@code create} runs at most once per type and must not block.
     *
     * <p>Since SPI 1.1. The default, for hosts that keep nothing, creates an instance per
     * call, so nothing is shared; the adapter and the testkit keep them.
     *
     * @param type the instance's class, usually a registry class of the plugin's own
     * @param create makes the instance
     * @return the instance every scaler of this adapter and plugin gets for {@code type}
     */
    default <T> T shared(Class<T> type, java.util.function.Supplier<? extends T> create) {
        return create.get();
    }

    /**
     * A registry that keeps nothing, for contexts without metrics (tests, tools): it denies
     * every meter, so each one registered is a no-op that is neither recorded nor remembered.
     */
    io.micrometer.core.instrument.MeterRegistry NO_METERS = Meters.discarding();
}
