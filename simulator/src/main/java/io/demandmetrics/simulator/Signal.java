package io.demandmetrics.simulator;

import java.util.Locale;

/** What an HPA metric measures in the simulated workload. */
public enum Signal {
    /**
     * Requests per second routed to each pod (its request counter, which counts refused and
     * timed-out requests too): the adapter's {@code rps}, its 3 s and 30 s windows over the
     * pods' total ({@link RpsRule#SERVICE}).
     */
    RPS,
    /** Each pod's P99 latency in seconds: the adapter's {@code latency}. */
    LATENCY,
    /** Requests waiting, in total: a queue's depth or a consumer group's lag. */
    BACKLOG,
    /** Requests per second arriving, in total, over 30 s: a load balancer's or ingress's rate. */
    DEMAND,
    /** CPU, from metrics-server: millicores per pod over 15 s, scraped every 15 s. */
    CPU,
    /**
     * Desired replicas from a known schedule, as the cron scaler serves them (the HPA's
     * annotation {@code simulate.demandmetrics.io/schedule}); an External metric with an
     * AverageValue target of 1 asks for that many replicas.
     */
    SCHEDULE;

    /**
     * The signal a metric's name suggests: {@code cpu} is CPU; a name with latency, p99 or
     * duration is LATENCY; lag, depth, queue, backlog or messages BACKLOG; request or rps RPS
     * (a per-pod metric) or DEMAND (an external one).
     *
     * @throws IllegalArgumentException when the name says none, with how to say which
     */
    public static Signal guess(String metricName, boolean perPod) {
        String name = metricName.toLowerCase(Locale.ROOT);
        if (name.equals("cpu")) {
            return CPU;
        }
        if (name.matches(".*(cron|schedule).*")) {
            return SCHEDULE;
        }
        if (name.matches(".*(latency|p99|p95|duration).*")) {
            return LATENCY;
        }
        if (name.matches(".*(lag|depth|queue|backlog|messages).*")) {
            return BACKLOG;
        }
        if (name.matches(".*(request|rps|qps).*")) {
            return perPod ? RPS : DEMAND;
        }
        throw new IllegalArgumentException("cannot tell what metric \"" + metricName + "\" measures: say it with"
                + " --signal " + metricName + "=rps|latency|backlog|demand|cpu|schedule");
    }
}
