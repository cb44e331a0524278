package io.demandmetrics.adapter.store;

import io.demandmetrics.adapter.config.MetricDefinition;
import io.demandmetrics.scaler.spi.DescribedObject;
import io.demandmetrics.scaler.spi.Sample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns what a scaler returned into a {@link Reading} the API can serve, or rejects it.
 * Rules: NaN and infinities fail the poll (the last good value stays); negative demand is
 * served as 0; a custom metric's unattributed value goes to the metric's {@code object}; a
 * sample without a timestamp was measured when the poll completed. Nothing is combined here:
 * the view combines the series a request selects ({@code view.MetricView}).
 */
final class ReadingValidator {

    private ReadingValidator() {
    }

    static Reading validate(MetricDefinition definition, List<Sample> samples, Instant fetchedAt) {
        if (samples == null) {
            throw new IllegalStateException("the " + definition.type() + " scaler returned no samples (null)");
        }
        for (Sample sample : samples) {
            if (sample == null) {
                throw new IllegalStateException("the " + definition.type() + " scaler returned a null sample");
            }
            if (!Double.isFinite(sample.value())) {
                throw new IllegalStateException("the source returned " + sample.value()
                        + (sample.labels().isEmpty() ? "" : " for series " + sample.labels())
                        + (sample.object() == null ? "" : " for " + sample.object().name())
                        + ", which is not a quantity");
            }
        }
        List<Sample> valid = new ArrayList<>(samples.size());
        for (Sample sample : samples) {
            DescribedObject object = sample.object();
            if (!definition.key().isExternal() && object == null) {
                if (definition.object() == null) {
                    throw new IllegalStateException("the " + definition.type() + " scaler returned a value that"
                            + " describes no object; set field \"object\" to the name of the "
                            + definition.key().resource().kind() + " it describes");
                }
                object = DescribedObject.named(definition.object());
            }
            valid.add(new Sample(object, sample.labels(), Math.max(0, sample.value()),
                    sample.timestamp() == null ? fetchedAt : sample.timestamp(), sample.window()));
        }
        return new Reading(valid, fetchedAt);
    }
}
