package io.demandmetrics.scaler.http.series;

import io.demandmetrics.scaler.http.exposition.ExpositionParser;
import io.demandmetrics.scaler.http.exposition.Labels;
import io.demandmetrics.scaler.http.exposition.ScrapedSample;
import io.demandmetrics.scaler.http.promql.CounterRate;
import io.demandmetrics.scaler.http.promql.HistogramQuantile;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The last scrapes of one target (one pod): for every kept series, its value at each of the
 * last {@code capacity} scrapes, NaN where a scrape did not have it. Rates and quantiles over
 * a window are computed from it with PromQL's semantics. A series absent from every scrape
 * held is dropped, so a target whose labels churn holds no more than its recent series.
 *
 * <p>Not thread-safe: one target is scraped and read on one thread (its scraper's).
 */
public final class TargetHistory {

    private final int capacity;
    /** Scrape times, oldest first, {@code size} of them. */
    private final long[] times;
    private int size;
    private final Map<SeriesKey, double[]> series = new HashMap<>();
    private final Interner interner;

    /** A kept series: sample name and labels. */
    public record SeriesKey(String name, Labels labels) {
    }

    /** @param capacity the scrapes held: the longest window over the scrape interval, plus two */
    public TargetHistory(int capacity) {
        this(capacity, new Interner());
    }

    /** @param interner shared by the targets of one pool, so equal label sets are held once */
    public TargetHistory(int capacity, Interner interner) {
        this.interner = interner;
        if (capacity < 2) {
            throw new IllegalArgumentException("a rate needs at least two scrapes, so capacity >= 2");
        }
        this.capacity = capacity;
        this.times = new long[capacity];
    }

    /** Adds a scrape taken at {@code time} (ms), dropping the oldest when full. */
    public void record(long time, List<ScrapedSample> samples) {
        if (size > 0 && time <= times[size - 1]) {
            throw new IllegalArgumentException("scrape times must increase: " + time + " after " + times[size - 1]);
        }
        boolean full = size == capacity;
        if (full) {
            System.arraycopy(times, 1, times, 0, capacity - 1);
            for (double[] values : series.values()) {
                System.arraycopy(values, 1, values, 0, capacity - 1);
            }
            size--;
        }
        times[size] = time;
        for (double[] values : series.values()) {
            values[size] = Double.NaN;
        }
        for (ScrapedSample sample : samples) {
            SeriesKey key = new SeriesKey(sample.name(), sample.labels());
            double[] values = series.get(key);
            if (values == null) {
                values = new double[capacity];
                java.util.Arrays.fill(values, Double.NaN);
                series.put(new SeriesKey(interner.name(sample.name()), interner.labels(sample.labels())), values);
            }
            values[size] = sample.value();
        }
        size++;
        for (Iterator<double[]> it = series.values().iterator(); it.hasNext(); ) {
            if (allNaN(it.next())) {
                it.remove();
            }
        }
    }

    /** Scrapes held at most. */
    public int capacity() {
        return capacity;
    }

    /** This history in a larger one (a metric with a longer window now reads the target). */
    public TargetHistory resized(int newCapacity) {
        TargetHistory larger = new TargetHistory(Math.max(newCapacity, capacity), interner);
        System.arraycopy(times, 0, larger.times, 0, size);
        larger.size = size;
        series.forEach((key, values) -> {
            double[] copy = new double[larger.capacity];
            java.util.Arrays.fill(copy, Double.NaN);
            System.arraycopy(values, 0, copy, 0, size);
            larger.series.put(key, copy);
        });
        return larger;
    }

    /** Scrapes held. */
    public int scrapes() {
        return size;
    }

    /** The time of the last scrape (ms), or -1 if none. */
    public long lastScrape() {
        return size == 0 ? -1 : times[size - 1];
    }

    public int seriesCount() {
        return series.size();
    }

    /**
     * The summed per-second rate of the counters named {@code name} that {@code matchers} keep,
     * over the window ending at the last scrape; NaN when no matching series has two samples in
     * it (a new pod, or one whose scrapes failed). As PromQL's {@code sum(rate(name{...}[window]))}.
     */
    public double rate(String name, List<LabelMatcher> matchers, long windowMillis) {
        double[] sum = {0};
        boolean any = forEachRate(name, matchers, windowMillis, (key, rate) -> sum[0] += rate);
        return any ? sum[0] : Double.NaN;
    }

    /**
     * The rate of each bucket of histogram {@code bucketName} ({@code x_bucket}) over the window,
     * summed across the series {@code matchers} keep, by {@code le}: what
     * {@code sum by (le) (rate(x_bucket{...}[window]))} gives. Empty when no bucket has a rate.
     */
    public Map<Double, Double> bucketRates(String bucketName, List<LabelMatcher> matchers, long windowMillis) {
        Map<Double, Double> byBound = new TreeMap<>();
        forEachRate(bucketName, matchers, windowMillis, (key, rate) -> {
            Double bound = upperBound(key.labels().get("le"));
            if (bound != null) { // a bucket without a readable le cannot be placed
                byBound.merge(bound, rate, Double::sum);
            }
        });
        return byBound;
    }

    /**
     * Hands each series named {@code name} that {@code matchers} keep, and that has a rate over
     * the window ending at the last scrape, to {@code action}; false when none had one.
     */
    private boolean forEachRate(String name, List<LabelMatcher> matchers, long windowMillis,
                                java.util.function.ObjDoubleConsumer<SeriesKey> action) {
        if (size < 2) {
            return false;
        }
        long end = times[size - 1];
        long start = end - windowMillis;
        int from = firstAfter(start);
        boolean any = false;
        for (Map.Entry<SeriesKey, double[]> entry : series.entrySet()) {
            SeriesKey key = entry.getKey();
            if (!key.name().equals(name) || !LabelMatcher.all(matchers, key.labels())) {
                continue;
            }
            double rate = CounterRate.rate(times, entry.getValue(), from, size, start, end);
            if (!Double.isNaN(rate)) {
                action.accept(key, rate);
                any = true;
            }
        }
        return any;
    }

    /**
     * The last scrape's values of the series named {@code name} that {@code matchers} keep and
     * whose {@code label} reads as {@code value} (a summary's {@code quantile="0.99"}).
     */
    public List<Double> latest(String name, List<LabelMatcher> matchers, String label, double value) {
        List<Double> values = new ArrayList<>();
        if (size == 0) {
            return values;
        }
        for (Map.Entry<SeriesKey, double[]> entry : series.entrySet()) {
            SeriesKey key = entry.getKey();
            if (!key.name().equals(name) || !LabelMatcher.all(matchers, key.labels())) {
                continue;
            }
            String text = key.labels().get(label);
            Double labelled = text == null ? null : ExpositionParser.parseFloat(text);
            if (labelled != null && labelled == value) {
                values.add(entry.getValue()[size - 1]);
            }
        }
        return values;
    }

    /** Whether the last scrape had a series named {@code name}. */
    public boolean hasSeries(String name) {
        if (size == 0) {
            return false;
        }
        for (Map.Entry<SeriesKey, double[]> entry : series.entrySet()) {
            if (entry.getKey().name().equals(name) && !Double.isNaN(entry.getValue()[size - 1])) {
                return true;
            }
        }
        return false;
    }

    /** {@code histogram_quantile(q, ...)} over bucket rates by upper bound (as from {@link #bucketRates}). */
    public static double quantile(double q, Map<Double, Double> bucketRates) {
        double[] bounds = new double[bucketRates.size()];
        double[] counts = new double[bucketRates.size()];
        int i = 0;
        for (Map.Entry<Double, Double> bucket : bucketRates.entrySet()) {
            bounds[i] = bucket.getKey();
            counts[i++] = bucket.getValue();
        }
        return HistogramQuantile.quantile(q, bounds, counts);
    }

    /** Sums bucket rates of several targets (merging pods' buckets before a quantile, never averaging quantiles). */
    public static Map<Double, Double> merge(List<Map<Double, Double>> bucketRates) {
        Map<Double, Double> merged = new TreeMap<>();
        for (Map<Double, Double> rates : bucketRates) {
            rates.forEach((bound, rate) -> merged.merge(bound, rate, Double::sum));
        }
        return merged;
    }

    /** The window is left-open, as Prometheus 3 range selectors are: (end - window, end]. */
    private int firstAfter(long time) {
        int i = 0;
        while (i < size && times[i] <= time) {
            i++;
        }
        return i;
    }

    private boolean allNaN(double[] values) {
        for (int i = 0; i < size; i++) {
            if (!Double.isNaN(values[i])) {
                return false;
            }
        }
        return true;
    }

    /** A bucket's {@code le}: "+Inf", "0.25", "1e-3"; null when absent or not a number. */
    public static Double upperBound(String le) {
        Double bound = le == null ? null : ExpositionParser.parseFloat(le);
        return bound == null || bound.isNaN() ? null : bound;
    }
}
