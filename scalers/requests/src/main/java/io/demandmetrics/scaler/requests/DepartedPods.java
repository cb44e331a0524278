package io.demandmetrics.scaler.requests;

import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * What pods that left an {@code rps} metric's selection (deleted, no longer ready, no longer
 * answering) still hold of the service's two windows: the requests they got before they left
 * are in the windows until the windows pass them. Without them, the total dropped at every pod
 * leaving by that pod's share, for the short window (until the others' short-window rates show
 * the traffic they took) and the long one: a pod going read as falling demand, and its recovery
 * a few seconds later as rising demand, which {@code lead} forecasts on. PromQL's rate over a
 * series that ended does the same: the samples stay in the range until it moves past them.
 *
 * <p>A pod's part is its last rates, each falling linearly to 0 over its window from when they
 * were taken (exact for a pod that had a steady rate). A pod that comes back is present
 * again and no longer departed. One instance per metric; called by its poller.
 */
final class DepartedPods {

    private record Last(double shortRate, double longRate, long atMillis) {
    }

    /** Holds nothing: for the metrics whose windows are not the service's. */
    private static final DepartedPods NONE = new DepartedPods(0, 0);

    private final long shortMillis;
    private final long longMillis;
    private Map<String, Last> present = new HashMap<>();
    private final Map<String, Last> departed = new HashMap<>();

    DepartedPods(long shortMillis, long longMillis) {
        this.shortMillis = shortMillis;
        this.longMillis = longMillis;
    }

    /**
     * What a metric needs: the departed pods of an {@code rps} metric whose two windows are the
     * service's ({@code windowsOver: service}); for any other, one that holds nothing (under
     * {@code windowsOver: pod} each pod is served its own rates, a departed one's are nobody's).
     */
    static DepartedPods of(HttpMetricConfig config) {
        return config.kind() == HttpMetricConfig.Kind.RPS && config.shortWindow() != null
                && config.windowsOver() == TwoWindows.Over.SERVICE
                ? new DepartedPods(config.shortWindow().toMillis(), config.longWindow().toMillis()) : NONE;
    }

    /**
     * {@link #held(Map, Map, Map, long)} for rates taken at the instants given (a scrape's),
     * or now for a pod not in {@code ratesAt}.
     */
    double[] heldNow(Map<String, Double> shortRates, Map<String, Double> longRates, Map<String, Instant> ratesAt) {
        if (this == NONE) {
            return new double[] {0, 0};
        }
        Map<String, Long> millis = new HashMap<>();
        ratesAt.forEach((pod, at) -> millis.put(pod, at.toEpochMilli()));
        return held(shortRates, longRates, millis, System.currentTimeMillis());
    }

    /**
     * Notes the pods that have rates now and returns what the departed ones still hold:
     * {@code {short-window total, long-window total}}.
     *
     * @param ratesAt when each pod's rates were taken (its last scrape), epoch millis; a pod not
     *     in it at {@code nowMillis}. A pod's part fades from there: a pod that stopped answering
     *     is seen to leave only at its next scrape, while the others' rates already show the
     *     traffic they took since its last good one.
     */
    synchronized double[] held(Map<String, Double> shortRates, Map<String, Double> longRates,
                               Map<String, Long> ratesAt, long nowMillis) {
        present.forEach((pod, last) -> {
            if (!shortRates.containsKey(pod) && !longRates.containsKey(pod)) {
                departed.put(pod, last);
            }
        });
        Map<String, Last> now = new HashMap<>();
        shortRates.forEach((pod, rate) -> now.put(pod, new Last(finite(rate), finite(longRates.get(pod)),
                ratesAt.getOrDefault(pod, nowMillis))));
        longRates.forEach((pod, rate) -> now.putIfAbsent(pod, new Last(0, finite(rate),
                ratesAt.getOrDefault(pod, nowMillis))));
        present = now;
        departed.keySet().removeAll(now.keySet());
        double shortHeld = 0;
        double longHeld = 0;
        for (Iterator<Last> it = departed.values().iterator(); it.hasNext(); ) {
            Last last = it.next();
            long age = Math.max(0, nowMillis - last.atMillis());
            if (age >= longMillis && age >= shortMillis) {
                it.remove();
                continue;
            }
            shortHeld += last.shortRate() * Math.max(0, 1 - (double) age / shortMillis);
            longHeld += last.longRate() * Math.max(0, 1 - (double) age / longMillis);
        }
        return new double[] {shortHeld, longHeld};
    }

    private static double finite(Double rate) {
        return rate == null || !Double.isFinite(rate) ? 0 : rate;
    }
}
