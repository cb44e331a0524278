package io.demandmetrics.simulator;

import java.time.Duration;

/**
 * The workload behind the HPA, simple enough to reason about and to explain the article's
 * arguments: pods that take a while to become ready, each serving up to a rate before its
 * latency passes the SLO, a queue when demand exceeds what the ready pods serve, and CPU that
 * follows the requests served.
 *
 * <p>Latency is a P99 that grows as a pod fills, as in a single-server queue:
 * {@code p99 = idleP99 / (1 - load / maxRate)}, where {@code maxRate} is what a pod serves when
 * saturated, chosen so that at {@code podCapacity} the P99 is exactly the SLO. Demand beyond
 * {@code maxRate} per ready pod waits in a queue (the backlog, what a queue's depth or a
 * consumer group's lag shows), and its wait, backlog over the rate served, adds to the P99.
 *
 * @param podStartup from the pod's creation to Ready (image pull, JVM start, warm-up)
 * @param podCapacity the requests per second one pod serves at its latency SLO
 * @param idleP99 the P99 latency of a pod with little load, in seconds
 * @param sloP99 the latency SLO on the P99, in seconds (above idleP99)
 * @param cpuRequestMilli each pod's CPU request, in millicores
 * @param cpuIdleMilli a pod's CPU with no load
 * @param cpuPerRequestMilli CPU per request per second served: millicores at 1 req/s
 */
public record Workload(Duration podStartup, double podCapacity, double idleP99, double sloP99, long cpuRequestMilli,
                       long cpuIdleMilli, double cpuPerRequestMilli) {

    public Workload {
        if (podCapacity <= 0 || idleP99 <= 0 || sloP99 <= idleP99 || cpuRequestMilli <= 0 || cpuIdleMilli < 0
                || cpuPerRequestMilli < 0 || podStartup.isNegative()) {
            throw new IllegalArgumentException("a workload needs podCapacity > 0, 0 < idleP99 < sloP99,"
                    + " cpuRequest > 0 and no negative CPU or start-up");
        }
    }

    /**
     * The article's service: 45 s to ready, 500 req/s per pod at a 250 ms P99 (50 ms idle), a
     * 1-core request, 100 m idle, and a full core at 600 req/s (so that CPU passes 70 % of the
     * request only around 400 req/s per pod, below the SLO's capacity).
     */
    public static Workload example() {
        return new Workload(Duration.ofSeconds(45), 500, 0.05, 0.25, 1000, 100, 1.5);
    }

    /** The same with another start-up time and capacity per pod (the command line's options). */
    public Workload with(Duration startup, double capacity) {
        return new Workload(startup, capacity, idleP99, sloP99, cpuRequestMilli, cpuIdleMilli, cpuPerRequestMilli);
    }

    /** The rate one pod serves when saturated: the P99 reaches the SLO at {@link #podCapacity}. */
    public double maxRate() {
        return podCapacity / (1 - idleP99 / sloP99);
    }

    /** A pod's P99 at {@code load} requests per second (below {@link #maxRate}). */
    public double p99(double load) {
        double utilization = Math.min(load / maxRate(), 0.999);
        return idleP99 / (1 - utilization);
    }

    /** A pod's CPU in millicores while it serves {@code load} requests per second. */
    public long cpuMilli(double load) {
        return Math.round(cpuIdleMilli + load * cpuPerRequestMilli);
    }
}
