package io.demandmetrics.adapter.store;

/**
 * When a metric polls next. Polls fall on multiples of the poll interval since the epoch, so
 * every metric with one interval polls at the same instants however it started (at startup,
 * on a reload, after a slow poll). Sources that batch see those polls together: one Kafka
 * cycle per cluster reads the offsets of all its metrics' groups, where metrics drifting
 * apart would each start a cycle of their own.
 */
final class PollSchedule {

    private PollSchedule() {
    }

    /**
     * @param intervalMillis the metric's poll interval
     * @param startedMillis when the poll that just ended started (epoch millis)
     * @param nowMillis now (epoch millis)
     * @return milliseconds until the next grid instant that is at least half an interval after
     *     the last poll started (a metric first polled just before a grid instant is not polled
     *     again at once); at least 1
     */
    static long delayToNextPoll(long intervalMillis, long startedMillis, long nowMillis) {
        long next = (nowMillis / intervalMillis + 1) * intervalMillis;
        if (next - startedMillis < intervalMillis / 2) {
            next += intervalMillis;
        }
        return Math.max(1, next - nowMillis);
    }
}
