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

    private static String status(GenericKubernetesResource pod, String field) {
        Object status = pod.getAdditionalProperties().get("status");
        return status instanceof Map<?, ?> map && map.get(field) instanceof String text ? text : null;
    }
}
