package io.demandmetrics.simulator;

import io.demandmetrics.hpa.ControllerOptions;
import io.demandmetrics.hpa.Decision;
import io.demandmetrics.hpa.HpaSpec;
import io.demandmetrics.hpa.Schedule;
import io.demandmetrics.hpa.Tolerances;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The workload model under the controller, checked second by second against arithmetic done
 * by hand: the article's service (45 s to ready, 500 req/s per pod at a 250 ms P99, saturating
 * at 625 req/s) behind an HPA on requests per second per pod.
 */
class SimulationTest {

    private static final Workload SERVICE = Workload.example();
    private static final HpaSpec RPS = new HpaSpec("web", 2, 20, List.of(new HpaSpec.PodsMetric("rps", 500_000)),
            null);

    /** 400 req/s a pod, without and with the adapter's 60 s lead. */
    private static final HpaSpec PLAIN = new HpaSpec("plain", 2, 40, List.of(new HpaSpec.PodsMetric("rps", 400_000)),
            null);
    private static final HpaSpec AHEAD = new HpaSpec("ahead", 2, 40, List.of(new HpaSpec.PodsMetric("rps", 400_000)),
            null, Duration.ofSeconds(60), null);

    private static Outcome run(HpaSpec spec, String trace, int start) {
        return new Simulation(spec, SERVICE, ControllerOptions.defaults(Tolerances.Rule.FROM_1_33),
                Simulation.signals(spec, Map.of())).run(Trace.parse(trace), start);
    }

    @Test
    void theWorkloadModelsArithmetic() {
        assertThat(SERVICE.maxRate()).isEqualTo(625.0);
        assertThat(SERVICE.p99(500)).isCloseTo(0.25, within(1e-12)); // the SLO exactly at capacity
        assertThat(SERVICE.p99(0)).isEqualTo(0.05);
        assertThat(SERVICE.cpuMilli(400)).isEqualTo(700); // 70 % of the 1-core request at 400 req/s
    }

    @Test
    void steadyDemandSettlesWhereTheTargetSaysAndMeetsTheSlo() {
        Outcome outcome = run(RPS, "0,1800\n600,1800\n", 2);
        // 1800 req/s over 2 pods is 900 each, more than a pod serves (625): the HPA sees 625 per
        // pod, 1.25 x its target, and adds pods until the served rate per pod is within 10 % of 500.
        Outcome.Second end = outcome.seconds().get(600);
        assertThat(end.replicas()).isEqualTo(4); // 1800 / 4 = 450 per pod: 0.9 of the target, within tolerance
        assertThat(end.ready()).isEqualTo(4);
        assertThat(end.backlog()).isZero();
        assertThat(end.p99()).isCloseTo(0.05 / (1 - 450 / 625.0), within(1e-9));
        assertThat(end.p99()).isLessThan(SERVICE.sloP99());
    }

    @Test
    void aStepWaitsForPodsToStartAndQueuesMeanwhile() {
        Outcome outcome = run(RPS, "0,1000\n59,1000\n60,3000\n900,3000\n", 2);
        List<Outcome.Second> s = outcome.seconds();
        // Before the step: two pods at 500 req/s each, the P99 at the SLO and not above it.
        assertThat(s.get(59).p99()).isCloseTo(0.25, within(1e-9));
        assertThat(s.get(59).backlog()).isZero();
        // The step: 3000 arrive, the two pods serve 1250, the rest waits.
        assertThat(s.get(60).served()).isEqualTo(1250.0);
        assertThat(s.get(60).backlog()).isEqualTo(1750.0);
        assertThat(s.get(61).backlog()).isEqualTo(3500.0);
        // The HPA reads the requests routed to each pod: at 60 s the 3 s rate is (500 + 500 + 1500) / 3,
        // 1.67 x the target: ceil(1.67 x 2) = 4, which the legacy limit, max(2 x 2, 4), allows.
        Decision at60 = outcome.decisions().get(4);
        assertThat(at60.at()).isEqualTo(outcome.decisions().get(0).at().plusSeconds(60));
        assertThat(at60.proposals().get(0).usage()).isEqualTo(833_334L);
        assertThat(at60.desired()).isEqualTo(4);
        // At 75 s the two new pods have no value yet (not ready, never scraped): on a scale-up they
        // count as 0, so the two at 1500 average 750 over four: ceil(1.5 x 4) = 6.
        Decision at75 = outcome.decisions().get(5);
        assertThat(at75.proposals().get(0).usage()).as("the average of the pods with a value").isEqualTo(1_500_000L);
        assertThat(at75.desired()).isEqualTo(6);
        // At 90 s: 3000 over six is exactly the target: no change.
        assertThat(outcome.decisions().get(6).desired()).isEqualTo(6);
        // The pods created at 60 s become ready 45 s later.
        assertThat(s.get(104).ready()).isEqualTo(2);
        assertThat(s.get(105).ready()).isEqualTo(4);
        assertThat(s.get(105).replicas()).isEqualTo(6);
        // The backlog drains once enough pods serve, and the trace ends with nothing waiting.
        assertThat(outcome.summary().unservedAtEnd()).isZero();
        assertThat(outcome.summary().maxReplicas()).isGreaterThanOrEqualTo(6);
        // No overshoot: the pods that become ready take their share of the same 3000 req/s, and the
        // served total stays 3000 (#27). Served per pod from each pod's own windows, the first two
        // pods' long windows held their 1500 for 30 s after the others took traffic: the HPA read
        // more than the demand and went to 8, then to 7 after the 5-minute window.
        assertThat(outcome.summary().maxReplicas()).isEqualTo(6);
        assertThat(s.get(900).replicas()).isEqualTo(6);
        assertThat(s.get(900).metrics()).containsEntry("rps", 500.0);
        assertThat(outcome.summary().sloViolationMinutes()).isGreaterThan(1);
    }

