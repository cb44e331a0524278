package io.demandmetrics.adapter.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** One outage of a source, however many metrics read it: one warning, one recovery. */
class SourceOutagesTest {

    private final List<String> lines = new ArrayList<>();
    private final Map<Long, Runnable> timers = new HashMap<>();
    private final AtomicLong now = new AtomicLong();
    private long nextTimer;
    private final SourceOutages outages = new SourceOutages(new SourceOutages.Timers() {
        @Override
        public long schedule(long delayMillis, Runnable task) {
            timers.put(nextTimer, task);
            return nextTimer++;
        }

        @Override
        public void cancel(long id) {
            timers.remove(id);
        }
    }, new SourceOutages.Lines() {
        @Override
        public void warn(String line) {
            lines.add("WARN " + line);
        }

        @Override
        public void info(String line) {
            lines.add("INFO " + line);
        }
    }, now::get);

    private List<FailureLog> metricsOn(String source, int count) {
        return IntStream.range(0, count).mapToObj(i -> "metric \"shop/lag-" + i + "\"")
                .map(name -> new FailureLog(name, outages.reporterFor(source, name, Duration.ofSeconds(5)),
                        Duration.ofSeconds(15), now::get))
                .toList();
    }

    private void windowEnds() {
        List<Runnable> due = new ArrayList<>(timers.values());
        timers.clear();
        due.forEach(Runnable::run);
    }

    @Test
    void aSourceDownUnderTwelveMetricsIsOneWarningAndOneRecovery() {
        List<FailureLog> metrics = metricsOn("Kafka cluster b1:9092", 12);
        metrics.forEach(m -> m.failed("no answer in time (broker down or unreachable?)", false));
        assertThat(lines).isEmpty(); // the others of the source have their poll interval to fail too
        windowEnds();
        metrics.forEach(m -> m.failed("no answer in time (broker down or unreachable?)", false)); // the next polls
        now.addAndGet(Duration.ofSeconds(40).toNanos());
        metrics.forEach(FailureLog::succeeded);
        assertThat(lines).containsExactly(
                "WARN Kafka cluster b1:9092: polls failing for 12 of its 12 metrics: metric \"shop/lag-0\", metric"
                        + " \"shop/lag-1\", metric \"shop/lag-2\", metric \"shop/lag-3\", metric \"shop/lag-4\", metric"
                        + " \"shop/lag-5\", metric \"shop/lag-6\", metric \"shop/lag-7\", metric \"shop/lag-8\", metric"
                        + " \"shop/lag-9\" and 2 more; first failure: no answer in time (broker down or unreachable?)"
                        + " (each metric's failure: /explain)",
                "INFO Kafka cluster b1:9092: recovered: its metrics poll again, after 40 s of failures");
    }

    @Test
    void oneMetricFailingOfAHealthySourceIsNamedWithTheCount() {
        List<FailureLog> metrics = metricsOn("Prometheus http://prometheus:9090", 3);
        metrics.get(1).failed("query failed: unknown function", false);
        windowEnds();
        assertThat(lines).containsExactly("WARN Prometheus http://prometheus:9090: polls failing for 1 of its 3"
                + " metrics: metric \"shop/lag-1\"; first failure: query failed: unknown function (each metric's"
                + " failure: /explain)");
    }

    @Test
    void aBlipWithinTheWindowIsStillLoggedOnce() {
        List<FailureLog> metrics = metricsOn("SQS region eu-west-1", 2);
        metrics.get(0).failed("throttled", false);
        metrics.get(0).succeeded();
        windowEnds();
        assertThat(lines).containsExactly("WARN SQS region eu-west-1: polls of 1 of its 2 metrics failed and recovered"
                + " within 5 s: metric \"shop/lag-0\"; first failure: throttled");
    }

    @Test
    void metricsWithoutASourceKeepALineEach() {
        assertThat(outages.reporterFor(null, "metric \"shop/a\"", Duration.ofSeconds(5))).isSameAs(FailureLog.PER_METRIC);
    }

    @Test
    void aSourceWhoseMetricsAreAllRemovedIsForgotten() {
        List<FailureLog> metrics = metricsOn("Kafka cluster b1:9092", 2);
        metrics.forEach(m -> m.failed("down", false));
        metrics.forEach(FailureLog::retired);
        assertThat(timers).as("its pending warning is cancelled").isEmpty();
        List<FailureLog> again = metricsOn("Kafka cluster b1:9092", 1);
        again.get(0).failed("down", false);
        windowEnds();
        assertThat(lines).containsExactly("WARN Kafka cluster b1:9092: polls failing for 1 of its 1 metric: metric"
                + " \"shop/lag-0\"; first failure: down (each metric's failure: /explain)");
    }
}
