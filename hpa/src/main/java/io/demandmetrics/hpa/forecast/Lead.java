package io.demandmetrics.hpa.forecast;

import java.time.Duration;

/**
 * Demand served ahead of time: a metric's total forecast {@code lead} ahead, within guard
 * rails, as the ratio each of its values is multiplied by. The forecast is the larger of a
 * {@link DampedTrend} over the polls (a rise carried forward) and, once two days have been
 * seen, the {@link SeasonalProfile}'s (a rise that comes every day expected before it comes).
 * Forecasting the total (not each pod's share) keeps the HPA's own scaling out of the
 * forecast: new pods lower every pod's share, not the demand.
 *
 * <p>Guard rails: never less than observed (a lead only brings scale-up earlier, never
 * scale-down), at most {@code 1 + maxGrowth} times observed, and nothing until enough polls
 * exist to see a trend.
 *
 * @param lead how far ahead
 * @param pollInterval the step the forecaster sees values at
 * @param maxGrowth the most the forecast may add, as a fraction of the observed total (1.0: double)
 */
public record Lead(Duration lead, Duration pollInterval, double maxGrowth) {

    /** Smoothing that follows a ramp within a few polls and forgets a blip (a single odd poll). */
    static final double ALPHA = 0.5;
    static final double BETA = 0.3;
    /** After 10 steps ahead about two thirds of the trend's pull is spent. */
    static final double PHI = 0.9;
    /** Polls before a forecast is trusted. */
    static final int WARM_UP = 4;
    /** The default cap: the forecast at most doubles what is observed. */
    public static final double DEFAULT_MAX_GROWTH = 1.0;

    public Lead {
        if (lead.isNegative() || lead.isZero() || pollInterval.isNegative() || pollInterval.isZero()
                || !(maxGrowth > 0)) {
            throw new IllegalArgumentException("a lead and a poll interval above 0, a growth cap above 0");
        }
    }

    /** A new forecaster for one metric. */
    public Forecaster forecaster() {
        return new Forecaster(new DampedTrend(ALPHA, BETA, PHI), new SeasonalProfile());
    }

    /**
     * One metric's forecasting state.
     *
     * @param trend the damped trend over its polls
     * @param day its seasonal profile
     */
    public record Forecaster(DampedTrend trend, SeasonalProfile day) {
    }

    /** Steps of the poll interval in the lead, at least one. */
    public int steps() {
        return (int) Math.max(1, Math.round((double) lead.toMillis() / pollInterval.toMillis()));
    }

    /**
     * Feeds this poll's observed total, taken at {@code epochSecond}, to {@code forecaster} and
     * returns the factor to multiply each observed value by: 1 when no forecast is above the
     * total.
     */
    public double factor(Forecaster forecaster, double observedTotal, long epochSecond) {
        forecaster.trend().observe(observedTotal);
        forecaster.day().observe(epochSecond, observedTotal);
        if (forecaster.trend().observed() < WARM_UP || !(observedTotal > 0)) {
            return 1;
        }
        double forecast = forecaster.trend().forecast(steps());
        double seasonal = forecaster.day().expected(epochSecond, lead.toSeconds(), observedTotal);
        if (seasonal > forecast) {
            forecast = seasonal;
        }
        if (!(forecast > observedTotal)) {
            return 1;
        }
        return Math.min(forecast, observedTotal * (1 + maxGrowth)) / observedTotal;
    }
}
