package io.demandmetrics.adapter.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The last hour of a metric's served total, one point a minute (the minute's last poll), for
 * the explain page. Small on purpose: ten thousand metrics hold under 5 MB of it.
 *
 * <p>Written by the metric's poller, read by any thread.
 */
public final class ValueHistory {

    /** Points kept: an hour at one a minute. */
    static final int POINTS = 60;
    private static final long MINUTE = 60;

    /** Seconds since {@link #base}, and totals, as a ring. */
    private final int[] seconds = new int[POINTS];
    private final float[] totals = new float[POINTS];
    private long base = Long.MIN_VALUE;
    private int newest = -1;
    private int size;

    /** One point of the history. */
    public record Point(Instant at, double total) {
    }

    synchronized void record(Instant at, double total) {
        long second = at.getEpochSecond();
        if (base == Long.MIN_VALUE) {
            base = second;
        }
        int offset = (int) Math.min(Integer.MAX_VALUE, second - base);
        if (newest >= 0 && offset / MINUTE == seconds[newest] / MINUTE) {
            seconds[newest] = offset; // the same minute: its last poll stands for it
            totals[newest] = (float) total;
            return;
        }
        newest = (newest + 1) % POINTS;
        seconds[newest] = offset;
        totals[newest] = (float) total;
        size = Math.min(POINTS, size + 1);
    }

    /** The points of the hour before {@code now}, oldest first. */
    public synchronized List<Point> points(Instant now) {
        List<Point> points = new ArrayList<>(size);
        long hourAgo = now.getEpochSecond() - 3600;
        for (int i = size - 1; i >= 0; i--) {
            int index = Math.floorMod(newest - i, POINTS);
            long second = base + seconds[index];
            if (second >= hourAgo) {
                points.add(new Point(Instant.ofEpochSecond(second), totals[index]));
            }
        }
        return points;
    }
}
