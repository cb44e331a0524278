package io.demandmetrics.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user runs it: the summary printed, the report written, mistakes named with exit 2. */
class SimulateCommandTest {

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    static Run simulate(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SimulateCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Path hpa(Path dir, String name, String metric) throws Exception {
        return Files.writeString(dir.resolve(name + ".yaml"), """
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                metadata: {name: %s}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
                  minReplicas: 2
                  maxReplicas: 30
                  metrics:
                %s""".formatted(name, metric));
    }

    static final String CPU_70 = """
                    - type: Resource
                      resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
                """;
    static final String RPS_500 = """
                    - type: Pods
                      pods: {metric: {name: http_requests_per_second}, target: {type: AverageValue, averageValue: "500"}}
                """;

    @Test
    void twoHpasOnOneTraceAreSummarizedAndReported() throws Exception {
        Path trace = Files.writeString(dir.resolve("spike.csv"), "seconds,rps\n0,1000\n299,1000\n300,4000\n"
                + "600,4000\n601,1000\n1200,1000\n");
        Run run = simulate("--hpa", hpa(dir, "cpu-70", CPU_70).toString(), "--hpa", hpa(dir, "rps", RPS_500).toString(),
                "--trace", trace.toString(), "--out", dir.resolve("report").toString());
        assertThat(run.code()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines.get(0)).isEqualTo("simulate: spike.csv (1200 s), pods ready after 45 s, 500 req/s per pod at"
                + " a P99 of 250 ms");
        assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("cpu-70"))
                .anySatisfy(line -> assertThat(line).startsWith("rps"));
        assertThat(dir.resolve("report/main.png")).isNotEmptyFile();
        String page = Files.readString(dir.resolve("report/report.html"));
        assertThat(page).contains("<tr data-hpa=\"cpu-70\">", "<tr data-hpa=\"rps\">", "data:image/png;base64,");
        List<String> timeline = Files.readAllLines(dir.resolve("report/timeline-rps.csv"));
        assertThat(timeline.get(0)).isEqualTo("seconds,demand,served,backlog,p99_seconds,replicas,ready,cpu_percent,"
                + "http_requests_per_second");
        assertThat(timeline).hasSize(1202); // the header and seconds 0 to 1200
        assertThat(timeline.get(301)).startsWith("300,4000,"); // the spike's first second
        List<String> decisions = Files.readAllLines(dir.resolve("report/decisions-rps.csv"));
        assertThat(decisions).hasSize(1 + 1200 / 15 + 1);
        assertThat(decisions.get(1)).startsWith("0,2,");
    }

    @Test
    void mistakesAreNamed() throws Exception {
        Path trace = Files.writeString(dir.resolve("t.csv"), "0,100\n60,100\n");
        Run missing = simulate("--trace", trace.toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).startsWith("simulate: --hpa and --trace are required\n").contains("Usage:");
        Run badHpa = simulate("--hpa", hpa(dir, "bad", "    - type: Pods\n").toString(), "--trace", trace.toString(),
                "--out", dir.resolve("r").toString());
        assertThat(badHpa.code()).isEqualTo(2);
        assertThat(badHpa.err()).contains("bad.yaml: spec.metrics[0].pods.metric is missing");
        Run unknownMetric = simulate("--hpa", hpa(dir, "odd", """
                    - type: Pods
                      pods: {metric: {name: widgets}, target: {type: AverageValue, averageValue: "5"}}
                """).toString(), "--trace", trace.toString(), "--out", dir.resolve("r").toString());
        assertThat(unknownMetric.err()).contains("say it with --signal widgets=rps|latency|backlog|demand|cpu|schedule");
        Run named = simulate("--hpa", dir.resolve("odd.yaml").toString(), "--trace", trace.toString(), "--signal",
                "widgets=rps", "--out", dir.resolve("r").toString());
        assertThat(named.code()).as(named.err()).isZero();
        assertThat(simulate("--hpa", "x", "--trace", trace.toString(), "--pod-startup", "soon").err())
                .startsWith("simulate: --pod-startup soon is not a duration (45s, 500ms, 2m)");
        assertThat(simulate("--hpa", dir.resolve("nope.yaml").toString(), "--trace", trace.toString()).err())
                .contains("--hpa " + dir.resolve("nope.yaml") + " is not a readable file");
        assertThat(simulate("--help").out()).startsWith("Usage: java -jar demand-simulator.jar --hpa");
        assertThat(simulate("--hpa", "x", "--trace", trace.toString(), "--feature-gates", "HPAScaleToZero=true").err())
                .startsWith("simulate: --feature-gates takes HPAConfigurableTolerance=true or =false, not"
                        + " \"HPAScaleToZero=true\"");
        assertThat(simulate("--hpa", "x", "--trace", trace.toString(), "--kubernetes", "1.32", "--feature-gates",
                "HPAConfigurableTolerance=true").err())
                .startsWith("simulate: HPAConfigurableTolerance came with Kubernetes 1.33");
    }

    /** A behavior's per-direction tolerance counts with the controller's gate on, as upstream's. */
    @Test
    void theConfigurableToleranceGateAppliesABehaviorsTolerance() throws Exception {
        // 2 pods at 100 req/s each rising to 170: a ratio of 1.7, within a scale-up tolerance of 0.9.
        Path trace = Files.writeString(dir.resolve("rise.csv"), "0,200\n120,200\n180,340\n900,340\n");
        Path tolerant = hpa(dir, "tolerant", """
                    - type: Pods
                      pods: {metric: {name: rps_per_pod}, target: {type: AverageValue, averageValue: "100"}}
                  behavior:
                    scaleUp: {tolerance: "0.9"}
                """);
        Run off = simulate("--hpa", tolerant.toString(), "--trace", trace.toString(), "--out",
                dir.resolve("off").toString());
        Run on = simulate("--hpa", tolerant.toString(), "--trace", trace.toString(), "--feature-gates",
                "HPAConfigurableTolerance=true", "--out", dir.resolve("on").toString());
        assertThat(off.code()).as(off.err()).isZero();
        assertThat(on.code()).as(on.err()).isZero();
        assertThat(Files.readString(dir.resolve("on/decisions-tolerant.csv")))
                .as("with the gate the tolerance holds 2 replicas").doesNotContain(",4,");
        assertThat(Files.readString(dir.resolve("off/decisions-tolerant.csv"))).contains(",4,");
    }

    /** The repository's example HPAs on each of its example traces, as the README runs them. */
    @Test
    void theExamplesRun() throws Exception {
        Path examples = Path.of("..", "examples", "simulator");
        List<String> hpas = List.of("hpa-cpu-70.yaml", "hpa-cpu-55.yaml", "hpa-rps-per-pod.yaml", "hpa-rps-lead.yaml",
                "hpa-cron-rps-spike.yaml");
        for (String trace : List.of("spike.csv", "diurnal-day.csv", "flash-sale.csv", "batch-every-3-min.csv")) {
            List<String> args = new java.util.ArrayList<>();
            hpas.forEach(hpa -> args.addAll(List.of("--hpa", examples.resolve(hpa).toString())));
            args.addAll(List.of("--trace", examples.resolve(trace).toString(), "--out",
                    dir.resolve(trace).toString()));
            Run run = simulate(args.toArray(String[]::new));
            assertThat(run.code()).as(trace + ": " + run.err()).isZero();
            assertThat(run.out()).contains("cpu-70", "cpu-55", "rps-per-pod", "rps-lead");
        }
    }
}
