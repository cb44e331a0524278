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
 * rates (each pod's current share of the traffic), no pod above the larger of its own two
 * rates. Per-pod rates over a fixed window add up to the requests the service got in it (a pod
 * that appeared within the window counts what it got since: PromQL's rate divides by the whole
 * window), so after a scale-up the long-window total stays the service's, where the larger of
 * each old pod's two rates kept the traffic the pod no longer gets for a whole long window and
 * overstated the total (+22 % at a fourth pod).
 * Pods that differ keep their difference (a hot shard gets its larger share), and the HPA's
 * average, the total over the pods, is the service's demand per pod.
 *
 * <p>{@link Over#POD}: each pod the larger of its own two rates, for pods whose traffic is
 * their own rather than a share of one service's (a drop on one pod held for that pod alone,
 * not spread over the others by their current shares). A scale-up overstates the total there.
 *
 * <p>Public for one reader outside this module: the simulator's tests check that its copy of
 * the rule ({@code RpsRule}, which the simulator carries without the scalers' dependencies)
 * serves what this does.
 */
public final class TwoWindows {

    /** What the two windows are applied to. */
    public enum Over { SERVICE, POD }

    private TwoWindows() {
    }

    /**
     * The value served for each pod that has a rate in either window (NaN: none in that
     * window), in {@code shortRates}' order, then the pods only {@code longRates} has.
     */
    static Map<String, Double> served(Map<String, Double> shortRates, Map<String, Double> longRates, Over over) {
        return served(shortRates, longRates, over, new double[] {0, 0});
    }

    /**
     * The same, with what pods that left still hold of the windows ({@link DepartedPods}, short
     * and long; {@link Over#SERVICE} only): it stays in the service's total, shared among the
     * pods by their short-window rates without the cap, because their short windows do not show
     * yet the traffic they took over; so a pod leaving does not move the total.
     */
    public static Map<String, Double> served(Map<String, Double> shortRates, Map<String, Double> longRates,
                                             Over over, double[] departedHeld) {
        Map<String, Double> served = new LinkedHashMap<>();
        if (over == Over.POD) {
            forEachPod(shortRates, longRates, (pod, shortRate, longRate) ->
                    served.put(pod, Double.isNaN(shortRate) ? longRate : Double.isNaN(longRate) ? shortRate
                            : Math.max(shortRate, longRate)));
            return served;
        }
        double shortTotal = total(shortRates);
        double longTotal = total(longRates);
        // Each pod's share: its short-window rate, or (none there) its long-window one scaled to the short total;
        // and what it may be served at most: the larger of its own two rates.
        Map<String, Double> weights = new LinkedHashMap<>();
        Map<String, Double> caps = new LinkedHashMap<>();
        double longToShort = longTotal > 0 && shortTotal > 0 ? shortTotal / longTotal : 1;
        forEachPod(shortRates, longRates, (pod, shortRate, longRate) -> {
            weights.put(pod, !Double.isNaN(shortRate) && shortTotal > 0 ? shortRate
                    : Double.isNaN(longRate) ? 0 : longRate * longToShort);
            caps.put(pod, Double.isNaN(shortRate) ? longRate : Double.isNaN(longRate) ? shortRate
                    : Math.max(shortRate, longRate));
        });
        Map<String, Double> shared = shared(Math.max(shortTotal, longTotal), weights, caps);
        double held = Math.max(shortTotal + departedHeld[0], longTotal + departedHeld[1])
                - Math.max(shortTotal, longTotal);
        double weightTotal = total(weights);
        if (held > 0 && !shared.isEmpty()) {
            shared.replaceAll((pod, value) -> value + (weightTotal > 0 ? held * weights.get(pod) / weightTotal
                    : held / shared.size()));
        }
        return shared;
    }

    /**
     * {@code total} shared by {@code weights}, no pod above its cap: a pod whose share would pass
     * its cap gets the cap and the rest is shared again among the others. Right after a scale-up
     * the pods' short-window rates fall one by one as each is scraped and the new pod has no rate
     * yet, so the shares of the pods not yet scraped would carry the traffic the others and the
     * new pod took (533 served to a pod getting 500); capped, each is served at most what its own
     * windows show. The caps add up to at least the total (each window's total is at most the sum
     * of the pods' larger rates), so the whole total is always shared.
     */
    private static Map<String, Double> shared(double total, Map<String, Double> weights, Map<String, Double> caps) {
        Map<String, Double> served = new LinkedHashMap<>();
        Map<String, Double> open = new LinkedHashMap<>(weights);
        double left = total;
        boolean capped = true;
        // Capping raises the others' shares (what is left per unit of weight only grows), so a pod
        // capped in one pass stays capped: at most one pass per distinct cap, all capped at once.
        while (capped && !open.isEmpty()) {
            capped = false;
            double perWeight = left / total(open);
            double perPod = left / open.size();
            for (var pod = open.entrySet().iterator(); pod.hasNext(); ) {
                Map.Entry<String, Double> entry = pod.next();
                double share = Double.isFinite(perWeight) ? perWeight * entry.getValue() : perPod;
                double cap = caps.get(entry.getKey());
                if (share > cap) {
                    served.put(entry.getKey(), cap);
                    left -= cap;
                    pod.remove();
                    capped = true;
                }
            }
        }
        double perWeight = Math.max(0, left) / total(open);
        double perPod = Math.max(0, left) / Math.max(1, open.size());
        open.forEach((pod, weight) -> served.put(pod, Double.isFinite(perWeight) ? perWeight * weight : perPod));
        Map<String, Double> inCallersOrder = new LinkedHashMap<>();
        weights.keySet().forEach(pod -> inCallersOrder.put(pod, served.get(pod)));
        return inCallersOrder;
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
