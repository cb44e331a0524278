package io.demandmetrics.adapter.api;

import io.demandmetrics.adapter.selector.LabelSelector;
import io.demandmetrics.adapter.selector.Requirement;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.TreeMap;

/**
 * The JSON of k8s.io/metrics, field for field and in upstream order: MetricValueList
 * (custom v1beta1 and v1beta2) and ExternalMetricValueList, with upstream's nulls.
 */
public final class WireFormat {

    private WireFormat() {
    }

    /**
     * A custom-metrics MetricValueList.
     *
     * @param metricSelector the request's metricLabelSelector, echoed as upstream adapters do
     */
    public static JsonObject metricValueList(String version, KubernetesResource resource, String namespace,
                                             String metricName, LabelSelector metricSelector,
                                             List<MetricPoint> points) {
        JsonArray items = new JsonArray();
        Object selector = labelSelector(metricSelector);
        for (MetricPoint point : points) {
            JsonObject described = new JsonObject().put("kind", resource.kind());
            if (resource.namespaced()) {
                described.put("namespace", namespace);
            }
            described.put("name", point.objectName()).put("apiVersion", resource.describedApiVersion());
            JsonObject item = new JsonObject().put("describedObject", described);
            if (version.equals(MetricsApi.V1BETA2)) {
                item.put("metric", new JsonObject().put("name", metricName).put("selector", selector));
                item.put("timestamp", timestamp(point.timestamp()));
                if (point.window() != null) {
                    item.put("windowSeconds", point.window().toSeconds());
                }
                item.put("value", Quantity.format(point.value()));
            } else {
                item.put("metricName", metricName);
                item.put("timestamp", timestamp(point.timestamp()));
                if (point.window() != null) {
                    item.put("window", point.window().toSeconds());
                }
                item.put("value", Quantity.format(point.value()));
                item.put("selector", selector);
            }
            items.add(item);
        }
        return new JsonObject()
                .put("kind", "MetricValueList")
                .put("apiVersion", MetricsApi.CUSTOM_GROUP + "/" + version)
                .put("metadata", new JsonObject())
                .put("items", items);
    }

    /** An ExternalMetricValueList; {@code metricLabels} is {@code null} when a series has none, as upstream. */
    public static JsonObject externalMetricValueList(String metricName, List<MetricPoint> points) {
        JsonArray items = new JsonArray();
        for (MetricPoint point : points) {
            JsonObject item = new JsonObject()
                    .put("metricName", metricName)
                    .put("metricLabels", point.labels().isEmpty() ? null : new JsonObject(
                            new TreeMap<String, Object>(point.labels())))
                    .put("timestamp", timestamp(point.timestamp()));
            if (point.window() != null) {
                item.put("window", point.window().toSeconds());
            }
            item.put("value", Quantity.format(point.value()));
            items.add(item);
        }
        return new JsonObject()
                .put("kind", "ExternalMetricValueList")
                .put("apiVersion", MetricsApi.EXTERNAL_GROUP + "/" + MetricsApi.V1BETA1)
                .put("metadata", new JsonObject())
                .put("items", items);
    }

    /** metav1.Time: RFC 3339 in UTC, whole seconds. */
    public static String timestamp(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }

    /** The selector as a metav1.LabelSelector (ParseToLabelSelector), or null when empty. */
    static Object labelSelector(LabelSelector selector) {
        if (selector.isEmpty()) {
            return null;
        }
        JsonObject matchLabels = new JsonObject();
        JsonArray expressions = new JsonArray();
        for (Requirement r : selector.requirements()) {
            switch (r.operator()) {
                case EQUALS -> matchLabels.put(r.key(), r.values().get(0));
                case IN -> expressions.add(expression(r.key(), "In", r.values()));
                case NOT_EQUALS, NOT_IN -> expressions.add(expression(r.key(), "NotIn", r.values()));
                case EXISTS -> expressions.add(expression(r.key(), "Exists", null));
                case DOES_NOT_EXIST -> expressions.add(expression(r.key(), "DoesNotExist", null));
                // metav1.LabelSelector has no Gt/Lt; upstream's conversion fails, so nothing is echoed
                case GREATER_THAN, LESS_THAN -> {
                    return null;
                }
            }
        }
        JsonObject out = new JsonObject();
        if (!matchLabels.isEmpty()) {
            out.put("matchLabels", matchLabels);
        }
        if (!expressions.isEmpty()) {
            out.put("matchExpressions", expressions);
        }
        return out;
    }

    private static JsonObject expression(String key, String operator, List<String> values) {
        JsonObject expression = new JsonObject().put("key", key).put("operator", operator);
        if (values != null) {
            expression.put("values", new JsonArray(values.stream().sorted().distinct().toList()));
        }
        return expression;
    }
}
