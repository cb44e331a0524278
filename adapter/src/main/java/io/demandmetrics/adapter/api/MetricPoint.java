package io.demandmetrics.adapter.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * One value ready for the wire.
 *
 * @param objectName the described object's name (custom metrics), or null (external)
 * @param labels the series labels (external metrics)
 * @param value non-negative and finite
 * @param timestamp when it was measured
 * @param window the period it covers, or null
 */
public record MetricPoint(String objectName, Map<String, String> labels, double value, Instant timestamp,
                          Duration window) {
}
