package io.demandmetrics.simulator;

import io.demandmetrics.hpa.ControllerOptions;
import io.demandmetrics.hpa.HpaManifest;
import io.demandmetrics.hpa.HpaSpec;
import io.demandmetrics.hpa.Tolerances;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue #27's comparison of the rules that turn pods' rates into per-pod rps ({@link RpsRule}),
 * printed, not asserted: the RPS HPAs (per pod, with the adapter's lead, and per pod without
 * scale-down stabilization) on the example traces, a flat 1,000 req/s, a ramp and a 10 s dip
 * 70 s after a step up (while the new pods are younger than the long window), pods ready after 45 s, 500 req/s a pod at the SLO (the
 * simulator's command line as the issue ran it). Per cell: SLO-violation minutes, pod-minutes,
 * max replicas, scale events, and the pod-minutes of replicas above {@code ceil(demand / 400)}.
 *
 * <p>Usage: {@code bench/rps-rules}
 */
public final class RpsRulesBench {

    private static final List<Path> TRACES = List.of(Path.of("examples/simulator/spike.csv"),
            Path.of("examples/simulator/flash-sale.csv"), Path.of("examples/simulator/batch-every-3-min.csv"),
            Path.of("bench/traces/flat-1000.csv"), Path.of("bench/traces/ramp-800-4800.csv"),
            Path.of("bench/traces/dip-after-scale-up.csv"));
    private static final List<Path> HPAS = List.of(Path.of("examples/simulator/hpa-rps-per-pod.yaml"),
            Path.of("examples/simulator/hpa-rps-lead.yaml"));

    private RpsRulesBench() {
    }

    public static void main(String[] args) throws Exception {
        Workload workload = Workload.example().with(Duration.ofSeconds(45), 500);
        ControllerOptions options = ControllerOptions.defaults(Tolerances.Rule.FROM_1_33);
        System.out.printf(Locale.ROOT, "%-18s %-12s %-19s %9s %12s %8s %7s %11s%n", "trace", "HPA", "rule",
                "SLO min", "pod-minutes", "max rep", "events", "pods above");
        for (Path file : TRACES) {
            Trace trace = Trace.parse(Files.readString(file));
            String name = file.getFileName().toString().replace(".csv", "");
            for (HpaSpec spec : hpas()) {
                int start = (int) Math.ceil(trace.at(0) / workload.podCapacity());
                for (RpsRule rule : RpsRule.values()) {
                    Outcome outcome = new Simulation(spec, workload, options, Simulation.signals(spec, Map.of()))
                            .withRpsRule(rule).run(trace, start);
                    Outcome.Summary summary = outcome.summary();
                    System.out.printf(Locale.ROOT, "%-18s %-12s %-19s %9.1f %12.1f %8d %7d %11.1f%n", name, spec.name(),
                            rule.name().toLowerCase(Locale.ROOT), summary.sloViolationMinutes(), summary.podMinutes(),
                            summary.maxReplicas(), summary.scaleEvents(), podsAbove(outcome));
                }
            }
        }
    }

    /**
     * The example RPS HPAs, and the per-pod one without its scale-down stabilization (a dip it
     * is shown, it acts on within a sync): what the two windows' hold on a drop is for.
     */
    private static List<HpaSpec> hpas() throws Exception {
        List<HpaSpec> specs = new ArrayList<>();
        for (Path hpa : HPAS) {
            specs.add(HpaManifest.parse(Files.readString(hpa)));
        }
        String perPod = Files.readString(HPAS.get(0));
        String noHold = perPod.replace("name: rps-per-pod", "name: rps-no-hold")
                .replace("stabilizationWindowSeconds: 600", "stabilizationWindowSeconds: 0")
                .replace("{type: Percent, value: 25, periodSeconds: 60}", "{type: Percent, value: 100, periodSeconds: 15}");
        if (noHold.equals(perPod.replace("name: rps-per-pod", "name: rps-no-hold"))) {
            throw new IllegalStateException(HPAS.get(0) + " changed: its scale-down behavior is not found");
        }
        specs.add(HpaManifest.parse(noHold));
        return specs;
    }

    /** Pod-minutes of replicas beyond what the demand needs at 400 req/s a pod. */
    private static double podsAbove(Outcome outcome) {
        double podSeconds = 0;
        for (Outcome.Second second : outcome.seconds()) {
            int need = (int) Math.ceil(second.demand() / 400 - 1e-9);
            podSeconds += Math.max(0, second.replicas() - need);
        }
        return podSeconds / 60;
    }
}
