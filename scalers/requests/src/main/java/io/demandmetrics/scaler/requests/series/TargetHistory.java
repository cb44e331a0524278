package io.demandmetrics.scaler.requests.series;

import io.demandmetrics.scaler.requests.exposition.ExpositionParser;
import io.demandmetrics.scaler.requests.exposition.Labels;
import io.demandmetrics.scaler.requests.exposition.ScrapedSample;
import io.demandmetrics.scaler.requests.promql.CounterRate;
import io.demandmetrics.scaler.requests.promql.HistogramQuantile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The last scrapes of one target (one pod): for every kept series, its value at each of the
 * last {@code capacity} scrapes, NaN where a scrape did not have it. Rates and quantiles over
 * a window are computed from it with PromQL's semantics. A series absent from every scrape
 * held is dropped, so a target whose labels churn holds no more than its recent series.
 *
 * <p>Compact, because a thousand pods of a few hundred series each are the adapter's largest
 * memory: the values of all series are rows of one array, the series are found through an
 * open-addressing table of row numbers, and the keys are the pool's shared instances (see
 * {@link Interner}), so a series costs its values and two table slots, not a map entry, a key
 * and an array of its own.
 *
 * <p>Not thread-safe: one target is scraped and read under its lock.
 */
public final class TargetHistory {

    private final int capacity;
    /** Scrape times, oldest first, {@code size} of them. */
    private final long[] times;
    private int size;
    private final Interner interner;
    /** Row r holds series {@code keys[r]}: its values at {@code values[r * capacity + i]}, scrape i. */
    private SeriesKey[] keys = new SeriesKey[8];
    private double[] values;
    private int rows;
    /** Open addressing (linear probing): row + 1 per slot, 0 for empty; at most half full. */
    private int[] table = new int[16];

    /**
     * A kept series: sample name and labels, and its {@code le} read once (NaN when it has none
     * or it is not a number), the same instance for every target of a pool.
     */
    public record SeriesKey(String name, Labels labels, double bound) {

        static SeriesKey of(String name, Labels labels) {
            Double bound = upperBound(labels.get("le"));
            return new SeriesKey(name, labels, bound == null ? Double.NaN : bound);
        }
    }

    /** @param capacity the scrapes held: the longest window over the scrape interval, plus two */
    public TargetHistory(int capacity) {
        this(capacity, new Interner());
    }

    /** @param interner shared by the targets of one pool, so equal series keys are held once */
    public TargetHistory(int capacity, Interner interner) {
        this.interner = interner;
        if (capacity < 2) {
            throw new IllegalArgumentException("a rate needs at least two scrapes, so capacity >= 2");
        }
        this.capacity = capacity;
        this.times = new long[capacity];
        this.values = new double[keys.length * capacity];
    }

