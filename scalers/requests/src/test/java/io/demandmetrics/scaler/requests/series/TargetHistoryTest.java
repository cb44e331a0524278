package io.demandmetrics.scaler.requests.series;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.demandmetrics.scaler.requests.exposition.Labels;
import io.demandmetrics.scaler.requests.exposition.ScrapedSample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Scrapes of known counters in, PromQL's sum(rate(...)) and histogram_quantile out. */
class TargetHistoryTest {

    private static final String REQUESTS = "http_requests_total";
    private static final String BUCKETS = "http_request_duration_seconds_bucket";

    private static ScrapedSample requests(String code, double value) {
        return new ScrapedSample(REQUESTS, Labels.of("code", code), value);
    }

    /** Scrapes every second from t = 0: code 200 grows 10 per second, code 503 2 per second. */
    private static TargetHistory steady(int scrapes, int capacity) {
        TargetHistory history = new TargetHistory(capacity);
        for (int t = 0; t < scrapes; t++) {
            history.record(t * 1000L, List.of(requests("200", 100 + 10 * t), requests("503", 2 * t)));
        }
        return history;
    }

    @Test
    void rateIsThePromqlSumOfRatesOverTheLeftOpenWindow() {
        TargetHistory history = steady(5, 10);
        // (1 s, 4 s]: samples at 2, 3, 4 s; 20 over 2 s, extrapolated 1 s to the start: 10/s and 2/s.
        assertThat(history.rate(REQUESTS, List.of(), 3_000)).isCloseTo(12.0, within(1e-9));
        assertThat(history.rate(REQUESTS, LabelMatcher.parseAll("code!~\"5..\""), 3_000)).isCloseTo(10.0, within(1e-9));
        assertThat(history.rate(REQUESTS, LabelMatcher.parseAll("code=\"404\""), 3_000)).isNaN();
    }

    @Test
    void aNewTargetHasNoRateUntilItsSecondScrape() {
        assertThat(steady(1, 10).rate(REQUESTS, List.of(), 2_000)).isNaN();
        // (-1 s, 1 s]: samples at 0 and 1 s, 1 s to the start (within 1.1 intervals). Code 200:
        // 10 x 2/1 / 2 s = 10/s. Code 503 starts at 0, so no extrapolation before it: 2 x 1/1 / 2 s = 1/s.
        assertThat(steady(2, 10).rate(REQUESTS, List.of(), 2_000)).isCloseTo(11.0, within(1e-9));
    }

    @Test
    void aRestartedContainersCounterIsAResetNotANegativeRate() {
        TargetHistory history = new TargetHistory(10);
        double[] values = {1000, 1010, 1020, 5, 15, 25}; // restarted between 2 s and 3 s
        for (int t = 0; t < values.length; t++) {
            history.record(t * 1000L, List.of(requests("200", values[t])));
        }
        // (0 s, 5 s]: 1010 -> 1020, reset (+1020), 5 -> 25: increase 10 + 1020 - 1010 + 25 ... = 35 over 4 s,
        // extrapolated 1 s to the start: 35 x 5/4 / 5 s = 8.75/s.
        assertThat(history.rate(REQUESTS, List.of(), 5_000)).isCloseTo(8.75, within(1e-9));
    }

