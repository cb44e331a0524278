package io.demandmetrics.simulator;

import io.demandmetrics.hpa.Decision;
import java.util.List;
import java.util.Map;

/**
 * What a simulation produced: the workload second by second, every sync's decision, and the
 * summary a platform engineer compares strategies by.
 *
 * @param hpa the HPA's name
 * @param workload the workload simulated
 * @param seconds one row per second
 * @param decisions one per sync
 */
public record Outcome(String hpa, Workload workload, List<Second> seconds, List<Decision> decisions) {

    public Outcome {
        seconds = List.copyOf(seconds);
        decisions = List.copyOf(decisions);
    }

    /**
     * One second.
     *
     * @param t seconds from the start
     * @param demand requests arriving per second
     * @param served requests served that second
     * @param backlog requests waiting at its end
     * @param p99 the P99 latency in seconds (infinite with no ready pod)
     * @param replicas the target's replica count (pods existing, ready or starting)
     * @param ready pods ready
     * @param cpuUtilization ready pods' CPU in percent of their requests
     * @param metrics each HPA metric's value at the last sync (average per pod, or total; NaN: failed)
     */
    public record Second(int t, double demand, double served, double backlog, double p99, int replicas, int ready,
                         double cpuUtilization, Map<String, Double> metrics) {
    }

    /**
     * The comparison's figures.
     *
     * @param sloViolationMinutes minutes whose seconds had the P99 above the SLO, in total
     * @param podMinutes replicas times minutes: what the capacity cost
     * @param maxReplicas the most replicas at once
     * @param scaleEvents syncs that changed the replica count
     * @param unservedAtEnd requests still waiting when the trace ends
     */
    public record Summary(double sloViolationMinutes, double podMinutes, int maxReplicas, int scaleEvents,
                          double unservedAtEnd) {
    }

    public Summary summary() {
        int violating = 0;
        long podSeconds = 0;
        int max = 0;
        for (Second second : seconds) {
            if (second.p99() > workload.sloP99()) {
                violating++;
            }
            podSeconds += second.replicas();
            max = Math.max(max, second.replicas());
        }
        int events = (int) decisions.stream().filter(Decision::rescale).count();
        double unserved = seconds.isEmpty() ? 0 : seconds.get(seconds.size() - 1).backlog();
        return new Summary(violating / 60.0, podSeconds / 60.0, max, events, unserved);
    }
}
