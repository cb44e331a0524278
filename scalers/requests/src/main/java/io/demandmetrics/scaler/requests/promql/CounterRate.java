package io.demandmetrics.scaler.requests.promql;

/**
 * PromQL's {@code rate()} of one counter series over a range, so a value computed from
 * scrapes here equals what {@code rate(x[30s])} gives in Prometheus on the same samples
 * (Prometheus' {@code extrapolatedRate}):
 * <ul>
 * <li>at least two samples in the range, else NaN;</li>
 * <li>a drop is a reset: the value before it is added back, so a restarted container never
 *     yields a negative or a huge rate;</li>
 * <li>the increase is extrapolated to the range's edges when the first or last sample is
 *     within 1.1 average sample intervals of them, else by half an interval; never to before
 *     the counter would have been zero.</li>
 * </ul>
 */
public final class CounterRate {

    private CounterRate() {
    }

    /**
     * The per-second rate over {@code [rangeStart, rangeEnd]}, in milliseconds, from the samples
     * {@code [from, to)} of {@code times} (ascending, within the range) and {@code values}.
     * NaN samples (a series absent from a scrape) are skipped.
     */
    public static double rate(long[] times, double[] values, int from, int to, long rangeStart, long rangeEnd) {
        return rate(times, values, 0, from, to, rangeStart, rangeEnd);
    }

    /**
     * As {@link #rate(long[], double[], int, int, long, long)}, with sample {@code i}'s value at
     * {@code values[offset + i]}: one series among others in a shared array.
     */
    public static double rate(long[] times, double[] values, int offset, int from, int to, long rangeStart,
                              long rangeEnd) {
        int first = -1;
        int last = -1;
        int count = 0;
        double increase = 0;
        double previous = Double.NaN;
        for (int i = from; i < to; i++) {
            double value = values[offset + i];
            if (Double.isNaN(value)) {
                continue;
            }
            if (first < 0) {
                first = i;
            } else if (value < previous) {
                increase += previous; // a reset: what was counted before it still counts
            }
            previous = value;
            last = i;
            count++;
        }
        if (count < 2) {
            return Double.NaN;
        }
        double firstValue = values[offset + first];
        increase += values[offset + last] - firstValue;
        double sampledInterval = (times[last] - times[first]) / 1000.0;
        if (sampledInterval <= 0) {
            return Double.NaN;
        }
        double averageInterval = sampledInterval / (count - 1);
        double durationToStart = (times[first] - rangeStart) / 1000.0;
        double durationToEnd = (rangeEnd - times[last]) / 1000.0;
        if (increase > 0 && firstValue >= 0) {
            // Do not extrapolate to before the counter would have been zero.
            double durationToZero = sampledInterval * (firstValue / increase);
            durationToStart = Math.min(durationToStart, durationToZero);
        }
        double threshold = averageInterval * 1.1;
        double extrapolatedInterval = sampledInterval
                + (durationToStart < threshold ? durationToStart : averageInterval / 2)
                + (durationToEnd < threshold ? durationToEnd : averageInterval / 2);
        double rangeSeconds = (rangeEnd - rangeStart) / 1000.0;
        return increase * (extrapolatedInterval / sampledInterval) / rangeSeconds;
    }
}