    @Test
    void aBacklogMetricSeesDemandTheServedRateCannot() {
        HpaSpec onBacklog = new HpaSpec("worker", 2, 20, List.of(new HpaSpec.ExternalMetric("queue_depth",
                HpaSpec.TargetType.AVERAGE_VALUE, 100_000)), null);
        Outcome outcome = run(onBacklog, "0,1000\n59,1000\n60,3000\n900,3000\n", 2);
        // At 60 s 1750 wait: ceil(1750 / 100) = 18 replicas proposed, the legacy limit allows max(2 x 2, 4) = 4.
        Decision at60 = outcome.decisions().get(4);
        assertThat(at60.proposed()).isEqualTo(18);
        assertThat(at60.desired()).isEqualTo(4);
        assertThat(at60.reason()).isEqualTo("ScaleUpLimit");
    }

    @Test
    void cpuSamplesOfStartingPodsAreDistrustedAsTheControllerDoes() {
        HpaSpec onCpu = new HpaSpec("web", 2, 20, List.of(new HpaSpec.ResourceMetric("cpu",
                HpaSpec.TargetType.UTILIZATION, 70)), null);
        Outcome outcome = run(onCpu, "0,800\n59,800\n60,2400\n900,2400\n", 2);
        // Before: 400 req/s a pod, 700 m of 1000 m: exactly the target.
        assertThat(outcome.decisions().get(3).proposals().get(0).usage()).isEqualTo(70L);
        assertThat(outcome.summary().maxReplicas()).isGreaterThan(2);
        // Starting pods burn their request; their samples never count while they start.
        for (Decision decision : outcome.decisions()) {
            assertThat(decision.proposals().get(0).error()).isNull();
        }
    }

    @Test
    void signalsFollowTheMetricsNamesUnlessGiven() {
        assertThat(Signal.guess("http_requests_per_second", true)).isEqualTo(Signal.RPS);
        assertThat(Signal.guess("ingress_requests_per_second", false)).isEqualTo(Signal.DEMAND);
        assertThat(Signal.guess("p99_latency_seconds", true)).isEqualTo(Signal.LATENCY);
        assertThat(Signal.guess("kafka_consumer_lag", false)).isEqualTo(Signal.BACKLOG);
        assertThat(Signal.guess("cpu", true)).isEqualTo(Signal.CPU);
        assertThatThrownBy(() -> Signal.guess("widgets", true)).hasMessage("cannot tell what metric \"widgets\""
                + " measures: say it with --signal widgets=rps|latency|backlog|demand|cpu|schedule");
        assertThatThrownBy(() -> new Simulation(RPS, SERVICE, ControllerOptions.defaults(Tolerances.Rule.FROM_1_33),
                List.of(Signal.BACKLOG))).hasMessage("metric rps is per pod in the HPA but BACKLOG is a total");
    }

    @Test
    void tracesAreReadWithTheirMistakesNamed() {
        Trace trace = Trace.parse("seconds,rps\n# warm\n0,100\n10,200\n\n20;200\n");
        assertThat(trace.at(5)).isEqualTo(150.0);
        assertThat(trace.at(-1)).isEqualTo(100.0);
        assertThat(trace.at(99)).isEqualTo(200.0);
        assertThat(trace.duration()).isEqualTo(20.0);
        assertThatThrownBy(() -> Trace.parse("0,1\n0,2\n")).hasMessage("trace line 2: times must increase (0.0"
                + " after 0.0)");
        assertThatThrownBy(() -> Trace.parse("0,1\nten,2\n")).hasMessage("trace line 2 is not \"seconds,value\":"
                + " \"ten,2\"");
        assertThatThrownBy(() -> Trace.parse("0,-1\n")).hasMessageContaining("must be finite and not negative");
        assertThatThrownBy(() -> Trace.parse("seconds,rps\n")).hasMessage("the trace has no \"seconds,value\" row");
        // A first line with a number in it is a row gone wrong, not a header.
        assertThatThrownBy(() -> Trace.parse("0,abc\n1,2\n")).hasMessage("trace line 1 is not \"seconds,value\":"
                + " \"0,abc\"");
        assertThatThrownBy(() -> Trace.parse("# demand\n0\n1,2\n")).hasMessage("trace line 2 is not"
                + " \"seconds,value\": \"0\"");
    }

