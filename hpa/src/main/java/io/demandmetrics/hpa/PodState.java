package io.demandmetrics.hpa;

import java.time.Instant;

/**
 * A pod as the controller's pod lister sees it: what decides whether its metric counts.
 *
 * @param name the pod's name, which its metric values are keyed by
 * @param phase its phase
 * @param deleting whether it has a deletion timestamp (its metrics are ignored)
 * @param ready its Ready condition: true, false, or null when it has none yet
 * @param readySince when the Ready condition last changed (null without one)
 * @param startTime when the kubelet started it (null before)
 * @param cpuRequestMilli its CPU request in millicores, for a Resource metric's utilization
 */
public record PodState(String name, Phase phase, boolean deleting, Boolean ready, Instant readySince,
                       Instant startTime, long cpuRequestMilli) {

    /** A pod's phase. */
    public enum Phase { PENDING, RUNNING, SUCCEEDED, FAILED }

    /** A running, ready pod started long ago. */
    public static PodState running(String name, long cpuRequestMilli) {
        return new PodState(name, Phase.RUNNING, false, true, Instant.EPOCH, Instant.EPOCH, cpuRequestMilli);
    }

    /** Whether the controller counts it as ready for Object and External metrics: Running and Ready. */
    boolean runningAndReady() {
        return phase == Phase.RUNNING && Boolean.TRUE.equals(ready);
    }
}
