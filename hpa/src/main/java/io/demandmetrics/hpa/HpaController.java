package io.demandmetrics.hpa;

import io.demandmetrics.hpa.HpaSpec.Behavior;
import io.demandmetrics.hpa.HpaSpec.Policy;
import io.demandmetrics.hpa.HpaSpec.PolicyType;
import io.demandmetrics.hpa.HpaSpec.ScalingRules;
import io.demandmetrics.hpa.HpaSpec.SelectPolicy;
import io.demandmetrics.hpa.HpaSpec.TargetType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One HorizontalPodAutoscaler's controller, sync by sync, as kubernetes' {@code horizontal.go}
 * reconciles it: every metric's proposal (the largest wins; failing metrics block scale-down
 * only, and every metric failing blocks all), then either the legacy path (a 5-minute window on
 * the way down, at most max(2 x current, 4) on the way up) or {@code behavior}'s stabilization
 * windows and rate policies, counted over the scale events it made itself.
 *
 * <p>Holds the controller's memory for this HPA (recommendations, scale events), so one
 * instance simulates one HPA from its first sync; not thread-safe.
 */
public final class HpaController {

    private final HpaSpec spec;
    private final ControllerOptions options;
    private final ReplicaCalculator calculator;
    private final Tolerances tolerances;
    private final List<Recommendation> recommendations = new ArrayList<>();
    private final List<ScaleEvent> scaleUps = new ArrayList<>();
    private final List<ScaleEvent> scaleDowns = new ArrayList<>();

    private record Recommendation(int replicas, Instant at) {
    }

    /**
     * A change the controller made, remembered for the rate policies. Outdated once older than
     * its direction's longest policy period; an outdated slot is reused, but until then it
     * still counts for the other direction's policies, as in the controller.
     */
    record ScaleEvent(int change, Instant at, boolean outdated) {
    }

    public HpaController(HpaSpec spec, ControllerOptions options) {
        this.spec = spec;
        this.options = options;
        this.calculator = new ReplicaCalculator(options.cpuInitializationPeriod(), options.initialReadinessDelay());
        this.tolerances = tolerances(spec, options);
    }

    private static Tolerances tolerances(HpaSpec spec, ControllerOptions options) {
        double down = options.tolerance();
        double up = options.tolerance();
        if (options.configurableTolerance() && spec.behavior() != null) {
            if (spec.behavior().scaleDown().tolerance() != null) {
                down = spec.behavior().scaleDown().tolerance();
            }
            if (spec.behavior().scaleUp().tolerance() != null) {
                up = spec.behavior().scaleUp().tolerance();
            }
        }
        return new Tolerances(down, up, options.toleranceRule());
    }

    /**
     * One sync.
     *
     * @param now the sync's time
     * @param specReplicas the target's {@code spec.replicas}
     * @param statusReplicas the target's {@code status.replicas} (pods that exist)
     * @param pods the pods the HPA's selector picks
     * @param readings one per metric, in {@code spec.metrics} order
     */
    public Decision sync(Instant now, int specReplicas, int statusReplicas, List<PodState> pods,
                         List<MetricReading> readings) {
        if (readings.size() != spec.metrics().size()) {
            throw new IllegalArgumentException(spec.metrics().size() + " metrics but " + readings.size() + " readings");
        }
        if (recommendations.isEmpty()) {
            recommendations.add(new Recommendation(specReplicas, now));
        }
        int min = spec.minReplicas();
        List<Decision.MetricProposal> proposals = new ArrayList<>();
        if (specReplicas == 0 && min != 0) {
            return new Decision(now, 0, 0, proposals, -1, -1, "ScalingDisabled",
                    "scaling is disabled since the replica count of the target is zero");
        }
        if (specReplicas > spec.maxReplicas()) {
            return rescaled(now, specReplicas, spec.maxReplicas(), proposals, "TooManyReplicas",
                    "current number of replicas above spec.maxReplicas");
        }
        if (specReplicas < min) {
            return rescaled(now, specReplicas, min, proposals, "TooFewReplicas",
                    "current number of replicas below spec.minReplicas");
        }
        int proposed = 0;
        int invalid = 0;
        String firstError = null;
        for (int i = 0; i < spec.metrics().size(); i++) {
            HpaSpec.Metric metric = spec.metrics().get(i);
            try {
                ReplicaCalculator.Proposal proposal = propose(metric, readings.get(i), specReplicas, statusReplicas,
                        pods, now);
                proposals.add(new Decision.MetricProposal(metric.name(), proposal.replicas(), proposal.usage(), null));
                if (proposed == 0 || proposal.replicas() > proposed) {
                    proposed = proposal.replicas();
                }
            } catch (MetricUnavailable e) {
                proposals.add(new Decision.MetricProposal(metric.name(), null, null, e.getMessage()));
                if (firstError == null) {
                    firstError = metric.name() + ": " + e.getMessage();
                }
                invalid++;
            }
        }
        if (invalid >= spec.metrics().size() || invalid > 0 && proposed < specReplicas) {
            return new Decision(now, specReplicas, specReplicas, proposals, -1, -1, "FailedComputeMetricsReplicas",
                    "invalid metrics (" + invalid + " invalid out of " + spec.metrics().size() + "), first error is: "
                            + firstError);
        }
        return spec.behavior() == null ? legacy(now, specReplicas, proposed, proposals)
                : withBehavior(now, specReplicas, proposed, proposals);
    }

