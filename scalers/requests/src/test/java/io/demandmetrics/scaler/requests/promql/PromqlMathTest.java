package io.demandmetrics.scaler.requests.promql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * rate() and histogram_quantile() on fixed samples, each expected value worked out by hand
 * from Prometheus' extrapolatedRate and bucketQuantile (the working is in the row's name).
 */
class PromqlMathTest {

    private static final double NAN = Double.NaN;

    static Stream<Arguments> rates() {
        return Stream.of(
                Arguments.of("samples on both edges: 300 / 30 s", 0, 30, new long[] {0, 10, 20, 30},
                        new double[] {0, 100, 200, 300}, 10.0),
                Arguments.of("a reset adds back the 200 before it: (150 - 100 + 200) / 30 s", 0, 30,
                        new long[] {0, 10, 20, 30}, new double[] {100, 200, 50, 150}, 250.0 / 30),
                Arguments.of("5 s to each edge, within 1.1 intervals: 50 x 60/50 / 60 s", 0, 60,
                        new long[] {5, 15, 25, 35, 45, 55}, new double[] {10, 20, 30, 40, 50, 60}, 1.0),
                Arguments.of("not before the counter was zero: start edge 5 s, 30 x 35/30 / 60 s", 0, 60,
                        new long[] {30, 40, 50, 60}, new double[] {5, 15, 25, 35}, 35.0 / 60),
                Arguments.of("40 s gap to the start, beyond 1.1 intervals: half an interval, 20 x 25/20 / 60 s", 0, 60,
                        new long[] {40, 50, 60}, new double[] {100, 110, 120}, 25.0 / 60),
                Arguments.of("a series missing from two scrapes: NaN skipped, 20 / 30 s", 0, 30,
                        new long[] {0, 10, 20, 30}, new double[] {0, NAN, NAN, 20}, 20.0 / 30),
                Arguments.of("one sample: no rate", 0, 30, new long[] {30}, new double[] {7}, NAN),
                Arguments.of("a counter that stands still", 0, 30, new long[] {0, 15, 30}, new double[] {9, 9, 9}, 0.0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rates")
    void rate(String working, long startSeconds, long endSeconds, long[] seconds, double[] values, double expected) {
        long[] millis = java.util.Arrays.stream(seconds).map(s -> s * 1000).toArray();
        double rate = CounterRate.rate(millis, values, 0, values.length, startSeconds * 1000, endSeconds * 1000);
        if (Double.isNaN(expected)) {
            assertThat(rate).isNaN();
        } else {
            assertThat(rate).isCloseTo(expected, within(1e-12));
        }
    }

    private static final double INF = Double.POSITIVE_INFINITY;

    static Stream<Arguments> quantiles() {
        double[] bounds = {0.1, 0.5, 1, INF};
        double[] counts = {50, 90, 99, 100};
        return Stream.of(
                Arguments.of("q .99: rank 99 in (0.5, 1], 9 of 9 -> 1", 0.99, bounds, counts, 1.0),
                Arguments.of("q .5: rank 50 in (0, 0.1], 50 of 50 -> 0.1", 0.5, bounds, counts, 0.1),
                Arguments.of("q .75: rank 75 in (0.1, 0.5], 25 of 40 -> 0.35", 0.75, bounds, counts, 0.35),
                Arguments.of("buckets in any order", 0.75, new double[] {1, INF, 0.5, 0.1},
                        new double[] {99, 100, 90, 50}, 0.35),
                Arguments.of("rank in +Inf: the highest finite bound", 0.99, bounds, new double[] {10, 20, 30, 100}, 1.0),
                Arguments.of("non-monotonic counts forced up: 40 -> 50; rank 75 in (0.5, 1], 25 of 49", 0.75, bounds,
                        new double[] {50, 40, 99, 100}, 0.5 + 0.5 * 25 / 49),
                Arguments.of("counts scaled (rates) give the same quantile", 0.75, bounds,
                        new double[] {5, 9, 9.9, 10}, 0.35),
                Arguments.of("no +Inf bucket", 0.99, new double[] {0.1, 0.5}, new double[] {5, 9}, NAN),
                Arguments.of("only +Inf", 0.99, new double[] {INF}, new double[] {5}, NAN),
                Arguments.of("no observations (an idle window)", 0.99, bounds, new double[] {0, 0, 0, 0}, NAN),
                Arguments.of("q above 1", 1.5, bounds, counts, INF),
                Arguments.of("q below 0", -0.5, bounds, counts, Double.NEGATIVE_INFINITY));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("quantiles")
    void histogramQuantile(String working, double q, double[] bounds, double[] counts, double expected) {
        double quantile = HistogramQuantile.quantile(q, bounds, counts);
        if (Double.isNaN(expected)) {
            assertThat(quantile).isNaN();
        } else {
            assertThat(quantile).isCloseTo(expected, within(1e-12));
        }
    }
}
