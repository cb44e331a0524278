package io.demandmetrics.adapter.store;

import io.demandmetrics.adapter.config.MetricDefinition;
import io.demandmetrics.adapter.config.MetricKey;
import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.spi.ScalerContext;
import io.demandmetrics.scaler.spi.ScalerProvider;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Metric states as a poller leaves them, for tests of what is served from them: the store's
 * own validator makes each reading, so a state here is one the adapter could hold.
 */
public final class Readings {

    private Readings() {
    }

    /** A definition whose provider serves samples as they are (the SPI default combine). */
    public static MetricDefinition definition(MetricKey key, String object, Duration maxAge, Double fallback) {
        return definition(key, object, maxAge, fallback, null);
    }

    /** The same, with {@code combine} as the provider's combine (null: the SPI default). */
    public static MetricDefinition definition(MetricKey key, String object, Duration maxAge, Double fallback,
                                              BiFunction<List<Sample>, Boolean, List<Sample>> combine) {
        ScalerProvider<Object> provider = new ScalerProvider<>() {
            @Override
            public String type() {
                return "test";
            }

            @Override
            public Object parseConfig(Map<String, Object> parameters) {
                return parameters;
            }

            @Override
            public Scaler createScaler(Object config, ScalerContext context) {
                throw new UnsupportedOperationException("states here are made by Readings, not polled");
            }

            @Override
            public List<Sample> combine(Object config, List<Sample> matched, boolean narrowed) {
                return combine == null ? matched : combine.apply(matched, narrowed);
            }
        };
        return new MetricDefinition(key, "test", Map.of(), provider, Map.of(), object, Duration.ofSeconds(15),
                Duration.ofSeconds(5), maxAge, fallback, null);
    }

    /** A state whose last poll returned {@code samples} at {@code fetchedAt}. */
    public static MetricState polled(MetricDefinition definition, Instant fetchedAt, List<Sample> samples) {
        MetricState state = new MetricState(definition);
        state.succeeded(ReadingValidator.validate(definition, samples, fetchedAt));
        return state;
    }

    /** A state never polled successfully, whose last poll failed with {@code message}. */
    public static MetricState failing(MetricDefinition definition, Instant at, String message) {
        MetricState state = new MetricState(definition);
        state.failed(new Failure(message, at));
        return state;
    }
}
