package io.demandmetrics.adapter.auth;

import io.demandmetrics.adapter.failure.Causes;
import io.demandmetrics.adapter.objects.ApiCallDeadline;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delegated authentication and authorization, as Kubernetes extension API servers do it: CAs
 * and header names from ConfigMap {@code kube-system/extension-apiserver-authentication}
 * (watched, so a rotated front-proxy CA applies without a restart) unless flags give them,
 * TokenReview for bearer tokens and SubjectAccessReview for every request.
 */
public final class DelegatedAuthentication implements AutoCloseable {

    static final String NAMESPACE = "kube-system";
    static final String NAME = "extension-apiserver-authentication";
    private static final Logger LOG = LoggerFactory.getLogger(DelegatedAuthentication.class);
    /** Longer than the client's retries against an API that refuses connections; a stalled answer ends here. */
    private static final Duration STARTUP_READ = Duration.ofMinutes(2);

    private final AtomicReference<AuthenticationSettings> settings;
    private final KubernetesReviews reviews;
    private final SharedIndexInformer<ConfigMap> informer;

    private DelegatedAuthentication(AtomicReference<AuthenticationSettings> settings, KubernetesReviews reviews,
                                    SharedIndexInformer<ConfigMap> informer) {
        this.settings = settings;
        this.reviews = reviews;
        this.informer = informer;
    }

    /**
     * Reads the settings (blocking: call at startup, not on an event loop) and starts watching
     * the ConfigMap when the flags leave anything to it.
     *
     * @param clientCaFile the {@code --client-ca-file} flag, or null
     * @throws IllegalStateException when neither flags nor the ConfigMap give a front-proxy CA
     *     or client CA, with what to fix
     */
    public static DelegatedAuthentication start(KubernetesClient client, DelegatedAuthOptions options, Path clientCaFile,
                                                WorkerExecutor executor, Clock clock) {
        boolean flagsSuffice = options.requestheaderClientCaFile() != null && clientCaFile != null;
        AuthenticationSettings initial = build(options, clientCaFile, flagsSuffice ? Map.of() : configMapData(client));
        if (initial.requestHeader() == null && initial.clientCa() == null) {
            throw new IllegalStateException("no front-proxy CA and no client CA: ConfigMap " + NAMESPACE + "/" + NAME
                    + " has neither requestheader-client-ca-file nor client-ca-file, and neither"
                    + " --requestheader-client-ca-file nor --client-ca-file is given");
        }
        AtomicReference<AuthenticationSettings> current = new AtomicReference<>(initial);
        SharedIndexInformer<ConfigMap> informer = flagsSuffice ? null : client.configMaps().inNamespace(NAMESPACE)
                .withName(NAME).inform(new ConfigMapWatch(options, clientCaFile, current));
        LOG.info("delegated authentication: {}", describe(initial));
        return new DelegatedAuthentication(current,
                new KubernetesReviews(reviewClient(client), executor, options.tokenCacheTtl(),
                        options.authorizationCacheTtl(), clock),
                informer);
    }

    /**
     * ConfigMap kube-system/extension-apiserver-authentication's data, read once at startup: within
     * {@link #STARTUP_READ}, so that an answer which stops midway fails the start with a reason.
     */
    private static Map<String, String> configMapData(KubernetesClient client) {
        try {
            ConfigMap configMap = ApiCallDeadline.within(STARTUP_READ,
                    () -> client.configMaps().inNamespace(NAMESPACE).withName(NAME).get());
            return configMap != null && configMap.getData() != null ? configMap.getData() : Map.of();
        } catch (KubernetesClientException e) {
            if (e.getCode() <= 0) {
                // No HTTP status (fabric8 gives -1): the API server was never reached (after fabric8's retries), and
                // a RoleBinding would not help. Its message says only that the operation failed.
                throw new IllegalStateException("cannot read ConfigMap " + NAMESPACE + "/" + NAME + ": cannot reach"
                        + " the Kubernetes API server at " + client.getConfiguration().getMasterUrl() + " ("
                        + rootCause(e) + "); check --kubeconfig, or the pod's service account and network", e);
            }
            throw new IllegalStateException("cannot read ConfigMap " + NAMESPACE + "/" + NAME + ": "
                    + e.getMessage() + "; the adapter needs the RoleBinding to"
                    + " extension-apiserver-authentication-reader in kube-system, or the flags"
                    + " --requestheader-client-ca-file and --client-ca-file", e);
        }
    }

    /** What failed below fabric8's "Operation ... failed": each cause with its message, at most three. */
    private static String rootCause(Throwable error) {
        List<String> causes = Causes.below(error, 3);
        return causes.isEmpty() ? String.valueOf(error.getMessage()) : String.join("; ", causes);
    }

