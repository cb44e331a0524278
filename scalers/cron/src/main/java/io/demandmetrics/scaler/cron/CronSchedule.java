package io.demandmetrics.scaler.cron;

import com.cronutils.model.time.ExecutionTime;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;

/**
 * The instants at which a cron expression fires in a time zone, with cron(8)'s rules for
 * daylight-saving changes: a wall-clock time that does not exist (spring forward) fires
 * at the end of the gap, and one that occurs twice (fall back) fires once, the first time.
 *
 * <p>cron-utils alone skips a time in the gap to the next day and answers differently
 * within a repeated hour depending on the starting point; a window whose start was
 * skipped would stay open for a whole day. So the expression is evaluated in wall-clock
 * time (a zone with no transitions) and each wall-clock time mapped to an instant here.
 * That mapping never decreases, which makes "the first candidate after now" correct.
 */
final class CronSchedule {

    private final ExecutionTime wallClockTimes;
    private final ZoneId zone;

    CronSchedule(ExecutionTime wallClockTimes, ZoneId zone) {
        this.wallClockTimes = wallClockTimes;
        this.zone = zone;
    }

    /** The first firing strictly after {@code now}, or {@code null} if it never fires again. */
    Instant nextAfter(Instant now) {
        LocalDateTime from = LocalDateTime.ofInstant(now, zone);
        // Only during a repeated hour can a later wall-clock time map to an earlier instant
        // (its first occurrence); a few candidates are skipped then.
        while (true) {
            var candidate = wallClockTimes.nextExecution(from.atZone(ZoneOffset.UTC));
            if (candidate.isEmpty()) {
                return null;
            }
            LocalDateTime wallClock = candidate.get().toLocalDateTime();
            Instant instant = toInstant(wallClock);
            if (instant.isAfter(now)) {
                return instant;
            }
            from = wallClock;
        }
    }

    private Instant toInstant(LocalDateTime wallClock) {
        var validOffsets = zone.getRules().getValidOffsets(wallClock);
        if (!validOffsets.isEmpty()) {
            return wallClock.toInstant(validOffsets.get(0)); // the earlier offset when repeated
        }
        ZoneOffsetTransition gap = zone.getRules().getTransition(wallClock);
        return gap.getInstant();
    }
}
