package io.demandmetrics.hpa;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Whole syncs: the worked example of {@code ../shared/reference/hpa-algorithm.md} for the legacy
 * path, default {@code behavior} and a 10-minute, 25 %-a-minute scale-down, from HPA manifests as
 * a user writes them; and the rules across metrics (the largest proposal; failing metrics block
 * scale-down only) and at the replica bounds.
 */
class HpaControllerTest {

    private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");

    private static String hpa(String behavior) {
        return """
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                metadata: {name: worker, namespace: shop}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: worker}
                  minReplicas: 1
                  maxReplicas: 10
                  metrics:
                    - type: External
                      external:
                        metric: {name: queue_depth}
                        target: {type: AverageValue, averageValue: "100"}
                """ + behavior;
    }

    /**
     * The replicas after each 15-second sync from 0 s to {@code until} s, the metric at 150,
     * 400, 900, 300, then 50 for good; the target's pods follow its spec at once.
     */
    private static Map<Integer, Integer> run(HpaSpec spec, int until) {
        HpaController controller = new HpaController(spec, ControllerOptions.defaults(Tolerances.Rule.FROM_1_33));
        long[] values = {150, 400, 900, 300};
        Map<Integer, Integer> replicas = new TreeMap<>();
        int current = 2;
        for (int t = 0; t <= until; t += 15) {
            long value = t / 15 < values.length ? values[t / 15] : 50;
            List<PodState> pods = new ArrayList<>();
            for (int i = 0; i < current; i++) {
                pods.add(PodState.running("worker-" + i, 500));
            }
            Decision decision = controller.sync(T0.plusSeconds(t), current, current, pods,
                    List.of(new MetricReading.Series(List.of(value * 1000))));
            current = decision.desired();
            replicas.put(t, current);
        }
        return replicas;
    }

    @Test
    void legacyPathOfTheWorkedExample() {
        Map<Integer, Integer> replicas = run(HpaManifest.parse(hpa("")), 420);
        assertThat(List.of(replicas.get(0), replicas.get(15), replicas.get(30), replicas.get(45), replicas.get(60)))
                .containsExactly(2, 4, 8, 9, 9);
        assertThat(replicas.get(330)).isEqualTo(9);
        assertThat(replicas.get(345)).isEqualTo(3);
        assertThat(replicas.get(360)).isEqualTo(1);
    }

    @Test
    void defaultBehaviorOfTheWorkedExample() {
        Map<Integer, Integer> replicas = run(HpaManifest.parse(hpa("  behavior: {}\n")), 420);
        assertThat(List.of(replicas.get(0), replicas.get(15), replicas.get(30), replicas.get(45), replicas.get(60)))
                .containsExactly(2, 4, 8, 8, 8);
        assertThat(replicas.get(315)).isEqualTo(8);
        assertThat(replicas.get(330)).isEqualTo(3);
        assertThat(replicas.get(345)).isEqualTo(1);
    }

    @Test
    void slowScaleDownOfTheWorkedExample() {
        Map<Integer, Integer> replicas = run(HpaManifest.parse(hpa("""
                  behavior:
                    scaleDown:
                      stabilizationWindowSeconds: 600
                      policies: [{type: Percent, value: 25, periodSeconds: 60}]
                """)), 900);
        assertThat(List.of(replicas.get(0), replicas.get(15), replicas.get(30), replicas.get(45), replicas.get(60)))
                .containsExactly(2, 4, 8, 8, 8);
        assertThat(replicas.get(615)).isEqualTo(8);
        assertThat(List.of(replicas.get(630), replicas.get(675), replicas.get(690), replicas.get(750),
                replicas.get(810), replicas.get(870))).containsExactly(6, 6, 4, 3, 2, 1);
    }

    private static final HpaSpec TWO_METRICS = new HpaSpec("web", 1, 20, List.of(
            new HpaSpec.PodsMetric("rps", 100_000), new HpaSpec.ExternalMetric("lag", HpaSpec.TargetType.VALUE,
                    1_000_000)), null);

