package io.demandmetrics.adapter.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.demandmetrics.adapter.api.KubernetesResource;
import io.demandmetrics.adapter.config.MetricDefinition;
import io.demandmetrics.adapter.config.MetricKey;
import io.demandmetrics.adapter.failure.RequestFailure;
import io.demandmetrics.scaler.spi.DescribedObject;
import io.demandmetrics.scaler.spi.Sample;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a metric serves from its last reading and failure, as time passes. */
class MetricStateTest {

    private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");
    private static final MetricKey EXTERNAL = MetricKey.external("shop", "queue");
    private static final MetricKey PODS = new MetricKey(KubernetesResource.byName("pods").orElseThrow(), "shop", "rps");

    @Test
    void aFreshReadingIsServedUpToMaxAgeAsTheSameList() {
        MetricState state = Readings.polled(Readings.definition(EXTERNAL, null, Duration.ofSeconds(60), null), T0,
                List.of(Sample.of(7)));
        ServedSamples first = state.serve(T0.plusSeconds(10));
        ServedSamples atMaxAge = state.serve(T0.plusSeconds(60));
        assertThat(first.samples()).extracting(Sample::value).containsExactly(7.0);
        assertThat(first.fallback()).isNull();
        assertThat(first.at()).isEqualTo(T0);
        assertThat(atMaxAge.samples()).isSameAs(first.samples()); // what answer caches rely on
    }

    @Test
    void aStaleReadingWithoutFallbackIsAStaleValueNamingAgeAndLastError() {
        MetricState state = Readings.polled(Readings.definition(EXTERNAL, null, Duration.ofSeconds(60), null), T0,
                List.of(Sample.of(7)));
        state.failed(new Failure("connection refused", T0.plusSeconds(50)));
        assertThatThrownBy(() -> state.serve(T0.plusSeconds(61)))
                .isInstanceOf(RequestFailure.StaleValue.class)
                .hasMessage("metric \"shop/queue\" has no value newer than its maxAge of 1m (last value 1m1s ago);"
                        + " last error 11s ago: connection refused");
    }

    @Test
    void theStatusSaysWhatServeDoesWithTheReadingTimeAndTheLastError() {
        MetricState state = Readings.polled(Readings.definition(EXTERNAL, null, Duration.ofSeconds(60), null), T0,
                List.of(Sample.of(7)));
        assertThat(state.status(T0.plusSeconds(5)).health()).isEqualTo(MetricState.Health.OK);
        assertThat(state.status(T0.plusSeconds(5)).failure()).isNull();
        state.failed(new Failure("connection refused", T0.plusSeconds(50)));
        MetricState.Status lastGood = state.status(T0.plusSeconds(55));
        assertThat(lastGood.health()).isEqualTo(MetricState.Health.LAST_GOOD);
        assertThat(lastGood.fetchedAt()).isEqualTo(T0);
        assertThat(lastGood.failure().message()).isEqualTo("connection refused");
        assertThat(state.status(T0.plusSeconds(61)).health()).isEqualTo(MetricState.Health.STALE);
        assertThat(lastGood.leadObservedTotal()).isNaN(); // no lead configured
        MetricState.Status waiting = new MetricState(Readings.definition(EXTERNAL, null, Duration.ofSeconds(60), null))
                .status(T0);
        assertThat(waiting.health()).isEqualTo(MetricState.Health.WAITING);
        assertThat(waiting.fetchedAt()).isNull();
    }

    @Test
    void noValueYetSaysWhy() {
        MetricDefinition definition = Readings.definition(EXTERNAL, null, Duration.ofSeconds(60), null);
        assertThatThrownBy(() -> new MetricState(definition).serve(T0))
                .isInstanceOf(RequestFailure.StaleValue.class)
                .hasMessage("metric \"shop/queue\" has no value yet: the first poll has not completed");
        assertThatThrownBy(() -> Readings.failing(definition, T0, "no such queue").serve(T0.plusSeconds(3)))
                .hasMessage("metric \"shop/queue\" has no value yet; last error 3s ago: no such queue");
    }

    @Test
    void aFailureKeepsTheLastGoodReadingAndASuccessClearsTheFailure() {
        MetricState state = Readings.polled(Readings.definition(EXTERNAL, null, Duration.ofSeconds(60), null), T0,
                List.of(Sample.of(7)));
        Reading good = state.reading();
        state.failed(new Failure("timeout", T0.plusSeconds(15)));
        assertThat(state.reading()).isSameAs(good);
        assertThat(state.failure().message()).isEqualTo("timeout");
        state.succeeded(ReadingValidator.validate(state.definition(), List.of(Sample.of(8)), T0.plusSeconds(30)));
        assertThat(state.failure()).isNull();
        assertThat(state.serve(T0.plusSeconds(30)).samples()).extracting(Sample::value).containsExactly(8.0);
    }

    @Test
    void fallbackIsServedForTheObjectsLastSeenAndTheConfiguredOne() {
        MetricState state = Readings.polled(Readings.definition(PODS, "web-0", Duration.ofSeconds(60), 4.0), T0,
                List.of(Sample.forObject(DescribedObject.named("web-1"), 9)));
        Instant later = T0.plusSeconds(120);
        ServedSamples served = state.serve(later);
        assertThat(served.fallback()).isEqualTo(4.0);
        assertThat(served.at()).isEqualTo(later);
        assertThat(served.samples()).extracting(s -> s.object().name(), Sample::value, Sample::timestamp)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("web-1", 4.0, later),
                        org.assertj.core.groups.Tuple.tuple("web-0", 4.0, later));
    }

    @Test
    void externalFallbackIsOneUnlabelledSample() {
        MetricState state = new MetricState(Readings.definition(EXTERNAL, null, Duration.ofSeconds(60), 2.0));
        assertThat(state.serve(T0).samples()).containsExactly(new Sample(null, Map.of(), 2.0, T0, null));
    }
}
