package io.demandmetrics.adapter.config;

import java.util.List;

/**
 * A validated config file: the metrics to serve, in file order, and the other adapters whose
 * metrics are forwarded ({@code forward}).
 */
public record AdapterConfig(List<MetricDefinition> metrics, List<ForwardBackend> forward) {

    public AdapterConfig {
        metrics = List.copyOf(metrics);
        forward = List.copyOf(forward);
    }

    /** A config that forwards nothing. */
    public AdapterConfig(List<MetricDefinition> metrics) {
        this(metrics, List.of());
    }
}
