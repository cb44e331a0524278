package io.demandmetrics.simulator;

import io.demandmetrics.hpa.ControllerOptions;
import io.demandmetrics.hpa.Decision;
import io.demandmetrics.hpa.HpaController;
import io.demandmetrics.hpa.HpaManifest;
import io.demandmetrics.hpa.HpaSpec;
import io.demandmetrics.hpa.MetricReading;
import io.demandmetrics.hpa.PodMetric;
import io.demandmetrics.hpa.PodState;
import io.demandmetrics.hpa.ReplicaCalculator;
import io.demandmetrics.hpa.forecast.Lead;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An HPA driving a simulated workload through a demand trace, second by second: pods start and
 * become ready after the workload's start-up time, ready pods share the demand, what they cannot
 * serve waits in a backlog, and every sync period the controller reads the metrics as the
 * adapter and metrics-server would serve them and sets the replica count.
 */
public final class Simulation {

    /**
     * The adapter's rps windows (its defaults: 3 s and 30 s, over the pods' total) over the
     * requests routed to each ready pod.
     */
    static final int SHORT_WINDOW = 3;
    static final int LONG_WINDOW = 30;
    /** metrics-server's resolution: CPU over 15 s, scraped every 15 s. */
    static final int CPU_WINDOW = 15;
    /** The window of a DEMAND metric (an ingress's rate). */
    static final int DEMAND_WINDOW = 30;
    /** How often the adapter polls the metrics it serves (the forecast's step when the HPA has a lead). */
    static final int ADAPTER_POLL = 5;

    private final HpaSpec spec;
    private final Workload workload;
    private final ControllerOptions options;
    private final List<Signal> signals;
    private final RpsRule rpsRule;
    private final Instant start = Instant.parse("2026-01-05T00:00:00Z");

    /**
     * @param signals what each of the HPA's metrics measures, in {@code spec.metrics} order
     */
    public Simulation(HpaSpec spec, Workload workload, ControllerOptions options, List<Signal> signals) {
        this(spec, workload, options, signals, RpsRule.SERVICE);
    }

    private Simulation(HpaSpec spec, Workload workload, ControllerOptions options, List<Signal> signals,
                       RpsRule rpsRule) {
        if (signals.size() != spec.metrics().size()) {
            throw new IllegalArgumentException("one signal per metric of the HPA");
        }
        for (int i = 0; i < signals.size(); i++) {
            HpaSpec.Metric metric = spec.metrics().get(i);
            Signal signal = signals.get(i);
            boolean perPod = metric instanceof HpaSpec.PodsMetric || metric instanceof HpaSpec.ResourceMetric;
            boolean perPodSignal = signal == Signal.RPS || signal == Signal.LATENCY || signal == Signal.CPU;
            if (signal == Signal.SCHEDULE && spec.schedule() == null) {
                throw new IllegalArgumentException("metric " + metric.name() + " reads a schedule: give it with the"
                        + " HPA's annotation " + HpaManifest.SCHEDULE_ANNOTATION + " (e.g. \"240-600=10; ramp=60\")");
            }
            if (perPod != perPodSignal) {
                throw new IllegalArgumentException("metric " + metric.name() + " is " + (perPod ? "per pod" : "one"
                        + " value") + " in the HPA but " + signal + " is " + (perPodSignal ? "per pod" : "a total"));
            }
        }
        this.spec = spec;
        this.workload = workload;
        this.options = options;
        this.signals = List.copyOf(signals);
        this.rpsRule = rpsRule;
    }

    /** The same simulation with rps served by another rule (the comparison of issue #27). */
    Simulation withRpsRule(RpsRule rule) {
        return new Simulation(spec, workload, options, signals, rule);
    }

    /** The signals the metrics' names suggest ({@link Signal#guess}), overridden by {@code given} by name. */
    public static List<Signal> signals(HpaSpec spec, Map<String, Signal> given) {
        List<Signal> signals = new ArrayList<>();
        for (HpaSpec.Metric metric : spec.metrics()) {
            Signal signal = given.get(metric.name());
            signals.add(signal != null ? signal : Signal.guess(metric.name(),
                    metric instanceof HpaSpec.PodsMetric || metric instanceof HpaSpec.ResourceMetric));
        }
        return signals;
    }

    /** A pod of the simulated workload. */
    private final class Pod {
        final String name;
        final int created;
        /**
         * Requests routed to it in each of the last {@link #LONG_WINDOW} seconds, by second modulo
         * the window: what its request counter counts, served or not (a sidecar's or ingress's
         * counter counts refused and timed-out requests too).
         */
        final double[] received = new double[LONG_WINDOW];
        final double[] cpu = new double[CPU_WINDOW];
        double lastP99;
        /** A CPU sample as metrics-server last scraped it. */
        PodMetric cpuSample;

