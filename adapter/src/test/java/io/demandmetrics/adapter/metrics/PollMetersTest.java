package io.demandmetrics.adapter.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandmetrics.adapter.config.MetricDefinition;
import io.demandmetrics.adapter.config.MetricKey;
import io.demandmetrics.adapter.store.MetricState;
import io.demandmetrics.adapter.store.Readings;
import io.demandmetrics.scaler.spi.Sample;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A metric's meters belong to its name: a reload hands them from the old poller to the new one. */
class PollMetersTest {

    private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final PollMeters meters = new PollMeters(registry, Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void aReloadedMetricKeepsEveryMeterCountingOnAndReadsTheNewPoller() {
        MetricState before = state(Duration.ofSeconds(30), NOW.minusSeconds(40));
        MetricState after = state(Duration.ofSeconds(30), NOW.minusSeconds(1));
        meters.started(before);
        meters.polled(before, 1_000_000, true);
        meters.started(after); // a reload starts the new poller first...
        meters.retired(before); // ...then retires the old one
        meters.polled(after, 1_000_000, false);

        assertThat(names()).containsExactlyInAnyOrder("demand_adapter_poll", "demand_adapter_poll_errors",
                "demand_adapter_value_age_seconds", "demand_adapter_lead_observed", "demand_adapter_lead_served");
        assertThat(registry.get("demand_adapter_poll").timer().count()).isEqualTo(2);
        assertThat(registry.get("demand_adapter_poll_errors").counter().count()).isEqualTo(1);
        assertThat(registry.get("demand_adapter_value_age_seconds").gauge().value()).isEqualTo(1.0);

        meters.retired(after);
        assertThat(names()).isEmpty();
    }

    @Test
    void leadGaugesExistWhileTheServingPollerHasALead() {
        MetricState plain = state(null, NOW);
        MetricState leading = state(Duration.ofSeconds(30), NOW);
        meters.started(plain);
        assertThat(names()).doesNotContain("demand_adapter_lead_observed");
        meters.started(leading);
        meters.retired(plain);
        assertThat(names()).contains("demand_adapter_lead_observed", "demand_adapter_lead_served");
        MetricState plainAgain = state(null, NOW);
        meters.started(plainAgain);
        meters.retired(leading);
        assertThat(names()).doesNotContain("demand_adapter_lead_observed", "demand_adapter_lead_served")
                .contains("demand_adapter_poll");
    }

    @Test
    void aRetiredNewPollerHandsTheMetersBackToTheOneStillRunning() {
        MetricState running = state(null, NOW.minusSeconds(2));
        MetricState abandoned = state(null, NOW.minusSeconds(9));
        meters.started(running);
        meters.started(abandoned); // a reload whose change is superseded before it applies
        meters.retired(abandoned);
        assertThat(registry.get("demand_adapter_value_age_seconds").gauge().value()).isEqualTo(2.0);
    }

    @Test
    void theListingFollowsMetricsComingAndGoingBetweenScrapesInTheOrderOfTheirTags() {
        MetricState b = named("b", null);
        MetricState d = named("d", null);
        meters.started(d);
        meters.started(b);
        assertThat(listed()).containsExactly("shop/b", "shop/d");
        MetricState a = named("a", null);
        MetricState c = named("c", null);
        meters.started(c);
        meters.started(a);
        assertThat(listed()).containsExactly("shop/a", "shop/b", "shop/c", "shop/d");
        meters.retired(b);
        assertThat(listed()).containsExactly("shop/a", "shop/c", "shop/d");
        // A lead gauge that comes with a new poller of the same name shows at the next listing.
        MetricState leadingC = named("c", Duration.ofSeconds(30));
        meters.started(leadingC);
        meters.retired(c);
        assertThat(meters.current()).filteredOn(m -> m.leadObserved() != null).extracting(m -> m.tags().stream()
                .filter(t -> t.getKey().equals("metric")).findFirst().orElseThrow().getValue()).containsExactly("shop/c");
    }

    private List<String> listed() {
        return meters.current().stream().map(m -> m.tags().stream().filter(t -> t.getKey().equals("metric"))
                .findFirst().orElseThrow().getValue()).toList();
    }

    private static MetricState named(String name, Duration lead) {
        MetricDefinition plain = Readings.definition(MetricKey.external("shop", name), null, Duration.ofMinutes(1),
                null);
        return Readings.polled(new MetricDefinition(plain.key(), plain.type(), plain.parameters(), plain.provider(),
                plain.scalerConfig(), plain.object(), Duration.ofSeconds(15), plain.timeout(), plain.maxAge(),
                plain.fallback(), lead), NOW, List.of(Sample.of(3)));
    }

    private Set<String> names() {
        return registry.getMeters().stream().map(Meter::getId).map(Meter.Id::getName).collect(Collectors.toSet());
    }

    private static MetricState state(Duration lead, Instant fetchedAt) {
        MetricDefinition plain = Readings.definition(MetricKey.external("shop", "orders"), null,
                Duration.ofMinutes(1), null);
        MetricDefinition definition = new MetricDefinition(plain.key(), plain.type(), plain.parameters(),
                plain.provider(), plain.scalerConfig(), plain.object(), Duration.ofSeconds(15), plain.timeout(),
                plain.maxAge(), plain.fallback(), lead);
        return Readings.polled(definition, fetchedAt, List.of(Sample.of(3)));
    }
}
