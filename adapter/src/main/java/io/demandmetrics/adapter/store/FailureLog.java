package io.demandmetrics.adapter.store;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One metric's poll failures in the log: each distinct failure once, not once per poll, and
 * the recovery after it. A source down for an hour is two lines, not 240. A failure the scaler
 * marks as warming up ({@link io.demandmetrics.scaler.spi.WarmingUp}) is expected after a start:
 * it is logged at INFO as waiting while the metric has polled for less than its maxAge, and as
 * a warning once it lasts longer.
 */
final class FailureLog {

    private static final Logger LOG = LoggerFactory.getLogger(MetricStore.class);

    /** What a call logged. */
    enum Logged { NOTHING, WAITING, FAILED, RECOVERED }

    private static final String WAITING = "waiting|";
    private static final String FAILED = "failed|";

    private final String metric;
    private final long patienceNanos;
    private final LongSupplier nanoTime;
    private final long startedNanos;
    /** The last line's failure and level, so that each is logged once; null after a success. */
    private String logged;

    /**
     * @param metric how messages name the metric: {@code metric "shop/lag" (type "kafka-lag")}
     * @param patience how long a warming-up failure is expected: the metric's maxAge
     */
    FailureLog(String metric, Duration patience, LongSupplier nanoTime) {
        this.metric = metric;
        this.patienceNanos = patience.toNanos();
        this.nanoTime = nanoTime;
        this.startedNanos = nanoTime.getAsLong();
    }

    Logged failed(String failure, boolean warmingUp) {
        boolean waiting = warmingUp && nanoTime.getAsLong() - startedNanos < patienceNanos;
        String seen = (waiting ? WAITING : FAILED) + failure;
        if (seen.equals(logged)) {
            return Logged.NOTHING;
        }
        logged = seen;
        if (waiting) {
            LOG.info("{}: {}", metric, failure); // a warming-up scaler's message says what it waits for
            return Logged.WAITING;
        }
        LOG.warn("{}: poll failed: {}", metric, failure);
        return Logged.FAILED;
    }

    Logged succeeded() {
        if (logged == null) {
            return Logged.NOTHING;
        }
        // After waiting only, the first value is what was expected: no recovery to report.
        boolean failedBefore = logged.startsWith(FAILED);
        logged = null;
        if (!failedBefore) {
            return Logged.NOTHING;
        }
        LOG.info("{}: polling recovered", metric);
        return Logged.RECOVERED;
    }
}