        Pod(String name, int created) {
            this.name = name;
            this.created = created;
        }

        int readyAt() {
            return created + (int) workload.podStartup().toSeconds();
        }

        boolean ready(int t) {
            return t >= readyAt();
        }

        PodState state(int t) {
            boolean ready = ready(t);
            return new PodState(name, PodState.Phase.RUNNING, false, ready,
                    start.plusSeconds(ready ? readyAt() : created), start.plusSeconds(created),
                    workload.cpuRequestMilli());
        }

        /** Whether the adapter has scraped it twice, so it has rates. */
        boolean scraped(int t) {
            return t - readyAt() >= 2;
        }

        /**
         * Its requests over the last {@code window} seconds per second of the window, as PromQL's
         * rate gives for a counter: a pod younger than the window counts what it got since (its
         * requests before it was ready are none: none were routed to it).
         */
        double rate(int t, int window) {
            double total = 0;
            for (int s = t - window + 1; s <= t; s++) {
                total += received[Math.floorMod(s, LONG_WINDOW)];
            }
            return total / window;
        }
    }

    /**
     * Runs the trace from its start to its end.
     *
     * @param startReplicas the replicas at 0 s, ready and warm (clamped to min and max)
     */
    public Outcome run(Trace trace, int startReplicas) {
        Run run = new Run(trace, startReplicas);
        int duration = (int) Math.ceil(trace.duration());
        List<Outcome.Second> seconds = new ArrayList<>(duration + 1);
        for (int t = 0; t <= duration; t++) {
            seconds.add(run.second(t));
        }
        return new Outcome(spec.name(), workload, seconds, run.decisions);
    }

    /** One run's state, second by second: the pods, the queue, the lead's forecasters, the controller. */
    private final class Run {
        private final Trace trace;
        private final HpaController controller = new HpaController(spec, options);
        private final int syncEvery = (int) options.syncPeriod().toSeconds();
        private final List<Pod> pods = new ArrayList<>();
        /** The adapter's lead: a forecaster per metric it serves (CPU comes from metrics-server). */
        private final Lead lead = spec.adapterLead() == null ? null
                : new Lead(spec.adapterLead(), Duration.ofSeconds(ADAPTER_POLL), Lead.DEFAULT_MAX_GROWTH);
        private final List<Lead.Forecaster> forecasters = new ArrayList<>();
        private final double[] factors = new double[signals.size()];
        private final double[] arrived = new double[DEMAND_WINDOW];
        private final Map<String, Double> lastValues = new HashMap<>();
        final List<Decision> decisions = new ArrayList<>();
        private int replicas;
        private int next;
        private double backlog;
        /** The pods the adapter has rates for, and when that set last changed and last grew. */
        private Map<String, Pod> scraped = Map.of();
        /** Pods that left it: their rates when last seen and when ({short, long, t}), as the adapter's DepartedPods. */
        private final Map<String, double[]> departed = new HashMap<>();
        private int scrapedChanged = Integer.MIN_VALUE / 2;
        private int scrapedGrew = Integer.MIN_VALUE / 2;

        Run(Trace trace, int startReplicas) {
            this.trace = trace;
            replicas = Math.max(spec.minReplicas(), Math.min(spec.maxReplicas(), startReplicas));
            int startup = (int) workload.podStartup().toSeconds();
            double share = trace.at(0) / replicas;
            for (int i = 0; i < replicas; i++) {
                Pod pod = new Pod(spec.name() + "-" + next++, -startup - 3600);
                Arrays.fill(pod.received, share);
                Arrays.fill(pod.cpu, workload.cpuMilli(Math.min(share, workload.maxRate())));
                pods.add(pod);
            }
            Arrays.fill(factors, 1);
            for (int i = 0; i < signals.size(); i++) {
                forecasters.add(lead == null ? null : lead.forecaster());
            }
            Arrays.fill(arrived, trace.at(0));
        }

