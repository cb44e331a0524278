package io.demandmetrics.adapter.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PollScheduleTest {

    @ParameterizedTest(name = "interval {0}, started {1}, now {2} -> next in {3}")
    @CsvSource({
        // interval, started, now, delay
        "15000, 30000, 30050, 14950",   // on the grid: the next grid instant
        "15000, 31234, 31300, 13700",   // started off the grid: pulled onto it (45000)
        "15000, 44000, 44100, 15900",   // grid instant 45000 is only 1 s after the start: the one after
        "15000, 37400, 37600, 7400",    // 45000 is 7.6 s after the start (>= half): taken
        "15000, 30000, 52000, 8000",    // a poll that took 22 s: the next grid instant, no burst of catch-up polls
        "100, 1000, 1000, 100",
    })
    void pollsFallOnMultiplesOfTheInterval(long interval, long started, long now, long delay) {
        assertThat(PollSchedule.delayToNextPoll(interval, started, now)).isEqualTo(delay);
        assertThat((now + delay) % interval).isZero();
    }
}
