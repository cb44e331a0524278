package io.demandmetrics.adapter.view;

import io.demandmetrics.adapter.config.MetricKey;
import io.demandmetrics.adapter.selector.LabelSelector;

/**
 * What one metrics API request asks, decoded and parsed: which metric, about which objects,
 * narrowed to which series. Equal questions have equal answers while the metric's reading and
 * the objects stay the same.
 *
 * @param objectName the described object's name, {@code *} for every object the
 *     {@code objectSelector} matches, or null for an external metric
 * @param objectSelector the HPA's {@code labelSelector} on objects ({@code *} requests only;
 *     {@link LabelSelector#EVERYTHING} otherwise)
 * @param seriesSelector the selector on the metric's series: an external request's
 *     {@code labelSelector}, a custom request's {@code metricLabelSelector}
 */
public record MetricQuestion(MetricKey key, String objectName, LabelSelector objectSelector,
                             LabelSelector seriesSelector) {

    public static MetricQuestion external(MetricKey key, LabelSelector seriesSelector) {
        return new MetricQuestion(key, null, LabelSelector.EVERYTHING, seriesSelector);
    }

    /** Every object ({@code *}) or one: a selector on objects applies to {@code *} only, as upstream's. */
    public static MetricQuestion custom(MetricKey key, String objectName, LabelSelector objectSelector,
                                        LabelSelector seriesSelector) {
        return new MetricQuestion(key, objectName, objectName.equals("*") ? objectSelector : LabelSelector.EVERYTHING,
                seriesSelector);
    }

    public boolean allObjects() {
        return "*".equals(objectName);
    }
}
