package io.demandmetrics.hpa;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One metric's replica proposal, as kubernetes' {@code replica_calculator.go} computes it:
 * values in thousandths (MilliValue), averages by integer division, utilization in whole
 * percent, the readiness rules for CPU, and missing and unready pods counted so that they damp
 * a change and never reverse it.
 */
public final class ReplicaCalculator {

    private final Duration cpuInitializationPeriod;
    private final Duration delayOfInitialReadinessStatus;

    /**
     * @param cpuInitializationPeriod {@code --horizontal-pod-autoscaler-cpu-initialization-period} (5 min)
     * @param delayOfInitialReadinessStatus {@code --horizontal-pod-autoscaler-initial-readiness-delay} (30 s)
     */
    public ReplicaCalculator(Duration cpuInitializationPeriod, Duration delayOfInitialReadinessStatus) {
        this.cpuInitializationPeriod = cpuInitializationPeriod;
        this.delayOfInitialReadinessStatus = delayOfInitialReadinessStatus;
    }

    /**
     * A proposal.
     *
     * @param replicas the proposed replica count
     * @param usage what the HPA's status would show: the average (Pods, AverageValue), the
     *     utilization in percent (CPU Utilization), the value (Value)
     */
    public record Proposal(int replicas, long usage) {
    }

    /** A Pods metric (or a Resource metric's AverageValue): the pods' average against the target. */
    public Proposal podsAverageValue(int currentReplicas, long targetMilli, Map<String, Long> values,
                                     List<PodState> pods, Tolerances tolerances, Instant now) {
        Map<String, PodMetric> metrics = new HashMap<>();
        values.forEach((pod, value) -> metrics.put(pod, PodMetric.of(value)));
        return plain(currentReplicas, targetMilli, metrics, pods, tolerances, false, now);
    }

    /** A Resource metric with an AverageValue target (CPU millicores per pod). */
    public Proposal resourceAverageValue(int currentReplicas, long targetMilli, Map<String, PodMetric> usage,
                                         List<PodState> pods, Tolerances tolerances, Instant now) {
        return plain(currentReplicas, targetMilli, new HashMap<>(usage), pods, tolerances, true, now);
    }

    private Proposal plain(int currentReplicas, long target, Map<String, PodMetric> metrics, List<PodState> pods,
                           Tolerances tolerances, boolean cpu, Instant now) {
        return perPod(currentReplicas, metrics, pods, tolerances, cpu, now, new Usage() {
            @Override
            public long of(Map<String, Long> values) {
                return average(values);
            }

            @Override
            public double ratio(long usage) {
                return (double) usage / target;
            }

            @Override
            public long missingOnScaleDown(String pod) {
                return target; // exactly the target
            }
        });
    }

    /** A Resource metric with a Utilization target: usage over requests, in whole percent. */
    public Proposal resourceUtilization(int currentReplicas, int targetPercent, Map<String, PodMetric> usage,
                                        List<PodState> pods, Tolerances tolerances, Instant now) {
        Map<String, Long> requests = new HashMap<>();
        pods.forEach(pod -> requests.put(pod.name(), pod.cpuRequestMilli()));
        return perPod(currentReplicas, usage, pods, tolerances, true, now, new Usage() {
            @Override
            public long of(Map<String, Long> values) {
                return utilization(values, requests);
            }

            @Override
            public double ratio(long utilization) {
                return (double) utilization / targetPercent;
            }

            @Override
            public long missingOnScaleDown(String pod) {
                // all of the request, or the target when it is above 100 %
                return requests.get(pod) * Math.max(100, targetPercent) / 100;
            }
        });
    }

    /** How a per-pod metric's values become the usage compared with the target. */
    private interface Usage {
        /** The usage of these values: their average, or their utilization of the pods' requests. */
        long of(Map<String, Long> values);

        /** The usage over the target. */
        double ratio(long usage);

        /** What a pod without a value counts as when the metrics say scale down. */
        long missingOnScaleDown(String pod);
    }

    /**
     * {@code calcPlainMetricReplicas} and {@code GetResourceReplicas}, which differ only in
     * {@link Usage}: the ready pods' usage against the target; with missing or (on a scale-up)
     * unready pods, those counted so as to damp the change, and no change when that reverses it.
     */
    private Proposal perPod(int currentReplicas, Map<String, PodMetric> metrics, List<PodState> pods,
                            Tolerances tolerances, boolean cpu, Instant now, Usage usage) {
        if (pods.isEmpty()) {
            throw new MetricUnavailable("no pods returned by selector while calculating replica count");
        }
        Groups groups = group(pods, metrics, cpu, now);
        Map<String, Long> values = new HashMap<>();
        metrics.forEach((pod, metric) -> values.put(pod, metric.milliValue()));
        groups.ignored.forEach(values::remove);
        groups.unready.forEach(values::remove);
        if (values.isEmpty()) {
            throw new MetricUnavailable("did not receive metrics for targeted pods (pods might be unready)");
        }
        long current = usage.of(values);
        double ratio = usage.ratio(current);
        boolean scaleUpWithUnready = !groups.unready.isEmpty() && ratio > 1.0;
        if (!scaleUpWithUnready && groups.missing.isEmpty()) {
            if (tolerances.within(ratio)) {
                return new Proposal(currentReplicas, current);
            }
            return new Proposal((int) Math.ceil(ratio * groups.ready), current);
        }
        if (ratio < 1.0) {
            groups.missing.forEach(pod -> values.put(pod, usage.missingOnScaleDown(pod)));
        } else if (ratio > 1.0) {
            groups.missing.forEach(pod -> values.put(pod, 0L)); // on a scale-up, nothing
        }
        if (scaleUpWithUnready) {
            groups.unready.forEach(pod -> values.put(pod, 0L));
        }
        return damped(currentReplicas, ratio, usage.ratio(usage.of(values)), values.size(), current, tolerances);
    }

