package io.demandmetrics.adapter.objects;

import io.demandmetrics.adapter.api.KubernetesResource;
import io.demandmetrics.adapter.selector.LabelSelector;
import io.demandmetrics.scaler.spi.Sample;
import io.vertx.core.Future;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Standalone mode, with no Kubernetes API: the objects are those the scalers report, matched
 * by the labels the scalers report for them.
 */
public final class ReportedObjects implements ObjectResolver {

    @Override
    public Future<Set<String>> matching(KubernetesResource resource, String namespace, LabelSelector selector,
                                        List<Sample> samples) {
        Set<String> names = new HashSet<>();
        for (Sample sample : samples) {
            if (selector.matches(sample.object().labels())) {
                names.add(sample.object().name());
            }
        }
        return Future.succeededFuture(names);
    }

    @Override
    public long generation(KubernetesResource resource) {
        return 0;
    }
}
