package io.demandmetrics.hpa;

import java.util.List;
import java.util.Map;

/** What the metrics APIs answered for one of an HPA's metrics at a sync. */
public sealed interface MetricReading {

    /** Per pod (Pods and Resource metrics): each pod's value, pods without one missing. */
    record PerPod(Map<String, PodMetric> values) implements MetricReading {
    }

    /** An Object metric's value. */
    record ObjectValue(long milliValue) implements MetricReading {
    }

    /** An External metric's series, which the controller sums. */
    record Series(List<Long> milliValues) implements MetricReading {
    }

    /** No answer: the API's error, as the controller would log it. */
    record Failed(String message) implements MetricReading {
    }

    /** Per-pod values that always count (measured after any readiness change). */
    static MetricReading perPod(Map<String, Long> milliValues) {
        Map<String, PodMetric> values = new java.util.HashMap<>();
        milliValues.forEach((pod, value) -> values.put(pod, PodMetric.of(value)));
        return new PerPod(values);
    }
}
