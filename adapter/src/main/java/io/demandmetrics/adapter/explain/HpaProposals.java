package io.demandmetrics.adapter.explain;

import io.demandmetrics.adapter.api.MetricPoint;
import io.demandmetrics.adapter.api.Quantity;
import io.demandmetrics.adapter.config.MetricKey;
import io.demandmetrics.adapter.selector.LabelSelector;
import io.demandmetrics.adapter.view.MetricQuestion;
import io.demandmetrics.adapter.view.MetricView;
import io.demandmetrics.hpa.HpaManifest;
import io.demandmetrics.hpa.HpaSpec;
import io.demandmetrics.hpa.MetricUnavailable;
import io.demandmetrics.hpa.PodState;
import io.demandmetrics.hpa.ReplicaCalculator;
import io.demandmetrics.hpa.Tolerances;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * For one metric, the HPAs that read it and what the controller would propose from what the API
 * answers that HPA now: each HPA's own question (its metric's selector, its described object,
 * every pod for a Pods metric) asked of the {@link MetricView}, so a provider's combine (a
 * latency quantile from bucket rates, kafka-lag's cap) is applied exactly as for the HPA; then
 * the controller's arithmetic ({@link ReplicaCalculator}, 1.33+ tolerance), with the HPA's
 * {@code status.currentReplicas} as the current count. The pods are the scale target's
 * running pods when they are known (in a cluster: its selector over the pod informer), as the
 * controller lists them: a Pods metric's values are theirs (others' left out, theirs without a
 * value missing), and a Value target counts them as the ready pods; otherwise the pods the
 * metric serves, and as many ready pods as current replicas. The proposal is the metric's
 * alone: with several metrics the controller takes the largest, and stabilization and
 * policies apply after it.
 */
public final class HpaProposals {

    private static final ReplicaCalculator CALCULATOR = new ReplicaCalculator(Duration.ofMinutes(5),
            Duration.ofSeconds(30));
    private static final Tolerances TOLERANCES = Tolerances.standard(Tolerances.Rule.FROM_1_33);

    private final MetricView view;
    private final TargetPods targetPods;