    private Decision rescaled(Instant now, int current, int desired, List<Decision.MetricProposal> proposals,
                              String reason, String message) {
        storeScaleEvent(now, current, desired);
        return new Decision(now, current, desired, proposals, -1, -1, reason, message);
    }

    private ReplicaCalculator.Proposal propose(HpaSpec.Metric metric, MetricReading reading, int specReplicas,
                                               int statusReplicas, List<PodState> pods, Instant now) {
        if (reading instanceof MetricReading.Failed failed) {
            throw new MetricUnavailable(failed.message());
        }
        if (metric instanceof HpaSpec.PodsMetric podsMetric && reading instanceof MetricReading.PerPod perPod) {
            java.util.Map<String, Long> values = new java.util.HashMap<>();
            perPod.values().forEach((pod, value) -> values.put(pod, value.milliValue()));
            return calculator.podsAverageValue(specReplicas, podsMetric.averageValueMilli(), values, pods, tolerances, now);
        }
        if (metric instanceof HpaSpec.ResourceMetric resource && reading instanceof MetricReading.PerPod perPod) {
            return resource.type() == TargetType.UTILIZATION
                    ? calculator.resourceUtilization(specReplicas, (int) resource.target(), perPod.values(), pods,
                            tolerances, now)
                    : calculator.resourceAverageValue(specReplicas, resource.target(), perPod.values(), pods,
                            tolerances, now);
        }
        if (metric instanceof HpaSpec.ObjectMetric object && reading instanceof MetricReading.ObjectValue value) {
            return object.type() == TargetType.VALUE
                    ? calculator.value(specReplicas, object.targetMilli(), value.milliValue(), pods, tolerances)
                    : calculator.averageValue(statusReplicas, object.targetMilli(), value.milliValue(), tolerances);
        }
        if (metric instanceof HpaSpec.ExternalMetric external && reading instanceof MetricReading.Series series) {
            long total = ReplicaCalculator.sum(series.milliValues());
            return external.type() == TargetType.VALUE
                    ? calculator.value(specReplicas, external.targetMilli(), total, pods, tolerances)
                    : calculator.averageValue(statusReplicas, external.targetMilli(), total, tolerances);
        }
        throw new IllegalArgumentException("a " + reading.getClass().getSimpleName() + " reading for the "
                + metric.getClass().getSimpleName() + " " + metric.name());
    }

    /**
     * No {@code behavior}: the highest recommendation of the controller's downscale window,
     * then min, max and the scale-up limit of max(2 x current, 4).
     */
    private Decision legacy(Instant now, int current, int proposed, List<Decision.MetricProposal> proposals) {
        int stabilized = stabilizeLegacy(now, proposed);
        int scaleUpLimit = (int) Math.max(2.0 * current, 4.0);
        int max = Math.min(spec.maxReplicas(), scaleUpLimit);
        String reason;
        String message;
        int desired;
        if (stabilized < spec.minReplicas()) {
            desired = spec.minReplicas();
            reason = "TooFewReplicas";
            message = "the desired replica count is less than the minimum replica count";
        } else if (stabilized > max) {
            desired = max;
            reason = spec.maxReplicas() > scaleUpLimit ? "ScaleUpLimit" : "TooManyReplicas";
            message = spec.maxReplicas() > scaleUpLimit
                    ? "the desired replica count is increasing faster than the maximum scale rate"
                    : "the desired replica count is more than the maximum replica count";
        } else {
            desired = stabilized;
            reason = stabilized != proposed ? "ScaleDownStabilized" : "DesiredWithinRange";
            message = stabilized != proposed
                    ? "recent recommendations were higher than current one, applying the highest recent recommendation"
                    : "the desired count is within the acceptable range";
        }
        return new Decision(now, current, desired, proposals, proposed, stabilized, reason, message);
    }

