package io.demandmetrics.hpa;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A known peak as the cron scaler serves it, for simulations: windows of seconds from the
 * trace's start with a desired replica count, each ramping up linearly over {@code ramp}
 * seconds before it starts (the cron scaler's ramp), 0 outside. Written in the HPA's annotation
 * {@code simulate.demandmetrics.io/schedule} as {@code 240-600=10} windows separated by
 * {@code ;}, and an optional {@code ramp=60}.
 *
 * @param windows the windows
 * @param rampSeconds how long each ramp lasts before its window
 */
public record Schedule(List<Window> windows, int rampSeconds) {

    /** Seconds {@code from} (inclusive) to {@code to} (exclusive): {@code replicas}. */
    public record Window(int from, int to, int replicas) {
    }

    private static final Pattern WINDOW = Pattern.compile("(\\d{1,7})-(\\d{1,7})=(\\d{1,5})");
    private static final Pattern RAMP = Pattern.compile("ramp=(\\d{1,5})");

    /** @throws IllegalArgumentException saying what is wrong */
    public static Schedule parse(String text) {
        List<Window> windows = new ArrayList<>();
        int ramp = 0;
        for (String part : text.split(";")) {
            String item = part.strip();
            Matcher window = WINDOW.matcher(item);
            Matcher rampMatcher = RAMP.matcher(item);
            if (window.matches()) {
                int from = Integer.parseInt(window.group(1));
                int to = Integer.parseInt(window.group(2));
                if (to <= from) {
                    throw new IllegalArgumentException("schedule window " + item + " ends before it starts");
                }
                windows.add(new Window(from, to, Integer.parseInt(window.group(3))));
            } else if (rampMatcher.matches()) {
                ramp = Integer.parseInt(rampMatcher.group(1));
            } else if (!item.isEmpty()) {
                throw new IllegalArgumentException("schedule item \"" + item + "\" is not FROM-TO=REPLICAS (seconds)"
                        + " or ramp=SECONDS");
            }
        }
        if (windows.isEmpty()) {
            throw new IllegalArgumentException("a schedule needs at least one FROM-TO=REPLICAS window");
        }
        return new Schedule(List.copyOf(windows), ramp);
    }

    /** The desired replicas served at second {@code t}: the largest of the windows', ramps included. */
    public double at(int t) {
        double value = 0;
        for (Window window : windows) {
            if (t >= window.from() && t < window.to()) {
                value = Math.max(value, window.replicas());
            } else if (rampSeconds > 0 && t < window.from() && t >= window.from() - rampSeconds) {
                value = Math.max(value, Math.ceil(window.replicas() * (double) (t - window.from() + rampSeconds)
                        / rampSeconds));
            }
        }
        return value;
    }
}
