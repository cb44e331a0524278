package io.demandmetrics.adapter;

import io.demandmetrics.adapter.auth.DelegatedAuthentication;
import io.demandmetrics.adapter.http.AdapterServer;
import io.demandmetrics.adapter.http.DelegatedGate;
import io.demandmetrics.adapter.http.LoopbackGate;
import io.demandmetrics.adapter.http.RequestGate;
import io.demandmetrics.adapter.objects.InformerObjects;
import io.demandmetrics.adapter.objects.ObjectResolver;
import io.demandmetrics.adapter.objects.ReportedObjects;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Set;

/**
 * How the adapter serves, decided once at startup: standalone (no Kubernetes API, anonymous
 * callers on loopback or with a client certificate from one CA, objects as the scalers report
 * them) or in-cluster (every caller authenticated and authorized through the Kubernetes API,
 * objects from informers).
 *
 * @param kubernetes the API client in-cluster, null standalone
 * @param delegated authentication and authorization in-cluster, null standalone
 * @param hpaInformer the cluster's HPAs for the explain page, in-cluster; null standalone
 */
record ServingMode(ObjectResolver objects, AdapterServer.ClientCertificates clientCertificates, RequestGate gate,
                   KubernetesClient kubernetes, DelegatedAuthentication delegated,
                   io.demandmetrics.adapter.objects.HpaInformer hpaInformer) {

    /** The cluster's pods for scalers that read them (rps, latency): from the informers, in a cluster only. */
    java.util.Optional<io.demandmetrics.scaler.spi.Pods> pods() {
        return objects instanceof InformerObjects informers
                ? java.util.Optional.of(new io.demandmetrics.adapter.objects.InformerPods(informers))
                : java.util.Optional.empty();
    }

    static ServingMode standalone(AdapterOptions options) {
        AdapterServer.ClientCertificates certificates = options.clientCaFile() == null
                ? AdapterServer.ClientCertificates.NONE
                : AdapterServer.ClientCertificates.requiredFrom(options.clientCaFile());
        return new ServingMode(new ReportedObjects(), certificates, new LoopbackGate(options.clientCaFile() != null),
                null, null, null);
    }

    /** @throws StartupException (exit code 1) when the Kubernetes API cannot be reached or configured */
    static ServingMode inCluster(AdapterOptions options, Vertx vertx, Clock clock) throws StartupException {
        KubernetesClient kubernetes = null;
        try {
            kubernetes = kubernetesClient(options.auth().kubeconfig());
            DelegatedAuthentication delegated = DelegatedAuthentication.start(kubernetes, options.auth(),
                    options.clientCaFile(), vertx.createSharedWorkerExecutor("kubernetes-api", 8), clock);
            return new ServingMode(new InformerObjects(kubernetes, vertx.getOrCreateContext()),
                    AdapterServer.ClientCertificates.requestedFromAnyone(),
                    new DelegatedGate(delegated.authenticator(), delegated.access(),
                            Set.copyOf(options.auth().alwaysAllowPaths())),
                    kubernetes, delegated, new io.demandmetrics.adapter.objects.HpaInformer(kubernetes));
        } catch (IllegalStateException | IllegalArgumentException | KubernetesClientException e) {
            if (kubernetes != null) {
                kubernetes.close();
            }
            throw new StartupException(1, e.getMessage(), e);
        }
    }

    /**
     * The HPAs the explain page shows proposals for: in a cluster the cluster's (an informer),
     * standalone the manifests of {@code --hpa-files}.
     */
    java.util.function.Supplier<java.util.List<io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler>>
            hpas(java.util.List<io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler> fromFiles) {
        return hpaInformer != null ? hpaInformer : () -> fromFiles;
    }

    /** The scale kinds whose pods are found through their selector, and the resource that holds it. */
    private static final java.util.Map<String, String> SCALE_KINDS = java.util.Map.of("Deployment", "deployments.apps",
            "StatefulSet", "statefulsets.apps", "ReplicaSet", "replicasets.apps");

    /**
     * An HPA target's running pods for the explain page, from the informers (its selector, then
     * the pods); null standalone. Called on a worker, so it may wait a moment for the caches.
     */
    io.demandmetrics.adapter.explain.HpaProposals.TargetPods targetPods() {
        java.util.Optional<io.demandmetrics.scaler.spi.Pods> pods = pods();
        if (pods.isEmpty()) {
            return null;
        }
        return (namespace, kind, name) -> {
            String resource = SCALE_KINDS.get(kind);
            if (resource == null) {
                return null;
            }
            try {
                return pods.get().selectorOf(namespace, resource, name)
                        .compose(selector -> pods.get().running(namespace, selector))
                        .map(running -> running.stream().map(io.demandmetrics.scaler.spi.Pods.Pod::name).toList())
                        .toCompletionStage().toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        };
    }

    /** Stops the informers and watches and closes the API client. */
    void close() {
        if (hpaInformer != null) {
            hpaInformer.close();
        }
        if (objects instanceof InformerObjects informers) {
            informers.close();
        }
        if (delegated != null) {
            delegated.close();
        }
        if (kubernetes != null) {
            kubernetes.close();
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
}
