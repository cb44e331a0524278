package io.demandmetrics.hpa.forecast;

/**
 * Holt's linear exponential smoothing with a damped trend (Gardner and McKenzie): a level and
 * a trend, each smoothed, the trend fading by {@code phi} per step into the future, so that a
 * rise is carried forward for a while but never extrapolated without end. Values are taken at
 * a fixed step (a poll interval).
 *
 * <p>Not thread-safe: one per series, fed by one poller.
 */
public final class DampedTrend {

    private final double alpha;
    private final double beta;
    private final double phi;
    private double level = Double.NaN;
    private double trend;
    private int observed;

    /**
     * @param alpha how fast the level follows the values (0..1]
     * @param beta how fast the trend follows the level's changes (0..1]
     * @param phi how much of the trend is left after each step ahead (0..1)
     */
    public DampedTrend(double alpha, double beta, double phi) {
        if (!(alpha > 0 && alpha <= 1 && beta > 0 && beta <= 1 && phi > 0 && phi < 1)) {
            throw new IllegalArgumentException("alpha and beta in (0, 1], phi in (0, 1)");
        }
        this.alpha = alpha;
        this.beta = beta;
        this.phi = phi;
    }

    /** Takes the next step's value. */
    public void observe(double value) {
        if (!Double.isFinite(value)) {
            return;
        }
        if (observed++ == 0) {
            level = value;
            trend = 0;
            return;
        }
        double previous = level;
        level = alpha * value + (1 - alpha) * (previous + phi * trend);
        trend = beta * (level - previous) + (1 - beta) * phi * trend;
    }

    /** The forecast {@code steps} steps ahead: the level plus the trend, damped step by step; NaN before any value. */
    public double forecast(int steps) {
        double damped = 0;
        double factor = 1;
        for (int i = 0; i < steps; i++) {
            factor *= phi;
            damped += factor;
        }
        return level + damped * trend;
    }

    /** Values taken so far. */
    public int observed() {
        return observed;
    }
}
