package io.demandmetrics.hpa;

import io.demandmetrics.hpa.HpaSpec.Behavior;
import io.demandmetrics.hpa.HpaSpec.Policy;
import io.demandmetrics.hpa.HpaSpec.PolicyType;
import io.demandmetrics.hpa.HpaSpec.ScalingRules;
import io.demandmetrics.hpa.HpaSpec.SelectPolicy;
import io.demandmetrics.hpa.HpaSpec.TargetType;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingPolicy;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingRules;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricTarget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the HorizontalPodAutoscaler a user applies (autoscaling/v2 YAML) into an
 * {@link HpaSpec}: fabric8's typed model, then the API server's defaults and the checks it
 * would refuse the object for, each problem named.
 */
public final class HpaManifest {

    private static final KubernetesSerialization YAML = new KubernetesSerialization();

    private HpaManifest() {
    }

    /**
     * @throws IllegalArgumentException listing what the API server would refuse, or why the text
     *     is not an autoscaling/v2 HorizontalPodAutoscaler
     */
    public static HpaSpec parse(String yaml) {
        return from(unmarshal(yaml));
    }

    /**
     * Reads an autoscaling/v2 HPA as YAML gives it, checked as the API server would check it.
     *
     * @throws IllegalArgumentException as {@link #parse} does
     */
    public static HorizontalPodAutoscaler read(String yaml) {
        HorizontalPodAutoscaler hpa = unmarshal(yaml);
        from(hpa);
        return hpa;
    }

    /** The YAML's object, if it is an autoscaling/v2 HorizontalPodAutoscaler; else why not. */
    private static HorizontalPodAutoscaler unmarshal(String yaml) {
        Object parsed;
        try {
            parsed = YAML.unmarshal(yaml);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a Kubernetes object in YAML: " + e.getMessage(), e);
        }
        if (parsed instanceof io.fabric8.kubernetes.api.model.HasMetadata object
                && "HorizontalPodAutoscaler".equals(object.getKind())
                && !"autoscaling/v2".equals(object.getApiVersion())) {
            throw new IllegalArgumentException("apiVersion " + object.getApiVersion() + ": write the HPA as"
                    + " autoscaling/v2 (v1's targetCPUUtilizationPercentage is a v2 Resource metric)");
        }
        if (!(parsed instanceof HorizontalPodAutoscaler hpa)) {
            throw new IllegalArgumentException("not a HorizontalPodAutoscaler of autoscaling/v2"
                    + (parsed instanceof io.fabric8.kubernetes.api.model.HasMetadata object
                    ? ": a " + object.getKind() : ""));
        }
        return hpa;
    }

