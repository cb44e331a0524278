package io.demandmetrics.adapter.objects;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's HorizontalPodAutoscalers (autoscaling/v2), from an informer started the first
 * time the explain page asks: an adapter nobody asks to explain watches nothing more. Until it
 * has synced, and if it cannot list them (no read access), the list is empty and the reason is
 * logged once.
 */
public final class HpaInformer implements Supplier<List<HorizontalPodAutoscaler>>, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HpaInformer.class);

    private final KubernetesClient client;
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile SharedIndexInformer<HorizontalPodAutoscaler> informer;
    private volatile CompletableFuture<Void> synced;

    public HpaInformer(KubernetesClient client) {
        this.client = client;
    }

    /** The HPAs known now; empty before the informer has synced or when it cannot list them. */
    @Override
    public List<HorizontalPodAutoscaler> get() {
        if (started.compareAndSet(false, true)) {
            informer = client.autoscaling().v2().horizontalPodAutoscalers().inAnyNamespace().runnableInformer(0);
            LOG.info("starting the horizontalpodautoscalers informer (for /explain)");
            synced = informer.start().toCompletableFuture();
            synced.exceptionally(error -> {
                LOG.warn("cannot list and watch horizontalpodautoscalers.autoscaling: {} (the explain page shows"
                        + " no HPAs; deploy/rbac.yaml grants the read access)", error.getMessage());
                return null;
            });
        }
        return synced.isDone() && !synced.isCompletedExceptionally() ? informer.getStore().list() : List.of();
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
    }
}
