package io.demandmetrics.adapter.config;

import io.demandmetrics.adapter.api.KubernetesResource;

/**
 * What a request names: an external metric in a namespace, or a custom metric about a kind
 * of object (in a namespace unless the kind is cluster-scoped).
 *
 * @param resource the described kind, or null for an external metric
 * @param namespace null for a metric about cluster-scoped objects
 */
public record MetricKey(KubernetesResource resource, String namespace, String name) {

    public static MetricKey external(String namespace, String name) {
        return new MetricKey(null, namespace, name);
    }

    public boolean isExternal() {
        return resource == null;
    }

    /** {@code shop/orders-lag}, or {@code orders-lag} for cluster-scoped objects: for messages and labels. */
    public String id() {
        return namespace == null ? name : namespace + "/" + name;
    }

    /** {@code external} or the resource name, for messages and labels. */
    public String describes() {
        return resource == null ? "external" : resource.resource();
    }
}
