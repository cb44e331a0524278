package io.demandmetrics.adapter.explain;

import io.demandmetrics.adapter.api.Quantity;
import io.demandmetrics.adapter.config.MetricKey;
import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.simulator.HpaManifest;
import io.demandmetrics.simulator.HpaSpec;
import io.demandmetrics.simulator.ReplicaCalculator;
import io.demandmetrics.simulator.Tolerances;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * For one metric, the HPAs that read it and what the controller would propose from the values
 * served now: the simulator's arithmetic ({@link ReplicaCalculator}, 1.33+ tolerance), with the
 * HPA's {@code status.currentReplicas} as the current count. The pods are the scale target's
 * running pods when they are known (in a cluster: its selector over the pod informer), as the
 * controller lists them: a Pods metric's values are theirs (others' left out, theirs without a
 * value missing), and a Value target counts them as the ready pods; otherwise the pods the
 * metric serves, and as many ready pods as current replicas. The proposal is the metric's
 * alone: with several metrics the controller takes the largest, and stabilization and
 * policies apply after it.
 */
public final class HpaProposals {

    private static final ReplicaCalculator CALCULATOR = new ReplicaCalculator(java.time.Duration.ofMinutes(5),
            java.time.Duration.ofSeconds(30));
    private static final Tolerances TOLERANCES = Tolerances.standard(Tolerances.Rule.FROM_1_33);

    private HpaProposals() {
    }

    /** The running pods of an HPA's scale target. */
    @FunctionalInterface
    public interface TargetPods {
        /**
         * @param kind the scale target's kind ({@code Deployment}, {@code StatefulSet}, ...)
         * @return the running pods' names, or null when they cannot be known
         */
        List<String> running(String namespace, String kind, String name);
    }

    /**
     * One entry per HPA of {@code hpas} that reads {@code key}: name, target, current replicas,
     * and the proposal (or why there is none).
     *
     * @param served the samples the metric serves now; null when it serves none
     */
    public static List<JsonObject> of(MetricKey key, List<Sample> served, List<HorizontalPodAutoscaler> hpas,
                                      TargetPods targetPods) {
        List<JsonObject> entries = new ArrayList<>();
        for (HorizontalPodAutoscaler hpa : hpas) {
            String namespace = hpa.getMetadata() == null ? null : hpa.getMetadata().getNamespace();
            if (key.namespace() != null && namespace != null && !key.namespace().equals(namespace)) {
                continue;
            }
            List<MetricSpec> specs = hpa.getSpec() == null || hpa.getSpec().getMetrics() == null ? List.of()
                    : hpa.getSpec().getMetrics();
            for (int i = 0; i < specs.size(); i++) {
                if (reads(specs.get(i), key)) {
                    entries.add(entry(hpa, i, served, targetPods));
                }
            }
        }
        return entries;
    }

    /** Whether the HPA metric is this adapter metric: its type, name and (for objects) kind. */
    static boolean reads(MetricSpec spec, MetricKey key) {
        if (spec.getType() == null) {
            return false;
        }
        return switch (spec.getType()) {
            case "External" -> key.isExternal() && spec.getExternal() != null && spec.getExternal().getMetric() != null
                    && key.name().equals(spec.getExternal().getMetric().getName());
            case "Pods" -> !key.isExternal() && key.resource().resource().equals("pods") && spec.getPods() != null
                    && spec.getPods().getMetric() != null && key.name().equals(spec.getPods().getMetric().getName());
            case "Object" -> !key.isExternal() && spec.getObject() != null && spec.getObject().getMetric() != null
                    && spec.getObject().getDescribedObject() != null
                    && key.resource().kind().equals(spec.getObject().getDescribedObject().getKind())
                    && key.name().equals(spec.getObject().getMetric().getName());
            default -> false;
        };
    }

