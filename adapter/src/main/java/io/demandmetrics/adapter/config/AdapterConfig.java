package io.demandmetrics.adapter.config;

import java.util.List;

/** A validated config file: the metrics to serve, in file order. */
public record AdapterConfig(List<MetricDefinition> metrics) {

    public AdapterConfig {
        metrics = List.copyOf(metrics);
    }
}
