package io.demandmetrics.adapter;

import io.demandmetrics.adapter.config.MetricKey;
import io.demandmetrics.adapter.store.Catalog;
import io.demandmetrics.adapter.store.MetricState;
import io.demandmetrics.scaler.support.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What {@code /readyz} answers. Ready means "send me the aggregator's traffic": in a rolling
 * update the new replica should not take traffic from the old one before it can answer what
 * the old one answers, so a replica becomes ready once every metric of its config has a value,
 * or once the readiness grace has passed since it started listening (a source that is down
 * for every replica must not hold readiness forever: an APIService with no ready endpoint
 * fails discovery for every metric, and blocks namespace deletion cluster-wide).
 *
 * <p>Once ready it stays ready until shutdown: readiness is about starting, and a reload or a
 * source outage later affects every replica alike, so failing it would only take the whole
 * API away. A metric without a value answers 503 naming it, which is the right signal there.
 */
final class Readiness {

    /** Metrics named in a not-ready answer; the rest are counted. */
    private static final int NAMED = 5;

    private final Supplier<Catalog> catalog;
    /** Elapsed time, not the adapter's clock: that one says when values were measured, and tests fix it. */
    private final LongSupplier nanoTime;
    private final Duration grace;
    private volatile Long listeningSince;
    private volatile boolean ready;
    private volatile boolean shuttingDown;

    Readiness(Supplier<Catalog> catalog, LongSupplier nanoTime, Duration grace) {
        this.catalog = catalog;
        this.nanoTime = nanoTime;
        this.grace = grace;
    }

    /** The server listens and the first config is applied: the grace period starts. */
    void listening() {
        listeningSince = nanoTime.getAsLong();
    }

    void shuttingDown() {
        shuttingDown = true;
    }

    /** Why this replica should not get traffic now, or null when it should. */
    String notReadyReason() {
        if (shuttingDown) {
            return "shutting down";
        }
        if (ready) {
            return null;
        }
        Long since = listeningSince;
        if (since == null) {
            return "starting: the first polls have not ended";
        }
        List<MetricKey> waiting = new ArrayList<>();
        Catalog current = catalog.get();
        for (MetricKey key : current.keys()) {
            MetricState state = current.state(key);
            if (state != null && state.reading() == null) {
                waiting.add(key);
            }
        }
        Duration waited = Duration.ofNanos(nanoTime.getAsLong() - since);
        if (waiting.isEmpty() || waited.compareTo(grace) >= 0) {
            ready = true;
            return null;
        }
        List<String> named = waiting.stream().limit(NAMED).map(MetricKey::id).toList();
        return "starting: " + waiting.size() + " of " + current.keys().size() + " metrics have no value yet ("
                + String.join(", ", named) + (waiting.size() > NAMED ? ", ..." : "") + "); ready anyway "
                + Durations.format(grace) + " after start";
    }
}