    /**
     * {@code stabilizeRecommendation}: the highest of this proposal and the recommendations not
     * older than the controller's downscale window (one exactly at its edge still counts), then
     * this proposal remembered.
     */
    int stabilizeLegacy(Instant now, int proposed) {
        Instant cutoff = now.minus(options.downscaleStabilization());
        int stabilized = proposed;
        for (Recommendation recommendation : recommendations) {
            if (!recommendation.at().isBefore(cutoff) && recommendation.replicas() > stabilized) {
                stabilized = recommendation.replicas();
            }
        }
        recommendations.removeIf(recommendation -> recommendation.at().isBefore(cutoff));
        recommendations.add(new Recommendation(proposed, now));
        return stabilized;
    }

    private Decision withBehavior(Instant now, int current, int proposed, List<Decision.MetricProposal> proposals) {
        Behavior behavior = spec.behavior();
        int upWindow = behavior.scaleUp().stabilizationWindowSeconds() == null ? 0
                : behavior.scaleUp().stabilizationWindowSeconds();
        int downWindow = behavior.scaleDown().stabilizationWindowSeconds() == null
                ? (int) options.downscaleStabilization().toSeconds() : behavior.scaleDown().stabilizationWindowSeconds();
        Instant upCutoff = now.minusSeconds(upWindow);
        Instant downCutoff = now.minusSeconds(downWindow);
        int up = proposed;
        int down = proposed;
        for (Recommendation recommendation : recommendations) {
            if (recommendation.at().isAfter(upCutoff)) {
                up = Math.min(up, recommendation.replicas());
            }
            if (recommendation.at().isAfter(downCutoff)) {
                down = Math.max(down, recommendation.replicas());
            }
        }
        int stabilized = Math.min(Math.max(current, up), down);
        recommendations.removeIf(r -> r.at().isBefore(upCutoff) && r.at().isBefore(downCutoff));
        recommendations.add(new Recommendation(proposed, now));
        Limited limited = limit(now, current, stabilized, behavior);
        String reason = limited.reason();
        String message = limited.message();
        if (limited.replicas() == stabilized && stabilized != proposed) {
            reason = proposed >= current ? "ScaleUpStabilized" : "ScaleDownStabilized";
            message = proposed >= current
                    ? "recent recommendations were lower than current one, applying the lowest recent recommendation"
                    : "recent recommendations were higher than current one, applying the highest recent recommendation";
        }
        if (limited.replicas() != current) {
            storeScaleEvent(now, current, limited.replicas());
        }
        return new Decision(now, current, limited.replicas(), proposals, proposed, stabilized, reason, message);
    }

    /** A count after min, max and the rate policies, with the condition that limited it. */
    record Limited(int replicas, String reason, String message) {
    }

    /** {@code convertDesiredReplicasWithBehaviorRate}: min, max and the direction's policies. */
    Limited limit(Instant now, int current, int desired, Behavior behavior) {
        if (desired > current) {
            int scaleUpLimit = Math.max(current, scaleUpLimit(now, current, behavior.scaleUp()));
            if (spec.maxReplicas() > scaleUpLimit) {
                if (desired > scaleUpLimit) {
                    return new Limited(scaleUpLimit, "ScaleUpLimit",
                            "the desired replica count is increasing faster than the maximum scale rate");
                }
            } else if (desired > spec.maxReplicas()) {
                return new Limited(spec.maxReplicas(), "TooManyReplicas",
                        "the desired replica count is more than the maximum replica count");
            }
        } else if (desired < current) {
            int scaleDownLimit = Math.min(current, scaleDownLimit(now, current, behavior.scaleDown()));
            if (spec.minReplicas() < scaleDownLimit) {
                if (desired < scaleDownLimit) {
                    return new Limited(scaleDownLimit, "ScaleDownLimit",
                            "the desired replica count is decreasing faster than the maximum scale rate");
                }
            } else if (desired < spec.minReplicas()) {
                return new Limited(spec.minReplicas(), "TooFewReplicas",
                        "the desired replica count is less than the minimum replica count");
            }
        }
        return new Limited(desired, "DesiredWithinRange", "the desired count is within the acceptable range");
    }

