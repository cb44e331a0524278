package io.demandmetrics.adapter.objects;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The namespace the adapter runs in, where it keeps what it writes (Leases, the forwarded backends' CAs). */
public final class OwnNamespace {

    private static final Path SERVICE_ACCOUNT_NAMESPACE = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");

    private OwnNamespace() {
    }

    /**
     * {@code POD_NAMESPACE} (the Deployment sets it from the downward API), else the mounted
     * service account's namespace, else the API client's (a kubeconfig's context); empty when none says.
     */
    public static Optional<String> of(KubernetesClient kubernetes) {
        String fromEnv = System.getenv("POD_NAMESPACE");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Optional.of(fromEnv);
        }
        try {
            if (Files.isReadable(SERVICE_ACCOUNT_NAMESPACE)) {
                return Optional.of(Files.readString(SERVICE_ACCOUNT_NAMESPACE).trim());
            }
        } catch (IOException e) {
            // fall through to the client's namespace
        }
        return Optional.ofNullable(kubernetes.getNamespace());
    }
}
