package io.demandmetrics.adapter.http;

import io.demandmetrics.adapter.api.MetricsApi;
import java.util.List;

/**
 * What a metric route's path names, by its shape alone (nothing looked up): the one reading of
 * the routes, for the questions this adapter answers and for the requests it forwards.
 *
 * @param namespace the request's namespace; null for a cluster-scoped object or a namespace's own metric
 * @param resourceName the described objects' resource ({@code pods}, {@code deployments.apps},
 *     {@code namespaces}); null for an external metric
 * @param objectName the object's name, or {@code *}; null for an external metric
 * @param metric the metric's name
 */
record MetricPath(String namespace, String resourceName, String objectName, String metric) {

    /**
     * The path's reading; null when it is no metric route's shape.
     *
     * @param s the decoded segments, past discovery ({@code apis}, group, version and more)
     */
    static MetricPath of(List<String> s) {
        if (s.get(1).equals(MetricsApi.EXTERNAL_GROUP)) {
            return s.size() == 6 && s.get(3).equals("namespaces") ? new MetricPath(s.get(4), null, null, s.get(5)) : null;
        }
        if (s.size() == 8 && s.get(3).equals("namespaces")) {
            return new MetricPath(s.get(4), s.get(5), s.get(6), s.get(7));
        }
        if (s.size() == 7 && s.get(3).equals("namespaces") && s.get(5).equals("metrics")) {
            return new MetricPath(null, "namespaces", s.get(4), s.get(6)); // a namespace's own metric
        }
        if (s.size() == 6) {
            return new MetricPath(null, s.get(3), s.get(4), s.get(5));
        }
        return null;
    }

    boolean external() {
        return resourceName == null;
    }

    /** The name discovery lists the metric under: {@code pods/http_requests}, or an external metric's own. */
    String discoveryName() {
        return external() ? metric : resourceName + "/" + metric;
    }
}
