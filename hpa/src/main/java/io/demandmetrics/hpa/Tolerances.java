package io.demandmetrics.hpa;

/**
 * How far a usage ratio may stray from 1 before the controller changes the replica count.
 *
 * @param scaleDown the tolerance below 1 (0.1: no change while the ratio is at least 0.9)
 * @param scaleUp the tolerance above 1
 * @param rule which comparison the controller's version makes
 */
public record Tolerances(double scaleDown, double scaleUp, Rule rule) {

    /** The controller's default, {@code --horizontal-pod-autoscaler-tolerance}. */
    public static final double DEFAULT = 0.1;

    /**
     * The comparison, which changed with per-direction tolerances: the two differ only where
     * floating point puts a ratio on the edge ({@code |1 - 1.1|} is 0.10000000000000009).
     */
    public enum Rule {
        /** Kubernetes 1.32 and before: {@code |1 - ratio| <= tolerance}; one tolerance for both directions. */
        UP_TO_1_32,
        /** 1.33 and after: {@code 1 - scaleDown <= ratio <= 1 + scaleUp}. */
        FROM_1_33
    }

    public Tolerances {
        if (rule == Rule.UP_TO_1_32 && scaleDown != scaleUp) {
            throw new IllegalArgumentException("before 1.33 the controller has one tolerance for both directions");
        }
    }

    /** The default tolerance of 0.1 both ways, compared as {@code rule} does. */
    public static Tolerances standard(Rule rule) {
        return new Tolerances(DEFAULT, DEFAULT, rule);
    }

    /** Whether {@code ratio} is close enough to 1 that the replica count stays. */
    public boolean within(double ratio) {
        return rule == Rule.UP_TO_1_32 ? Math.abs(1.0 - ratio) <= scaleUp
                : (1.0 - scaleDown) <= ratio && ratio <= (1.0 + scaleUp);
    }
}
