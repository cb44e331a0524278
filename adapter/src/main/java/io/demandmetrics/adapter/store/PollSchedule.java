package io.demandmetrics.adapter.store;

/**
 * When a metric polls next. Each metric polls at a fixed phase of its interval: the instants
 * {@code phase + k * interval} since the epoch, whatever happened before (a start, a reload, a
 * slow poll). The phase comes from a stable hash of what the metric shares its polling with
 * ({@link io.demandmetrics.adapter.config.MetricDefinition#placement()}): metrics that share a
 * source's batch, as a Kafka cluster's consumer groups do (one cycle reads the offsets of all
 * of them), poll on the same instants; metrics that share nothing spread over the interval, so
 * a thousand queries to one Prometheus do not queue behind each other at one instant.
 */
final class PollSchedule {

    private PollSchedule() {
    }

    /**
     * Where in its interval a metric polls: a stable hash of {@code placement} (the same on every
     * replica and after every restart), spread over {@code [0, intervalMillis)}.
     */
    static long phase(String placement, long intervalMillis) {
        // String.hashCode is specified (the same in every JVM); MurmurHash3's finalizer spreads
        // keys that differ in one character (m1, m2, ...) over the whole interval.
        long mixed = placement.hashCode();
        mixed = (mixed ^ (mixed >>> 33)) * 0xff51afd7ed558ccdL;
        mixed = (mixed ^ (mixed >>> 33)) * 0xc4ceb9fe1a85ec53L;
        mixed ^= mixed >>> 33;
        return Math.floorMod(mixed, intervalMillis);
    }

    /**
     * @param intervalMillis the metric's poll interval
     * @param phaseMillis the metric's {@link #phase}, in {@code [0, intervalMillis)}
     * @param startedMillis when the poll that just ended started (epoch millis)
     * @param nowMillis now (epoch millis)
     * @return milliseconds until the next of the metric's instants that is at least half an
     *     interval after the last poll started (a metric first polled just before one of its
     *     instants is not polled again at once); at least 1
     */
    static long delayToNextPoll(long intervalMillis, long phaseMillis, long startedMillis, long nowMillis) {
        long next = Math.floorDiv(nowMillis - phaseMillis, intervalMillis) * intervalMillis + phaseMillis
                + intervalMillis;
        if (next - startedMillis < intervalMillis / 2) {
            next += intervalMillis;
        }
        return Math.max(1, next - nowMillis);
    }
}
