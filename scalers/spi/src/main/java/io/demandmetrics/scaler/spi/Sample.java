package io.demandmetrics.scaler.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One value of a metric, as a scaler read it.
 *
 * @param object the Kubernetes object the value describes (custom metrics), or
 *     {@code null} for an external metric's series
 * @param labels the series' labels, matched by the HPA's {@code metric.selector};
 *     empty when the metric has a single unlabelled series
 * @param value the demand; negative is served as 0, NaN and infinities are rejected
 * @param timestamp when the source measured the value, or {@code null} for "when the
 *     fetch completed"
 * @param window the period the value was computed over (a rate's window), or
 *     {@code null} when it is an instantaneous reading
 */
public record Sample(DescribedObject object, Map<String, String> labels, double value,
                     Instant timestamp, Duration window) {

    public Sample {
        labels = Map.copyOf(Objects.requireNonNull(labels, "labels"));
    }

    /** An unlabelled external value. */
    public static Sample of(double value) {
        return new Sample(null, Map.of(), value, null, null);
    }

    /** A labelled external value. */
    public static Sample of(Map<String, String> labels, double value) {
        return new Sample(null, labels, value, null, null);
    }

    /** A value describing one Kubernetes object (a pod, a deployment, ...). */
    public static Sample forObject(DescribedObject object, double value) {
        return new Sample(Objects.requireNonNull(object, "object"), Map.of(), value, null, null);
    }

    /** This sample with the source's measurement time. */
    public Sample at(Instant measuredAt) {
        return new Sample(object, labels, value, measuredAt, window);
    }

    /** This sample, computed over {@code period}. */
    public Sample over(Duration period) {
        return new Sample(object, labels, value, timestamp, period);
    }
}
