package io.demandmetrics.scaler.cron;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

/**
 * A parsed cron metric: one or more windows in one time zone. The value at an instant is
 * the largest value of its windows: {@code desiredReplicas} inside a window, a step of
 * its ramp before it, 0 outside.
 */
public record CronConfig(ZoneId timezone, List<CronWindow> windows) {

    public CronConfig {
        windows = List.copyOf(windows);
    }

    /** The demand, in replicas, at {@code instant}. */
    public long valueAt(Instant instant) {
        long value = 0;
        for (CronWindow window : windows) {
            value = Math.max(value, window.valueAt(instant));
        }
        return value;
    }
}
