package io.demandmetrics.scaler.http.series;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.demandmetrics.scaler.http.exposition.Labels;
import io.demandmetrics.scaler.http.exposition.ScrapedSample;
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
}
