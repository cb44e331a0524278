package io.demandmetrics.scaler.requests;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Request counters of test pods, each growing at a rate set by the test, by the wall clock,
 * from where the last change of rate left it. A pod without a rate has no counter: its target
 * answers 503, as a pod not ready or gone.
 */
final class PodCounters {

    /** Requests a second each pod's counter grows at. */
    private final Map<String, Double> rates = new ConcurrentHashMap<>();
    /** Each pod's counter at the last change of its rate, and when (nanoTime). */
    private final Map<String, double[]> counters = new ConcurrentHashMap<>();

    /** The pod's counter now, or null when it has no rate. */
    Double value(String pod) {
        double[] state = counters.get(pod);
        if (state == null) {
            return null;
        }
        synchronized (state) {
            Double rate = rates.get(pod);
            return rate == null ? null : state[0] + rate * (System.nanoTime() - state[1]) / 1e9;
        }
    }

    void setRate(String pod, double rate) {
        double[] state = counters.computeIfAbsent(pod, p -> new double[] {0, System.nanoTime()});
        synchronized (state) {
            Double now = value(pod);
            if (now != null) {
                state[0] = now;
            }
            state[1] = System.nanoTime();
            rates.put(pod, rate);
        }
    }

    /** The pod goes: its target answers 503 from now on. */
    void remove(String pod) {
        rates.remove(pod);
    }

    /** A container restart: the counter starts again from 0. */
    void restart(String pod) {
        double[] state = counters.get(pod);
        synchronized (state) {
            state[0] = 0;
            state[1] = System.nanoTime();
        }
    }

    /** How many pods have a rate. */
    int pods() {
        return rates.size();
    }
}
