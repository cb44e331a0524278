package io.demandmetrics.adapter.store;

import io.demandmetrics.adapter.config.MetricDefinition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Poll failures logged per source, not per metric: a Kafka cluster that goes down under 1,000
 * metrics is one warning naming how many of its metrics fail and which (the first
 * {@value #NAMED}), and one line when they all poll again. The per-metric detail stays where it
 * is asked for: {@code /explain} and the 503s.
 *
 * <p>A source's metrics fail over one poll interval (they poll at their own instants), so the
 * warning waits for the first one's {@link #window}: it counts all that failed by then. Metrics
 * that fail later in the same outage are not logged again; a failure that has passed by then
 * is still logged, as failed and recovered. Metrics whose scaler names no source are their own
 * and keep a line each ({@link FailureLog#PER_METRIC}).
 *
 * <p>Lives on the store's context, as the pollers that call it: no locks.
 */
final class SourceOutages {

    /** At most this many metrics are named in a line; the count says how many there are. */
    static final int NAMED = 10;

    /** Where the lines go: the store's log, or a test's list. */
    interface Lines {
        void warn(String line);

        void info(String line);
    }

    /** Runs a task later on the caller's context; returns an id for {@link #cancel}. */
    interface Timers {
        long schedule(long delayMillis, Runnable task);

        void cancel(long id);
    }

    private static final Logger LOG = LoggerFactory.getLogger(MetricStore.class);
    static final Lines LOGGED = new Lines() {
        @Override
        public void warn(String line) {
            LOG.warn(line);
        }

        @Override
        public void info(String line) {
            LOG.info(line);
        }
    };

    private final Map<String, Source> sources = new HashMap<>();
    private final Timers timers;
    private final Lines lines;
    private final LongSupplier nanoTime;

    SourceOutages(Timers timers, Lines lines, LongSupplier nanoTime) {
        this.timers = timers;
        this.lines = lines;
        this.nanoTime = nanoTime;
    }

    /**
     * Where {@code definition}'s failures are said: its source's outage, or a line per metric
     * when it names none. Registers the metric with its source until the reporter's
     * {@link FailureLog.Reporter#retired}.
     */
    FailureLog.Reporter reporterFor(MetricDefinition definition) {
        return reporterFor(definition.source(), definition.describe(), definition.pollInterval());
    }

    /** The same for {@code metric} (as lines name it), polled every {@code interval} from {@code source}, or null. */
    FailureLog.Reporter reporterFor(String source, String metric, Duration interval) {
        if (source == null) {
            return FailureLog.PER_METRIC;
        }
        Source reporter = sources.computeIfAbsent(source, Source::new);
        reporter.metrics.put(metric, interval);
        return reporter;
    }

    /** One source: its metrics, which fail now, and what the log has said. */
    private final class Source implements FailureLog.Reporter {

        private final String name;
        /** Each of its metrics' poll interval. */
        private final Map<String, Duration> metrics = new HashMap<>();
        /** Metrics failing now, each with its failure, in the order they failed. */
        private final Map<String, String> failing = new LinkedHashMap<>();
        /** Metrics that failed since the window opened (some may have recovered since). */
        private final Map<String, String> failedInWindow = new LinkedHashMap<>();
        private long window = -1;
        private boolean reported;
        private long reportedNanos;

        Source(String name) {
            this.name = name;
        }

        @Override
        public void failed(String metric, String failure) {
            failing.putIfAbsent(metric, failure);
            if (reported) {
                return; // the outage is logged; its detail is at /explain
            }
            failedInWindow.putIfAbsent(metric, failure);
            if (window < 0) {
                window = timers.schedule(windowMillis(), this::report);
            }
        }

        @Override
        public void recovered(String metric) {
            if (failing.remove(metric) != null && failing.isEmpty() && reported) {
                reported = false;
                lines.info(name + ": recovered: its metrics poll again, after "
                        + seconds(nanoTime.getAsLong() - reportedNanos) + " of failures");
            }
        }

        @Override
        public void retired(String metric) {
            metrics.remove(metric);
            failedInWindow.remove(metric);
            if (failing.remove(metric) != null && failing.isEmpty()) {
                reported = false; // what failed is gone (a reload): nothing recovered to report
            }
            if (metrics.isEmpty()) { // its last metric is gone: so is the source
                if (window >= 0) {
                    timers.cancel(window);
                }
                sources.remove(name);
            }
        }

        /** At the window's end: one warning for everything that failed in it. */
        private void report() {
            window = -1;
            if (failedInWindow.isEmpty()) {
                return;
            }
            String first = failedInWindow.values().iterator().next();
            if (failing.isEmpty()) {
                lines.warn(name + ": polls of " + count(failedInWindow.size()) + " failed and recovered within "
                        + seconds(windowMillis() * 1_000_000L) + ": " + named(failedInWindow) + "; first failure: "
                        + first);
            } else {
                reported = true;
                reportedNanos = nanoTime.getAsLong();
                lines.warn(name + ": polls failing for " + count(failing.size()) + ": " + named(failing)
                        + "; first failure: " + first + " (each metric's failure: /explain)");
            }
            failedInWindow.clear();
        }

        /** One poll interval of its slowest metric, so that each has polled once: 1 s to 1 min. */
        private long windowMillis() {
            long longest = metrics.values().stream().mapToLong(Duration::toMillis).max().orElse(1_000);
            return Math.max(1_000, Math.min(60_000, longest));
        }

        private String count(int failed) {
            return failed + " of its " + metrics.size() + " metric" + (metrics.size() == 1 ? "" : "s");
        }
    }

    private static String named(Map<String, String> metrics) {
        List<String> names = new ArrayList<>(metrics.keySet());
        String shown = String.join(", ", names.subList(0, Math.min(NAMED, names.size())));
        return names.size() > NAMED ? shown + " and " + (names.size() - NAMED) + " more" : shown;
    }

    private static String seconds(long nanos) {
        return Math.round(nanos / 1e9) + " s";
    }
}
