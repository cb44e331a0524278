package io.demandmetrics.hpa.forecast;

/**
 * A metric's day: the typical total in each five-minute slot of the day (UTC), smoothed over
 * the days seen, so that a rise that comes every day at nine is expected before it comes. A
 * slot is trusted once it has been seen on two different days ({@link #expected}).
 *
 * <p>288 floats and as many day stamps: about 2 KB a metric, allocated only for metrics with a
 * lead. Not thread-safe: fed by one poller.
 */
public final class SeasonalProfile {

    /** Seconds in a slot. */
    static final int SLOT = 300;
    static final int SLOTS = 24 * 3600 / SLOT;
    /** How much a new day's value moves the slot: recent days count most. */
    static final double WEIGHT = 0.3;

    private final float[] typical = new float[SLOTS];
    /** The day each slot was last seen on (days since the epoch), and on how many different days. */
    private final int[] lastDay = new int[SLOTS];
    private final byte[] days = new byte[SLOTS];

    /** Takes the total observed at {@code epochSecond}. */
    public void observe(long epochSecond, double total) {
        if (!Double.isFinite(total)) {
            return;
        }
        int slot = slot(epochSecond);
        int day = (int) Math.floorDiv(epochSecond, 86400);
        if (days[slot] == 0) {
            typical[slot] = (float) total;
            lastDay[slot] = day;
            days[slot] = 1;
            return;
        }
        if (day != lastDay[slot]) {
            lastDay[slot] = day;
            days[slot] = (byte) Math.min(Byte.MAX_VALUE, days[slot] + 1);
            typical[slot] = (float) (WEIGHT * total + (1 - WEIGHT) * typical[slot]);
        } else {
            // Within the same day's slot, the slot follows the day's latest value.
            typical[slot] = (float) (days[slot] == 1 ? total : WEIGHT * total + (1 - WEIGHT) * typical[slot]);
        }
    }

    /**
     * The total expected {@code aheadSeconds} after {@code epochSecond}, scaled from what is
     * observed now by how the day usually changes between the two slots; NaN while either
     * slot has been seen on fewer than two days, or the day's value at the current slot is 0.
     */
    public double expected(long epochSecond, long aheadSeconds, double observedNow) {
        int now = slot(epochSecond);
        int then = slot(epochSecond + aheadSeconds);
        if (days[now] < 2 || days[then] < 2 || !(typical[now] > 0)) {
            return Double.NaN;
        }
        return observedNow * typical[then] / typical[now];
    }

    private static int slot(long epochSecond) {
        return (int) (Math.floorMod(epochSecond, 86400L) / SLOT);
    }
}
