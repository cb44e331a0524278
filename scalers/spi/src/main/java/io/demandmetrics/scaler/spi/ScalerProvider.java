package io.demandmetrics.scaler.spi;

/**
 * Creates scalers of one type. Registered through {@link java.util.ServiceLoader}.
 *
 * <p>Implementations need a public no-argument constructor, hold no per-metric state
 * and may be called from several threads at once (see each method for which).
 * {@code parseConfig} runs once per configured metric (at startup and on each config
 * reload), never per poll: parse and validate everything expensive (cron expressions,
 * time zones, URIs) there.
 *
 * @param <C> the scaler's configuration, normally an immutable record
 */
public interface ScalerProvider<C> {

    /**
     * The type name used in the adapter config, in kebab-case ({@code kafka-lag},
     * {@code cron}). Unique across all providers the adapter loads: two providers with
     * one type stop the adapter at startup.
     */
    String type();

    /**
     * Parses and validates the metric's {@code parameters} block. Called on the main thread
     * at startup and on a worker thread on a reload, never on an event loop: it may read
     * files, and it should not contact the backend.
     *
     * <p>Reports every problem at once, not the first one, in the house message forms
     * ({@code missing required parameter "x"}, {@code unknown parameter "y"; known: [...]},
     * ...). {@code ParameterReader}, in the support artifact ({@code demand-scaler-support}),
     * produces them. The adapter prefixes each message with the metric it belongs to.
     *
     * @param parameters the raw parameters as read from YAML (strings, numbers,
     *     booleans, lists and maps); never null, possibly empty
     * @return the parsed configuration
     * @throws InvalidConfigException listing every problem found
     */
    C parseConfig(java.util.Map<String, Object> parameters) throws InvalidConfigException;

    /**
     * Creates the scaler for one metric. Called on the adapter's polling event loop: must not block
     * and should not contact the backend yet (do that in the first {@link Scaler#fetch()}),
     * so a source that is down at startup does not stop the adapter.
     *
     * @param config a value returned by {@link #parseConfig}
     * @param context the metric's Vert.x instance, clock, timeout, meters and blocking executor
     */
    Scaler createScaler(C config, ScalerContext context);

    /**
     * The source this metric's polls read, named for the log: a Kafka cluster, an SQS endpoint,
     * a Prometheus server, the pods of a namespace. Metrics naming the same source have their
     * poll failures logged together, as one outage: one warning when the source fails, naming
     * how many of its metrics fail and which, and one line when they all poll again. The
     * default, null, makes each metric its own source (a line per metric).
     *
     * <p>The name is logged: never put credentials in it (strip a URL's user info and query).
     * Called on any thread: compute from the argument only, cheaply.
     *
     * @param config a value returned by {@link #parseConfig}
     * @param namespace the metric's namespace, as for {@link #sharedPolling}
     * @return the source's name, such as {@code Prometheus http://prometheus:9090}, or null
     */
    default String source(C config, String namespace) {
        return null;
    }

    /**
     * What this metric's polling shares with other metrics, so that where several replicas share
     * the polling (Kubernetes Leases over buckets of metrics) one replica polls all of them:
     * metrics whose keys are equal and not null land in the same bucket. The {@code rps} and
     * {@code latency} scalers return the namespace whose pods they scrape, so every pod is
     * scraped by one replica however many metrics read it, and its scrape history stays in one
     * place. The default, null, places the metric by its own name, which spreads metrics best.
     *
     * <p>The key also sets when in its interval the metric polls: metrics with equal keys (and
     * equal poll intervals) poll at the same instants, so a scaler that batches a source's
     * requests (the {@code kafka-lag} scaler reads a cluster's groups in one cycle) sees them
     * together; the others are spread over the interval by a hash of their keys.
     *
     * <p>Called on any thread, often: compute from the arguments only, cheaply. Every replica
     * must return the same key for the same configuration (no host names, no randomness).
     *
     * @param config a value returned by {@link #parseConfig}
     * @param namespace the metric's namespace (that of the objects it describes, or the one an
     *     external metric is served under); null for a metric about cluster-scoped objects
     * @return the key of the work it shares, or null
     */
    default String sharedPolling(C config, String namespace) {
        return null;
    }

    /**
     * Turns the samples the HPA's {@code metric.selector} matched into the values served.
     *
     * <p>The default serves each matched sample as it is: the HPA sums the items of an
     * external metric, so a metric whose total is the sum of its series needs nothing more.
     * Override it when the total is not a plain sum. The Kafka scaler, for one, returns a
     * sample per partition and combines them here, because KEDA caps the group's lag at
     * {@code partitions × lagThreshold} over the whole selection, not per series.
     *
     * <p>Called while a request is answered: for an external metric with the series the
     * request's selector picked, for a custom metric once per described object with that
     * object's picked series (the metric's configured {@code object} even with none); a custom
     * object's value is the sum of what this returns. An answer may be reused for the same
     * request while the reading is the same, so do not count calls. Called on any of the
     * adapter's event loops, possibly on several at once: compute from the arguments only,
     * never do I/O, keep no state. Not called for a metric's {@code fallback} value.
     *
     * @param config a value returned by {@link #parseConfig}
     * @param matched the samples of the last good poll that the selector picked, in the order
     *     the scaler returned them; possibly empty
     * @param narrowed whether the request had a selector on series ({@code labelSelector} for
     *     external metrics, {@code metricLabelSelector} for custom ones); when false,
     *     {@code matched} is every sample of the poll (for a custom metric, of the object)
     * @return the samples to serve
     */
    default java.util.List<Sample> combine(C config, java.util.List<Sample> matched, boolean narrowed) {
        return matched;
    }
}
