package io.demandmetrics.adapter.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A kind of Kubernetes object a custom metric can describe, named the way the RESTMapper
 * prints it in metric paths ({@code pods}, {@code deployments.apps}).
 *
 * @param resource the plural, group-qualified name used in the path
 * @param kind the object kind, for {@code describedObject.kind}
 * @param groupVersion the API group and version, {@code ""} group for core objects
 * @param namespaced whether objects live in a namespace
 */
public record KubernetesResource(String resource, String kind, String group, String version, boolean namespaced) {

    private static final Map<String, KubernetesResource> KNOWN = index(List.of(
            new KubernetesResource("pods", "Pod", "", "v1", true),
            new KubernetesResource("services", "Service", "", "v1", true),
            new KubernetesResource("endpoints", "Endpoints", "", "v1", true),
            new KubernetesResource("persistentvolumeclaims", "PersistentVolumeClaim", "", "v1", true),
            new KubernetesResource("replicationcontrollers", "ReplicationController", "", "v1", true),
            new KubernetesResource("namespaces", "Namespace", "", "v1", false),
            new KubernetesResource("nodes", "Node", "", "v1", false),
            new KubernetesResource("deployments.apps", "Deployment", "apps", "v1", true),
            new KubernetesResource("statefulsets.apps", "StatefulSet", "apps", "v1", true),
            new KubernetesResource("replicasets.apps", "ReplicaSet", "apps", "v1", true),
            new KubernetesResource("daemonsets.apps", "DaemonSet", "apps", "v1", true),
            new KubernetesResource("jobs.batch", "Job", "batch", "v1", true),
            new KubernetesResource("cronjobs.batch", "CronJob", "batch", "v1", true),
            new KubernetesResource("ingresses.networking.k8s.io", "Ingress", "networking.k8s.io", "v1", true),
            new KubernetesResource("httproutes.gateway.networking.k8s.io", "HTTPRoute",
                    "gateway.networking.k8s.io", "v1", true)));

    /** A resource by its path name, e.g. {@code deployments.apps}. */
    public static Optional<KubernetesResource> byName(String resource) {
        return Optional.ofNullable(KNOWN.get(resource));
    }

    /** The path names this adapter knows, for error messages. */
    public static List<String> knownNames() {
        return List.copyOf(KNOWN.keySet());
    }

    /** {@code describedObject.apiVersion}: group/version, so {@code "/v1"} for core (as upstream). */
    public String describedApiVersion() {
        return group + "/" + version;
    }

    private static Map<String, KubernetesResource> index(List<KubernetesResource> resources) {
        Map<String, KubernetesResource> byName = new LinkedHashMap<>();
        resources.forEach(r -> byName.put(r.resource(), r));
        return byName;
    }
}
