package io.demandmetrics.adapter.forward;

import io.demandmetrics.adapter.config.ForwardBackend;
import io.demandmetrics.adapter.objects.ApiCallDeadline;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backend's CA read from the APIService it was registered with ({@code caFromAPIService}), and
 * kept: once this adapter's own APIService replaces the backend's, the CA is no longer in the
 * cluster's APIService, so each CA read while the APIService still names the backend's Service is
 * saved in the ConfigMap {@value #SAVED_CAS} of the adapter's namespace (key
 * {@code <backend>.crt}), and used from there after the takeover. The adapter only gets and
 * patches that ConfigMap (the examples' RBAC names it; it is shipped empty, so no {@code create}).
 */
public final class ApiServiceCa implements ClusterCa {

    private static final Logger LOG = LoggerFactory.getLogger(ApiServiceCa.class);
    static final String SAVED_CAS = "demand-metrics-adapter-forward-ca";
    private static final ResourceDefinitionContext API_SERVICES = new ResourceDefinitionContext.Builder()
            .withGroup("apiregistration.k8s.io").withVersion("v1").withPlural("apiservices").withKind("APIService")
            .withNamespaced(false).build();
    /**
     * The longest one call (the APIService, the saved copy, its update) may hold a worker of the
     * pool it shares with the token and access reviews: the client's own timeout ends an answer
     * that never starts, not one that stops midway.
     */
    private static final Duration CALL_DEADLINE = Duration.ofSeconds(30);
    /** A CA bundle larger than this is not a CA bundle. */
    private static final int MAX_BUNDLE_BYTES = 256 * 1024;

    private final KubernetesClient kubernetes;
    private final WorkerExecutor worker;
    private final String namespace;
    private final Set<String> logged = ConcurrentHashMap.newKeySet();

    /**
     * @param worker where the API calls wait
     * @param namespace the adapter's namespace, where the saved copies are kept
     */
    public ApiServiceCa(KubernetesClient kubernetes, WorkerExecutor worker, String namespace) {
        this.kubernetes = kubernetes;
        this.worker = worker;
        this.namespace = namespace;
    }

    @Override
    public Future<String> read(ForwardBackend backend) {
        return worker.executeBlocking(() -> readNow(backend), false);
    }

    private String readNow(ForwardBackend backend) {
        String apiServiceName = backend.caFromApiService();
        GenericKubernetesResource apiService;
        try {
            apiService = ApiCallDeadline.within(CALL_DEADLINE,
                    () -> kubernetes.genericKubernetesResources(API_SERVICES).withName(apiServiceName).get());
        } catch (KubernetesClientException e) {
            throw new IllegalStateException("cannot read APIService " + apiServiceName + ": " + reason(e));
        }
        String named = apiService == null ? null : serviceOf(apiService);
        if (apiService != null && backend.service().toString().equals(named)) {
            String pem = bundle(apiService, apiServiceName);
            save(backend, pem);
            return pem;
        }
        String saved = saved(backend);
        if (saved != null) {
            return saved;
        }
        throw new IllegalStateException((apiService == null ? "APIService " + apiServiceName + " does not exist"
                : "APIService " + apiServiceName + " names " + (named == null ? "no Service" : "Service " + named))
                + ", not the backend's " + backend.service() + ", and no copy of the backend's CA was saved in"
                + " ConfigMap " + namespace + "/" + SAVED_CAS + " while it did: give caFile, or re-apply the"
                + " backend's APIService until this adapter has saved its CA");
    }

    /** {@code namespace/name} of the APIService's {@code spec.service}; null for a local APIService. */
    private static String serviceOf(GenericKubernetesResource apiService) {
        Object namespace = apiService.get("spec", "service", "namespace");
        Object name = apiService.get("spec", "service", "name");
        return namespace instanceof String && name instanceof String ? namespace + "/" + name : null;
    }

    private static String bundle(GenericKubernetesResource apiService, String apiServiceName) {
        Object encoded = apiService.get("spec", "caBundle");
        if (!(encoded instanceof String text) || text.isEmpty()) {
            throw new IllegalStateException("APIService " + apiServiceName + " names the backend's Service but has no"
                    + " caBundle" + (Boolean.TRUE.equals(apiService.get("spec", "insecureSkipTLSVerify"))
                    ? " (it skips TLS verification; give insecureSkipTLSVerify: true to do the same)" : ""));
        }
        String pem;
        try {
            pem = new String(Base64.getDecoder().decode(text), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("APIService " + apiServiceName + "'s caBundle is not base64");
        }
        if (!isCertificates(pem)) {
            throw new IllegalStateException("APIService " + apiServiceName + "'s caBundle holds no PEM certificate");
        }
        return pem;
    }

    private static boolean isCertificates(String pem) {
        if (pem.length() > MAX_BUNDLE_BYTES) {
            return false;
        }
        try {
            return !CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.UTF_8))).isEmpty();
        } catch (CertificateException e) {
            return false;
        }
    }

    /** The copy saved earlier; null when there is none (or it cannot be read: logged once). */
    private String saved(ForwardBackend backend) {
        try {
            ConfigMap saved = savedCas();
            String pem = saved == null || saved.getData() == null ? null : saved.getData().get(key(backend));
            return pem != null && isCertificates(pem) ? pem : null;
        } catch (KubernetesClientException e) {
            logOnce("cannot read ConfigMap " + namespace + "/" + SAVED_CAS + " for the saved CA of "
                    + backend.describe() + ": " + reason(e));
            return null;
        }
    }

    private void save(ForwardBackend backend, String pem) {
        try {
            ConfigMap saved = savedCas();
            if (saved == null) {
                logOnce("cannot save the CA of " + backend.describe() + " read from APIService "
                        + backend.caFromApiService() + ": ConfigMap " + namespace + "/" + SAVED_CAS + " does not"
                        + " exist (the forwarding RBAC example ships it); after this adapter's APIService replaces"
                        + " the backend's, the CA will not be known at the next start");
                return;
            }
            if (Objects.equals(saved.getData() == null ? null : saved.getData().get(key(backend)), pem)) {
                return;
            }
            ApiCallDeadline.within(CALL_DEADLINE, () -> kubernetes.configMaps().inNamespace(namespace)
                    .withName(SAVED_CAS).edit(map -> {
                        map.setData(map.getData() == null ? new HashMap<>() : map.getData());
                        map.getData().put(key(backend), pem);
                        return map;
                    }));
            LOG.info("saved the CA of {} from APIService {} in ConfigMap {}/{}", backend.describe(),
                    backend.caFromApiService(), namespace, SAVED_CAS);
        } catch (KubernetesClientException e) {
            logOnce("cannot save the CA of " + backend.describe() + " in ConfigMap " + namespace + "/" + SAVED_CAS
                    + ": " + reason(e));
        }
    }

    private ConfigMap savedCas() {
        return ApiCallDeadline.within(CALL_DEADLINE,
                () -> kubernetes.configMaps().inNamespace(namespace).withName(SAVED_CAS).get());
    }

    private static String key(ForwardBackend backend) {
        return backend.name() + ".crt";
    }

    private void logOnce(String message) {
        if (logged.size() < 100 && logged.add(message)) {
            LOG.warn(message);
        }
    }

    private static String reason(KubernetesClientException e) {
        return e.getCode() > 0 ? "HTTP " + e.getCode() + (e.getStatus() != null && e.getStatus().getMessage() != null
                ? " " + e.getStatus().getMessage() : "") : String.valueOf(e.getMessage());
    }
}