        /** Second {@code t}: demand served by the ready pods, the metrics read, the lead's poll and the sync. */
        Outcome.Second second(int t) {
            double demand = trace.at(t);
            arrived[t % DEMAND_WINDOW] = demand;
            List<Pod> ready = pods.stream().filter(pod -> pod.ready(t)).toList();
            double capacity = ready.size() * workload.maxRate();
            double served = Math.min(demand + backlog, capacity);
            backlog = Math.max(0, backlog + demand - served);
            double perPod = ready.isEmpty() ? 0 : served / ready.size();
            double p99 = ready.isEmpty() ? Double.POSITIVE_INFINITY
                    : workload.p99(perPod) + (backlog > 0 ? backlog / capacity : 0);
            for (Pod pod : pods) {
                load(pod, t, demand, ready.size(), perPod, capacity);
            }
            noteScraped(t);
            double cpuUtilization = ready.isEmpty() ? 0
                    : ready.stream().mapToDouble(pod -> pod.cpu[t % CPU_WINDOW]).sum()
                    / (ready.size() * (double) workload.cpuRequestMilli()) * 100;
            boolean poll = lead != null && t % ADAPTER_POLL == 0;
            boolean sync = t % syncEvery == 0;
            if (poll || sync) { // read once, whether for the lead's poll, the sync, or both
                List<MetricReading> observed = new ArrayList<>(signals.size());
                for (Signal signal : signals) {
                    observed.add(reading(signal, t, pods, backlog, arrived, t - scrapedChanged, t - scrapedGrew,
                            departedHeld(t)));
                }
                if (poll) {
                    forecast(t, observed);
                }
                if (sync) {
                    sync(t, observed);
                }
            }
            int readyNow = (int) pods.stream().filter(pod -> pod.ready(t)).count();
            return new Outcome.Second(t, demand, served, backlog, p99, replicas, readyNow, cpuUtilization,
                    Map.copyOf(lastValues));
        }

        private void noteScraped(int t) {
            Map<String, Pod> now = new HashMap<>();
            pods.stream().filter(pod -> pod.scraped(t)).forEach(pod -> now.put(pod.name, pod));
            if (!now.keySet().equals(scraped.keySet())) {
                scrapedChanged = t;
                if (!scraped.keySet().containsAll(now.keySet())) {
                    scrapedGrew = t;
                }
                scraped.forEach((name, pod) -> {
                    if (!now.containsKey(name)) {
                        departed.put(name, new double[] {pod.rate(t - 1, SHORT_WINDOW), pod.rate(t - 1, LONG_WINDOW),
                                t - 1});
                    }
                });
                scraped = now;
            }
            departed.values().removeIf(last -> t - last[2] >= LONG_WINDOW);
        }

        /** What the departed pods still hold of the short and long windows at second {@code t}. */
        private double[] departedHeld(int t) {
            double[] held = {0, 0};
            departed.values().forEach(last -> {
                held[0] += last[0] * Math.max(0, 1 - (t - last[2]) / (double) SHORT_WINDOW);
                held[1] += last[1] * Math.max(0, 1 - (t - last[2]) / (double) LONG_WINDOW);
            });
            return held;
        }

        /** What a pod received and burnt in second {@code t}, and its CPU sample every CPU window. */
        private void load(Pod pod, int t, double demand, int readyCount, double perPod, double capacity) {
            boolean isReady = pod.ready(t);
            pod.received[t % LONG_WINDOW] = isReady ? demand / readyCount : 0;
            // A starting pod burns its request (JVM start, warm-up): why the controller distrusts young CPU.
            pod.cpu[t % CPU_WINDOW] = isReady ? workload.cpuMilli(perPod) : workload.cpuRequestMilli();
            pod.lastP99 = isReady ? workload.p99(perPod) + (backlog > 0 ? backlog / capacity : 0) : 0;
            if (t % CPU_WINDOW == 0 && t - pod.created >= CPU_WINDOW) {
                double total = 0;
                for (double value : pod.cpu) {
                    total += value;
                }
                pod.cpuSample = new PodMetric(Math.round(total / CPU_WINDOW), start.plusSeconds(t),
                        Duration.ofSeconds(CPU_WINDOW));
            }
        }

        /** The adapter's poll: each led metric's forecast factor from the total it observes. */
        private void forecast(int t, List<MetricReading> observed) {
            for (int i = 0; i < signals.size(); i++) {
                if (leads(signals.get(i))) {
                    factors[i] = lead.factor(forecasters.get(i), total(observed.get(i)),
                            start.plusSeconds(t).getEpochSecond());
                }
            }
        }

        /** The controller's sync on the values served (led ones scaled), and the pods it adds or removes. */
        private void sync(int t, List<MetricReading> observed) {
            List<PodState> states = new ArrayList<>();
            pods.forEach(pod -> states.add(pod.state(t)));
            List<MetricReading> readings = new ArrayList<>();
            for (int i = 0; i < signals.size(); i++) {
                readings.add(factors[i] == 1 ? observed.get(i) : scaled(observed.get(i), factors[i]));
                if (lead != null && leads(signals.get(i))) {
                    lastValues.put(spec.metrics().get(i).name() + " (observed)", shown(observed.get(i)));
                }
            }
            Decision decision = controller.sync(start.plusSeconds(t), replicas, pods.size(), states, readings);
            decisions.add(decision);
            for (int i = 0; i < readings.size(); i++) {
                lastValues.put(spec.metrics().get(i).name(), shown(readings.get(i)));
            }
            if (decision.desired() > replicas) {
                for (int i = replicas; i < decision.desired(); i++) {
                    pods.add(new Pod(spec.name() + "-" + next++, t));
                }
            } else if (decision.desired() < replicas) {
                removePods(pods, replicas - decision.desired(), t);
            }
            replicas = decision.desired();
        }
    }

