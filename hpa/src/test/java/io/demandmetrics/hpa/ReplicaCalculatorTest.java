package io.demandmetrics.hpa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.demandmetrics.hpa.PodState.Phase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Per-metric proposals, ported from kubernetes' {@code pkg/controller/podautoscaler/replica_calculator_test.go}
 * (each test names the upstream case). Its fixtures: pods Running and Ready, started long ago
 * ("cool") unless said; "hot" pods started within the CPU initialization period; a CPU
 * request of 1.0 per pod; values in thousandths; tolerance 0.1.
 */
class ReplicaCalculatorTest {

    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    /** Upstream's testing periods: CPU initialization 2 min, initial readiness delay 10 s. */
    private final ReplicaCalculator calculator = new ReplicaCalculator(Duration.ofMinutes(2), Duration.ofSeconds(10));
    private static final Tolerances TOLERANCE = Tolerances.standard(Tolerances.Rule.FROM_1_33);
    /** Upstream's {@code coolCPUCreationTime}: started 10 minutes ago. */
    private static final Instant COOL = NOW.minus(Duration.ofMinutes(10));
    /** Upstream's {@code hotCPUCreationTime}: started 30 s ago (inside the initialization period). */
    private static final Instant HOT = NOW.minusSeconds(30);

    private static List<PodState> pods(int count) {
        List<PodState> pods = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            pods.add(new PodState("pod-" + i, Phase.RUNNING, false, true, COOL, COOL, 1000));
        }
        return pods;
    }

    /** Pods with the given readiness and start times (the Ready condition set when each started). */
    private static List<PodState> pods(boolean[] ready, Instant[] started) {
        List<PodState> pods = new ArrayList<>();
        for (int i = 0; i < ready.length; i++) {
            pods.add(new PodState("pod-" + i, Phase.RUNNING, false, ready[i], started[i], started[i], 1000));
        }
        return pods;
    }

    private static Map<String, Long> levels(long... values) {
        Map<String, Long> levels = new HashMap<>();
        for (int i = 0; i < values.length; i++) {
            levels.put("pod-" + i, values[i]);
        }
        return levels;
    }

    /** CPU samples taken now over a minute, as upstream's fake metrics client gives them. */
    private static Map<String, PodMetric> cpu(long... values) {
        Map<String, PodMetric> usage = new HashMap<>();
        for (int i = 0; i < values.length; i++) {
            usage.put("pod-" + i, new PodMetric(values[i], NOW, Duration.ofMinutes(1)));
        }
        return usage;
    }

    private ReplicaCalculator.Proposal pods(int current, long target, List<PodState> pods, long... levels) {
        return calculator.podsAverageValue(current, target, levels(levels), pods, TOLERANCE, NOW);
    }

    @Test
    void podsMetrics() {
        // TestReplicaCalcScaleUpCM
        assertThat(pods(3, 15000, pods(3), 20000, 10000, 30000)).isEqualTo(new ReplicaCalculator.Proposal(4, 20000));
        // TestReplicaCalcScaleUpCMUnreadyHotCpuNoLessScale: readiness plays no part outside CPU
        assertThat(pods(3, 15000, pods(new boolean[] {true, true, false}, new Instant[] {COOL, COOL, HOT}),
                50000, 10000, 30000)).isEqualTo(new ReplicaCalculator.Proposal(6, 30000));
        // TestReplicaCalcScaleUpCMUnreadyHotCpuScaleWouldScaleDown: the average truncates (31666)
        assertThat(pods(3, 15000, pods(new boolean[] {false, true, false}, new Instant[] {HOT, COOL, HOT}),
                50000, 15000, 30000)).isEqualTo(new ReplicaCalculator.Proposal(7, 31666));
        // TestReplicaCalcScaleDownCM
        assertThat(pods(5, 20000, pods(5), 12000, 12000, 12000, 12000, 12000))
                .isEqualTo(new ReplicaCalculator.Proposal(3, 12000));
        // TestReplicaCalcToleranceCM
        assertThat(pods(3, 20000, pods(3), 20000, 21000, 21000)).isEqualTo(new ReplicaCalculator.Proposal(3, 20666));
        // TestReplicaCalcConfigurableToleranceCM: an up tolerance of 1 %
        assertThat(calculator.podsAverageValue(3, 20000, levels(20000, 21000, 21000), pods(3),
                new Tolerances(0.1, 0.01, Tolerances.Rule.FROM_1_33), NOW).replicas()).isEqualTo(4);
    }

    @Test
    void missingAndPendingPodsDampAChangeAndNeverReverseIt() {
        // Scale-down with a missing pod: it counts as exactly the target. Ratio 0.4 over the three
        // with values; with the fourth at 10000 it is 5500 / 10000: ceil(0.55 x 4) = 3, not ceil(0.4 x 3) = 2.
        List<PodState> four = pods(4);
        assertThat(pods(4, 10000, four, 4000, 4000, 4000)).isEqualTo(new ReplicaCalculator.Proposal(3, 4000));
        // 0.2 over three; with the fourth at the target 0.4: ceil(1.6) = 2
        assertThat(pods(4, 10000, four, 2000, 2000, 2000).replicas()).isEqualTo(2);
        // Scale-up with a pending pod: it counts as 0, so 3 ready pods at 2x give ceil(1.5 x 4) = 6, not 6 + 2.
        List<PodState> withPending = new ArrayList<>(pods(3));
        withPending.add(new PodState("pod-3", Phase.PENDING, false, false, NOW, null, 1000));
        assertThat(pods(3, 10000, withPending, 20000, 20000, 20000).replicas()).isEqualTo(6);
        // Deleted and failed pods are left out altogether.
        List<PodState> withGone = new ArrayList<>(pods(2));
        withGone.add(new PodState("pod-2", Phase.RUNNING, true, true, COOL, COOL, 1000));
        withGone.add(new PodState("pod-3", Phase.FAILED, false, false, COOL, COOL, 1000));
        assertThat(pods(4, 10000, withGone, 20000, 20000, 90000, 90000).replicas()).isEqualTo(4);
        assertThatThrownBy(() -> pods(2, 10000, List.of())).isInstanceOf(MetricUnavailable.class)
                .hasMessage("no pods returned by selector while calculating replica count");
    }

    @Test
    void cpuUtilization() {
        // TestReplicaCalcScaleUp: 50 % against 30 %
        assertThat(calculator.resourceUtilization(3, 30, cpu(300, 500, 700), pods(3), TOLERANCE, NOW))
                .isEqualTo(new ReplicaCalculator.Proposal(5, 50));
        // TestReplicaCalcScaleUpUnreadyLessScale: the unready pod counts as 0 on a scale-up (60 % -> 40 %)
        assertThat(calculator.resourceUtilization(3, 30, cpu(300, 500, 700),
                pods(new boolean[] {false, true, true}, new Instant[] {COOL, COOL, COOL}), TOLERANCE, NOW))
                .isEqualTo(new ReplicaCalculator.Proposal(4, 60));
        // TestReplicaCalcScaleUpUnreadyNoScale: two unready of three, 40 % against 30 %, keeps 3
        assertThat(calculator.resourceUtilization(3, 30, cpu(400, 500, 700),
                pods(new boolean[] {true, false, false}, new Instant[] {COOL, COOL, COOL}), TOLERANCE, NOW).replicas())
                .isEqualTo(3);
        // TestReplicaCalcTolerance (requests 0.9, 1.0, 1.1)
        List<PodState> uneven = List.of(new PodState("pod-0", Phase.RUNNING, false, true, COOL, COOL, 900),
                new PodState("pod-1", Phase.RUNNING, false, true, COOL, COOL, 1000),
                new PodState("pod-2", Phase.RUNNING, false, true, COOL, COOL, 1100));
        assertThat(calculator.resourceUtilization(3, 100, cpu(1010, 1030, 1020), uneven, TOLERANCE, NOW))
                .isEqualTo(new ReplicaCalculator.Proposal(3, 102));
        // TestReplicaCalcConfigurableTolerance: 0 % tolerance scales at 101 %; 36 % down tolerance keeps 65 %
        assertThat(calculator.resourceUtilization(3, 100, cpu(909, 1010, 1111), uneven,
                new Tolerances(0, 0, Tolerances.Rule.FROM_1_33), NOW).replicas()).isEqualTo(4);
        assertThat(calculator.resourceUtilization(3, 100, cpu(660, 640, 650), uneven,
                new Tolerances(0.36, 0.1, Tolerances.Rule.FROM_1_33), NOW).replicas()).isEqualTo(3);
        assertThat(calculator.resourceUtilization(3, 100, cpu(660, 640, 650), uneven,
                new Tolerances(0.34, 0.1, Tolerances.Rule.FROM_1_33), NOW).replicas()).isEqualTo(2);
        // TestReplicaCalcSuperfluousMetrics: values of pods the HPA does not select are left out
        assertThat(calculator.resourceUtilization(4, 100, cpu(4000, 9500, 3000, 7000, 3200, 2000), pods(4),
                TOLERANCE, NOW)).isEqualTo(new ReplicaCalculator.Proposal(24, 587));
        // TestReplicaCalcMissingMetrics: the two missing pods count as their whole request on a scale-down
        assertThat(calculator.resourceUtilization(4, 100, cpu(400, 95), pods(4), TOLERANCE, NOW))
                .isEqualTo(new ReplicaCalculator.Proposal(3, 24));
        // TestReplicaCalcScaleUpIgnoresDeletionPods: deleted pods are not counted
        List<PodState> deleting = new ArrayList<>(pods(2));
        deleting.add(new PodState("pod-2", Phase.RUNNING, true, false, COOL, COOL, 1000));
        deleting.add(new PodState("pod-3", Phase.RUNNING, true, false, COOL, COOL, 1000));
        assertThat(calculator.resourceUtilization(2, 30, cpu(500, 700), deleting, TOLERANCE, NOW))
                .isEqualTo(new ReplicaCalculator.Proposal(4, 60));
    }

    @Test
    void cpuOfAPodThatJustBecameReadyWaitsAWholeWindow() {
        // Started 30 s ago, ready 20 s ago, its sample covers a minute from 40 s ago: not yet a ready pod's.
        PodState starting = new PodState("pod-2", Phase.RUNNING, false, true, NOW.minusSeconds(20), HOT, 1000);
        List<PodState> podsNow = new ArrayList<>(pods(2));
        podsNow.add(starting);
        Map<String, PodMetric> usage = cpu(900, 900);
        usage.put("pod-2", new PodMetric(900, NOW.minusSeconds(40), Duration.ofMinutes(1)));
        // 90 % against 50 % over the two settled pods, the starting one as 0: ceil(60/50 x 3) = 4, not ceil(1.8 x 3) = 6
        assertThat(calculator.resourceUtilization(3, 50, usage, podsNow, TOLERANCE, NOW).replicas()).isEqualTo(4);
        // Once its sample was taken a whole window after it became ready, it counts.
        usage.put("pod-2", new PodMetric(900, NOW.plusSeconds(45), Duration.ofMinutes(1)));
        assertThat(calculator.resourceUtilization(3, 50, usage, podsNow, TOLERANCE, NOW.plusSeconds(45)).replicas())
                .isEqualTo(6);
    }

    @Test
    void objectAndExternalMetrics() {
        // TestReplicaCalcScaleUpCMObject
        assertThat(calculator.value(3, 15000, 20000, pods(3), TOLERANCE)).isEqualTo(new ReplicaCalculator.Proposal(4,
                20000));
        // TestReplicaCalcScaleUpCMObjectIgnoresUnreadyPods: only Running and Ready pods count (1 of 3)
        List<PodState> oneReady = pods(new boolean[] {false, true, false}, new Instant[] {COOL, COOL, COOL});
        assertThat(calculator.value(3, 10000, 50000, oneReady, TOLERANCE).replicas()).isEqualTo(5);
        // TestReplicaCalcScaleUpCMExternalIgnoresUnreadyPods
        assertThat(calculator.value(3, 4400, 8600, oneReady, TOLERANCE).replicas()).isEqualTo(2);
        // TestReplicaCalcScaleUpCMPerPodObject / TestReplicaCalcScaleUpPerPodCMExternal
        assertThat(calculator.averageValue(3, 5000, 20000, TOLERANCE)).isEqualTo(new ReplicaCalculator.Proposal(4,
                6667));
        assertThat(calculator.averageValue(3, 2150, 8600, TOLERANCE)).isEqualTo(new ReplicaCalculator.Proposal(4,
                2867));
        // TestReplicaCalcScaleDownCMObject, ...CMExternal, ...PerPodCMObject, ...PerPodCMExternal
        assertThat(calculator.value(5, 20000, 12000, pods(5), TOLERANCE).replicas()).isEqualTo(3);
        assertThat(calculator.value(5, 14334, 8600, pods(5), TOLERANCE).replicas()).isEqualTo(3);
        assertThat(calculator.averageValue(5, 2000, 6000, TOLERANCE)).isEqualTo(new ReplicaCalculator.Proposal(3,
                1200));
        assertThat(calculator.averageValue(5, 2867, 8600, TOLERANCE)).isEqualTo(new ReplicaCalculator.Proposal(3,
                1720));
        // TestReplicaCalcToleranceCMObject, ...PerPodCMObject, ...CMExternal, ...PerPodCMExternal
        assertThat(calculator.value(3, 20000, 20666, pods(3), TOLERANCE).replicas()).isEqualTo(3);
        assertThat(calculator.averageValue(4, 5000, 20166, TOLERANCE)).isEqualTo(new ReplicaCalculator.Proposal(4,
                5042));
        assertThat(calculator.value(3, 8888, 8600, pods(3), TOLERANCE).replicas()).isEqualTo(3);
        assertThat(calculator.averageValue(3, 2900, 8600, TOLERANCE).replicas()).isEqualTo(3);
        // TestReplicaCalcConfigurableTolerance{PerPodCMObject,CMExternal,PerPodCMExternal}: up tolerance 1 %
        Tolerances onePercentUp = new Tolerances(0.1, 0.01, Tolerances.Rule.FROM_1_33);
        assertThat(calculator.averageValue(4, 5000, 20208, onePercentUp).replicas()).isEqualTo(5);
        assertThat(calculator.value(3, 8800, 8900, pods(3), onePercentUp).replicas()).isEqualTo(4);
        assertThat(calculator.averageValue(3, 2800, 8600, onePercentUp).replicas()).isEqualTo(4);
        // From zero replicas (HPAScaleToZero): ceil of the ratio, no tolerance, no pods needed.
        assertThat(calculator.value(0, 10000, 10500, List.of(), TOLERANCE).replicas()).isEqualTo(2);
        assertThat(calculator.value(0, 10000, 0, List.of(), TOLERANCE).replicas()).isZero();
        // TestExternalPerPodMetricUsageOverflow-like: the sum is capped, the count too
        assertThat(ReplicaCalculator.sum(List.of(Long.MAX_VALUE, 5L))).isEqualTo(Long.MAX_VALUE);
        assertThat(calculator.averageValue(1, 1, Long.MAX_VALUE, TOLERANCE).replicas()).isEqualTo(Integer.MAX_VALUE);
    }

    /** Where the two versions' tolerance rules part: a ratio of exactly 1.1 as floating point makes it. */
    @Test
    void theTwoToleranceRulesDifferOnlyAtTheEdge() {
        Tolerances before = Tolerances.standard(Tolerances.Rule.UP_TO_1_32);
        Tolerances after = Tolerances.standard(Tolerances.Rule.FROM_1_33);
        // 11000 / 10000 = 1.1: |1 - 1.1| = 0.10000000000000009 > 0.1 before 1.33; 1.1 <= 1.1 after.
        assertThat(calculator.value(10, 10000, 11000, pods(10), before).replicas()).isEqualTo(11);
        assertThat(calculator.value(10, 10000, 11000, pods(10), after).replicas()).isEqualTo(10);
        assertThat(calculator.value(10, 10000, 10900, pods(10), before).replicas()).isEqualTo(10);
        assertThat(calculator.value(10, 10000, 10900, pods(10), after).replicas()).isEqualTo(10);
    }
}