    @Test
    void theOldestScrapeLeavesWhenFullAndSeriesGoneFromEveryScrapeAreDropped() {
        TargetHistory history = new TargetHistory(3);
        history.record(0, List.of(requests("200", 1), requests("500", 1)));
        history.record(1000, List.of(requests("200", 2)));
        history.record(2000, List.of(requests("200", 3)));
        assertThat(history.seriesCount()).isEqualTo(2);
        history.record(3000, List.of(requests("200", 4)));
        assertThat(history.scrapes()).isEqualTo(3);
        assertThat(history.seriesCount()).as("code 500 was only in the dropped scrape").isEqualTo(1);
        assertThat(history.lastScrape()).isEqualTo(3000);
        assertThatThrownBy(() -> history.record(3000, List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    private static List<ScrapedSample> buckets(String pod, double... cumulative) {
        String[] bounds = {"0.1", "0.5", "1", "+Inf"};
        List<ScrapedSample> samples = new ArrayList<>();
        for (int i = 0; i < bounds.length; i++) {
            samples.add(new ScrapedSample(BUCKETS, Labels.of("le", bounds[i], "pod", pod), cumulative[i]));
        }
        return samples;
    }

    @Test
    void quantilesComeFromBucketRatesMergedAcrossPodsNeverFromAveragedQuantiles() {
        TargetHistory fast = new TargetHistory(10);
        TargetHistory slow = new TargetHistory(10);
        for (int t = 0; t <= 10; t++) {
            // fast: 100 requests per second, all under 0.1 s; slow: 10 per second, all in (0.5, 1].
            fast.record(t * 1000L, buckets("fast", 100 * t, 100 * t, 100 * t, 100 * t));
            slow.record(t * 1000L, buckets("slow", 0, 0, 10 * t, 10 * t));
        }
        Map<Double, Double> fastRates = fast.bucketRates(BUCKETS, List.of(), 5_000);
        assertThat(fastRates).containsOnlyKeys(0.1, 0.5, 1.0, Double.POSITIVE_INFINITY);
        assertThat(fastRates.get(0.1)).isCloseTo(100.0, within(1e-9));
        // One pod: rank 0.99 x 100 in (0, 0.1] -> 0.099.
        assertThat(TargetHistory.quantile(0.99, fastRates)).isCloseTo(0.099, within(1e-9));
        // Merged: 110/s, rank 108.9; 100 at <= 0.5, 110 at <= 1: (0.5, 1], 8.9 of 10 -> 0.945.
        Map<Double, Double> merged = TargetHistory.merge(List.of(fastRates, slow.bucketRates(BUCKETS, List.of(), 5_000)));
        assertThat(TargetHistory.quantile(0.99, merged)).isCloseTo(0.945, within(1e-9));
        // The average of the two pods' P99s would be (0.099 + 0.999) / 2 = 0.549: not what is served.
    }

    @Test
    void anIdlePodHasNoQuantile() {
        TargetHistory idle = new TargetHistory(10);
        for (int t = 0; t < 5; t++) {
            idle.record(t * 1000L, buckets("idle", 7, 7, 7, 7));
        }
        assertThat(TargetHistory.quantile(0.99, idle.bucketRates(BUCKETS, List.of(), 3_000))).isNaN();
    }

    /**
     * The compact rows against the plainest model of the same thing, the last {@code capacity}
     * scrapes as maps: random scrapes of 60 possible series (so rows grow, shift, and close up
     * as series come and go), counters that reset, a resize halfway. Rates per series and in sum,
     * bucket rates, the latest values and the series count agree after every scrape.
     */
    @Test
    void rowsAgreeWithTheLastScrapesKeptAsMaps() {
        java.util.Random random = new java.util.Random(7);
        for (int round = 0; round < 30; round++) {
            int capacity = 2 + random.nextInt(10);
            TargetHistory history = new TargetHistory(capacity);
            java.util.ArrayDeque<Map<ScrapedSample, Double>> model = new java.util.ArrayDeque<>();
            java.util.ArrayDeque<Long> times = new java.util.ArrayDeque<>();
            double[] counters = new double[60];
            for (int t = 0; t < 80; t++) {
                if (t == 40) {
                    capacity += random.nextInt(4);
                    history = history.resized(capacity);
                }
                List<ScrapedSample> scrape = new ArrayList<>();
                Map<ScrapedSample, Double> byKey = new java.util.LinkedHashMap<>();
                int present = random.nextInt(60); // series 0 .. present-ish, some left out
                for (int i = 0; i < 60; i++) {
                    counters[i] = random.nextInt(20) == 0 ? random.nextInt(5) : counters[i] + random.nextInt(30);
                    if (i > present || random.nextInt(6) == 0) {
                        continue;
                    }
                    ScrapedSample sample = i < 30
                            ? new ScrapedSample(REQUESTS, Labels.of("code", Integer.toString(200 + i)), counters[i])
                            : new ScrapedSample(BUCKETS, Labels.of("le", Integer.toString(i - 29)), counters[i]);
                    scrape.add(sample);
                    byKey.put(new ScrapedSample(sample.name(), sample.labels(), 0), counters[i]);
                }
                long time = t * 1000L + random.nextInt(300);
                history.record(time, scrape);
                model.addLast(byKey);
                times.addLast(time);
                if (model.size() > capacity) {
                    model.removeFirst();
                    times.removeFirst();
                }
                assertAgrees(history, new ArrayList<>(model), times.stream().mapToLong(Long::longValue).toArray(),
                        "round " + round + " scrape " + t);
            }
        }
    }

    private static void assertAgrees(TargetHistory history, List<Map<ScrapedSample, Double>> scrapes, long[] times,
                                     String where) {
        java.util.Set<ScrapedSample> keys = new java.util.LinkedHashSet<>();
        scrapes.forEach(scrape -> keys.addAll(scrape.keySet()));
        assertThat(history.seriesCount()).as(where).isEqualTo(keys.size());
        long window = 5_500;
        long end = times[times.length - 1];
        int from = 0;
        while (from < times.length && times[from] <= end - window) {
            from++;
        }
        double requests = 0;
        boolean anyRequests = false;
        Map<Double, Double> buckets = new java.util.TreeMap<>();
        for (ScrapedSample key : keys) {
            double[] values = new double[times.length];
            for (int i = 0; i < times.length; i++) {
                values[i] = scrapes.get(i).getOrDefault(key, Double.NaN);
            }
            double rate = io.demandmetrics.scaler.requests.promql.CounterRate.rate(times, values, from, times.length,
                    end - window, end);
            if (!Double.isNaN(rate)) {
                if (key.name().equals(REQUESTS)) {
                    requests += rate;
                    anyRequests = true;
                } else {
                    buckets.merge(Double.parseDouble(key.labels().get("le")), rate, Double::sum);
                }
            }
            if (key.name().equals(REQUESTS)) {
                String code = key.labels().get("code");
                assertThat((Double) history.rate(REQUESTS, LabelMatcher.parseAll("code=\"" + code + "\""), window))
                        .as(where + " code " + code).isEqualTo((Double) rate); // boxed: NaN equals NaN
                double latest = values[values.length - 1];
                assertThat(history.latest(REQUESTS, List.of(), "code", Double.parseDouble(code)))
                        .as(where + " latest " + code).isEqualTo(Double.isNaN(latest) ? List.of(Double.NaN) : List.of(latest));
            }
        }
        double sum = history.rate(REQUESTS, List.of(), window);
        if (anyRequests) { // summed in another order: equal up to rounding
            assertThat(sum).as(where).isCloseTo(requests, within(1e-9 * Math.abs(requests)));
        } else {
            assertThat(sum).as(where).isNaN();
        }
        assertThat(history.bucketRates(BUCKETS, List.of(), window)).as(where).isEqualTo(buckets);
    }
}