    /** The ConfigMap's changes, applied when valid (a rotated front-proxy CA); an invalid one keeps the last. */
    private static final class ConfigMapWatch implements ResourceEventHandler<ConfigMap> {
        private final DelegatedAuthOptions options;
        private final Path clientCaFile;
        private final AtomicReference<AuthenticationSettings> current;

        ConfigMapWatch(DelegatedAuthOptions options, Path clientCaFile, AtomicReference<AuthenticationSettings> current) {
            this.options = options;
            this.clientCaFile = clientCaFile;
            this.current = current;
        }

        @Override
        public void onAdd(ConfigMap configMap) {
            update(configMap);
        }

        @Override
        public void onUpdate(ConfigMap old, ConfigMap configMap) {
            update(configMap);
        }

        @Override
        public void onDelete(ConfigMap configMap, boolean unknownFinalState) {
            LOG.warn("ConfigMap {}/{} was deleted; keeping the last authentication settings", NAMESPACE, NAME);
        }

        private void update(ConfigMap configMap) {
            try {
                AuthenticationSettings fresh = build(options, clientCaFile,
                        configMap.getData() == null ? Map.of() : configMap.getData());
                if (!describe(fresh).equals(describe(current.get()))) {
                    current.set(fresh);
                    LOG.info("authentication settings updated from ConfigMap {}/{}: {}", NAMESPACE, NAME,
                            describe(fresh));
                }
            } catch (RuntimeException e) {
                LOG.warn("ConfigMap {}/{} changed but is invalid ({}); keeping the last authentication"
                        + " settings", NAMESPACE, NAME, e.getMessage());
            }
        }
    }

    public RequestAuthenticator authenticator() {
        return new RequestAuthenticator(settings::get, reviews);
    }

    public AccessReviewer access() {
        return reviews;
    }

    /** The settings in force now. */
    public AuthenticationSettings settings() {
        return settings.get();
    }

    /**
     * A client of its own for reviews: fabric8's defaults (10 s per request, 10 retries with
     * backoff) made one request wait 129 s on a hanging API and cost 11 reviews on a 500.
     */
    private static KubernetesClient reviewClient(KubernetesClient client) {
        Config config = new ConfigBuilder(client.getConfiguration())
                .withRequestTimeout((int) KubernetesReviews.REQUEST_TIMEOUT.toMillis())
                .withConnectionTimeout((int) KubernetesReviews.REQUEST_TIMEOUT.toMillis())
                .withRequestRetryBackoffLimit(0)
                .build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    @Override
    public void close() {
        reviews.close();
        if (informer != null) {
            informer.close();
        }
    }

    private static AuthenticationSettings build(DelegatedAuthOptions options, Path clientCaFile,
                                                Map<String, String> data) {
        RequestHeaderSettings front;
        if (options.requestheaderClientCaFile() != null) {
            front = new RequestHeaderSettings(
                    CertificateAuthority.fromPem(read(options.requestheaderClientCaFile()),
                            "--requestheader-client-ca-file " + options.requestheaderClientCaFile()),
                    options.requestheaderAllowedNames(),
                    orDefault(options.requestheaderUsernameHeaders(), List.of("X-Remote-User")),
                    orDefault(options.requestheaderGroupHeaders(), List.of("X-Remote-Group")),
                    orDefault(options.requestheaderExtraHeadersPrefix(), List.of("X-Remote-Extra-")));
        } else {
            front = RequestHeaderSettings.fromConfigMap(data);
        }
        CertificateAuthority clientCa = clientCaFile != null
                ? CertificateAuthority.fromPem(read(clientCaFile), "--client-ca-file " + clientCaFile)
                : data.containsKey("client-ca-file") && !data.get("client-ca-file").isBlank()
                ? CertificateAuthority.fromPem(data.get("client-ca-file"), "client-ca-file in the ConfigMap") : null;
        return new AuthenticationSettings(front, clientCa);
    }

    private static String describe(AuthenticationSettings settings) {
        RequestHeaderSettings front = settings.requestHeader();
        return (front == null ? "no front proxy" : "front-proxy CA " + subjects(front.ca()) + ", allowed names "
                + front.allowedNames() + ", user headers " + front.usernameHeaders())
                + "; " + (settings.clientCa() == null ? "no client CA" : "client CA " + subjects(settings.clientCa()));
    }

    private static List<String> subjects(CertificateAuthority ca) {
        return ca.certificates().stream().map(c -> c.getSubjectX500Principal().getName() + " #"
                + c.getSerialNumber().toString(16)).toList();
    }

    private static <T> List<T> orDefault(List<T> values, List<T> defaults) {
        return values.isEmpty() ? defaults : values;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
