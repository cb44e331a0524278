package io.demandmetrics.hpa;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandmetrics.hpa.HpaSpec.Behavior;
import io.demandmetrics.hpa.HpaSpec.Policy;
import io.demandmetrics.hpa.HpaSpec.PolicyType;
import io.demandmetrics.hpa.HpaSpec.ScalingRules;
import io.demandmetrics.hpa.HpaSpec.SelectPolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The behavior path's rate limits and the legacy stabilization, ported case by case from
 * kubernetes' {@code pkg/controller/podautoscaler/horizontal_test.go}: {@code TestScalingWithRules}
 * (min, max and the policies over earlier scale events, spread as its
 * {@code generateEventsUniformDistribution} spreads them), {@code TestCalculateScaleUpLimitWithScalingRules},
 * {@code TestCalculateScaleDownLimitWithBehaviors}, {@code TestConvertDesiredReplicasWithRules}
 * (through a sync) and {@code TestNormalizeDesiredReplicas}.
 */
class ScalingRulesTest {

    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    /** Upstream's {@code generateScalingRules}: a Pods and/or a Percent policy (0 leaves it out), select Max. */
    private static ScalingRules rules(int pods, int podsPeriod, int percent, int percentPeriod, int window) {
        List<Policy> policies = new ArrayList<>();
        if (pods != 0) {
            policies.add(new Policy(PolicyType.PODS, pods, podsPeriod));
        }
        if (percent != 0) {
            policies.add(new Policy(PolicyType.PERCENT, percent, percentPeriod));
        }
        return new ScalingRules(window, SelectPolicy.MAX, policies, null);
    }