    private static List<PodState> pods(int count) {
        List<PodState> pods = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            pods.add(PodState.running("web-" + i, 500));
        }
        return pods;
    }

    private static MetricReading rps(int pods, long each) {
        Map<String, Long> values = new TreeMap<>();
        for (int i = 0; i < pods; i++) {
            values.put("web-" + i, each * 1000);
        }
        return MetricReading.perPod(values);
    }

    @Test
    void theLargestProposalWinsAndFailuresBlockOnlyScaleDown() {
        HpaController controller = new HpaController(TWO_METRICS, ControllerOptions.defaults(Tolerances.Rule.FROM_1_33));
        // rps 200 per pod of 4 against 100: 8; lag 3000 against 1000 over 4 ready pods: 12.
        Decision both = controller.sync(T0, 4, 4, pods(4), List.of(rps(4, 200),
                new MetricReading.Series(List.of(3_000_000L))));
        assertThat(both.proposals()).extracting(Decision.MetricProposal::replicas).containsExactly(8, 12);
        assertThat(both.desired()).isEqualTo(8); // legacy limit: max(2 x 4, 4)
        assertThat(both.reason()).isEqualTo("ScaleUpLimit");

        // One metric failing, the other proposing more: scale-up goes ahead.
        Decision up = controller.sync(T0.plusSeconds(15), 8, 8, pods(8), List.of(rps(8, 150),
                new MetricReading.Failed("unable to get external metric shop/lag: no answer")));
        assertThat(up.desired()).isEqualTo(12);
        assertThat(up.proposals().get(1).error()).contains("no answer");

        // One failing, the other proposing less: nothing moves.
        Decision down = controller.sync(T0.plusSeconds(30), 12, 12, pods(12), List.of(rps(12, 10),
                new MetricReading.Failed("unable to get external metric shop/lag: no answer")));
        assertThat(down.rescale()).isFalse();
        assertThat(down.reason()).isEqualTo("FailedComputeMetricsReplicas");
        assertThat(down.message()).isEqualTo("invalid metrics (1 invalid out of 2), first error is: lag: unable to"
                + " get external metric shop/lag: no answer");

        // Both failing: nothing moves either way.
        Decision none = controller.sync(T0.plusSeconds(45), 12, 12, pods(12), List.of(
                new MetricReading.Failed("no pods metric"), new MetricReading.Failed("no external metric")));
        assertThat(none.desired()).isEqualTo(12);
        assertThat(none.proposed()).isEqualTo(-1);
    }

    @Test
    void boundsBeforeAnyMetric() {
        HpaController controller = new HpaController(TWO_METRICS, ControllerOptions.defaults(Tolerances.Rule.FROM_1_33));
        List<MetricReading> unused = List.of(new MetricReading.Failed("not read"), new MetricReading.Failed("not read"));
        assertThat(controller.sync(T0, 25, 25, pods(25), unused).desired()).isEqualTo(20);
        assertThat(controller.sync(T0, 0, 0, List.of(), unused).reason()).isEqualTo("ScalingDisabled");
        HpaSpec fromZero = new HpaSpec("w", 0, 10, List.of(new HpaSpec.ExternalMetric("lag", HpaSpec.TargetType.VALUE,
                1000)), null);
        HpaController zero = new HpaController(fromZero, ControllerOptions.defaults(Tolerances.Rule.FROM_1_33));
        // minReplicas 0 (HPAScaleToZero): from 0, ceil(value / target) with no pods.
        assertThat(zero.sync(T0, 0, 0, List.of(), List.of(new MetricReading.Series(List.of(2500L)))).desired())
                .isEqualTo(3);
        HpaController idle = new HpaController(fromZero, ControllerOptions.defaults(Tolerances.Rule.FROM_1_33));
        assertThat(idle.sync(T0, 0, 0, List.of(), List.of(new MetricReading.Series(List.of(0L)))).desired()).isZero();
        // The legacy window holds the 3 of a moment ago against a value of 0.
        assertThat(zero.sync(T0.plusSeconds(15), 3, 3, pods(3), List.of(new MetricReading.Series(List.of(0L)))).desired())
                .isEqualTo(3);
    }

    /**
     * A behavior's per-direction {@code tolerance} applies only with the HPAConfigurableTolerance
     * gate on: a total of 260 against 100 a replica from 2 replicas is a ratio of 1.3, past the
     * default 0.1 (ceil(260 / 100) = 3 replicas), within a scale-up tolerance of 0.5 (2 stay).
     */
    @Test
    void aPerDirectionToleranceAppliesWithTheConfigurableToleranceGateOnly() {
        HpaSpec spec = HpaManifest.parse(hpa("  behavior: {scaleUp: {tolerance: \"0.5\"}}\n"));
        ControllerOptions off = ControllerOptions.defaults(Tolerances.Rule.FROM_1_33);
        List<PodState> pods = List.of(PodState.running("worker-0", 500), PodState.running("worker-1", 500));
        List<MetricReading> readings = List.of(new MetricReading.Series(List.of(260_000L)));
        assertThat(new HpaController(spec, off).sync(T0, 2, 2, pods, readings).desired()).isEqualTo(3);
        assertThat(new HpaController(spec, off.withConfigurableTolerance()).sync(T0, 2, 2, pods, readings).desired())
                .isEqualTo(2);
    }
}
