package io.demandmetrics.adapter.objects;

import io.demandmetrics.adapter.api.KubernetesResource;
import io.demandmetrics.adapter.selector.LabelSelector;
import io.demandmetrics.scaler.spi.Sample;
import io.vertx.core.Future;
import java.util.List;
import java.util.Set;

/**
 * Which Kubernetes objects a custom-metric request is about: those of a resource in a
 * namespace that match the HPA's {@code labelSelector}, or one object by name.
 */
public interface ObjectResolver {

    /**
     * The names of the objects that match, among which the metric's samples are served.
     *
     * @param namespace null for cluster-scoped resources
     * @param samples the metric's current samples (a resolver without its own view of the
     *     cluster answers from the objects they describe)
     */
    Future<Set<String>> matching(KubernetesResource resource, String namespace, LabelSelector selector,
                                 List<Sample> samples);

    /**
     * A number that changes whenever the objects of {@code resource} may have changed, so an
     * answer computed from them can be reused while it stays the same.
     */
    long generation(KubernetesResource resource);
}
