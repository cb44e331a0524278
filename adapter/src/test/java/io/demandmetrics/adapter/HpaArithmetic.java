package io.demandmetrics.adapter;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

/**
 * The HPA controller's replica arithmetic (hpa-algorithm.md), and its reading of Quantity
 * strings, written independently of the adapter's formatter so the two check each other.
 */
final class HpaArithmetic {

    static final double TOLERANCE = 0.1;

    private HpaArithmetic() {
    }

    /** {@code resource.Quantity.MilliValue()}: the value in thousandths, rounded up. */
    static long milliValue(String quantity) {
        String number = quantity;
        int exponent = 0;
        String[][] suffixes = {{"m", "-3"}, {"k", "3"}, {"M", "6"}, {"G", "9"}, {"T", "12"}, {"P", "15"}, {"E", "18"}};
        for (String[] suffix : suffixes) {
            if (quantity.endsWith(suffix[0])) {
                number = quantity.substring(0, quantity.length() - suffix[0].length());
                exponent = Integer.parseInt(suffix[1]);
                break;
            }
        }
        return new BigDecimal(number).scaleByPowerOfTen(exponent + 3).setScale(0, RoundingMode.CEILING)
                .longValueExact();
    }

    /** Pods metric, AverageValue target: every pod reported a value. */
    static int podsAverageValue(List<Long> podMilliValues, long targetMilli, int currentReplicas) {
        double average = podMilliValues.stream().mapToLong(Long::longValue).average().orElseThrow();
        double ratio = average / targetMilli;
        if (Math.abs(1 - ratio) <= TOLERANCE) {
            return currentReplicas;
        }
        return (int) Math.ceil(ratio * podMilliValues.size());
    }

    /** External metric, AverageValue target: the sum of all series against target × status replicas. */
    static int externalAverageValue(List<Long> seriesMilliValues, long targetMilli, int statusReplicas) {
        long sum = seriesMilliValues.stream().mapToLong(Long::longValue).sum();
        double ratio = (double) sum / (targetMilli * statusReplicas);
        if (Math.abs(1 - ratio) <= TOLERANCE) {
            return statusReplicas;
        }
        return (int) Math.ceil((double) sum / targetMilli);
    }

    /** Object metric, Value target, with every pod ready. */
    static int objectValue(long valueMilli, long targetMilli, int readyPods) {
        double ratio = (double) valueMilli / targetMilli;
        if (Math.abs(1 - ratio) <= TOLERANCE) {
            return readyPods;
        }
        return (int) Math.ceil(ratio * readyPods);
    }

    /** Several metrics: the largest proposal, within the HPA's bounds. */
    static int desired(int minReplicas, int maxReplicas, int... proposals) {
        int largest = java.util.Arrays.stream(proposals).max().orElseThrow();
        return Math.max(minReplicas, Math.min(maxReplicas, largest));
    }
}
