package io.demandmetrics.scaler.cron;

import java.time.Duration;
import java.time.Instant;

/**
 * One recurring window: {@code desiredReplicas} from each {@code start} until the next
 * {@code end}, optionally ramping up in {@code rampSteps} equal steps during the
 * {@code rampUp} before each start.
 *
 * @param start the start expression as written, for messages
 * @param end the end expression as written
 * @param startTimes when the window opens
 * @param endTimes when it closes
 */
record CronWindow(String start, String end, CronSchedule startTimes, CronSchedule endTimes,
                  long desiredReplicas, Duration rampUp, long rampSteps) {

    /**
     * The value at {@code now}.
     *
     * <p>Active exactly when KEDA's cron scaler is: when the next end comes no later than
     * the next start, i.e. a start has passed and its end has not. Both "next" instants are
     * strictly after {@code now}, so the window is {@code [start, end)}.
     */
    long valueAt(Instant now) {
        Instant nextStart = startTimes.nextAfter(now);
        Instant nextEnd = endTimes.nextAfter(now);
        if (nextEnd != null && (nextStart == null || !nextEnd.isAfter(nextStart))) {
            return desiredReplicas;
        }
        if (nextStart == null || rampUp.isZero()) {
            return 0;
        }
        // Real elapsed time, not a wall-clock difference: a ramp across a DST change keeps its length.
        Duration untilStart = Duration.between(now, nextStart);
        if (untilStart.compareTo(rampUp) > 0) {
            return 0;
        }
        double elapsedFraction = 1.0 - (double) untilStart.toNanos() / rampUp.toNanos();
        long step = Math.min(rampSteps, (long) Math.floor(elapsedFraction * rampSteps) + 1);
        return (long) Math.ceil((double) desiredReplicas * step / rampSteps);
    }
}
