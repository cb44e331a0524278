package io.demandmetrics.adapter.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PollScheduleTest {

    @ParameterizedTest(name = "interval {0}, phase {1}, started {2}, now {3} -> next in {4}")
    @CsvSource({
        // interval, phase, started, now, delay
        "15000,    0, 30000, 30050, 14950",   // on its instants: the next one
        "15000,    0, 31234, 31300, 13700",   // started off them: pulled onto one (45000)
        "15000,    0, 44000, 44100, 15900",   // 45000 is only 1 s after the start: the one after
        "15000,    0, 37400, 37600, 7400",    // 45000 is 7.6 s after the start (>= half): taken
        "15000,    0, 30000, 52000, 8000",    // a poll that took 22 s: the next instant, no burst of catch-up polls
        "100,      0, 1000, 1000, 100",
        "15000, 4000, 34000, 34050, 14950",   // phase 4 s: instants at 4000 + k * 15000
        "15000, 4000, 31234, 31300, 17700",   // 34000 is only 2.8 s after the start: the one after, 49000
        "15000, 14999, 0, 10, 14989",         // a phase just below the interval
    })
    void pollsFallOnThePhaseOfTheirInterval(long interval, long phase, long started, long now, long delay) {
        long actual = PollSchedule.delayToNextPoll(interval, phase, started, now);
        assertThat(actual).isEqualTo(delay);
        assertThat(Math.floorMod(now + actual - phase, interval)).isZero();
    }

    @Test
    void metricsThatShareNothingSpreadOverTheInterval() {
        long interval = 5_000;
        long[] perSecond = new long[5];
        IntStream.range(0, 1_000).forEach(i -> perSecond[(int) (PollSchedule.phase("default/m" + i, interval) / 1_000)]++);
        for (long count : perSecond) { // 200 a second if evenly spread
            assertThat(count).as("polls in each second of the interval: %s", java.util.Arrays.toString(perSecond))
                    .isBetween(150L, 250L);
        }
    }

    @Test
    void thePhaseIsStableAndEqualForEqualKeys() {
        assertThat(PollSchedule.phase("shared:kafka b1:9092", 10_000))
                .isEqualTo(PollSchedule.phase("shared:kafka b1:9092", 10_000))
                .isBetween(0L, 9_999L);
    }
}
