package io.demandmetrics.simulator;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the simulated adapter turns the scraped pods' rates into the rps each pod is served:
 * the adapter's rule ({@link #SERVICE}, its default {@code windowsOver: service}, as its
 * {@code TwoWindows}) and the other rules issue #27 weighed, kept so that the comparison in
 * bench/RESULTS.md can be run again ({@code bench/rps-rules}).
 */
enum RpsRule {
    /**
     * The two windows over the pods' total, shared by their short-window rates, no pod above
     * the larger of its own two rates (the rest shared among the others); what pods that left
     * still hold of the windows stays in the total.
     */
    SERVICE,
    /** Each pod the larger of its own two rates ({@code windowsOver: pod}, the rule before #27). */
    POD,
    /**
     * Each pod the larger of its short rate and its rate over the time since the pod set last
     * changed (at least the short window, at most the long one): the long window reset at a
     * change of the pod set.
     */
    LONG_SINCE_CHANGE,
    /** Each pod its short rate alone for a long window after the pod set grew, else as {@link #POD}. */
    SHORT_AFTER_GROWTH;

    /** A scraped pod's rate over the last {@code window} seconds. */
    interface PodRates {
        double rate(int window);
    }

    /**
     * The value served to each pod.
     *
     * @param pods the scraped pods' rates, by name
     * @param sinceChange seconds since the set of scraped pods last changed
     * @param sinceGrowth seconds since a pod last joined it
     * @param departedHeld what pods that left still hold of the short and long windows ({@link #SERVICE} only)
     */
    Map<String, Double> served(Map<String, PodRates> pods, int sinceChange, int sinceGrowth, double[] departedHeld) {
        Map<String, Double> served = new HashMap<>();
        int shortWindow = Simulation.SHORT_WINDOW;
        int longWindow = Simulation.LONG_WINDOW;
        switch (this) {
            case SERVICE -> {
                return service(pods, departedHeld);
            }
            case POD -> pods.forEach((pod, rates) -> served.put(pod,
                    Math.max(rates.rate(shortWindow), rates.rate(longWindow))));
            case LONG_SINCE_CHANGE -> {
                int window = Math.max(shortWindow, Math.min(longWindow, sinceChange));
                pods.forEach((pod, rates) -> served.put(pod, Math.max(rates.rate(shortWindow), rates.rate(window))));
            }
            case SHORT_AFTER_GROWTH -> pods.forEach((pod, rates) -> served.put(pod, sinceGrowth < longWindow
                    ? rates.rate(shortWindow) : Math.max(rates.rate(shortWindow), rates.rate(longWindow))));
            default -> throw new IllegalStateException(toString());
        }
        return served;
    }

    private static Map<String, Double> service(Map<String, PodRates> pods, double[] departedHeld) {
        Map<String, Double> shortRates = new HashMap<>();
        Map<String, Double> caps = new HashMap<>();
        double shortTotal = 0;
        double longTotal = 0;
        for (Map.Entry<String, PodRates> pod : pods.entrySet()) {
            double shortRate = pod.getValue().rate(Simulation.SHORT_WINDOW);
            double longRate = pod.getValue().rate(Simulation.LONG_WINDOW);
            shortRates.put(pod.getKey(), shortRate);
            caps.put(pod.getKey(), Math.max(shortRate, longRate));
            shortTotal += shortRate;
            longTotal += longRate;
        }
        // Shares by the short window's rates; with none there, by the long window's (as the adapter).
        Map<String, Double> weights = new LinkedHashMap<>();
        for (Map.Entry<String, PodRates> pod : pods.entrySet()) {
            weights.put(pod.getKey(), shortTotal > 0 ? shortRates.get(pod.getKey())
                    : pod.getValue().rate(Simulation.LONG_WINDOW));
        }
        Map<String, Double> open = new LinkedHashMap<>(weights);
        Map<String, Double> served = new HashMap<>();
        double left = Math.max(shortTotal, longTotal);
        boolean capped = true;
        while (capped && !open.isEmpty()) {
            capped = false;
            double weightTotal = open.values().stream().mapToDouble(Double::doubleValue).sum();
            for (var pod = open.entrySet().iterator(); pod.hasNext(); ) {
                Map.Entry<String, Double> entry = pod.next();
                double share = weightTotal > 0 ? left * entry.getValue() / weightTotal : left / open.size();
                if (share > caps.get(entry.getKey())) {
                    served.put(entry.getKey(), caps.get(entry.getKey()));
                    left -= caps.get(entry.getKey());
                    pod.remove();
                    capped = true;
                }
            }
        }
        double rest = Math.max(0, left);
        double weightTotal = open.values().stream().mapToDouble(Double::doubleValue).sum();
        open.forEach((pod, weight) -> served.put(pod, weightTotal > 0 ? rest * weight / weightTotal
                : rest / open.size()));
        // What departed pods hold: shared by the weights, uncapped (the others took their traffic).
        double held = Math.max(shortTotal + departedHeld[0], longTotal + departedHeld[1])
                - Math.max(shortTotal, longTotal);
        double allWeights = weights.values().stream().mapToDouble(Double::doubleValue).sum();
        if (held > 0 && !served.isEmpty()) {
            served.replaceAll((pod, value) -> value + (allWeights > 0 ? held * weights.get(pod) / allWeights
                    : held / served.size()));
        }
        return served;
    }
}
