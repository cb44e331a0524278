package io.demandmetrics.simulator;

import io.demandmetrics.hpa.ControllerOptions;
import io.demandmetrics.hpa.HpaManifest;
import io.demandmetrics.hpa.HpaSpec;
import io.demandmetrics.hpa.Schedule;
import io.demandmetrics.hpa.Tolerances;
import io.demandmetrics.hpa.forecast.Lead;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The scaling-outcome benchmark (issue #13, part 5), printed, not asserted: the example traces
 * times five strategies through the simulator, pods ready 45 s after creation; per cell the
 * minutes with the P99 above the SLO, the pod-minutes and the scale events. Then the bar (on
 * the spike, RPS with lead at least 50 % fewer SLO-violation minutes than CPU 70 % at no more
 * pod-minutes), and the lead's forecast error at its horizon on each trace, against serving
 * the current value.
 *
 * <p>The cron strategy knows each trace's peaks (as a team knows its sales and batch times):
 * its windows open a minute early with a one-minute ramp, with the rps metric beside them.
 *
 * <p>Usage: {@code bench/scaling-outcomes}
 */
public final class ScalingOutcomesBench {

    private static final Path EXAMPLES = Path.of("examples", "simulator");
    private static final List<String> TRACES = List.of("spike", "flash-sale", "batch-every-3-min", "diurnal-day");
    /** The known peaks of each trace, for the cron strategy: windows at 400 req/s a pod, a minute early. */
    private static final Map<String, String> KNOWN_PEAKS = Map.of(
            "spike", "240-600=10; ramp=60",
            "flash-sale", "1740-3000=15; ramp=60",
            "batch-every-3-min", batchWindows(),
            "diurnal-day", "28800-72000=7; ramp=600");

    private ScalingOutcomesBench() {
    }

    /** 3000 req/s for 40 s every third minute: 8 pods from a minute before each burst to its end. */
    private static String batchWindows() {
        List<String> windows = new ArrayList<>();
        for (int start = 180; start < 3600; start += 180) {
            windows.add((start - 60) + "-" + (start + 40) + "=8");
        }
        return String.join("; ", windows) + "; ramp=30";
    }

    public static void main(String[] args) throws Exception {
        Workload workload = Workload.example();
        ControllerOptions options = ControllerOptions.defaults(Tolerances.Rule.FROM_1_33);
        System.out.printf(Locale.ROOT, "scaling outcomes: pods ready after %d s, %s req/s a pod at a P99 of %.0f ms"
                + " (saturating at %.0f), CPU request %dm; Kubernetes 1.33+ controller rules%n",
                workload.podStartup().toSeconds(), Report.number(workload.podCapacity()), workload.sloP99() * 1000,
                workload.maxRate(), workload.cpuRequestMilli());
        Map<String, Map<String, Outcome.Summary>> table = new LinkedHashMap<>();
        for (String trace : TRACES) {
            Trace demand = Trace.parse(Files.readString(EXAMPLES.resolve(trace + ".csv")));
            Map<String, Outcome.Summary> row = new LinkedHashMap<>();
            for (HpaSpec spec : strategies(trace)) {
                int start = (int) Math.ceil(demand.at(0) / 400);
                Outcome outcome = new Simulation(spec, workload, options, Simulation.signals(spec, Map.of()))
                        .run(demand, start);
                row.put(spec.name(), outcome.summary());
            }
            table.put(trace, row);
        }
        System.out.printf(Locale.ROOT, "%n%-18s %-12s %22s %12s %13s%n", "trace", "strategy", "SLO-violation minutes",
                "pod-minutes", "scale events");
        table.forEach((trace, row) -> row.forEach((strategy, summary) -> System.out.printf(Locale.ROOT,
                "%-18s %-12s %22.1f %12.1f %13d%n", trace, strategy, summary.sloViolationMinutes(),
                summary.podMinutes(), summary.scaleEvents())));

        Outcome.Summary cpu = table.get("spike").get("cpu-70");
        Outcome.Summary lead = table.get("spike").get("rps-lead");
        double fewer = 1 - lead.sloViolationMinutes() / cpu.sloViolationMinutes();
        boolean met = fewer >= 0.5 && lead.podMinutes() <= cpu.podMinutes();
        System.out.printf(Locale.ROOT, "%nbar (spike): RPS with lead %.1f SLO-violation minutes vs CPU 70 %% %.1f:"
                        + " %.0f %% fewer (bar: >= 50 %%), pod-minutes %.1f vs %.1f (bar: no more): %s%n",
                lead.sloViolationMinutes(), cpu.sloViolationMinutes(), fewer * 100, lead.podMinutes(), cpu.podMinutes(),
                met ? "met" : "not met");

        System.out.printf(Locale.ROOT, "%nlead forecast at its 60 s horizon (the adapter's 5 s polls of the total"
                + " demand), against serving the current value:%n");
        for (String trace : TRACES) {
            Trace demand = Trace.parse(Files.readString(EXAMPLES.resolve(trace + ".csv")));
            forecastError(trace, demand, 0);
        }
        // The usual day needs two days seen: the diurnal day three times, measured on the third.
        Trace day = Trace.parse(Files.readString(EXAMPLES.resolve("diurnal-day.csv")));
        StringBuilder threeDays = new StringBuilder();
        for (int d = 0; d < 3; d++) {
            for (int i = 0; i < day.seconds().length; i++) {
                if (d > 0 && i == 0) {
                    continue; // the day's last row is the next day's first
                }
                threeDays.append(d * 86400 + (long) day.seconds()[i]).append(',').append(day.values()[i]).append('\n');
            }
        }
        forecastError("diurnal, day 3 of 3", Trace.parse(threeDays.toString()), 2 * 86400);
    }

    /** CPU 70 %, CPU 55 %, RPS per pod, RPS per pod with a 60 s lead, cron with ramp-up plus RPS. */
    private static List<HpaSpec> strategies(String trace) throws Exception {
        List<HpaSpec> specs = new ArrayList<>();
        for (String file : List.of("hpa-cpu-70.yaml", "hpa-cpu-55.yaml", "hpa-rps-per-pod.yaml", "hpa-rps-lead.yaml",
                "hpa-cron-rps-spike.yaml")) {
            HpaSpec spec = HpaManifest.parse(Files.readString(EXAMPLES.resolve(file)));
            if (spec.schedule() != null) {
                spec = new HpaSpec(spec.name(), spec.minReplicas(), spec.maxReplicas(), spec.metrics(),
                        spec.behavior(), spec.adapterLead(), Schedule.parse(KNOWN_PEAKS.get(trace)));
            }
            specs.add(spec);
        }
        return specs;
    }

    /**
     * Mean absolute error of the served value (observed x the lead's factor) against the demand
     * 60 s later, and of the observed value itself; and how often each stays below that
     * future demand (under-provisioning); polls before {@code scoreFrom} are only learnt from.
     */
    private static void forecastError(String name, Trace demand, int scoreFrom) {
        Lead lead = new Lead(Duration.ofSeconds(60), Duration.ofSeconds(5), Lead.DEFAULT_MAX_GROWTH);
        Lead.Forecaster trend = lead.forecaster();
        double servedError = 0;
        double observedError = 0;
        int servedUnder = 0;
        int observedUnder = 0;
        int points = 0;
        for (int t = 0; t + 60 <= demand.duration(); t += 5) {
            double now = demand.at(t);
            double served = now * lead.factor(trend, now, t);
            double future = demand.at(t + 60);
            if (t < scoreFrom) {
                continue; // fed to the forecaster, not scored
            }
            servedError += Math.abs(served - future);
            observedError += Math.abs(now - future);
            servedUnder += served < future ? 1 : 0;
            observedUnder += now < future ? 1 : 0;
            points++;
        }
        System.out.printf(Locale.ROOT, "   %-18s mean |error| %7.1f req/s with the lead, %7.1f without (%.2fx);"
                        + " below the demand 60 s later: %4.1f %% of polls with, %4.1f %% without%n", name,
                servedError / points, observedError / points, servedError / observedError,
                100.0 * servedUnder / points, 100.0 * observedUnder / points);
    }
}
