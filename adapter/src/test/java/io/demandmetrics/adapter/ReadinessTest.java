package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandmetrics.adapter.config.MetricDefinition;
import io.demandmetrics.adapter.config.MetricKey;
import io.demandmetrics.adapter.store.Catalog;
import io.demandmetrics.adapter.store.MetricState;
import io.demandmetrics.adapter.store.Readings;
import io.demandmetrics.scaler.spi.Sample;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Ready once every metric can answer, or once the grace has passed; then until shutdown. */
class ReadinessTest {

    private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");
    private final AtomicLong nanos = new AtomicLong();
    private final AtomicReference<Catalog> catalog = new AtomicReference<>();
    private final Readiness readiness = new Readiness(catalog::get, nanos::get, Duration.ofSeconds(30));

    private static MetricDefinition definition(String name) {
        return Readings.definition(MetricKey.external("shop", name), null, Duration.ofMinutes(1), null);
    }

    private static MetricState withValue(String name) {
        return Readings.polled(definition(name), T0, List.of(Sample.of(1)));
    }

    private static MetricState withoutValue(String name) {
        return Readings.failing(definition(name), T0, "connection refused");
    }

    @Test
    void notReadyUntilListening() {
        catalog.set(Catalog.of(List.of(withValue("a"))));
        assertThat(readiness.notReadyReason()).isEqualTo("starting: the first polls have not ended");
        readiness.listening();
        assertThat(readiness.notReadyReason()).isNull();
    }

    @Test
    void aMetricWithoutValueHoldsReadinessUntilItHasOne() {
        catalog.set(Catalog.of(List.of(withValue("a"), withoutValue("b"))));
        readiness.listening();
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(29));
        assertThat(readiness.notReadyReason()).isEqualTo("starting: 1 of 2 metrics have no value yet (shop/b);"
                + " ready anyway 30s after start");
        catalog.set(Catalog.of(List.of(withValue("a"), withValue("b"))));
        assertThat(readiness.notReadyReason()).isNull();
    }

    @Test
    void aSourceDownEverywhereDoesNotHoldReadinessPastTheGrace() {
        catalog.set(Catalog.of(List.of(withoutValue("a"), withoutValue("b"), withoutValue("c"), withoutValue("d"),
                withoutValue("e"), withoutValue("f"))));
        readiness.listening();
        assertThat(readiness.notReadyReason()).isEqualTo("starting: 6 of 6 metrics have no value yet (shop/a,"
                + " shop/b, shop/c, shop/d, shop/e, ...); ready anyway 30s after start");
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(30));
        assertThat(readiness.notReadyReason()).isNull();
    }

    @Test
    void onceReadyALaterOutageOrReloadDoesNotTakeTheApiAwayButShutdownDoes() {
        catalog.set(Catalog.of(List.of(withValue("a"))));
        readiness.listening();
        assertThat(readiness.notReadyReason()).isNull();
        catalog.set(Catalog.of(List.of(withValue("a"), withoutValue("new"))));
        assertThat(readiness.notReadyReason()).isNull();
        readiness.shuttingDown();
        assertThat(readiness.notReadyReason()).isEqualTo("shutting down");
    }
}
