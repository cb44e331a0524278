package io.demandmetrics.adapter;

import io.demandmetrics.adapter.auth.DelegatedAuthentication;
import io.demandmetrics.adapter.explain.HpaProposals;
import io.demandmetrics.adapter.forward.ApiServiceCa;
import io.demandmetrics.adapter.forward.ClusterCa;
import io.demandmetrics.adapter.http.AdapterServer.ClientCertificates;
import io.demandmetrics.adapter.http.DelegatedGate;
import io.demandmetrics.adapter.http.LoopbackGate;
import io.demandmetrics.adapter.http.RequestGate;
import io.demandmetrics.adapter.objects.HpaInformer;
import io.demandmetrics.adapter.objects.InformerObjects;
import io.demandmetrics.adapter.objects.InformerPods;
import io.demandmetrics.adapter.objects.OwnNamespace;
import io.demandmetrics.adapter.objects.ObjectResolver;
import io.demandmetrics.adapter.objects.ReportedObjects;
import io.demandmetrics.adapter.replicas.LeaseSharing;
import io.demandmetrics.adapter.replicas.ReplicaOptions;
import io.demandmetrics.adapter.replicas.Sharing;
import io.demandmetrics.adapter.tls.ServingCertificate;
import io.micrometer.core.instrument.MeterRegistry;
import io.demandmetrics.scaler.spi.Pods;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * How the adapter serves, decided once at startup: {@link Standalone} (no Kubernetes API,
 * anonymous callers on loopback or with a client certificate from one CA, objects as the
 * scalers report them) or {@link InCluster} (every caller authenticated and authorized through
 * the Kubernetes API, objects, pods and HPAs from informers).
 */
sealed interface ServingMode permits ServingMode.Standalone, ServingMode.InCluster {

    /** Which Kubernetes objects exist and match a selector. */
    ObjectResolver objects();

    /** How TLS treats client certificates. */
    ClientCertificates clientCertificates();

    /** Who may make which request. */
    RequestGate gate();

    /** The cluster's pods for scalers that read them (rps, latency); empty without a cluster. */
    Optional<Pods> pods();

    /**
     * The HPAs the explain page shows proposals for.
     *
     * @param fromFiles the manifests of {@code --hpa-files} (standalone only)
     */
    Supplier<List<HorizontalPodAutoscaler>> hpas(List<HorizontalPodAutoscaler> fromFiles);

    /** An HPA target's running pods for the explain page; null when the adapter knows no pods. */
    HpaProposals.TargetPods targetPods();

    /**
     * How this replica shares the polling: alone standalone, or with sharing off; by bucket
     * Leases in a cluster with {@code --replica-buckets}.
     *
     * @throws StartupException (exit code 2) when sharing is asked for and something it needs is missing
     */
    Sharing sharing(ReplicaOptions options, Vertx vertx, ServingCertificate certificate, MeterRegistry registry,
                    Clock clock) throws StartupException;

    /** The Kubernetes API client; empty standalone. */
    Optional<KubernetesClient> kubernetes();

    /** Where forwarded backends with {@code caFromAPIService} find their CA: the cluster's APIServices. */
    ClusterCa clusterCa(Vertx vertx);

    /** Stops what the mode started (informers, watches, the API client). */
    void close();

    static ServingMode standalone(AdapterOptions options) {
        return new Standalone(options.clientCaFile());
    }

    /** @throws StartupException (exit code 1) when the Kubernetes API cannot be reached or configured */
    static ServingMode inCluster(AdapterOptions options, Vertx vertx, Clock clock) throws StartupException {
        KubernetesClient kubernetes = null;
        try {
            kubernetes = kubernetesClient(options.auth().kubeconfig());
            DelegatedAuthentication delegated = DelegatedAuthentication.start(kubernetes, options.auth(),
                    options.clientCaFile(), vertx.createSharedWorkerExecutor("kubernetes-api", 8), clock);
            return new InCluster(kubernetes, delegated, new InformerObjects(kubernetes, vertx.getOrCreateContext()),
                    new DelegatedGate(delegated.authenticator(), delegated.access(),
                            Set.copyOf(options.auth().alwaysAllowPaths())), new HpaInformer(kubernetes));
        } catch (IllegalStateException | IllegalArgumentException | KubernetesClientException e) {
            if (kubernetes != null) {
                kubernetes.close();
            }
            throw new StartupException(1, e.getMessage(), e);
        }
    }

