package io.demandmetrics.scaler.spi;

/**
 * Creates scalers of one type. Registered through {@link java.util.ServiceLoader}.
 *
 * <p>Implementations need a public no-argument constructor, hold no per-metric state
 * and may be called from any thread. {@code parseConfig} runs once per configured
 * metric (at startup and on each config reload), never per poll: parse and validate
 * everything expensive (cron expressions, time zones, URIs) there.
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
     * Parses and validates the metric's {@code parameters} block.
     *
     * <p>Reports every problem at once, not the first one: use {@link ParameterReader},
     * which produces the house message forms ({@code missing required parameter "x"},
     * {@code unknown parameter "y"; known: [...]}, ...). The adapter prefixes each
     * message with the metric it belongs to.
     *
     * @param parameters the raw parameters as read from YAML (strings, numbers,
     *     booleans, lists and maps); never null, possibly empty
     * @return the parsed configuration
     * @throws InvalidConfigException listing every problem found
     */
    C parseConfig(java.util.Map<String, Object> parameters) throws InvalidConfigException;

    /**
     * Creates the scaler for one metric. Called on an event-loop thread: must not block
     * and should not contact the backend yet (do that in the first {@link Scaler#fetch()}),
     * so a source that is down at startup does not stop the adapter.
     *
     * @param config a value returned by {@link #parseConfig}
     * @param context the metric's Vert.x instance, clock and blocking executor
     */
    Scaler createScaler(C config, ScalerContext context);

    /**
     * Turns the samples the HPA's {@code metric.selector} matched into the values served.
     *
     * <p>The default serves each matched sample as it is: the HPA sums the items of an
     * external metric, so a metric whose total is the sum of its series needs nothing more.
     * Override it when the total is not a plain sum. The Kafka scaler, for one, returns a
     * sample per partition and combines them here, because KEDA caps the group's lag at
     * {@code partitions × lagThreshold} over the whole selection, not per series.
     *
     * <p>Called once per poll for a custom metric (with every sample), and for an external
     * metric once per distinct selector and poll (the answer is then reused), on the event
     * loop: compute, never do I/O. Not called for a metric's {@code fallback} value.
     *
     * @param config a value returned by {@link #parseConfig}
     * @param matched the samples of the last poll that the selector matched, in the order the
     *     scaler returned them; possibly empty
     * @param narrowed whether the request had a selector; when false, {@code matched} is every
     *     sample of the poll
     * @return the samples to serve
     */
    default java.util.List<Sample> combine(C config, java.util.List<Sample> matched, boolean narrowed) {
        return matched;
    }
}
