package io.demandmetrics.simulator;

import io.demandmetrics.hpa.ControllerOptions;
import io.demandmetrics.hpa.HpaManifest;
import io.demandmetrics.hpa.HpaSpec;
import io.demandmetrics.hpa.Tolerances;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code java -jar demand-simulator.jar}: one or more HPAs on one demand trace, a summary printed
 * and a report written.
 */
public final class SimulateCommand {

    public static final String USAGE = """
            Usage: java -jar demand-simulator.jar --hpa FILE [--hpa FILE ...] --trace FILE [options]

              --hpa FILE           an autoscaling/v2 HorizontalPodAutoscaler, as applied; several are
                                   compared side by side on the same trace
              --trace FILE         CSV rows of seconds,requests per second (linear between rows)
              --pod-startup 45s    from a pod's creation to Ready (default 45s)
              --pod-capacity 500   requests per second a pod serves at the P99 SLO (default 500)
              --slo 250ms          the P99 latency SLO (default 250ms)
              --idle-p99 50ms      the P99 of a pod with little load (default 50ms)
              --cpu-request 1000m  each pod's CPU request (default 1000m; 100m idle, 1.5m per req/s)
              --signal NAME=KIND   what the HPA's metric NAME measures: rps, latency, backlog, demand,
                                   cpu or schedule (default: guessed from its name)
              --start-replicas N   replicas at the start, ready (default: the first demand at capacity)
              --kubernetes 1.33    the controller's version: 1.32 or older compares tolerances the old way
              --feature-gates HPAConfigurableTolerance=true
                                   the controller's gate (1.33+): a behavior's per-direction
                                   tolerance applies (default false, as upstream's default)
              --out DIR            where report.html and main.png go (default simulation-report)
            """;

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");
    private static final Pattern VERSION = Pattern.compile("1\\.(\\d+)");

