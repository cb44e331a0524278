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

    /** The last answer: no firing lies in [{@code asked}, {@code next}), so it holds for any instant there. */
    private record Answer(Instant asked, Instant next) {
    }

    private final ExecutionTime wallClockTimes;
    private final ZoneId zone;
    /**
     * Why remember it: a metric polls its schedule every few seconds and the answer changes only
     * when a firing passes, while cron-utils builds lists of candidates for each question (at
     * ten thousand cron metrics, over half of what the event loop allocated).
     */
    private volatile Answer last;

    CronSchedule(ExecutionTime wallClockTimes, ZoneId zone) {
        this.wallClockTimes = wallClockTimes;
        this.zone = zone;
    }

    /** The first firing strictly after {@code now}, or {@code null} if it never fires again. */
    Instant nextAfter(Instant now) {
        Answer known = last;
        if (known != null && !now.isBefore(known.asked()) && (known.next() == null || now.isBefore(known.next()))) {
            return known.next();
        }
        Instant next = computeNextAfter(now);
        last = new Answer(now, next);
        return next;
    }

    private Instant computeNextAfter(Instant now) {
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
