package io.demandmetrics.adapter.view;

import io.demandmetrics.adapter.api.MetricPoint;
import java.util.List;

/**
 * The answer to a {@link MetricQuestion}, and what it was worked out from.
 *
 * @param points the values to serve, sorted by object name for custom metrics
 * @param basis the reading and objects they came from
 */
public record MetricAnswer(List<MetricPoint> points, Basis basis) {
}