    private SimulateCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns the exit code (0, or 2 with the reason on {@code err}). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        System.setProperty("java.awt.headless", "true"); // the charts are drawn off-screen
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("simulate: " + e.getMessage());
            err.println();
            err.print(USAGE);
            return 2;
        }
        if (options == null) {
            out.print(USAGE);
            return 0;
        }
        try {
            simulate(options, out);
            return 0;
        } catch (IllegalArgumentException | IOException e) {
            err.println("simulate: " + e.getMessage());
            return 2;
        }
    }

    /** Every HPA on the trace, the summary printed and the report written. */
    private static void simulate(Options options, PrintStream out) throws IOException {
        Trace trace = Trace.parse(read(options.trace(), "--trace"));
        Workload workload = options.workload();
        List<Outcome> outcomes = new ArrayList<>();
        for (Path file : options.hpas()) {
            HpaSpec spec;
            try {
                spec = HpaManifest.parse(read(file, "--hpa"));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
            }
            int start = options.startReplicas() != null ? options.startReplicas()
                    : (int) Math.ceil(trace.at(0) / workload.podCapacity());
            outcomes.add(new Simulation(spec, workload, options.controller(), Simulation.signals(spec,
                    options.signals())).run(trace, start));
        }
        Path page = Report.write(options.out(), options.trace().getFileName().toString(), outcomes);
        out.printf(Locale.ROOT, "simulate: %s (%.0f s), pods ready after %d s, %s req/s per pod at a P99 of"
                        + " %.0f ms%n%n", options.trace().getFileName(), trace.duration(),
                workload.podStartup().toSeconds(), Report.number(workload.podCapacity()), workload.sloP99() * 1000);
        out.print(Report.summaryText(outcomes));
        out.println();
        out.println("report: " + page + ", " + options.out().resolve("main.png"));
    }

    /** The command line, read and checked. */
    private record Options(List<Path> hpas, Path trace, Path out, Workload workload, Map<String, Signal> signals,
                           Integer startReplicas, ControllerOptions controller) {

        /**
         * @return null for {@code --help}
         * @throws IllegalArgumentException naming what is wrong
         */
        static Options parse(String[] args) {
            OptionValues values = new OptionValues();
            for (int i = 0; i < args.length; i++) {
                String option = args[i];
                if (option.equals("--help") || option.equals("-h")) {
                    return null;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(option.startsWith("--") ? option + " needs a value"
                            : "unexpected argument " + option);
                }
                values.set(option, args[++i]);
            }
            return values.options();
        }
    }

    /** The options as they are read, one at a time, with the example workload's defaults. */
    private static final class OptionValues {
        private final List<Path> hpas = new ArrayList<>();
        private final Map<String, Signal> signals = new LinkedHashMap<>();
        private final Workload example = Workload.example();
        private Path trace;
        private Path out = Path.of("simulation-report");
        private Duration startup = example.podStartup();
        private double capacity = example.podCapacity();
        private double slo = example.sloP99();
        private double idle = example.idleP99();
        private long cpuRequest = example.cpuRequestMilli();
        private Integer startReplicas;
        private Tolerances.Rule rule = Tolerances.Rule.FROM_1_33;
        private boolean configurableTolerance;

        void set(String option, String value) {
            switch (option) {
                case "--hpa" -> hpas.add(Path.of(value));
                case "--trace" -> trace = Path.of(value);
                case "--out" -> out = Path.of(value);
                case "--pod-startup" -> startup = duration(option, value);
                case "--pod-capacity" -> capacity = positive(option, value);
                case "--slo" -> slo = duration(option, value).toNanos() / 1e9;
                case "--idle-p99" -> idle = duration(option, value).toNanos() / 1e9;
                case "--cpu-request" -> cpuRequest = (long) positive(option, value.endsWith("m")
                        ? value.substring(0, value.length() - 1) : Double.toString(Double.parseDouble(value) * 1000));
                case "--start-replicas" -> startReplicas = (int) positive(option, value);
                case "--signal" -> {
                    int equals = value.indexOf('=');
                    if (equals <= 0) {
                        throw new IllegalArgumentException("--signal takes NAME=KIND, e.g. rps_per_pod=rps");
                    }
                    signals.put(value.substring(0, equals), signal(value.substring(equals + 1)));
                }
                case "--kubernetes" -> rule = rule(value);
                case "--feature-gates" -> configurableTolerance = configurableTolerance(value);
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }

        Options options() {
            if (hpas.isEmpty() || trace == null) {
                throw new IllegalArgumentException("--hpa and --trace are required");
            }
            if (configurableTolerance && rule == Tolerances.Rule.UP_TO_1_32) {
                throw new IllegalArgumentException("HPAConfigurableTolerance came with Kubernetes 1.33");
            }
            ControllerOptions controller = configurableTolerance
                    ? ControllerOptions.defaults(rule).withConfigurableTolerance() : ControllerOptions.defaults(rule);
            Workload workload = new Workload(startup, capacity, idle, slo, cpuRequest, example.cpuIdleMilli(),
                    example.cpuPerRequestMilli());
            return new Options(List.copyOf(hpas), trace, out, workload, signals, startReplicas, controller);
        }
    }

    private static String read(Path file, String option) throws IOException {
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException(option + " " + file + " is not a readable file");
        }
        if (Files.size(file) > 64L * 1024 * 1024) {
            throw new IllegalArgumentException(option + " " + file + " is larger than 64 MiB");
        }
        return Files.readString(file);
    }

    private static Duration duration(String option, String value) {
        Matcher matcher = DURATION.matcher(value);
        if (!matcher.matches()) {
            throw new IllegalArgumentException(option + " " + value + " is not a duration (45s, 500ms, 2m)");
        }
        double amount = Double.parseDouble(matcher.group(1));
        long millis = Math.round(amount * switch (matcher.group(2)) {
            case "ms" -> 1;
            case "s" -> 1000;
            case "m" -> 60_000;
            default -> 3_600_000;
        });
        return Duration.ofMillis(millis);
    }

    private static double positive(String option, String value) {
        try {
            double number = Double.parseDouble(value);
            if (number > 0 && Double.isFinite(number)) {
                return number;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException(option + " " + value + " is not a positive number");
    }

    private static Signal signal(String kind) {
        try {
            return Signal.valueOf(kind.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--signal kind " + kind + " is not one of rps, latency, backlog,"
                    + " demand, cpu, schedule");
        }
    }

    /** {@code HPAConfigurableTolerance=true|false}, the one gate the controller's arithmetic has. */
    private static boolean configurableTolerance(String value) {
        return switch (value) {
            case "HPAConfigurableTolerance=true" -> true;
            case "HPAConfigurableTolerance=false" -> false;
            default -> throw new IllegalArgumentException("--feature-gates takes HPAConfigurableTolerance=true or"
                    + " =false, not \"" + (value.length() > 64 ? value.substring(0, 64) + "..." : value) + "\"");
        };
    }

    private static Tolerances.Rule rule(String version) {
        Matcher matcher = VERSION.matcher(version);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("--kubernetes " + version + " is not a version such as 1.33");
        }
        return Integer.parseInt(matcher.group(1)) >= 33 ? Tolerances.Rule.FROM_1_33 : Tolerances.Rule.UP_TO_1_32;
    }
}
