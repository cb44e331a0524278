package io.demandmetrics.hpa.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The forecast and its guard rails: only ever earlier scale-up, never less, never unbounded. */
class LeadTest {

    private final Lead minuteAhead = new Lead(Duration.ofSeconds(60), Duration.ofSeconds(5), 1.0);

    @Test
    void aSteadyValueForecastsItself() {
        Lead.Forecaster trend = minuteAhead.forecaster();
        double factor = 0;
        for (int i = 0; i < 20; i++) {
            factor = minuteAhead.factor(trend, 1000, 5L * i);
        }
        assertThat(trend.trend().forecast(12)).isCloseTo(1000, within(1e-9));
        assertThat(factor).isEqualTo(1.0);
    }

    @Test
    void aRampIsCarriedForwardDamped() {
        Lead.Forecaster trend = minuteAhead.forecaster();
        double factor = 1;
        // +50 req/s every 5 s: a minute on, the ramp would add 600; the damped trend adds less, but most of it.
        for (int i = 0; i < 40; i++) {
            factor = minuteAhead.factor(trend, 1000 + 50 * i, 5L * i);
        }
        double observed = 1000 + 50 * 39;
        assertThat(factor * observed - observed).isBetween(200.0, 600.0);
        // Damping: a very long lead adds at most trend x phi / (1 - phi) = 9 trend steps, not 120.
        assertThat(trend.trend().forecast(120) - trend.trend().forecast(12)).isLessThan(50 * 9);
    }

    @Test
    void guardRails() {
        Lead.Forecaster falling = minuteAhead.forecaster();
        for (int i = 0; i < 20; i++) {
            // A falling series never serves less than observed: a lead never brings scale-down.
            assertThat(minuteAhead.factor(falling, 2000 - 80 * i, 5L * i)).isEqualTo(1.0);
        }
        // A steep ramp forecasts beyond the cap: served at most 1 + maxGrowth times the observed.
        Lead capped = new Lead(Duration.ofSeconds(60), Duration.ofSeconds(5), 0.25);
        Lead.Forecaster steep = capped.forecaster();
        double factor = 1;
        for (int i = 0; i < 10; i++) {
            factor = capped.factor(steep, 100 + 200 * i, 5L * i);
        }
        assertThat(factor).isEqualTo(1.25);
        // Too few polls to see a trend, or nothing observed: no lead.
        Lead.Forecaster young = minuteAhead.forecaster();
        assertThat(minuteAhead.factor(young, 100, 0)).isEqualTo(1.0);
        assertThat(minuteAhead.factor(young, 400, 5)).isEqualTo(1.0);
        assertThat(minuteAhead.factor(young, 900, 10)).isEqualTo(1.0);
        assertThat(minuteAhead.factor(young, 1600, 15)).isGreaterThan(1.0);
        Lead.Forecaster zero = minuteAhead.forecaster();
        for (int i = 0; i < 10; i++) {
            assertThat(minuteAhead.factor(zero, 0, 5L * i)).isEqualTo(1.0);
        }
        assertThat(minuteAhead.steps()).isEqualTo(12);
    }

    /** A rise that comes every day at nine is expected before it comes, once two days are seen. */
    @Test
    void aDailyRiseIsExpectedFromTheThirdDay() {
        Lead fiveMinutes = new Lead(Duration.ofMinutes(5), Duration.ofSeconds(60), 1.0);
        Lead.Forecaster forecaster = fiveMinutes.forecaster();
        double beforeNine = 0;
        for (long t = 0; t < 3 * 86400; t += 60) {
            long secondOfDay = t % 86400;
            double demand = secondOfDay >= 9 * 3600 && secondOfDay < 17 * 3600 ? 1000 : 100;
            double factor = fiveMinutes.factor(forecaster, demand, t);
            if (secondOfDay == 9 * 3600 - 240) {
                if (t < 2 * 86400) {
                    // Days one and two: at 08:56 nothing says a rise is coming; the trend is flat.
                    assertThat(factor).as("day %d", t / 86400 + 1).isEqualTo(1.0);
                } else {
                    beforeNine = factor;
                }
            }
        }
        // Day three at 08:56: the usual day says 1000 at 09:00; served at most double the 100 observed.
        assertThat(beforeNine).isEqualTo(2.0);
        SeasonalProfile day = new SeasonalProfile();
        day.observe(0, 100);
        assertThat(day.expected(0, 300, 100)).isNaN();
    }
}
