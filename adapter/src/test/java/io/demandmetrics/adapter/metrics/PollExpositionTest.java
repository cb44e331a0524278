package io.demandmetrics.adapter.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.demandmetrics.adapter.api.KubernetesResource;
import io.demandmetrics.adapter.config.MetricDefinition;
import io.demandmetrics.adapter.config.MetricKey;
import io.demandmetrics.adapter.failure.RequestFailure;
import io.demandmetrics.adapter.store.MetricState;
import io.demandmetrics.adapter.store.Readings;
import io.demandmetrics.scaler.spi.DescribedObject;
import io.demandmetrics.scaler.spi.Sample;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * /metrics writes the poll meters itself (for speed); a user must see exactly what
 * Micrometer's Prometheus registry would write for the same meters. The registry is the
 * oracle here: the meters are registered in one, and its scrape and ours must be equal.
 */
class PollExpositionTest {

    private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");
    private static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final PollMeters meters = new PollMeters(registry, Clock.fixed(NOW, ZoneOffset.UTC));
    private final PollExposition exposition = new PollExposition(meters);

    @BeforeEach
    void manyMetricsPolledSomeFailingOneWithALead() {
        MetricKey pods = new MetricKey(KubernetesResource.byName("pods").orElseThrow(), "shop", "rps");
        for (MetricKey key : List.of(MetricKey.external("shop", "orders"), MetricKey.external("billing", "queue"),
                MetricKey.external("shop", "a-b.c"), pods)) {
            MetricState state = Readings.polled(Readings.definition(key, null, Duration.ofMinutes(1), null),
                    NOW.minusMillis(1_234),
                    List.of(key.isExternal() ? Sample.of(3) : Sample.forObject(DescribedObject.named("web-1"), 3)));
            meters.started(state);
            meters.polled(state, 1_500_000, false);
            meters.polled(state, 250_000_000, key.name().equals("queue"));
        }
        meters.started(Readings.failing(Readings.definition(MetricKey.external("zeta", "never"), null,
                Duration.ofMinutes(1), null), NOW, "down"));
        MetricDefinition plain = Readings.definition(MetricKey.external("shop", "leading"), null,
                Duration.ofMinutes(1), null);
        meters.started(Readings.polled(new MetricDefinition(plain.key(), plain.type(), plain.parameters(),
                plain.provider(), plain.scalerConfig(), plain.object(), Duration.ofSeconds(15), plain.timeout(),
                plain.maxAge(), plain.fallback(), Duration.ofSeconds(30)), NOW, List.of(Sample.of(7))));
    }

    @Test
    void theTextFormatIsWhatThePrometheusRegistryWrites() throws IOException {
        String ours = ours(false);
        assertThat(ours).isEqualTo(registry.scrape(TEXT));
        assertThat(ours).contains("demand_adapter_poll_errors_total{describes=\"external\",metric=\"billing/queue\",type=\"test\"} 1.0",
                "demand_adapter_poll_seconds_count{describes=\"pods\",metric=\"shop/rps\",type=\"test\"} 2",
                "demand_adapter_value_age_seconds{describes=\"external\",metric=\"zeta/never\",type=\"test\"} NaN",
                "demand_adapter_lead_served{describes=\"external\",metric=\"shop/leading\",type=\"test\"}");
    }

    @Test
    void openMetricsIsWhatThePrometheusRegistryWritesBeforeItsEnd() throws IOException {
        String registryOutput = registry.scrape(OPENMETRICS);
        assertThat(registryOutput).endsWith("# EOF\n");
        assertThat(ours(true)).isEqualTo(registryOutput.substring(0, registryOutput.length() - "# EOF\n".length()));
    }

    @Test
    void withoutALeadThereAreNoLeadFamilies() throws IOException {
        PrometheusMeterRegistry plainRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PollMeters plainMeters = new PollMeters(plainRegistry, Clock.fixed(NOW, ZoneOffset.UTC));
        plainMeters.started(Readings.polled(Readings.definition(MetricKey.external("shop", "orders"), null,
                Duration.ofMinutes(1), null), NOW, List.of(Sample.of(3))));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new PollExposition(plainMeters).write(out, false);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(plainRegistry.scrape(TEXT))
                .doesNotContain("lead");
    }

    /** Hundreds of metrics: the lines span many of the writer's buffers, and still read the same. */
    @Test
    void manyMetricsAreWrittenWholeAcrossBuffers() throws IOException {
        PrometheusMeterRegistry manyRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PollMeters manyMeters = new PollMeters(manyRegistry, Clock.fixed(NOW, ZoneOffset.UTC));
        for (int i = 0; i < 700; i++) {
            MetricState state = Readings.polled(Readings.definition(MetricKey.external("team-" + i % 7, "queue-" + i),
                    null, Duration.ofMinutes(1), null), NOW.minusMillis(i), List.of(Sample.of(i)));
            manyMeters.started(state);
            manyMeters.polled(state, 1_000_000L * i, i % 3 == 0);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new PollExposition(manyMeters).write(out, false);
        assertThat(out.size()).isGreaterThan(4 * 16 * 1024);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(manyRegistry.scrape(TEXT));
    }

    /**
     * {@code name[]} picks families as Micrometer's registry does when handed the same names:
     * a series' name ({@code _total}, {@code _count}) picks its family, a family's own
     * {@code _max} gauge is a family of its own, and an unknown name picks nothing.
     */
    @Test
    void familiesPickedByNameAreThoseThePrometheusRegistryPicks() throws IOException {
        for (List<String> names : List.of(List.of("demand_adapter_poll_errors_total"),
                List.of("demand_adapter_poll_errors"), List.of("demand_adapter_poll_seconds_count"),
                List.of("demand_adapter_poll_seconds_max"), List.of("demand_adapter_value_age_seconds",
                        "demand_adapter_lead_served"), List.of("demand_adapter_lead_observed"), List.of("no_such_family"))) {
            FamilyFilter filter = FamilyFilter.of(names);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            exposition.write(out, false, filter);
            assertThat(out.toString(StandardCharsets.UTF_8)).as("name[] %s", names)
                    .isEqualTo(registry.scrape(TEXT, filter.familiesOrNull()));
        }
        ByteArrayOutputStream errorsOnly = new ByteArrayOutputStream();
        exposition.write(errorsOnly, false, FamilyFilter.of(List.of("demand_adapter_poll_errors_total")));
        assertThat(errorsOnly.toString(StandardCharsets.UTF_8)).contains("demand_adapter_poll_errors_total{")
                .doesNotContain("demand_adapter_poll_seconds", "demand_adapter_value_age_seconds", "demand_adapter_lead");
    }

    @Test
    void malformedOrTooManyNamesAreBadRequests() {
        assertThatThrownBy(() -> FamilyFilter.of(List.of("demand adapter"))).isInstanceOf(RequestFailure.BadRequest.class)
                .hasMessage("name[] must be a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*), got \"demand adapter\"");
        assertThatThrownBy(() -> FamilyFilter.of(List.of("9lives"))).isInstanceOf(RequestFailure.BadRequest.class);
        assertThatThrownBy(() -> FamilyFilter.of(java.util.Collections.nCopies(101, "up")))
                .isInstanceOf(RequestFailure.BadRequest.class).hasMessage("at most 100 name[] parameters, got 101");
        assertThat(FamilyFilter.of(List.of())).isSameAs(FamilyFilter.ALL);
    }

    private String ours(boolean openMetrics) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        exposition.write(out, openMetrics);
        return out.toString(StandardCharsets.UTF_8);
    }
}
