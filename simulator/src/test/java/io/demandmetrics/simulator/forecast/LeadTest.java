package io.demandmetrics.simulator.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The forecast and its guard rails: only ever earlier scale-up, never less, never unbounded. */
class LeadTest {

    private final Lead minuteAhead = new Lead(Duration.ofSeconds(60), Duration.ofSeconds(5), 1.0);

    @Test
    void aSteadyValueForecastsItself() {
        DampedTrend trend = minuteAhead.forecaster();
        double factor = 0;
        for (int i = 0; i < 20; i++) {
            factor = minuteAhead.factor(trend, 1000);
        }
        assertThat(trend.forecast(12)).isCloseTo(1000, within(1e-9));
        assertThat(factor).isEqualTo(1.0);
    }

    @Test
    void aRampIsCarriedForwardDamped() {
        DampedTrend trend = minuteAhead.forecaster();
        double factor = 1;
        // +50 req/s every 5 s: a minute on, the ramp would add 600; the damped trend adds less, but most of it.
        for (int i = 0; i < 40; i++) {
            factor = minuteAhead.factor(trend, 1000 + 50 * i);
        }
        double observed = 1000 + 50 * 39;
        assertThat(factor * observed - observed).isBetween(200.0, 600.0);
        // Damping: a very long lead adds at most trend x phi / (1 - phi) = 9 trend steps, not 120.
        assertThat(trend.forecast(120) - trend.forecast(12)).isLessThan(50 * 9);
    }

    @Test
    void guardRails() {
        DampedTrend falling = minuteAhead.forecaster();
        for (int i = 0; i < 20; i++) {
            // A falling series never serves less than observed: a lead never brings scale-down.
            assertThat(minuteAhead.factor(falling, 2000 - 80 * i)).isEqualTo(1.0);
        }
        // A steep ramp forecasts beyond the cap: served at most 1 + maxGrowth times the observed.
        Lead capped = new Lead(Duration.ofSeconds(60), Duration.ofSeconds(5), 0.25);
        DampedTrend steep = capped.forecaster();
        double factor = 1;
        for (int i = 0; i < 10; i++) {
            factor = capped.factor(steep, 100 + 200 * i);
        }
        assertThat(factor).isEqualTo(1.25);
        // Too few polls to see a trend, or nothing observed: no lead.
        DampedTrend young = minuteAhead.forecaster();
        assertThat(minuteAhead.factor(young, 100)).isEqualTo(1.0);
        assertThat(minuteAhead.factor(young, 400)).isEqualTo(1.0);
        assertThat(minuteAhead.factor(young, 900)).isEqualTo(1.0);
        assertThat(minuteAhead.factor(young, 1600)).isGreaterThan(1.0);
        DampedTrend zero = minuteAhead.forecaster();
        for (int i = 0; i < 10; i++) {
            assertThat(minuteAhead.factor(zero, 0)).isEqualTo(1.0);
        }
        assertThat(minuteAhead.steps()).isEqualTo(12);
    }
}