    @Test
    void startUpTimeIsTheWorkloads() {
        Workload slow = SERVICE.with(Duration.ofSeconds(120), 500);
        assertThat(slow.podStartup()).isEqualTo(Duration.ofSeconds(120));
        assertThat(slow.maxRate()).isEqualTo(625.0);
    }

    /** The adapter's lead on a ramp: the forecast total brings capacity forward, the observed value beside it. */
    @Test
    void aLeadScalesUpEarlierOnARamp() {
        String ramp = "0,800\n120,800\n720,4800\n1200,4800\n";
        Outcome without = run(PLAIN, ramp, 2);
        Outcome with = run(AHEAD, ramp, 2);
        assertThat(firstScaleUp(with)).isLessThanOrEqualTo(firstScaleUp(without));
        // Three minutes into the ramp: 5 pods ready with the lead, 4 without (the model's figures;
        // 7 and 5 while the old pods' long windows overstated the total at every new pod, #27).
        assertThat(with.seconds().get(300).ready()).isEqualTo(5);
        assertThat(without.seconds().get(300).ready()).isEqualTo(4);
        // The served value is the forecast; the observed one is shown beside it, never above it.
        Outcome.Second second = with.seconds().get(300);
        assertThat(second.metrics().get("rps")).isGreaterThan(second.metrics().get("rps (observed)"));
        // The lead halves the minutes above the SLO here (0.75 against 1.5).
        assertThat(with.summary().sloViolationMinutes()).isLessThanOrEqualTo(without.summary().sloViolationMinutes() / 2);
    }

    /**
     * #27: flat demand, 1,000 req/s at 400 a pod, needs 3 pods. The third becoming ready takes
     * its share of the same traffic: the served total stays 1,000 (it rose to about 1,150 when
     * each old pod's long window held its former share), and no further scale event follows,
     * with or without a lead (whose trend read that rise as growing demand: 4 pods).
     */
    @Test
    void onFlatDemandAPodBecomingReadyIsNoDemandWithOrWithoutALead() {
        String flat = "0,1000\n900,1000\n";
        for (Outcome outcome : List.of(run(PLAIN, flat, 2), run(AHEAD, flat, 2))) {
            assertThat(outcome.summary().maxReplicas()).as(outcome.hpa()).isEqualTo(3);
            assertThat(outcome.decisions().stream().filter(d -> d.desired() != d.current()).count())
                    .as(outcome.hpa() + ": the one scale-up to 3").isEqualTo(1);
            // Once the third pod is ready and scraped, the served total is the demand.
            Outcome.Second settled = outcome.seconds().get(120);
            assertThat(settled.ready()).isEqualTo(3);
            double observed = settled.metrics().getOrDefault("rps (observed)", settled.metrics().get("rps"));
            assertThat(observed * 3).as(outcome.hpa()).isCloseTo(1000, within(1.0));
        }
    }

    private static int firstScaleUp(Outcome outcome) {
        long start = outcome.decisions().get(0).at().getEpochSecond();
        return outcome.decisions().stream().filter(d -> d.desired() > d.current()).findFirst()
                .map(d -> (int) (d.at().getEpochSecond() - start)).orElseThrow();
    }

    /** A known peak as the cron scaler serves it: the window's replicas, ramping up before it. */
    @Test
    void aScheduleServesItsWindowAndRamp() {
        Schedule schedule = Schedule.parse("240-600=10; ramp=60");
        assertThat(schedule.at(100)).isZero();
        assertThat(schedule.at(180)).isZero();
        assertThat(schedule.at(210)).isEqualTo(5.0);
        assertThat(schedule.at(239)).isEqualTo(10.0); // ceil(10 x 59 / 60)
        assertThat(schedule.at(300)).isEqualTo(10.0);
        assertThat(schedule.at(600)).isZero();
        assertThatThrownBy(() -> Schedule.parse("600-240=3")).hasMessage("schedule window 600-240=3 ends before it"
                + " starts");
        assertThatThrownBy(() -> Schedule.parse("weekdays")).hasMessageContaining("is not FROM-TO=REPLICAS");
        HpaSpec cron = new HpaSpec("cron", 2, 20, List.of(new HpaSpec.ExternalMetric("cron_desired_replicas",
                HpaSpec.TargetType.AVERAGE_VALUE, 1000)), null, null, schedule);
        Outcome outcome = run(cron, "0,100\n900,100\n", 2);
        // The ramp's proposals raise the replicas before the window, so 10 are ready when it opens.
        assertThat(outcome.seconds().get(240 + 45).ready()).isEqualTo(10);
        assertThat(outcome.seconds().get(230).replicas()).isGreaterThan(2);
    }
}
