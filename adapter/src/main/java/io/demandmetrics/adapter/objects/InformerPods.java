package io.demandmetrics.adapter.objects;

import io.demandmetrics.adapter.api.KubernetesResource;
import io.demandmetrics.adapter.selector.LabelSelector;
import io.demandmetrics.adapter.selector.SelectorSyntaxException;
import io.demandmetrics.scaler.spi.Pods;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@link Pods} for scalers, from the same pod informer that answers {@code pods/*} requests:
 * running pods with an IP, matched on the cache, never a LIST per call.
 */
public final class InformerPods implements Pods {

    private static final KubernetesResource PODS = KubernetesResource.byName("pods").orElseThrow();

    private final InformerObjects informers;

    public InformerPods(InformerObjects informers) {
        this.informers = informers;
    }

    @Override
    public Future<List<Pod>> running(String namespace, String labelSelector) {
        LabelSelector selector;
        try {
            selector = LabelSelector.parse(labelSelector == null ? "" : labelSelector);
        } catch (SelectorSyntaxException e) {
            return Future.failedFuture(new IllegalArgumentException("invalid pod selector: " + e.getMessage()));
        }
        return informers.objects(PODS, namespace).map(objects -> {
            List<Pod> pods = new ArrayList<>();
            for (GenericKubernetesResource object : objects) {
                Map<String, String> labels = object.getMetadata().getLabels() == null ? Map.of()
                        : object.getMetadata().getLabels();
                String ip = status(object, "podIP");
                if ("Running".equals(status(object, "phase")) && ip != null && !ip.isEmpty()
                        && selector.matches(labels)) {
                    Map<String, String> annotations = object.getMetadata().getAnnotations() == null ? Map.of()
                            : object.getMetadata().getAnnotations();
                    pods.add(new Pod(object.getMetadata().getName(), ip, labels, annotations));
                }
            }
            pods.sort(Comparator.comparing(Pod::name));
            return pods;
        });
    }

    @Override
    public Future<String> selectorOf(String namespace, String resource, String name) {
        KubernetesResource kind = KubernetesResource.byName(resource).orElse(null);
        if (kind == null || !SELECTING.contains(resource)) {
            return Future.failedFuture(new IllegalArgumentException("cannot select pods through " + resource
                    + "; one of " + SELECTING));
        }
        return informers.objects(kind, namespace).compose(objects -> {
            for (GenericKubernetesResource object : objects) {
                if (object.getMetadata().getName().equals(name)) {
                    String selector = selector(object);
                    return selector == null || selector.isEmpty()
                            ? Future.failedFuture(new IllegalArgumentException(kind.kind() + " " + namespace + "/"
                                    + name + " has no pod selector"))
                            : Future.succeededFuture(selector);
                }
            }
            return Future.failedFuture(new IllegalArgumentException("no " + kind.kind() + " " + namespace + "/" + name));
        });
    }

    private static final List<String> SELECTING = List.of("services", "deployments.apps", "statefulsets.apps",
            "daemonsets.apps", "replicasets.apps");

    /**
     * {@code spec.selector} in the selector syntax: a Service's is a map of labels; a
     * workload's is a LabelSelector (matchLabels and matchExpressions).
     */
    @SuppressWarnings("unchecked")
    static String selector(GenericKubernetesResource object) {
        Object spec = object.getAdditionalProperties().get("spec");
        Object selector = spec instanceof Map<?, ?> map ? map.get("selector") : null;
        if (!(selector instanceof Map<?, ?> fields)) {
            return null;
        }
        List<String> terms = new ArrayList<>();
        boolean labelSelector = fields.containsKey("matchLabels") || fields.containsKey("matchExpressions");
        Object matchLabels = labelSelector ? fields.get("matchLabels") : fields;
        if (matchLabels instanceof Map<?, ?> labels) {
            new TreeMap<>((Map<String, Object>) labels).forEach((key, value) -> terms.add(key + "=" + value));
        }
        if (fields.get("matchExpressions") instanceof List<?> expressions) {
            for (Object expression : expressions) {
                if (expression instanceof Map<?, ?> e) {
                    String key = String.valueOf(e.get("key"));
                    List<?> values = e.get("values") instanceof List<?> list ? list : List.of();
                    String joined = values.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(","));
                    switch (String.valueOf(e.get("operator"))) {
                        case "In" -> terms.add(key + " in (" + joined + ")");
                        case "NotIn" -> terms.add(key + " notin (" + joined + ")");
                        case "Exists" -> terms.add(key);
                        case "DoesNotExist" -> terms.add("!" + key);
                        default -> {
                            return null;
                        }
                    }
                }
            }
        }
        return String.join(",", terms);
    }

    private static String status(GenericKubernetesResource pod, String field) {
        Object status = pod.getAdditionalProperties().get("status");
        return status instanceof Map<?, ?> map && map.get(field) instanceof String text ? text : null;
    }
}