    /** @param targetPods an HPA target's running pods, or null when the adapter knows no pods */
    HpaProposals(MetricView view, TargetPods targetPods) {
        this.view = view;
        this.targetPods = targetPods;
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
     */
    Future<List<JsonObject>> of(MetricKey key, List<HorizontalPodAutoscaler> hpas) {
        List<Future<JsonObject>> entries = new ArrayList<>();
        for (HorizontalPodAutoscaler hpa : hpas) {
            String namespace = hpa.getMetadata() == null ? null : hpa.getMetadata().getNamespace();
            if (key.namespace() != null && namespace != null && !key.namespace().equals(namespace)) {
                continue;
            }
            List<MetricSpec> specs = hpa.getSpec() == null || hpa.getSpec().getMetrics() == null ? List.of()
                    : hpa.getSpec().getMetrics();
            for (int i = 0; i < specs.size(); i++) {
                if (reads(specs.get(i), key)) {
                    entries.add(entry(key, hpa, i));
                }
            }
        }
        return Future.all(entries).map(all -> all.list());
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

    private Future<JsonObject> entry(MetricKey key, HorizontalPodAutoscaler hpa, int index) {
        JsonObject entry = new JsonObject().put("hpa", hpa.getMetadata().getNamespace() == null
                ? hpa.getMetadata().getName() : hpa.getMetadata().getNamespace() + "/" + hpa.getMetadata().getName());
        HpaSpec spec;
        MetricQuestion question;
        try {
            spec = HpaManifest.from(hpa);
            question = question(key, hpa.getSpec().getMetrics().get(index));
        } catch (IllegalArgumentException e) {
            return Future.succeededFuture(entry.put("note", "the HPA is not valid: " + e.getMessage()));
        }
        Integer status = hpa.getStatus() == null ? null : hpa.getStatus().getCurrentReplicas();
        int current = status != null ? status : spec.minReplicas();
        entry.put("minReplicas", spec.minReplicas()).put("maxReplicas", spec.maxReplicas())
                .put("currentReplicas", current)
                .put("currentFrom", status != null ? "status.currentReplicas" : "spec.minReplicas (no status)");
        HpaSpec.Metric metric = spec.metrics().get(index);
        return view.values(question)
                .map(answer -> propose(entry, hpa, metric, current, answer.points()))
                .otherwise(failure -> entry.put("note", "the API answers this HPA's request with an error, so the"
                        + " controller would skip this metric: " + failure.getMessage()));
    }

    /**
     * The request the controller makes for this metric: an external metric narrowed by the
     * metric's selector; a described object by name; every pod (narrowed to the scale target's
     * running pods afterwards, as the controller's pod listing does).
     */
    static MetricQuestion question(MetricKey key, MetricSpec spec) {
        return switch (spec.getType()) {
            case "External" -> MetricQuestion.external(key, selector(spec.getExternal().getMetric().getSelector()));
            case "Object" -> MetricQuestion.custom(key, spec.getObject().getDescribedObject().getName(),
                    LabelSelector.EVERYTHING, selector(spec.getObject().getMetric().getSelector()));
            default -> MetricQuestion.custom(key, "*", LabelSelector.EVERYTHING,
                    selector(spec.getPods().getMetric().getSelector()));
        };
    }

    private JsonObject propose(JsonObject entry, HorizontalPodAutoscaler hpa, HpaSpec.Metric metric, int current,
                               List<MetricPoint> answer) {
        var target = hpa.getSpec().getScaleTargetRef();
        List<String> running = targetPods == null || target == null ? null
                : targetPods.running(hpa.getMetadata().getNamespace(), target.getKind(), target.getName());
        entry.put("pods", running == null ? "unknown: as many ready as current replicas, the metric's own pods"
                : running.size() + " running pods of " + target.getKind() + " " + target.getName());
        List<PodState> ready = running == null ? readyPods(current)
                : running.stream().map(pod -> PodState.running(pod, 0)).toList();
        ReplicaCalculator.Proposal proposal;
        if (metric instanceof HpaSpec.ExternalMetric external) {
            entry.put("target", external.type() + " " + external.targetMilli() / 1000.0);
            proposal = valueOrAverage(external.type(), external.targetMilli(), current, milliTotal(answer), ready);
        } else if (metric instanceof HpaSpec.ObjectMetric object) {
            entry.put("target", object.type() + " " + object.targetMilli() / 1000.0);
            proposal = valueOrAverage(object.type(), object.targetMilli(), current, milliTotal(answer), ready);
        } else if (metric instanceof HpaSpec.PodsMetric pods) {
            Map<String, Long> values = new HashMap<>();
            for (MetricPoint point : answer) {
                if (running == null || running.contains(point.objectName())) {
                    values.put(point.objectName(), Quantity.milliValue(point.value()));
                }
            }
            List<PodState> states = new ArrayList<>();
            if (running != null) {
                states.addAll(ready);
            } else {
                values.keySet().forEach(pod -> states.add(PodState.running(pod, 0)));
            }
            entry.put("target", "AverageValue " + pods.averageValueMilli() / 1000.0);
            try {
                proposal = values.isEmpty() ? null : CALCULATOR.podsAverageValue(current, pods.averageValueMilli(),
                        values, states, TOLERANCES, Instant.now());
            } catch (MetricUnavailable e) {
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

    private static ReplicaCalculator.Proposal valueOrAverage(HpaSpec.TargetType type, long targetMilli, int current,
                                                             long usageMilli, List<PodState> ready) {
        return type == HpaSpec.TargetType.VALUE
                ? CALCULATOR.value(current, targetMilli, usageMilli, ready, TOLERANCES)
                : CALCULATOR.averageValue(current, targetMilli, usageMilli, TOLERANCES);
    }

    /** The sum of the answer's values as the controller reads them: each Quantity's MilliValue. */
    private static long milliTotal(List<MetricPoint> answer) {
        long total = 0;
        for (MetricPoint point : answer) {
            total += Quantity.milliValue(point.value());
        }
        return total;
    }

    /** An HPA metric's {@code selector} as the adapter parses the same selector on the wire. */
    static LabelSelector selector(io.fabric8.kubernetes.api.model.LabelSelector selector) {
        if (selector == null) {
            return LabelSelector.EVERYTHING;
        }
        List<String> terms = new ArrayList<>();
        if (selector.getMatchLabels() != null) {
            new TreeMap<>(selector.getMatchLabels()).forEach((k, v) -> terms.add(k + "=" + v));
        }
        if (selector.getMatchExpressions() != null) {
            for (var expression : selector.getMatchExpressions()) {
                String values = "(" + String.join(",", expression.getValues() == null ? List.of()
                        : expression.getValues()) + ")";
                terms.add(switch (String.valueOf(expression.getOperator())) {
                    case "In" -> expression.getKey() + " in " + values;
                    case "NotIn" -> expression.getKey() + " notin " + values;
                    case "Exists" -> expression.getKey();
                    case "DoesNotExist" -> "!" + expression.getKey();
                    default -> throw new IllegalArgumentException("selector operator \"" + expression.getOperator()
                            + "\" is not one of In, NotIn, Exists, DoesNotExist");
                });
            }
        }
        try {
            return LabelSelector.parse(String.join(",", terms));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("its metric selector is not valid: " + e.getMessage(), e);
        }
    }

    /** The current replicas as ready pods: the controller counts ready pods for Value targets. */
    private static List<PodState> readyPods(int count) {
        List<PodState> pods = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            pods.add(PodState.running("pod-" + i, 0));
        }
        return pods;
    }
}