    /** Adds a scrape taken at {@code time} (ms), dropping the oldest when full. */
    public void record(long time, List<ScrapedSample> samples) {
        if (size > 0 && time <= times[size - 1]) {
            throw new IllegalArgumentException("scrape times must increase: " + time + " after " + times[size - 1]);
        }
        if (size == capacity) {
            // Every row moves one to the left at once; each row's last column, filled from the next
            // row's first, is overwritten below.
            System.arraycopy(times, 1, times, 0, capacity - 1);
            if (rows > 0) {
                System.arraycopy(values, 1, values, 0, rows * capacity - 1);
            }
            size--;
        }
        times[size] = time;
        for (int row = 0; row < rows; row++) {
            values[row * capacity + size] = Double.NaN;
        }
        for (ScrapedSample sample : samples) {
            int row = row(sample.name(), sample.labels());
            if (row < 0) {
                row = add(sample.name(), sample.labels());
            }
            values[row * capacity + size] = sample.value();
        }
        size++;
        dropAbsentSeries();
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
        for (int row = 0; row < rows; row++) {
            int to = larger.add(keys[row]);
            System.arraycopy(values, row * capacity, larger.values, to * larger.capacity, size);
        }
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
        return rows;
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
            if (!Double.isNaN(key.bound())) { // a bucket without a readable le cannot be placed
                byBound.merge(key.bound(), rate, Double::sum);
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
        for (int row = 0; row < rows; row++) {
            SeriesKey key = keys[row];
            if (!key.name().equals(name) || !LabelMatcher.all(matchers, key.labels())) {
                continue;
            }
            double rate = CounterRate.rate(times, values, row * capacity, from, size, start, end);
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
        List<Double> latest = new ArrayList<>();
        if (size == 0) {
            return latest;
        }
        for (int row = 0; row < rows; row++) {
            SeriesKey key = keys[row];
            if (!key.name().equals(name) || !LabelMatcher.all(matchers, key.labels())) {
                continue;
            }
            String text = key.labels().get(label);
            Double labelled = text == null ? null : ExpositionParser.parseFloat(text);
            if (labelled != null && labelled == value) {
                latest.add(values[row * capacity + size - 1]);
            }
        }
        return latest;
    }

    /** Whether the last scrape had a series named {@code name}. */
    public boolean hasSeries(String name) {
        if (size == 0) {
            return false;
        }
        for (int row = 0; row < rows; row++) {
            if (keys[row].name().equals(name) && !Double.isNaN(values[row * capacity + size - 1])) {
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

    /** The row of a series, or -1. */
    private int row(String name, Labels labels) {
        int mask = table.length - 1;
        for (int slot = hash(name, labels) & mask; table[slot] != 0; slot = (slot + 1) & mask) {
            SeriesKey key = keys[table[slot] - 1];
            if (key.labels().equals(labels) && key.name().equals(name)) {
                return table[slot] - 1;
            }
        }
        return -1;
    }

    /** A new row for a series, all NaN, its key shared through the interner. */
    private int add(String name, Labels labels) {
        return add(interner.seriesKey(name, labels));
    }

    private int add(SeriesKey key) {
        if (rows == keys.length) {
            keys = java.util.Arrays.copyOf(keys, rows * 2);
            values = java.util.Arrays.copyOf(values, rows * 2 * capacity);
        }
        int row = rows++;
        keys[row] = key;
        java.util.Arrays.fill(values, row * capacity, (row + 1) * capacity, Double.NaN);
        if (rows * 2 > table.length) {
            rebuildTable(table.length * 2);
        } else {
            place(row);
        }
        return row;
    }

    private void place(int row) {
        int mask = table.length - 1;
        int slot = hash(keys[row].name(), keys[row].labels()) & mask;
        while (table[slot] != 0) {
            slot = (slot + 1) & mask;
        }
        table[slot] = row + 1;
    }

    private void rebuildTable(int slots) {
        table = new int[slots];
        for (int row = 0; row < rows; row++) {
            place(row);
        }
    }

    /**
     * Drops the series with no value in any scrape held. Only a series absent from the newest
     * scrape can have become one; when any has, the rows close up and the table is rebuilt
     * (label churn, rare).
     */
    private void dropAbsentSeries() {
        int kept = 0;
        for (int row = 0; row < rows; row++) {
            boolean absent = Double.isNaN(values[row * capacity + size - 1]) && allNaN(row);
            if (absent) {
                continue;
            }
            if (kept != row) {
                keys[kept] = keys[row];
                System.arraycopy(values, row * capacity, values, kept * capacity, capacity);
            }
            kept++;
        }
        if (kept != rows) {
            java.util.Arrays.fill(keys, kept, rows, null);
            rows = kept;
            rebuildTable(table.length);
        }
    }

    private boolean allNaN(int row) {
        for (int i = row * capacity, end = i + size; i < end; i++) {
            if (!Double.isNaN(values[i])) {
                return false;
            }
        }
        return true;
    }

    private static int hash(String name, Labels labels) {
        int hash = 31 * name.hashCode() + labels.hashCode();
        return hash ^ (hash >>> 16);
    }

    /** A bucket's {@code le}: "+Inf", "0.25", "1e-3"; null when absent or not a number. */
    public static Double upperBound(String le) {
        Double bound = le == null ? null : ExpositionParser.parseFloat(le);
        return bound == null || bound.isNaN() ? null : bound;
    }
}
