package io.demandmetrics.hpa;

import java.time.Instant;
import java.util.List;

/**
 * One sync's outcome, with the reasons the controller would give in the HPA's conditions.
 *
 * @param at the sync's time
 * @param current the target's {@code spec.replicas} before the sync
 * @param desired the replica count set (equal to current when nothing changes)
 * @param proposals each metric's proposal or error, in {@code spec.metrics} order
 * @param proposed the largest proposal, before stabilization and limits; -1 when none was used
 * @param stabilized the recommendation after the stabilization window(s); -1 when not reached
 * @param reason why: a condition reason ({@code ScaleUpLimit}, {@code DesiredWithinRange},
 *     {@code ScaleDownStabilized}, {@code FailedComputeMetricsReplicas}, {@code ScalingDisabled}, ...)
 * @param message the same in words
 */
public record Decision(Instant at, int current, int desired, List<MetricProposal> proposals, int proposed,
                       int stabilized, String reason, String message) {

    public Decision {
        proposals = List.copyOf(proposals);
    }

    /** Whether the sync changes the replica count. */
    public boolean rescale() {
        return desired != current;
    }

    /**
     * One metric's part.
     *
     * @param metric the metric's name
     * @param replicas its proposal, or null when it failed
     * @param usage what the HPA's status shows for it (average, percent, value), or null
     * @param error why it failed, or null
     */
    public record MetricProposal(String metric, Integer replicas, Long usage, String error) {
    }
}
