package io.demandmetrics.hpa;

import java.time.Duration;
import java.time.Instant;

/**
 * One pod's value of a metric, as the metrics APIs give it.
 *
 * @param milliValue the value in thousandths (a Quantity's MilliValue: CPU in millicores)
 * @param timestamp when it was measured; for CPU, whether a whole window passed since the pod
 *     became ready decides whether it counts
 * @param window the span it was measured over
 */
public record PodMetric(long milliValue, Instant timestamp, Duration window) {

    /** A value that always counts: measured after any readiness change (the end of time). */
    public static PodMetric of(long milliValue) {
        return new PodMetric(milliValue, Instant.MAX, Duration.ofMinutes(1));
    }
}
