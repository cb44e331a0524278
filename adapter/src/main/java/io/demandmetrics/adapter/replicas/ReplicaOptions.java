package io.demandmetrics.adapter.replicas;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How replicas share the polling (in-cluster only; off when {@code buckets} is 0).
 *
 * @param buckets how many buckets the metrics are hashed into; 0: every replica polls every metric
 * @param peerPort the port other replicas push readings to
 * @param peerHost the address others reach this replica at (the pod IP), with a port when it is
 *     not {@code peerPort} (one mapped in front of it); null: {@code POD_IP}
 * @param peerTokenFile the token projected for {@link PeerAuthenticator#AUDIENCE}
 * @param leaseNamespace where the Leases live; null: {@code POD_NAMESPACE}, else the service account's namespace
 * @param leaseName the Leases' name prefix (the Deployment's name)
 * @param flushEvery how often new readings are sent to the other replicas
 */
public record ReplicaOptions(int buckets, int peerPort, String peerHost, Path peerTokenFile, String leaseNamespace,
                             String leaseName, LeaseTiming timing, Duration flushEvery) {

    public static final ReplicaOptions OFF = new ReplicaOptions(0, 6444, null,
            Path.of("/var/run/secrets/demand-metrics/peer-token"), null, "demand-metrics-adapter", LeaseTiming.DEFAULT,
            Duration.ofMillis(250));

    public boolean enabled() {
        return buckets > 0;
    }
}