    /** The API client: from {@code --kubeconfig}, else the pod's service account. */
    private static KubernetesClient kubernetesClient(Path kubeconfig) {
        Config config;
        if (kubeconfig != null) {
            try {
                config = Config.fromKubeconfig(Files.readString(kubeconfig));
            } catch (IOException e) {
                throw new IllegalStateException("cannot read --kubeconfig " + kubeconfig + ": " + e.getMessage(), e);
            }
        } else {
            config = Config.autoConfigure(null);
        }
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** No Kubernetes API: callers on loopback, or with a certificate from {@code --client-ca-file}. */
    final class Standalone implements ServingMode {

        private final ClientCertificates certificates;
        private final RequestGate gate;
        private final ObjectResolver objects = new ReportedObjects();

        Standalone(Path clientCaFile) {
            this.certificates = clientCaFile == null ? ClientCertificates.NONE
                    : ClientCertificates.requiredFrom(clientCaFile);
            this.gate = new LoopbackGate(clientCaFile != null);
        }

        @Override
        public ObjectResolver objects() {
            return objects;
        }

        @Override
        public ClientCertificates clientCertificates() {
            return certificates;
        }

        @Override
        public RequestGate gate() {
            return gate;
        }

        @Override
        public Optional<Pods> pods() {
            return Optional.empty();
        }

        @Override
        public Supplier<List<HorizontalPodAutoscaler>> hpas(List<HorizontalPodAutoscaler> fromFiles) {
            return () -> fromFiles;
        }

        @Override
        public HpaProposals.TargetPods targetPods() {
            return null;
        }

        /** One process polls every metric (the options refuse --replica-buckets standalone). */
        @Override
        public Sharing sharing(ReplicaOptions options, Vertx vertx, ServingCertificate certificate,
                               MeterRegistry registry, Clock clock) {
            return Sharing.ALONE;
        }

        @Override
        public Optional<KubernetesClient> kubernetes() {
            return Optional.empty();
        }

        @Override
        public ClusterCa clusterCa(Vertx vertx) {
            return ClusterCa.NONE;
        }

        @Override
        public void close() {
        }
    }

    /** Through the Kubernetes API: delegated authentication and authorization, informers. */
    final class InCluster implements ServingMode {

        /** The scale kinds whose pods are found through their selector, and the resource that holds it. */
        private static final Map<String, String> SCALE_KINDS = Map.of("Deployment", "deployments.apps",
                "StatefulSet", "statefulsets.apps", "ReplicaSet", "replicasets.apps");

        private final KubernetesClient kubernetes;
        private final DelegatedAuthentication delegated;
        private final InformerObjects objects;
        private final RequestGate gate;
        private final HpaInformer hpas;
        private final Pods pods;

        InCluster(KubernetesClient kubernetes, DelegatedAuthentication delegated, InformerObjects objects,
                  RequestGate gate, HpaInformer hpas) {
            this.kubernetes = kubernetes;
            this.delegated = delegated;
            this.objects = objects;
            this.gate = gate;
            this.hpas = hpas;
            this.pods = new InformerPods(objects);
        }

        @Override
        public ObjectResolver objects() {
            return objects;
        }

        /** Any chain is accepted by TLS; the authenticator checks it against the front-proxy or client CA. */
        @Override
        public ClientCertificates clientCertificates() {
            return ClientCertificates.requestedFromAnyone();
        }

        @Override
        public RequestGate gate() {
            return gate;
        }

        @Override
        public Optional<Pods> pods() {
            return Optional.of(pods);
        }

        /** The cluster's HPAs, from an informer started on the explain page's first request. */
        @Override
        public Supplier<List<HorizontalPodAutoscaler>> hpas(List<HorizontalPodAutoscaler> fromFiles) {
            return hpas;
        }

        /** The target's selector, then its running pods, from the informers; called on a worker, it may wait for the caches. */
        @Override
        public HpaProposals.TargetPods targetPods() {
            return (namespace, kind, name) -> {
                String resource = SCALE_KINDS.get(kind);
                if (resource == null) {
                    return null;
                }
                try {
                    return pods.selectorOf(namespace, resource, name)
                            .compose(selector -> pods.running(namespace, selector))
                            .map(running -> running.stream().map(Pods.Pod::name).toList())
                            .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    return null;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            };
        }

        @Override
        public Sharing sharing(ReplicaOptions options, Vertx vertx, ServingCertificate certificate,
                               MeterRegistry registry, Clock clock) throws StartupException {
            if (!options.enabled()) {
                return Sharing.ALONE;
            }
            try {
                return LeaseSharing.create(vertx, kubernetes, options, certificate, registry, clock);
            } catch (IllegalStateException e) {
                throw new StartupException(2, e.getMessage());
            }
        }

        @Override
        public Optional<KubernetesClient> kubernetes() {
            return Optional.of(kubernetes);
        }

        @Override
        public ClusterCa clusterCa(Vertx vertx) {
            return OwnNamespace.of(kubernetes).<ClusterCa>map(namespace -> new ApiServiceCa(kubernetes,
                    vertx.createSharedWorkerExecutor("kubernetes-api", 8), namespace))
                    .orElse(backend -> Future.failedFuture("caFromAPIService needs the adapter's namespace, where"
                            + " the backend's CA is saved: set the POD_NAMESPACE environment variable"));
        }

        @Override
        public void close() {
            hpas.close();
            objects.close();
            delegated.close();
            kubernetes.close();
        }
    }
}
