package io.demandmetrics.hpa;

import java.time.Duration;

/**
 * The kube-controller-manager flags that shape the HPA's decisions.
 *
 * @param toleranceRule which version's tolerance comparison
 * @param tolerance {@code --horizontal-pod-autoscaler-tolerance} (0.1)
 * @param configurableTolerance the HPAConfigurableTolerance gate (1.33+): a behavior's
 *     per-direction {@code tolerance} applies
 * @param downscaleStabilization {@code --horizontal-pod-autoscaler-downscale-stabilization} (5 min)
 * @param cpuInitializationPeriod {@code --horizontal-pod-autoscaler-cpu-initialization-period} (5 min)
 * @param initialReadinessDelay {@code --horizontal-pod-autoscaler-initial-readiness-delay} (30 s)
 * @param syncPeriod {@code --horizontal-pod-autoscaler-sync-period} (15 s)
 */
public record ControllerOptions(Tolerances.Rule toleranceRule, double tolerance, boolean configurableTolerance,
                                Duration downscaleStabilization, Duration cpuInitializationPeriod,
                                Duration initialReadinessDelay, Duration syncPeriod) {

    /** The controller's defaults, comparing as {@code rule}'s versions do, the tolerance gate off. */
    public static ControllerOptions defaults(Tolerances.Rule rule) {
        return new ControllerOptions(rule, Tolerances.DEFAULT, false, Duration.ofMinutes(5), Duration.ofMinutes(5),
                Duration.ofSeconds(30), Duration.ofSeconds(15));
    }

    /** The same with the HPAConfigurableTolerance gate on (1.33+ only). */
    public ControllerOptions withConfigurableTolerance() {
        if (toleranceRule == Tolerances.Rule.UP_TO_1_32) {
            throw new IllegalArgumentException("per-direction tolerances came with Kubernetes 1.33");
        }
        return new ControllerOptions(toleranceRule, tolerance, true, downscaleStabilization, cpuInitializationPeriod,
                initialReadinessDelay, syncPeriod);
    }
}
