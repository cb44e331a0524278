package io.demandmetrics.adapter.objects;

import io.demandmetrics.adapter.api.KubernetesResource;
import io.demandmetrics.adapter.failure.RequestFailure;
import io.demandmetrics.adapter.selector.LabelSelector;
import io.demandmetrics.scaler.spi.Sample;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Objects from shared informer caches, one per resource type, started when a request first
 * needs it: requests never LIST. Objects being deleted (with a deletion timestamp) are left
 * out. Label selectors, set-based ones included, are matched here, on the cache.
 */
public final class InformerObjects implements ObjectResolver, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InformerObjects.class);
    private static final long SYNC_TIMEOUT_SECONDS = 10;

    private final KubernetesClient client;
    private final Context context;
    private final Map<String, Informer> informers = new ConcurrentHashMap<>();

    /** One resource type's cache and how often it changed. */
    private record Informer(SharedIndexInformer<GenericKubernetesResource> informer, Future<Void> synced,
                            AtomicLong generation) {
    }

    public InformerObjects(KubernetesClient client, Context context) {
        this.client = client;
        this.context = context;
    }

    @Override
    public Future<Set<String>> matching(KubernetesResource resource, String namespace, LabelSelector selector,
                                        List<Sample> samples) {
        return objects(resource, namespace).map(objects -> {
            Set<String> names = new HashSet<>();
            for (GenericKubernetesResource object : objects) {
                var metadata = object.getMetadata();
                Map<String, String> labels = metadata.getLabels() == null ? Map.of() : metadata.getLabels();
                if (selector.matches(labels)) {
                    names.add(metadata.getName());
                }
            }
            return names;
        });
    }

    /**
     * The cached objects of {@code resource} in {@code namespace} (every namespace when null),
     * those being deleted left out, once the informer has synced.
     */
    public Future<List<GenericKubernetesResource>> objects(KubernetesResource resource, String namespace) {
        Informer informer = informer(resource);
        return informer.synced().map(ready -> {
            List<GenericKubernetesResource> objects = namespace == null ? informer.informer().getStore().list()
                    : informer.informer().getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace);
            List<GenericKubernetesResource> live = new ArrayList<>(objects.size());
            for (GenericKubernetesResource object : objects) {
                if (object.getMetadata().getDeletionTimestamp() == null) {
                    live.add(object);
                }
            }
            return live;
        });
    }

    @Override
    public long generation(KubernetesResource resource) {
        Informer informer = informers.get(resource.resource());
        return informer == null ? -1 : informer.generation().get();
    }

    @Override
    public void close() {
        informers.values().forEach(i -> i.informer().close());
        informers.clear();
    }

    private Informer informer(KubernetesResource resource) {
        Informer existing = informers.get(resource.resource());
        if (existing != null && !existing.synced().failed()) {
            return existing;
        }
        return informers.compute(resource.resource(), (name, current) -> {
            if (current != null && !current.synced().failed()) {
                return current;
            }
            if (current != null) {
                current.informer().close(); // a failed start is retried by the next request
            }
            return start(resource);
        });
    }

    private Informer start(KubernetesResource resource) {
        ResourceDefinitionContext definition = new ResourceDefinitionContext.Builder()
                .withGroup(resource.group()).withVersion(resource.version()).withKind(resource.kind())
                .withPlural(resource.resource().split("\\.", 2)[0]).withNamespaced(resource.namespaced()).build();
        AtomicLong generation = new AtomicLong();
        SharedIndexInformer<GenericKubernetesResource> informer = client.genericKubernetesResources(definition)
                .inAnyNamespace().runnableInformer(0);
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(GenericKubernetesResource object) {
                generation.incrementAndGet();
            }

            @Override
            public void onUpdate(GenericKubernetesResource old, GenericKubernetesResource object) {
                generation.incrementAndGet();
            }

            @Override
            public void onDelete(GenericKubernetesResource object, boolean unknownFinalState) {
                generation.incrementAndGet();
            }
        });
        LOG.info("starting the {} informer", resource.resource());
        Future<Void> synced = Future.fromCompletionStage(informer.start(), context)
                .timeout(SYNC_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .recover(e -> {
                    LOG.warn("cannot list and watch {}: {}", resource.resource(), e.getMessage());
                    return Future.failedFuture(new RequestFailure.ObjectsNotYetKnown("cannot list and watch "
                            + resource.resource() + " (the adapter needs list and watch on them): " + e.getMessage()));
                });
        return new Informer(informer, synced, generation);
    }
}