    /** The most replicas the scale-up policies allow now, each counted from its period's start. */
    private int scaleUpLimit(Instant now, int current, ScalingRules rules) {
        if (rules.selectPolicy() == SelectPolicy.DISABLED) {
            return current;
        }
        boolean least = rules.selectPolicy() == SelectPolicy.MIN;
        int result = least ? Integer.MAX_VALUE : Integer.MIN_VALUE;
        for (Policy policy : rules.policies()) {
            int periodStart = current - changes(scaleUps, now, policy.periodSeconds())
                    + changes(scaleDowns, now, policy.periodSeconds());
            int proposed = policy.type() == PolicyType.PODS ? periodStart + policy.value()
                    : (int) Math.ceil(periodStart * (1 + policy.value() / 100.0));
            result = least ? Math.min(result, proposed) : Math.max(result, proposed);
        }
        return result;
    }

    /** The fewest replicas the scale-down policies allow now. */
    private int scaleDownLimit(Instant now, int current, ScalingRules rules) {
        if (rules.selectPolicy() == SelectPolicy.DISABLED) {
            return current;
        }
        boolean least = rules.selectPolicy() == SelectPolicy.MIN;
        int result = least ? Integer.MIN_VALUE : Integer.MAX_VALUE;
        for (Policy policy : rules.policies()) {
            int periodStart = current - changes(scaleUps, now, policy.periodSeconds())
                    + changes(scaleDowns, now, policy.periodSeconds());
            int proposed = policy.type() == PolicyType.PODS ? periodStart - policy.value()
                    : (int) (periodStart * (1 - policy.value() / 100.0));
            result = least ? Math.max(result, proposed) : Math.min(result, proposed);
        }
        return result;
    }

    /** Replicas changed by events strictly newer than {@code now - period}. */
    private static int changes(List<ScaleEvent> events, Instant now, int periodSeconds) {
        Instant cutoff = now.minusSeconds(periodSeconds);
        int total = 0;
        for (ScaleEvent event : events) {
            if (event.at().isAfter(cutoff)) {
                total += event.change();
            }
        }
        return total;
    }

    /**
     * {@code storeScaleEvent}: only with a {@code behavior}; events past the direction's longest
     * period are marked outdated and the last of them is replaced, else the event is added.
     */
    private void storeScaleEvent(Instant now, int previous, int desired) {
        Behavior behavior = spec.behavior();
        if (behavior == null || desired == previous) {
            return;
        }
        boolean upward = desired > previous;
        List<ScaleEvent> events = upward ? scaleUps : scaleDowns;
        ScalingRules rules = upward ? behavior.scaleUp() : behavior.scaleDown();
        Instant cutoff = now.minus(Duration.ofSeconds(rules.longestPeriodSeconds()));
        int reusable = -1;
        for (int i = 0; i < events.size(); i++) {
            ScaleEvent event = events.get(i);
            if (event.at().isBefore(cutoff) && !event.outdated()) {
                events.set(i, new ScaleEvent(event.change(), event.at(), true));
            }
            if (events.get(i).outdated()) {
                reusable = i;
            }
        }
        ScaleEvent added = new ScaleEvent(Math.abs(desired - previous), now, false);
        if (reusable >= 0) {
            events.set(reusable, added);
        } else {
            events.add(added);
        }
    }

    /** For tests that start from a history: scale events the controller made before. */
    void rememberScaleEvent(boolean upward, int change, Instant at) {
        (upward ? scaleUps : scaleDowns).add(new ScaleEvent(change, at, false));
    }

    /** For tests that start from a history: a recommendation made before. */
    void rememberRecommendation(int replicas, Instant at) {
        recommendations.add(new Recommendation(replicas, at));
    }
}
