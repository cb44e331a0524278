package io.demandmetrics.adapter.crd;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the cluster's DemandMetrics (an informer, every namespace) and turns each burst of
 * changes into one config turn, which serves them beside the config file's metrics and then
 * writes their statuses. Without the CRD installed it says so once and looks again
 * every minute.
 */
public final class DemandMetricWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DemandMetricWatch.class);
    static final ResourceDefinitionContext DEMAND_METRICS = new ResourceDefinitionContext.Builder()
            .withGroup("demandmetrics.io").withVersion("v1alpha1").withPlural("demandmetrics").withKind("DemandMetric")
            .withNamespaced(true).build();
    /** Changes closer together than this are one turn: an informer's first list is thousands of events. */
    private static final long BURST_MILLIS = 100;
    private static final long RETRY_MILLIS = 60_000;

    private final Vertx vertx;
    private final Context context;
    private final KubernetesClient kubernetes;
    private final TeamMetrics team;
    private final TeamSecrets secrets;
    private final Supplier<Future<Void>> apply;
    private volatile SharedIndexInformer<GenericKubernetesResource> informer;
    /** Touched only on {@link #context}. */
    private boolean turnScheduled;
    private boolean absenceLogged;
    private volatile boolean closed;

    /**
     * @param secrets the Secrets DemandMetrics take credentials from: a change of one is a turn too
     * @param apply a config turn that serves {@code team}'s metrics as they are then (and writes their statuses)
     */
    public DemandMetricWatch(Vertx vertx, KubernetesClient kubernetes, TeamMetrics team, TeamSecrets secrets,
                             Supplier<Future<Void>> apply) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.kubernetes = kubernetes;
        this.team = team;
        this.secrets = secrets;
        this.apply = apply;
        secrets.onChange(this::changed);
    }

    /** Starts the informer; it lists every DemandMetric, then follows changes. */
    public void start() {
        if (closed) {
            return;
        }
        SharedIndexInformer<GenericKubernetesResource> started = kubernetes.genericKubernetesResources(DEMAND_METRICS)
                .inAnyNamespace().runnableInformer(0);
        started.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(GenericKubernetesResource resource) {
                team.put(resource);
                changed();
            }

            @Override
            public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource after) {
                team.put(after);
                // A status written (by this adapter) changes neither spec nor generation: no turn for it.
                if (!Objects.equals(before.getAdditionalProperties().get("spec"), after.getAdditionalProperties().get("spec"))
                        || !Objects.equals(before.getMetadata().getGeneration(), after.getMetadata().getGeneration())) {
                    changed();
                }
            }

            @Override
            public void onDelete(GenericKubernetesResource resource, boolean finalStateUnknown) {
                team.remove(resource);
                changed();
            }
        });
        informer = started;
        started.start().whenComplete((synced, error) -> {
            if (error == null) {
                LOG.info("watching DemandMetrics in every namespace");
                changed(); // none at all is a change too: the first turn writes no status but serves the list
                return;
            }
            started.stop();
            if (!absenceLogged) {
                absenceLogged = true;
                LOG.warn("cannot watch DemandMetrics ({}); is deploy/crd-demandmetric.yaml applied and may the adapter"
                        + " list them? Looking again every {} s", error.getMessage(), RETRY_MILLIS / 1000);
            }
            vertx.setTimer(RETRY_MILLIS, id -> start());
        });
    }

    /** One turn for a burst of changes; its statuses written once the store serves it. */
    private void changed() {
        context.runOnContext(ignored -> {
            if (turnScheduled || closed) {
                return;
            }
            turnScheduled = true;
            vertx.setTimer(BURST_MILLIS, id -> {
                turnScheduled = false;
                apply.get();
            });
        });
    }

    @Override
    public void close() {
        closed = true;
        secrets.close();
        SharedIndexInformer<GenericKubernetesResource> current = informer;
        if (current != null) {
            current.stop();
        }
    }
}
