package io.demandmetrics.scaler.spi;

import io.vertx.core.Future;
import java.util.List;
import java.util.Map;

/**
 * The cluster's pods as the adapter's pod informer holds them, for scalers that read the pods
 * themselves (the {@code rps} and {@code latency} scalers scrape them). Reads come from a
 * cache: cheap, non-blocking, callable on any event loop as often as every scrape tick. Only
 * in a cluster; standalone, {@link ScalerContext#pods()} is empty.
 */
public interface Pods {

    /**
     * A running pod with an IP: what a scraper needs to reach it and to pick its port.
     *
     * @param labels the pod's labels
     * @param annotations the pod's annotations ({@code prometheus.io/port}, {@code prometheus.io/path}, ...)
     */
    record Pod(String name, String ip, Map<String, String> labels, Map<String, String> annotations) {

        public Pod {
            labels = Map.copyOf(labels);
            annotations = Map.copyOf(annotations);
        }
    }

    /**
     * The pods of {@code namespace} that match {@code labelSelector} (the Kubernetes syntax,
     * {@code app=web,tier in (front)}) and are running with an IP, sorted by name; pods being
     * deleted are left out. Fails with a message to show when the selector is not valid or the
     * pods cannot be listed and watched (RBAC, API server down).
     */
    Future<List<Pod>> running(String namespace, String labelSelector);

    /**
     * The pod selector of a Service or workload, so a metric can name what it scales instead of
     * repeating its labels: {@code spec.selector} of the object {@code name} of {@code resource}
     * ({@code services}, {@code deployments.apps}, {@code statefulsets.apps},
     * {@code daemonsets.apps}, {@code replicasets.apps}) in {@code namespace}, in the syntax
     * {@link #running} takes. Read from the informer cache, so a changed selector is followed.
     * Fails with a message to show when the object does not exist or selects nothing.
     */
    Future<String> selectorOf(String namespace, String resource, String name);
}