    /**
     * An HPA of fabric8's model (from YAML or an informer) as the controller reads it.
     *
     * @throws IllegalArgumentException listing what the API server would refuse
     */
    public static HpaSpec from(HorizontalPodAutoscaler hpa) {
        List<String> problems = new ArrayList<>();
        var spec = hpa.getSpec();
        if (spec == null) {
            throw new IllegalArgumentException("the HorizontalPodAutoscaler has no spec");
        }
        String name = hpa.getMetadata() == null || hpa.getMetadata().getName() == null ? "hpa"
                : hpa.getMetadata().getName();
        int min = spec.getMinReplicas() == null ? 1 : spec.getMinReplicas();
        int max = spec.getMaxReplicas() == null ? 0 : spec.getMaxReplicas();
        if (spec.getMaxReplicas() == null || max < 1) {
            problems.add("spec.maxReplicas must be at least 1");
        }
        if (min < 0) {
            problems.add("spec.minReplicas must not be negative");
        } else if (max >= 1 && min > max) {
            problems.add("spec.minReplicas (" + min + ") must be at most spec.maxReplicas (" + max + ")");
        }
        List<HpaSpec.Metric> metrics = new ArrayList<>();
        List<MetricSpec> specs = spec.getMetrics() == null ? List.of() : spec.getMetrics();
        if (specs.isEmpty()) {
            problems.add("spec.metrics is empty: the simulator needs the metrics the HPA scales on (the API"
                    + " server's default is CPU at 80 %: write it out)");
        }
        for (int i = 0; i < specs.size(); i++) {
            HpaSpec.Metric metric = metric(specs.get(i), "spec.metrics[" + i + "]", problems);
            if (metric != null) {
                metrics.add(metric);
            }
        }
        Behavior behavior = behavior(spec.getBehavior(), problems);
        java.time.Duration lead = lead(hpa, problems);
        Schedule schedule = schedule(hpa, problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return new HpaSpec(name, min, max, metrics, behavior, lead, schedule);
    }

    private static HpaSpec.Metric metric(MetricSpec spec, String where, List<String> problems) {
        String type = spec.getType();
        if (type == null) {
            problems.add(where + ".type is missing (Pods, Object, External or Resource)");
            return null;
        }
        return switch (type) {
            case "Pods" -> podsMetric(spec, where, problems);
            case "Object", "External" -> objectOrExternalMetric(spec, type.equals("Object"), where, problems);
            case "Resource" -> resourceMetric(spec, where, problems);
            default -> {
                problems.add(where + ".type " + type + " is not simulated (Pods, Object, External, Resource)");
                yield null;
            }
        };
    }

    private static HpaSpec.Metric podsMetric(MetricSpec spec, String where, List<String> problems) {
        if (spec.getPods() == null || spec.getPods().getMetric() == null) {
            problems.add(where + ".pods.metric is missing");
            return null;
        }
        MetricTarget target = spec.getPods().getTarget();
        if (target == null || !"AverageValue".equals(target.getType()) || target.getAverageValue() == null) {
            problems.add(where + ".pods.target must be {type: AverageValue, averageValue: ...}");
            return null;
        }
        return new HpaSpec.PodsMetric(spec.getPods().getMetric().getName(), milli(target.getAverageValue()));
    }

    private static HpaSpec.Metric objectOrExternalMetric(MetricSpec spec, boolean object, String where,
                                                         List<String> problems) {
        var identifier = object ? spec.getObject() == null ? null : spec.getObject().getMetric()
                : spec.getExternal() == null ? null : spec.getExternal().getMetric();
        MetricTarget target = object ? spec.getObject() == null ? null : spec.getObject().getTarget()
                : spec.getExternal() == null ? null : spec.getExternal().getTarget();
        String field = where + "." + (object ? "object" : "external");
        if (identifier == null || target == null) {
            problems.add(field + " needs metric and target");
            return null;
        }
        TargetType targetType;
        Quantity quantity;
        if ("Value".equals(target.getType()) && target.getValue() != null) {
            targetType = TargetType.VALUE;
            quantity = target.getValue();
        } else if ("AverageValue".equals(target.getType()) && target.getAverageValue() != null) {
            targetType = TargetType.AVERAGE_VALUE;
            quantity = target.getAverageValue();
        } else {
            problems.add(field + ".target must be {type: Value, value: ...} or {type: AverageValue,"
                    + " averageValue: ...}");
            return null;
        }
        long milli = milli(quantity);
        if (milli <= 0) {
            problems.add(field + ".target must be positive");
            return null;
        }
        return object ? new HpaSpec.ObjectMetric(identifier.getName(), targetType, milli)
                : new HpaSpec.ExternalMetric(identifier.getName(), targetType, milli);
    }

    private static HpaSpec.Metric resourceMetric(MetricSpec spec, String where, List<String> problems) {
        var resource = spec.getResource();
        if (resource == null || resource.getName() == null || resource.getTarget() == null) {
            problems.add(where + ".resource needs name and target");
            return null;
        }
        MetricTarget target = resource.getTarget();
        if ("Utilization".equals(target.getType()) && target.getAverageUtilization() != null
                && target.getAverageUtilization() > 0) {
            return new HpaSpec.ResourceMetric(resource.getName(), TargetType.UTILIZATION,
                    target.getAverageUtilization());
        }
        if ("AverageValue".equals(target.getType()) && target.getAverageValue() != null) {
            return new HpaSpec.ResourceMetric(resource.getName(), TargetType.AVERAGE_VALUE,
                    milli(target.getAverageValue()));
        }
        problems.add(where + ".resource.target must be {type: Utilization, averageUtilization: N > 0} or"
                + " {type: AverageValue, averageValue: ...}");
        return null;
    }

    /** The annotation that tells the simulator which {@code lead} the adapter applies to this HPA's metrics. */
    public static final String LEAD_ANNOTATION = "simulate.demandmetrics.io/lead";

    private static java.time.Duration lead(HorizontalPodAutoscaler hpa, List<String> problems) {
        var annotations = hpa.getMetadata() == null ? null : hpa.getMetadata().getAnnotations();
        String text = annotations == null ? null : annotations.get(LEAD_ANNOTATION);
        if (text == null) {
            return null;
        }
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("(\\d{1,5})(s|m)").matcher(text.strip());
        if (!matcher.matches() || Integer.parseInt(matcher.group(1)) == 0) {
            problems.add("metadata.annotations[" + LEAD_ANNOTATION + "] must be a duration such as 60s or 2m");
            return null;
        }
        long seconds = Long.parseLong(matcher.group(1)) * (matcher.group(2).equals("m") ? 60 : 1);
        return java.time.Duration.ofSeconds(seconds);
    }

    /** The annotation that gives the simulator the known peaks a cron metric of this HPA serves. */
    public static final String SCHEDULE_ANNOTATION = "simulate.demandmetrics.io/schedule";

    private static Schedule schedule(HorizontalPodAutoscaler hpa, List<String> problems) {
        var annotations = hpa.getMetadata() == null ? null : hpa.getMetadata().getAnnotations();
        String text = annotations == null ? null : annotations.get(SCHEDULE_ANNOTATION);
        if (text == null) {
            return null;
        }
        try {
            return Schedule.parse(text);
        } catch (IllegalArgumentException e) {
            problems.add("metadata.annotations[" + SCHEDULE_ANNOTATION + "]: " + e.getMessage());
            return null;
        }
    }

    /** The API server's defaults for a present behavior: each missing direction or field is filled. */
    private static Behavior behavior(HorizontalPodAutoscalerBehavior behavior, List<String> problems) {
        if (behavior == null) {
            return null;
        }
        return new Behavior(rules(behavior.getScaleUp(), ScalingRules.defaultScaleUp(), "spec.behavior.scaleUp",
                problems), rules(behavior.getScaleDown(), ScalingRules.defaultScaleDown(), "spec.behavior.scaleDown",
                problems));
    }

    private static ScalingRules rules(HPAScalingRules rules, ScalingRules defaults, String where,
                                      List<String> problems) {
        if (rules == null) {
            return defaults;
        }
        Integer window = rules.getStabilizationWindowSeconds() != null ? rules.getStabilizationWindowSeconds()
                : defaults.stabilizationWindowSeconds();
        if (window != null && (window < 0 || window > 3600)) {
            problems.add(where + ".stabilizationWindowSeconds must be from 0 to 3600");
        }
        SelectPolicy select = defaults.selectPolicy();
        if (rules.getSelectPolicy() != null) {
            switch (rules.getSelectPolicy()) {
                case "Max" -> select = SelectPolicy.MAX;
                case "Min" -> select = SelectPolicy.MIN;
                case "Disabled" -> select = SelectPolicy.DISABLED;
                default -> problems.add(where + ".selectPolicy must be Max, Min or Disabled");
            }
        }
        List<Policy> policies = defaults.policies();
        if (rules.getPolicies() != null && !rules.getPolicies().isEmpty()) {
            policies = new ArrayList<>();
            for (HPAScalingPolicy policy : rules.getPolicies()) {
                PolicyType type = "Pods".equals(policy.getType()) ? PolicyType.PODS
                        : "Percent".equals(policy.getType()) ? PolicyType.PERCENT : null;
                if (type == null) {
                    problems.add(where + ".policies: type must be Pods or Percent");
                    continue;
                }
                int value = policy.getValue() == null ? 0 : policy.getValue();
                int period = policy.getPeriodSeconds() == null ? 0 : policy.getPeriodSeconds();
                if (value <= 0) {
                    problems.add(where + ".policies: value must be positive");
                }
                if (period <= 0 || period > 1800) {
                    problems.add(where + ".policies: periodSeconds must be from 1 to 1800");
                }
                policies.add(new Policy(type, value, period));
            }
        }
        Double tolerance = null;
        if (rules.getTolerance() != null) {
            tolerance = rules.getTolerance().getNumericalAmount().doubleValue();
            if (tolerance < 0) {
                problems.add(where + ".tolerance must not be negative");
            }
        }
        return new ScalingRules(window, select, policies, tolerance);
    }

    /** A Quantity's MilliValue: thousandths, rounded up, as the controller reads targets. */
    static long milli(Quantity quantity) {
        BigDecimal amount = quantity.getNumericalAmount();
        return amount.movePointRight(3).setScale(0, RoundingMode.CEILING).longValueExact();
    }
}