    /** After filling in missing and unready pods: no change within tolerance or against the first direction. */
    private static Proposal damped(int currentReplicas, double ratio, double newRatio, int counted, long usage,
                                   Tolerances tolerances) {
        if (tolerances.within(newRatio) || ratio < 1.0 && newRatio > 1.0 || ratio > 1.0 && newRatio < 1.0) {
            return new Proposal(currentReplicas, usage);
        }
        int replicas = (int) Math.ceil(newRatio * counted);
        if (newRatio < 1.0 && replicas > currentReplicas || newRatio > 1.0 && replicas < currentReplicas) {
            return new Proposal(currentReplicas, usage);
        }
        return new Proposal(replicas, usage);
    }

    /** An Object metric with a Value target, or an External one (the sum of its series) with one. */
    public Proposal value(int currentReplicas, long targetMilli, long valueMilli, List<PodState> pods,
                          Tolerances tolerances) {
        double ratio = (double) valueMilli / targetMilli;
        if (currentReplicas == 0) {
            return new Proposal((int) Math.ceil(ratio), valueMilli); // from zero: no tolerance, no pods
        }
        if (tolerances.within(ratio)) {
            return new Proposal(currentReplicas, valueMilli);
        }
        if (pods.isEmpty()) {
            throw new MetricUnavailable("unable to calculate ready pods: no pods returned by selector while"
                    + " calculating replica count");
        }
        long ready = pods.stream().filter(PodState::runningAndReady).count();
        double replicas = ratio * ready;
        return new Proposal(replicas > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) Math.ceil(replicas), valueMilli);
    }

    /**
     * An Object or External metric with an AverageValue target: the value over the target per
     * replica of the target's status; pods' readiness plays no part.
     */
    public Proposal averageValue(int statusReplicas, long targetMilli, long valueMilli, Tolerances tolerances) {
        int replicas = statusReplicas;
        double ratio = (double) valueMilli / ((double) targetMilli * statusReplicas);
        if (!tolerances.within(ratio)) {
            double proposed = Math.ceil((double) valueMilli / targetMilli);
            replicas = proposed > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) proposed;
        }
        return new Proposal(replicas, (long) Math.ceil((double) valueMilli / statusReplicas));
    }

    /** The sum of an External metric's series, capped rather than overflowing. */
    public static long sum(List<Long> series) {
        long total = 0;
        for (long value : series) {
            if (value > 0 && total > Long.MAX_VALUE - value) {
                return Long.MAX_VALUE;
            }
            total += value;
        }
        return total;
    }

    private static long average(Map<String, Long> values) {
        long total = 0;
        for (long value : values.values()) {
            total += value;
        }
        return total / values.size();
    }

    /** Whole percent of the requests of the pods with a value (values of unknown pods are left out). */
    private static int utilization(Map<String, Long> values, Map<String, Long> requests) {
        long used = 0;
        long requested = 0;
        for (Map.Entry<String, Long> value : values.entrySet()) {
            Long request = requests.get(value.getKey());
            if (request == null) {
                continue;
            }
            used += value.getValue();
            requested += request;
        }
        if (requested == 0) {
            throw new MetricUnavailable("no metrics returned matched known pods");
        }
        return (int) (used * 100 / requested);
    }

    private record Groups(int ready, Set<String> unready, Set<String> missing, Set<String> ignored) {
    }

    /**
     * Which pods count: deleted and failed ones never; pending ones are unready; a pod without
     * a value is missing; for CPU, a pod still starting is unready while it is not ready or its
     * value was measured before a whole window since it became ready, and later only while it
     * has never been ready.
     */
    private Groups group(List<PodState> pods, Map<String, PodMetric> metrics, boolean cpu, Instant now) {
        int ready = 0;
        Set<String> unready = new HashSet<>();
        Set<String> missing = new HashSet<>();
        Set<String> ignored = new HashSet<>();
        for (PodState pod : pods) {
            if (pod.deleting() || pod.phase() == PodState.Phase.FAILED) {
                ignored.add(pod.name());
                continue;
            }
            if (pod.phase() == PodState.Phase.PENDING) {
                unready.add(pod.name());
                continue;
            }
            PodMetric metric = metrics.get(pod.name());
            if (metric == null) {
                missing.add(pod.name());
                continue;
            }
            if (cpu && cpuUnready(pod, metric, now)) {
                unready.add(pod.name());
                continue;
            }
            ready++;
        }
        return new Groups(ready, unready, missing, ignored);
    }

    private boolean cpuUnready(PodState pod, PodMetric metric, Instant now) {
        if (pod.ready() == null || pod.startTime() == null) {
            return true;
        }
        if (pod.startTime().plus(cpuInitializationPeriod).isAfter(now)) {
            return !pod.ready() || metric.timestamp().isBefore(pod.readySince().plus(metric.window()));
        }
        return !pod.ready() && pod.startTime().plus(delayOfInitialReadinessStatus).isAfter(pod.readySince());
    }
}
