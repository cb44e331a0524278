package io.demandmetrics.scaler.requests.promql;

import java.util.Arrays;

/**
 * PromQL's {@code histogram_quantile(q, ...)} over classic buckets (Prometheus'
 * {@code bucketQuantile}): cumulative counts by upper bound, linear interpolation inside the
 * bucket the rank falls in, the lowest bucket starting at 0 (when its bound is positive), a
 * rank in the {@code +Inf} bucket answered with the highest finite bound, counts forced
 * monotonic. NaN without a {@code +Inf} bucket, with fewer than two buckets, or with no
 * observations; the caller decides what an idle window serves.
 */
public final class HistogramQuantile {

    private HistogramQuantile() {
    }

    /**
     * @param q the quantile, 0 to 1 (below: -Inf, above: +Inf, NaN: NaN)
     * @param upperBounds each bucket's {@code le}, in any order
     * @param counts each bucket's cumulative count (or its rate), same order
     */
    public static double quantile(double q, double[] upperBounds, double[] counts) {
        if (Double.isNaN(q)) {
            return Double.NaN;
        }
        if (q < 0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (q > 1) {
            return Double.POSITIVE_INFINITY;
        }
        int n = upperBounds.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(upperBounds[a], upperBounds[b]));
        double[] bounds = new double[n];
        double[] cumulative = new double[n];
        for (int i = 0; i < n; i++) {
            bounds[i] = upperBounds[order[i]];
            // Scrapes of different buckets are not atomic: force the counts monotonic.
            cumulative[i] = i == 0 ? counts[order[i]] : Math.max(counts[order[i]], cumulative[i - 1]);
        }
        if (n < 2 || bounds[n - 1] != Double.POSITIVE_INFINITY) {
            return Double.NaN;
        }
        double observations = cumulative[n - 1];
        if (!(observations > 0)) {
            return Double.NaN;
        }
        double rank = q * observations;
        int b = 0;
        while (b < n - 1 && cumulative[b] < rank) {
            b++;
        }
        if (b == n - 1) {
            return bounds[n - 2];
        }
        if (b == 0 && bounds[0] <= 0) {
            return bounds[0];
        }
        double bucketStart = 0;
        double bucketEnd = bounds[b];
        double count = cumulative[b];
        if (b > 0) {
            bucketStart = bounds[b - 1];
            count -= cumulative[b - 1];
            rank -= cumulative[b - 1];
        }
        return bucketStart + (bucketEnd - bucketStart) * (rank / count);
    }
}
