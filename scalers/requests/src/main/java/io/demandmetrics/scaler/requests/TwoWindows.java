package io.demandmetrics.scaler.requests;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How an {@code rps} metric turns each pod's short- and long-window rates into the value it
 * serves the pod: the short window shows a rise within seconds, the long one follows a drop
 * over its length, so a brief dip does not scale down.
 *
 * <p>{@link Over#SERVICE} (the default) applies the two windows to the total of the selected
 * pods, the service's demand, which a change of the pod set does not move: the larger of the
 * short-window total and the long-window total, shared among the pods by their short-window
 * rates (each pod's current share of the traffic). Per-pod rates over a fixed window add up
 * to the requests the service got in it (a pod that appeared within the window counts what it
 * got since: PromQL's rate divides by the whole window), so after a scale-up the long-window
 * total stays the service's, where the larger of each old pod's two rates kept the traffic the
 * pod no longer gets for a whole long window and overstated the total (+22 % at a fourth pod).
 * Pods that differ keep their difference (a hot shard gets its larger share), and the HPA's
 * average, the total over the pods, is the service's demand per pod.
 *
 * <p>{@link Over#POD}: each pod the larger of its own two rates, for pods whose traffic is
 * their own rather than a share of one service's (a drop on one pod held for that pod alone,
 * not spread over the others by their current shares). A scale-up overstates the total there.
 */
final class TwoWindows {

    /** What the two windows are applied to. */
    enum Over { SERVICE, POD }

    private TwoWindows() {
    }

    /**
     * The value served for each pod that has a rate in either window (NaN: none in that
     * window), in {@code shortRates}' order, then the pods only {@code longRates} has.
     */
    static Map<String, Double> served(Map<String, Double> shortRates, Map<String, Double> longRates, Over over) {
        Map<String, Double> served = new LinkedHashMap<>();
        if (over == Over.POD) {
            forEachPod(shortRates, longRates, (pod, shortRate, longRate) ->
                    served.put(pod, Double.isNaN(shortRate) ? longRate : Double.isNaN(longRate) ? shortRate
                            : Math.max(shortRate, longRate)));
            return served;
        }
        double shortTotal = total(shortRates);
        double longTotal = total(longRates);
        double total = Math.max(shortTotal, longTotal);
        // Each pod's share: its short-window rate, or (none there) its long-window one scaled to the short total.
        Map<String, Double> weights = new LinkedHashMap<>();
        double longToShort = longTotal > 0 && shortTotal > 0 ? shortTotal / longTotal : 1;
        forEachPod(shortRates, longRates, (pod, shortRate, longRate) -> weights.put(pod,
                !Double.isNaN(shortRate) && shortTotal > 0 ? shortRate
                        : Double.isNaN(longRate) ? 0 : longRate * longToShort));
        double weightTotal = weights.values().stream().mapToDouble(Double::doubleValue).sum();
        weights.forEach((pod, weight) -> served.put(pod, weightTotal > 0 ? total * weight / weightTotal
                : total / weights.size()));
        return served;
    }

    private interface PodRates {
        void accept(String pod, double shortRate, double longRate);
    }

    private static void forEachPod(Map<String, Double> shortRates, Map<String, Double> longRates, PodRates action) {
        shortRates.forEach((pod, shortRate) -> {
            double longRate = longRates.getOrDefault(pod, Double.NaN);
            if (!Double.isNaN(shortRate) || !Double.isNaN(longRate)) {
                action.accept(pod, shortRate, longRate);
            }
        });
        longRates.forEach((pod, longRate) -> {
            if (!shortRates.containsKey(pod) && !Double.isNaN(longRate)) {
                action.accept(pod, Double.NaN, longRate);
            }
        });
    }

    private static double total(Map<String, Double> rates) {
        double sum = 0;
        for (double rate : rates.values()) {
            if (!Double.isNaN(rate)) {
                sum += rate;
            }
        }
        return sum;
    }
}