    /** Upstream's {@code generateEventsUniformDistribution}: each event in the middle of its share of the period. */
    private static List<Instant> spread(int count, int periodSeconds) {
        double segment = (double) periodSeconds / count;
        List<Instant> times = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            times.add(NOW.minusSeconds((long) (periodSeconds - segment * (i + 1) + segment / 2)));
        }
        return times;
    }

    private static Arguments c(String name, int[] ups, int[] downs, int min, int max, ScalingRules up,
                               ScalingRules down, int current, int desired, int expected, String condition) {
        return Arguments.of(name, ups, downs, min, max, up, down, current, desired, expected, condition);
    }

    private static final int[] NONE = {};

    static Stream<Arguments> scalingWithRules() {
        return Stream.of(
                c("prenormalized desired replicas within range", NONE, NONE, 3, 8, null, null, 5, 7, 7,
                        "DesiredWithinRange"),
                c("prenormalized desired replicas < minReplicas", NONE, NONE, 2, 8, null, null, 3, 1, 2,
                        "TooFewReplicas"),
                c("prenormalized desired replicas within range when minReplicas is 0", NONE, NONE, 0, 10, null, null,
                        1, 0, 0, "DesiredWithinRange"),
                c("maxReplicas is the limit because maxReplicas < scaleUpLimit", NONE, NONE, 1, 10, null, null, 20,
                        1000, 10, "TooManyReplicas"),
                c("desired replica count is more than the maximum replica count", NONE, NONE, 100, 150, null, null,
                        100, 1000, 150, "TooManyReplicas"),
                c("scaleUpLimit is the limit because scaleUpLimit < maxReplicas with user policies", NONE, NONE, 1,
                        2000, rules(0, 0, 1, 60, 0), null, 3, 1000, 4, "ScaleUpLimit"),
                c("scaleDownLimit is the limit because scaleDownLimit > minReplicas with user defined policies", NONE,
                        NONE, 3, 2000, null, rules(20, 60, 0, 0, 0), 1000, 3, 980, "ScaleDownLimit"),
                c("scaleUp with default behavior", NONE, NONE, 1, 1000, null, null, 10, 50, 20, "ScaleUpLimit"),
                c("scaleUp with pods policy larger than percent policy", NONE, NONE, 1, 1000,
                        rules(100, 60, 100, 60, 0), null, 10, 500, 110, "ScaleUpLimit"),
                c("scaleUp with percent policy larger than pods policy", NONE, NONE, 1, 1000,
                        rules(2, 60, 100, 60, 0), null, 10, 500, 20, "ScaleUpLimit"),
                c("scaleUp with spec MaxReplicas limitation with large pod policy", NONE, NONE, 1, 1000,
                        rules(100, 60, 0, 0, 0), null, 10, 50, 50, "DesiredWithinRange"),
                c("scaleUp with spec MaxReplicas limitation with large percent policy", NONE, NONE, 1, 1000,
                        rules(10000, 60, 0, 0, 0), null, 10, 50, 50, "DesiredWithinRange"),
                c("scaleUp with pod policy limitation", NONE, NONE, 1, 1000, rules(30, 60, 0, 0, 0), null, 10, 50,
                        40, "ScaleUpLimit"),
                c("scaleUp with percent policy limitation", NONE, NONE, 1, 1000, rules(0, 0, 200, 60, 0), null, 10,
                        50, 30, "ScaleUpLimit"),
                c("scaleDown with percent policy larger than pod policy", NONE, NONE, 1, 1000, null,
                        rules(20, 60, 1, 60, 300), 100, 2, 80, "ScaleDownLimit"),
                c("scaleDown with pod policy larger than percent policy", NONE, NONE, 1, 1000, null,
                        rules(2, 60, 1, 60, 300), 100, 2, 98, "ScaleDownLimit"),
                c("scaleDown with spec MinReplicas=nil limitation with large pod policy", NONE, NONE, 1, 1000, null,
                        rules(100, 60, 0, 0, 300), 10, 0, 1, "TooFewReplicas"),
                c("scaleDown with spec MinReplicas limitation with large percent policy", NONE, NONE, 5, 1000, null,
                        rules(0, 0, 100, 60, 300), 10, 2, 5, "TooFewReplicas"),
                c("scaleDown with pod policy limitation", NONE, NONE, 1, 1000, null, rules(5, 60, 0, 0, 300), 10, 2,
                        5, "ScaleDownLimit"),
                c("scaleDown with percent policy limitation", NONE, NONE, 1, 1000, null, rules(0, 0, 50, 60, 300),
                        10, 5, 5, "DesiredWithinRange"),
                c("scaleUp with spec MaxReplicas limitation with large pod policy and events", new int[] {1, 5, 9},
                        NONE, 1, 200, rules(300, 60, 0, 0, 0), null, 100, 500, 200, "TooManyReplicas"),
                c("scaleUp with spec MaxReplicas limitation with large percent policy and events",
                        new int[] {1, 5, 9}, NONE, 1, 200, rules(0, 0, 10000, 60, 0), null, 100, 500, 200,
                        "TooManyReplicas"),
                c("scaleUp with currentReplicas limitation with rate.PeriodSeconds with a lot of recent scale up"
                        + " events", new int[] {1, 5, 9}, NONE, 1, 1000, rules(5, 120, 0, 0, 0), null, 100, 500, 100,
                        "ScaleUpLimit"),
                c("scaleUp with pod policy and previous scale up events", new int[] {1, 5, 9}, NONE, 1, 1000,
                        rules(150, 120, 0, 0, 0), null, 100, 500, 235, "ScaleUpLimit"),
                c("scaleUp with percent policy and previous scale up events", new int[] {1, 5, 9}, NONE, 1, 1000,
                        rules(0, 0, 200, 120, 0), null, 100, 500, 255, "ScaleUpLimit"),
                c("scaleUp with percent policy and previous scale up and down events", new int[] {4}, new int[] {2},
                        1, 1000, rules(0, 0, 300, 300, 0), null, 6, 24, 16, "ScaleUpLimit"),
                c("scaleDown with default policy and previous events", NONE, new int[] {1, 5, 9}, 1, 1000, null, null,
                        10, 5, 5, "DesiredWithinRange"),
                c("scaleDown with spec MinReplicas=nil limitation with large pod policy and previous events", NONE,
                        new int[] {1, 5, 9}, 1, 1000, null, rules(115, 120, 0, 0, 300), 100, 0, 1, "TooFewReplicas"),
                c("scaleDown with spec MinReplicas limitation with large pod policy and previous events", NONE,
                        new int[] {1, 5, 9}, 5, 1000, null, rules(130, 120, 0, 0, 300), 100, 0, 5, "TooFewReplicas"),
                c("scaleDown with spec MinReplicas limitation with large percent policy and previous events", NONE,
                        new int[] {1, 5, 9}, 5, 1000, null, rules(0, 0, 100, 120, 300), 100, 2, 5, "TooFewReplicas"),
                c("scaleDown with pod policy limitation and previous events", NONE, new int[] {1, 5, 9}, 1, 1000,
                        null, rules(5, 120, 0, 0, 300), 100, 2, 100, "ScaleDownLimit"),
                c("scaleDown with percent policy limitation and previous events", NONE, new int[] {2, 4, 6}, 1, 1000,
                        null, rules(0, 0, 50, 120, 300), 100, 0, 56, "ScaleDownLimit"),
                c("scaleDown with percent policy and previous scale up and down events", new int[] {2},
                        new int[] {4}, 1, 1000, null, rules(0, 0, 50, 180, 0), 10, 1, 6, "ScaleDownLimit"),
                c("scaleDown with previous events preventing further scale down", NONE, new int[] {10, 10, 10}, 1,
                        1000, null, rules(0, 0, 10, 120, 300), 100, 0, 100, "ScaleDownLimit"),
                c("scaleDown with with previous events still allowing more scale down", NONE,
                        new int[] {10, 10, 10}, 1, 1000, null, rules(0, 0, 1000, 120, 300), 10, 5, 5,
                        "DesiredWithinRange"),
                c("check 'outdated' flag for events for one behavior for up", new int[] {8, 12, 9, 11}, NONE, 1,
                        1000, rules(1000, 60, 0, 0, 0), null, 100, 200, 200, "DesiredWithinRange"),
                c("check that events were not marked 'outdated' for two different policies in the behavior for up",
                        new int[] {8, 12, 9, 11}, NONE, 1, 1000, rules(1000, 120, 100, 60, 0), null, 100, 200, 200,
                        "DesiredWithinRange"),
                c("check that events were marked 'outdated' for two different policies in the behavior for up",
                        new int[] {8, 12, 9, 11}, NONE, 1, 1000, rules(1000, 30, 100, 60, 0), null, 100, 200, 200,
                        "DesiredWithinRange"),
                c("check 'outdated' flag for events for one behavior for down", NONE, new int[] {8, 12, 9, 11}, 1,
                        1000, null, rules(1000, 60, 0, 0, 300), 100, 5, 5, "DesiredWithinRange"),
                c("check that events were not marked 'outdated' for two different policies in the behavior for"
                        + " down", NONE, new int[] {8, 12, 9, 11}, 1, 1000, null, rules(1000, 120, 100, 60, 300), 100,
                        5, 5, "DesiredWithinRange"),
                c("check that events were marked 'outdated' for two different policies in the behavior for down",
                        NONE, new int[] {8, 12, 9, 11}, 1, 1000, null, rules(1000, 30, 100, 60, 300), 100, 5, 5,
                        "DesiredWithinRange"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void scalingWithRules(String name, int[] ups, int[] downs, int min, int max, ScalingRules up, ScalingRules down,
                          int current, int desired, int expected, String condition) {
        Behavior behavior = new Behavior(up == null ? ScalingRules.defaultScaleUp() : up,
                down == null ? ScalingRules.defaultScaleDown() : down);
        HpaController controller = new HpaController(new HpaSpec("t", min, max, List.of(), behavior),
                ControllerOptions.defaults(Tolerances.Rule.FROM_1_33));
        List<Instant> upTimes = spread(ups.length, 120);
        for (int i = 0; i < ups.length; i++) {
            controller.rememberScaleEvent(true, ups[i], upTimes.get(i));
        }
        List<Instant> downTimes = spread(downs.length, 120);
        for (int i = 0; i < downs.length; i++) {
            controller.rememberScaleEvent(false, downs[i], downTimes.get(i));
        }
        HpaController.Limited limited = controller.limit(NOW, current, desired, behavior);
        assertThat(limited.replicas()).isEqualTo(expected);
        assertThat(limited.reason()).isEqualTo(condition);
    }

    /** {@code TestCalculateScaleUpLimitWithScalingRules} and {@code TestCalculateScaleDownLimitWithBehaviors}: Min picks the least change. */
    @Test
    void minSelectPicksTheLeastChange() {
        ScalingRules least = new ScalingRules(300, SelectPolicy.MIN, List.of(new Policy(PolicyType.PODS, 2, 60),
                new Policy(PolicyType.PERCENT, 50, 60)), null);
        Behavior behavior = new Behavior(least, least);
        HpaController controller = new HpaController(new HpaSpec("t", 1, 1000, List.of(), behavior),
                ControllerOptions.defaults(Tolerances.Rule.FROM_1_33));
        assertThat(controller.limit(NOW, 1, 1000, behavior).replicas()).isEqualTo(2);
        assertThat(controller.limit(NOW, 5, 0, behavior).replicas()).isEqualTo(3);
        ScalingRules disabled = new ScalingRules(0, SelectPolicy.DISABLED, least.policies(), null);
        Behavior off = new Behavior(disabled, disabled);
        assertThat(controller.limit(NOW, 5, 50, off).replicas()).isEqualTo(5);
        assertThat(controller.limit(NOW, 5, 1, off).replicas()).isEqualTo(5);
    }

    /** {@code TestNormalizeDesiredReplicas}: the legacy window keeps the highest recommendation of the last 5 minutes. */
    @Test
    void legacyStabilizationKeepsTheHighestRecentRecommendation() {
        assertThat(legacy(new int[] {}, new int[] {}, 5)).isEqualTo(5);
        assertThat(legacy(new int[] {4, 5}, new int[] {2, 1}, 3)).isEqualTo(5);
        assertThat(legacy(new int[] {1, 2}, new int[] {2, 1}, 3)).isEqualTo(3);
        assertThat(legacy(new int[] {10, 9}, new int[] {10, 9}, 3)).isEqualTo(3);
        assertThat(legacy(new int[] {10, 4, 5, 9}, new int[] {10, 1, 2, 9}, 3)).isEqualTo(5);
    }

    private static int legacy(int[] replicas, int[] minutesAgo, int proposed) {
        HpaController controller = new HpaController(new HpaSpec("t", 1, 100, List.of(), null),
                ControllerOptions.defaults(Tolerances.Rule.FROM_1_33));
        for (int i = 0; i < replicas.length; i++) {
            controller.rememberRecommendation(replicas[i], NOW.minusSeconds(60L * minutesAgo[i]));
        }
        return controller.stabilizeLegacy(NOW, proposed);
    }
}
