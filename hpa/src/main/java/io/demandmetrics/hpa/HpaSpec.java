package io.demandmetrics.hpa;

import java.util.List;

/**
 * What the controller reads from an autoscaling/v2 HorizontalPodAutoscaler, with the API
 * server's defaults applied ({@link HpaManifest} reads one from YAML).
 *
 * @param name the HPA's name, for reports
 * @param minReplicas {@code spec.minReplicas} (1 when unset; 0 with the HPAScaleToZero gate)
 * @param maxReplicas {@code spec.maxReplicas}
 * @param metrics {@code spec.metrics}
 * @param behavior {@code spec.behavior} with its defaults, or null: the legacy path (no rate
 *     limits down, up at most to max(2 x current, 4), the controller's 5-minute downscale window)
 * @param adapterLead for simulations only: the adapter's {@code lead} on the metrics this HPA
 *     reads (the annotation {@code simulate.demandmetrics.io/lead}), or null for none
 * @param schedule for simulations only: the known peaks a cron metric of this HPA serves (the
 *     annotation {@code simulate.demandmetrics.io/schedule}), or null
 */
public record HpaSpec(String name, int minReplicas, int maxReplicas, List<Metric> metrics, Behavior behavior,
                      java.time.Duration adapterLead, Schedule schedule) {

    public HpaSpec {
        metrics = List.copyOf(metrics);
    }

    /** An HPA without a simulated lead. */
    public HpaSpec(String name, int minReplicas, int maxReplicas, List<Metric> metrics, Behavior behavior) {
        this(name, minReplicas, maxReplicas, metrics, behavior, null, null);
    }

    /** One of {@code spec.metrics}: its source and target, values in thousandths (MilliValue). */
    public sealed interface Metric {
        /** The metric's name ({@code cpu} for a Resource metric), as the HPA's status names it. */
        String name();
    }

    /** {@code type: Pods}: the pods' average against {@code averageValue}. */
    public record PodsMetric(String name, long averageValueMilli) implements Metric {
    }

    /** {@code type: Object}: the object's value against {@code value}, or per replica against {@code averageValue}. */
    public record ObjectMetric(String name, TargetType type, long targetMilli) implements Metric {
    }

    /** {@code type: External}: the sum of the series against {@code value}, or per replica against {@code averageValue}. */
    public record ExternalMetric(String name, TargetType type, long targetMilli) implements Metric {
    }

    /**
     * {@code type: Resource}: CPU (or another resource) utilization in percent of the pods'
     * requests, or an average value per pod.
     */
    public record ResourceMetric(String name, TargetType type, long target) implements Metric {
    }

    /** A target's type: Value, AverageValue or Utilization (percent). */
    public enum TargetType { VALUE, AVERAGE_VALUE, UTILIZATION }

    /**
     * {@code spec.behavior}, both directions present (the API server's defaults fill what is unset).
     */
    public record Behavior(ScalingRules scaleUp, ScalingRules scaleDown) {
    }

    /**
     * One direction's rules.
     *
     * @param stabilizationWindowSeconds null for scale-down means the controller's own window (300 s)
     * @param selectPolicy which policy's limit applies
     * @param policies the rate limits
     * @param tolerance the direction's tolerance (HPAConfigurableTolerance), or null: the controller's
     */
    public record ScalingRules(Integer stabilizationWindowSeconds, SelectPolicy selectPolicy,
                               List<Policy> policies, Double tolerance) {

        public ScalingRules {
            policies = List.copyOf(policies);
        }

        /** Scale-up's defaults: no window, 4 pods or 100 % per 15 s, the larger. */
        public static ScalingRules defaultScaleUp() {
            return new ScalingRules(0, SelectPolicy.MAX, List.of(new Policy(PolicyType.PODS, 4, 15),
                    new Policy(PolicyType.PERCENT, 100, 15)), null);
        }

        /** Scale-down's defaults: the controller's window, 100 % per 15 s. */
        public static ScalingRules defaultScaleDown() {
            return new ScalingRules(null, SelectPolicy.MAX, List.of(new Policy(PolicyType.PERCENT, 100, 15)), null);
        }

        /** The longest policy period, beyond which scale events no longer count. */
        int longestPeriodSeconds() {
            return policies.stream().mapToInt(Policy::periodSeconds).max().orElse(0);
        }
    }

    /** {@code Max} picks the policy allowing the most change, {@code Min} the least, {@code Disabled} none. */
    public enum SelectPolicy { MAX, MIN, DISABLED }

    /** A rate limit: at most {@code value} pods, or percent, per {@code periodSeconds}. */
    public record Policy(PolicyType type, int value, int periodSeconds) {
    }

    /** Pods or Percent. */
    public enum PolicyType { PODS, PERCENT }
}