    private static JsonObject entry(HorizontalPodAutoscaler hpa, int index, List<Sample> served,
                                    TargetPods targetPods) {
        JsonObject entry = new JsonObject().put("hpa", hpa.getMetadata().getNamespace() == null
                ? hpa.getMetadata().getName() : hpa.getMetadata().getNamespace() + "/" + hpa.getMetadata().getName());
        HpaSpec spec;
        try {
            spec = HpaManifest.from(hpa);
        } catch (IllegalArgumentException e) {
            return entry.put("note", "the HPA is not valid: " + e.getMessage());
        }
        Integer status = hpa.getStatus() == null ? null : hpa.getStatus().getCurrentReplicas();
        int current = status != null ? status : spec.minReplicas();
        entry.put("minReplicas", spec.minReplicas()).put("maxReplicas", spec.maxReplicas())
                .put("currentReplicas", current)
                .put("currentFrom", status != null ? "status.currentReplicas" : "spec.minReplicas (no status)");
        HpaSpec.Metric metric = spec.metrics().get(index);
        if (served == null) {
            return entry.put("note", "no value is served now: the controller would skip this metric");
        }
        var target = hpa.getSpec().getScaleTargetRef();
        List<String> running = targetPods == null || target == null ? null
                : targetPods.running(hpa.getMetadata().getNamespace(), target.getKind(), target.getName());
        entry.put("pods", running == null ? "unknown: as many ready as current replicas, the metric's own pods"
                : running.size() + " running pods of " + target.getKind() + " " + target.getName());
        List<io.demandmetrics.simulator.PodState> ready = running == null ? readyPods(current)
                : running.stream().map(pod -> io.demandmetrics.simulator.PodState.running(pod, 0)).toList();
        ReplicaCalculator.Proposal proposal;
        if (metric instanceof HpaSpec.ExternalMetric external) {
            long total = milliTotal(served, selector(hpa.getSpec().getMetrics().get(index)));
            entry.put("target", external.type() + " " + external.targetMilli() / 1000.0);
            proposal = external.type() == HpaSpec.TargetType.VALUE
                    ? CALCULATOR.value(current, external.targetMilli(), total, ready, TOLERANCES)
                    : CALCULATOR.averageValue(current, external.targetMilli(), total, TOLERANCES);
        } else if (metric instanceof HpaSpec.ObjectMetric object) {
            String name = hpa.getSpec().getMetrics().get(index).getObject().getDescribedObject().getName();
            long value = 0;
            for (Sample sample : served) {
                if (sample.object() == null || sample.object().name().equals(name)) {
                    value += Quantity.milliValue(sample.value());
                }
            }
            entry.put("target", object.type() + " " + object.targetMilli() / 1000.0);
            proposal = object.type() == HpaSpec.TargetType.VALUE
                    ? CALCULATOR.value(current, object.targetMilli(), value, ready, TOLERANCES)
                    : CALCULATOR.averageValue(current, object.targetMilli(), value, TOLERANCES);
        } else if (metric instanceof HpaSpec.PodsMetric pods) {
            Map<String, Long> values = new HashMap<>();
            for (Sample sample : served) {
                if (sample.object() != null && (running == null || running.contains(sample.object().name()))) {
                    values.merge(sample.object().name(), Quantity.milliValue(sample.value()), Long::sum);
                }
            }
            List<io.demandmetrics.simulator.PodState> states = new ArrayList<>();
            if (running != null) {
                states.addAll(ready);
            } else {
                values.keySet().forEach(pod -> states.add(io.demandmetrics.simulator.PodState.running(pod, 0)));
            }
            entry.put("target", "AverageValue " + pods.averageValueMilli() / 1000.0);
            try {
                proposal = values.isEmpty() ? null : CALCULATOR.podsAverageValue(current, pods.averageValueMilli(),
                        values, states, TOLERANCES, java.time.Instant.now());
            } catch (io.demandmetrics.simulator.MetricUnavailable e) {
                return entry.put("note", e.getMessage());
            }
        } else {
            return entry.put("note", "not a metric this adapter serves");
        }
        if (proposal == null) {
            return entry.put("note", "no pod has a value now");
        }
        return entry.put("proposedReplicas", proposal.replicas()).put("usage", proposal.usage() / 1000.0);
    }

    /** The HPA's {@code metric.selector} as label equalities (matchLabels); null for none. */
    private static Map<String, String> selector(MetricSpec spec) {
        var identifier = spec.getExternal().getMetric();
        return identifier.getSelector() == null ? null : identifier.getSelector().getMatchLabels();
    }

    private static long milliTotal(List<Sample> served, Map<String, String> matchLabels) {
        long total = 0;
        for (Sample sample : served) {
            if (matchLabels == null || sample.labels().entrySet().containsAll(matchLabels.entrySet())) {
                total += Quantity.milliValue(sample.value());
            }
        }
        return total;
    }

    /** The current replicas as ready pods: the controller counts ready pods for Value targets. */
    private static List<io.demandmetrics.simulator.PodState> readyPods(int count) {
        List<io.demandmetrics.simulator.PodState> pods = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            pods.add(io.demandmetrics.simulator.PodState.running("pod-" + i, 0));
        }
        return pods;
    }
}
