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
 * a failure once it lasts longer. Failures and recoveries go to a {@link Reporter}: a line per
 * metric ({@link #PER_METRIC}), or one per source for metrics that name theirs ({@link SourceOutage}).
 */
final class FailureLog {

    /** Where a metric's failures and recoveries are said. */
    interface Reporter {
        /** {@code metric} failed with a failure it had not failed with just before. */
        void failed(String metric, String failure);

        /** {@code metric} polls again after failing. */
        void recovered(String metric);

        /** {@code metric} stopped polling (removed or changed by a reload, or shutdown). */
        default void retired(String metric) {
        }
    }

    /** A warning per failure, a line per recovery, naming the metric. */
    static final Reporter PER_METRIC = new Reporter() {
        @Override
        public void failed(String metric, String failure) {
            LOG.warn("{}: poll failed: {}", metric, failure);
        }

        @Override
        public void recovered(String metric) {
            LOG.info("{}: polling recovered", metric);
        }
    };

    private static final Logger LOG = LoggerFactory.getLogger(MetricStore.class);

    /** What a call logged. */
    enum Logged { NOTHING, WAITING, FAILED, RECOVERED }

    private static final String WAITING = "waiting|";
    private static final String FAILED = "failed|";

    private final String metric;
    private final Reporter reporter;
    private final long patienceNanos;
    private final LongSupplier nanoTime;
    private final long startedNanos;
    /** The last line's failure and level, so that each is logged once; null after a success. */
    private String logged;

    /**
     * @param metric how messages name the metric: {@code metric "shop/lag" (type "kafka-lag")}
     * @param reporter where failures and recoveries are said
     * @param patience how long a warming-up failure is expected: the metric's maxAge
     */
    FailureLog(String metric, Reporter reporter, Duration patience, LongSupplier nanoTime) {
        this.metric = metric;
        this.reporter = reporter;
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
        reporter.failed(metric, failure);
        return Logged.FAILED;
    }

    /** The metric stops polling: its reporter forgets it. */
    void retired() {
        reporter.retired(metric);
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
        reporter.recovered(metric);
        return Logged.RECOVERED;
    }
}
