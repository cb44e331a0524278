package io.demandmetrics.adapter.view;

import io.demandmetrics.adapter.api.MetricPoint;
import io.demandmetrics.scaler.spi.Sample;
import java.util.List;

/**
 * The answer to a {@link MetricQuestion}, and what it was computed from.
 *
 * @param points the values to serve, sorted by object name for custom metrics
 * @param samples the served samples they came from (by identity: the reading's own list)
 * @param objectsGeneration the object resolver's generation when the objects were matched
 */
public record MetricValues(List<MetricPoint> points, List<Sample> samples, long objectsGeneration) {

    /**
     * Whether {@code other} was computed from the same samples and the same objects, so it
     * answers the same question with the same values. Identity, not equality: a reading's
     * list is one instance for as long as it is served, and comparing it is free.
     */
    public boolean sameBasisAs(MetricValues other) {
        return other != null && samples == other.samples && objectsGeneration == other.objectsGeneration;
    }
}
