package io.demandmetrics.adapter.api;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * Formats values as Kubernetes {@code resource.Quantity} strings in canonical decimal form,
 * the way the HPA's client reads them: {@code 1.5 -> "1500m"}, {@code 12 -> "12"},
 * {@code 2000 -> "2k"}, {@code 0.0004 -> "1m"}.
 *
 * <p>The HPA reads {@code MilliValue()}, the value rounded up to thousandths; so does this
 * formatter. A double carries binary noise ({@code 0.1 + 0.2 = 0.30000000000000004}) that a
 * plain round-up would turn into {@code "301m"}: the value is first rounded to nine decimal
 * places, far below the milli resolution, and only then rounded up.
 */
public final class Quantity {

    private static final String[] SUFFIXES = {"", "k", "M", "G", "T", "P", "E"};

    private Quantity() {
    }

    /**
     * The {@code MilliValue()} the HPA reads from the quantity {@link #format} writes for a
     * finite, non-negative {@code value}: thousandths, rounded up after the binary noise is
     * rounded away.
     */
    public static long milliValue(double value) {
        return milliUnits(value).longValueExact();
    }

    private static BigInteger milliUnits(double value) {
        return BigDecimal.valueOf(value).setScale(9, RoundingMode.HALF_UP).setScale(3, RoundingMode.CEILING)
                .movePointRight(3).toBigIntegerExact();
    }

    /**
     * @throws IllegalArgumentException for NaN, infinities and negative values, which are not
     *     demand: callers decide (and document) what to serve instead
     */
    public static String format(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("not a quantity: " + value);
        }
        if (value < 0) {
            throw new IllegalArgumentException("negative demand is not a quantity: " + value);
        }
        BigInteger units = milliUnits(value);
        if (units.signum() == 0) {
            return "0";
        }
        // Canonical form: the largest power of 1000 that divides the milli value exactly.
        int exponent = -1; // in steps of 10^3, starting at milli
        BigInteger thousand = BigInteger.valueOf(1000);
        while (exponent < SUFFIXES.length - 1) {
            BigInteger[] division = units.divideAndRemainder(thousand);
            if (division[1].signum() != 0) {
                break;
            }
            units = division[0];
            exponent++;
        }
        return units + (exponent < 0 ? "m" : SUFFIXES[exponent]);
    }
}