    /** A ReplicaSet scaling down removes pods that are not ready first, then the newest. */
    private static void removePods(List<Pod> pods, int count, int t) {
        pods.sort((a, b) -> {
            boolean aReady = a.ready(t);
            boolean bReady = b.ready(t);
            return aReady != bReady ? (aReady ? 1 : -1) : Integer.compare(b.created, a.created);
        });
        pods.subList(0, count).clear();
    }

    private MetricReading reading(Signal signal, int t, List<Pod> pods, double backlog, double[] arrived,
                                  int sinceChange, int sinceGrowth, double[] departedHeld) {
        switch (signal) {
            case RPS, LATENCY -> {
                Map<String, PodMetric> values = new HashMap<>();
                Map<String, RpsRule.PodRates> rates = new HashMap<>();
                pods.stream().filter(pod -> pod.scraped(t)).forEach(pod -> rates.put(pod.name,
                        window -> pod.rate(t, window)));
                Map<String, Double> served = rpsRule.served(rates, sinceChange, sinceGrowth, departedHeld);
                for (Pod pod : pods) {
                    if (!pod.scraped(t)) {
                        continue; // not scraped twice yet: the adapter has no value for it
                    }
                    double value = signal == Signal.RPS ? served.get(pod.name) : pod.lastP99;
                    values.put(pod.name, PodMetric.of(milli(value)));
                }
                return values.isEmpty() ? new MetricReading.Failed("no pod has a value yet") : new MetricReading.PerPod(values);
            }
            case CPU -> {
                Map<String, PodMetric> values = new HashMap<>();
                for (Pod pod : pods) {
                    if (pod.cpuSample != null) {
                        values.put(pod.name, pod.cpuSample);
                    }
                }
                return values.isEmpty() ? new MetricReading.Failed("no metrics returned from resource metrics API")
                        : new MetricReading.PerPod(values);
            }
            case BACKLOG -> {
                return new MetricReading.Series(List.of(milli(backlog)));
            }
            case SCHEDULE -> {
                return new MetricReading.Series(List.of(milli(spec.schedule().at(t))));
            }
            case DEMAND -> {
                double total = 0;
                for (double value : arrived) {
                    total += value;
                }
                return new MetricReading.Series(List.of(milli(total / DEMAND_WINDOW)));
            }
            default -> throw new IllegalStateException(signal.toString());
        }
    }

    /** Whether the adapter's lead applies: to what the adapter serves, not metrics-server's CPU or a schedule. */
    private static boolean leads(Signal signal) {
        return signal != Signal.CPU && signal != Signal.SCHEDULE;
    }

    /** The sum of a reading's values, in units (not thousandths); 0 for a failed one. */
    private static double total(MetricReading reading) {
        if (reading instanceof MetricReading.PerPod perPod) {
            return perPod.values().values().stream().mapToLong(PodMetric::milliValue).sum() / 1000.0;
        }
        if (reading instanceof MetricReading.Series series) {
            return ReplicaCalculator.sum(series.milliValues()) / 1000.0;
        }
        return 0;
    }

    /** Every value of a reading multiplied by the lead's factor, as the adapter serves them. */
    private static MetricReading scaled(MetricReading reading, double factor) {
        if (reading instanceof MetricReading.PerPod perPod) {
            Map<String, PodMetric> values = new HashMap<>();
            perPod.values().forEach((pod, value) -> values.put(pod, new PodMetric(
                    (long) Math.ceil(value.milliValue() * factor), value.timestamp(), value.window())));
            return new MetricReading.PerPod(values);
        }
        if (reading instanceof MetricReading.Series series) {
            return new MetricReading.Series(series.milliValues().stream().map(v -> (long) Math.ceil(v * factor)).toList());
        }
        return reading;
    }

    /** A value as its Quantity's MilliValue: thousandths, rounded up. */
    private static long milli(double value) {
        return (long) Math.ceil(value * 1000 - 1e-9);
    }

    /** What a reading shows in the timeline: the average per pod, or the total; NaN when it failed. */
    private static double shown(MetricReading reading) {
        if (reading instanceof MetricReading.PerPod perPod) {
            return perPod.values().values().stream().mapToLong(PodMetric::milliValue).average().orElse(0) / 1000;
        }
        if (reading instanceof MetricReading.Series series) {
            return ReplicaCalculator.sum(series.milliValues()) / 1000.0;
        }
        if (reading instanceof MetricReading.ObjectValue value) {
            return value.milliValue() / 1000.0;
        }
        return Double.NaN;
    }
}
