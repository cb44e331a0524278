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
}
