package io.demandmetrics.adapter.store;

import io.demandmetrics.adapter.config.MetricDefinition;
import io.demandmetrics.adapter.failure.RequestFailure;
import io.demandmetrics.scaler.spi.Sample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A reading's samples into the values the API serves: the provider's
 * {@link io.demandmetrics.scaler.spi.ScalerProvider#combine combine}, checked and clamped, and the
 * total those values make. The view applies it to what a request picked; the store to a whole
 * reading, for the total its history and its lead follow.
 */
public final class Combine {

    private Combine() {
    }

    /**
     * {@code combine} over {@code picked}, checked (finite, not null) and clamped (negative
     * demand is 0, as for the samples a scaler returns).
     *
     * @param narrowed whether a selector narrowed the series
     * @throws RequestFailure.UnusableValue when the provider fails or returns what cannot be served
     */
    public static List<Sample> apply(MetricDefinition definition, List<Sample> picked, boolean narrowed) {
        List<Sample> combined;
        try {
            combined = definition.provider().combine(definition.scalerConfig(), picked, narrowed);
        } catch (RuntimeException e) {
            throw new RequestFailure.UnusableValue(definition.describe() + ": its provider failed to combine the"
                    + " samples: " + (e.getMessage() == null ? e.getClass().getName() : e.getMessage()));
        }
        if (combined == null) {
            throw new RequestFailure.UnusableValue(definition.describe() + ": its provider combined the samples"
                    + " into null");
        }
        List<Sample> served = new ArrayList<>(combined.size());
        for (Sample sample : combined) {
            if (sample == null || !Double.isFinite(sample.value())) {
                throw new RequestFailure.UnusableValue(definition.describe() + ": its provider combined the samples"
                        + " into " + (sample == null ? "a null sample" : sample.value() + ", which is not a quantity"));
            }
            served.add(sample.value() < 0 ? new Sample(sample.object(), sample.labels(), 0, sample.timestamp(),
                    sample.window()) : sample);
        }
        return served;
    }

    /**
     * The total of what a request with no selector would be served from {@code samples}: an
     * external metric's values combined over every series, a custom metric's combined per
     * described object and added (every object the samples name, whether or not it exists).
     *
     * @throws RequestFailure.UnusableValue as {@link #apply}
     */
    public static double total(MetricDefinition definition, List<Sample> samples) {
        if (definition.key().isExternal()) {
            return sum(apply(definition, samples, false));
        }
        Map<String, List<Sample>> byObject = new LinkedHashMap<>(); // by name, as the view picks an object's series
        for (Sample sample : samples) {
            byObject.computeIfAbsent(sample.object().name(), o -> new ArrayList<>()).add(sample);
        }
        double total = 0;
        for (List<Sample> series : byObject.values()) {
            total += sum(apply(definition, series, false));
        }
        return total;
    }

    private static double sum(List<Sample> values) {
        double total = 0;
        for (Sample sample : values) {
            total += sample.value();
        }
        return total;
    }
}
