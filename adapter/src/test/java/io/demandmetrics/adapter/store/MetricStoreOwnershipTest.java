package io.demandmetrics.adapter.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.demandmetrics.adapter.config.AdapterConfig;
import io.demandmetrics.adapter.config.MetricDefinition;
import io.demandmetrics.adapter.config.MetricKey;
import io.demandmetrics.scaler.spi.Sample;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link MetricStore} with several replicas: only the metrics this replica owns are polled
 * here, the others are served from their owners' replicated readings, and ownership moving in
 * or out starts or stops polling without losing the value served.
 */
class MetricStoreOwnershipTest {

    private final Vertx vertx = Vertx.vertx();
    private final ScriptedScalers provider = new ScriptedScalers();
    private final Set<String> owned = ConcurrentHashMap.newKeySet();
    private final MetricStore store = new MetricStore(vertx, Clock.systemUTC(), new SimpleMeterRegistry(),
            new PollListener() { }, Optional.empty(), definition -> owned.contains(definition.key().name()));

    @AfterEach
    void close() throws Exception {
        await(store.close());
        vertx.close();
    }

    @Test
    void onlyOwnedMetricsArePolledAndTheOthersServeTheirOwnersReadings() throws Exception {
        owned.add("mine");
        MetricDefinition theirs = metric("theirs");
        await(store.apply(new AdapterConfig(List.of(metric("mine"), theirs))));
        assertThat(store.catalog().keys()).extracting(MetricKey::name).containsExactly("mine", "theirs");
        assertThat(provider.made).as("no scaler for a metric another replica polls").hasSize(1);
        assertThat(state("mine").reading()).isNotNull();
        assertThat(state("theirs").reading()).as("nothing until its owner's reading arrives").isNull();

        Instant polledThere = Instant.now();
        Reading reading = new Reading(List.of(Sample.of(42).at(polledThere)), polledThere);
        assertThat(store.replicated(theirs.key(), theirs.settingsFingerprint(), reading, null, "owner-1")).isNull();
        assertThat(state("theirs").serve(polledThere.plusSeconds(1)).samples()).extracting(Sample::value)
                .containsExactly(42.0);
        assertThat(store.replicated(metric("mine").key(), metric("mine").settingsFingerprint(), reading, null, "owner-1"))
                .isEqualTo("metric shop/mine is polled here");
    }

    @Test
    void aReplicatedReadingIsRefusedWhenItsSettingsDifferOrItIsOlder() throws Exception {
        MetricDefinition theirs = metric("theirs");
        await(store.apply(new AdapterConfig(List.of(theirs))));
        Instant t0 = Instant.now();
        MetricDefinition elsewhere = provider.metric("theirs", Duration.ofSeconds(30), Duration.ofSeconds(1),
                Map.of("query", "other"));
        assertThat(store.replicated(theirs.key(), elsewhere.settingsFingerprint(), reading(1, t0), null, "owner-1"))
                .isEqualTo("metric shop/theirs has other settings here (a config reload not seen by both)");
        assertThat(store.replicated(MetricKey.external("shop", "unknown"), theirs.settingsFingerprint(),
                reading(1, t0), null, "owner-1")).isEqualTo("metric shop/unknown is not configured here");
        assertThat(store.replicated(theirs.key(), theirs.settingsFingerprint(), reading(2, t0.plusSeconds(5)), null, "owner-1"))
                .isNull();
        // Two owners for a moment during a takeover: the older reading does not replace the newer.
        assertThat(store.replicated(theirs.key(), theirs.settingsFingerprint(), reading(1, t0), null, "owner-1"))
                .isEqualTo("an older reading than the one held");
        assertThat(state("theirs").reading().samples()).extracting(Sample::value).containsExactly(2.0);
        assertThat(store.replicated(theirs.key(), theirs.settingsFingerprint(), reading(3, t0.plusSeconds(3600)), null, "owner-1"))
                .startsWith("metric shop/theirs: a reading from the future");
        assertThat(store.replicated(theirs.key(), theirs.settingsFingerprint(), reading(Double.NaN, t0.plusSeconds(5)),
                null, "owner-1")).isEqualTo("metric shop/theirs: the source returned NaN, which is not a quantity");
        // The owner's failure is served beside its last good reading.
        assertThat(store.replicated(theirs.key(), theirs.settingsFingerprint(), null,
                new Failure("broker down", t0.plusSeconds(6)), "owner-1")).isNull();
        assertThat(state("theirs").status(t0.plusSeconds(7)).health()).isEqualTo(MetricState.Health.LAST_GOOD);
        assertThat(state("theirs").failure().message()).isEqualTo("broker down");
    }

    @Test
    void ownershipMovingInStartsPollingAndMovingOutStopsItKeepingTheState() throws Exception {
        MetricDefinition moving = metric("moving");
        await(store.apply(new AdapterConfig(List.of(moving))));
        Instant t0 = Instant.now();
        store.replicated(moving.key(), moving.settingsFingerprint(), reading(7, t0), null, "owner-1");
        MetricState state = state("moving");

        owned.add("moving");
        await(store.ownershipChanged());
        assertThat(provider.made).hasSize(1);
        assertThat(provider.made.get(0).fetches.get()).as("polled at once").isGreaterThanOrEqualTo(1);
        assertThat(state("moving")).as("the same state: the replicated value served until the first poll")
                .isSameAs(state);
        assertThat(state.reading().samples()).extracting(Sample::value).containsExactly(1.0); // ScriptedScalers' answer

        owned.remove("moving");
        await(store.ownershipChanged());
        assertThat(provider.made.get(0).closes).as("the scaler closed when the bucket moved away").hasValue(1);
        assertThat(state("moving")).isSameAs(state);
        assertThat(state.reading()).as("its last value still served until the new owner's arrives").isNotNull();
        assertThat(store.replicated(moving.key(), moving.settingsFingerprint(),
                reading(9, Instant.now().plusSeconds(1)), null, "owner-1")).isNull();
    }

    @Test
    void aStaleReplicatedValueNamesTheReplicaThatSentItAndARefusedOneSaysWhy() throws Exception {
        MetricDefinition theirs = metric("theirs");
        await(store.apply(new AdapterConfig(List.of(theirs))));
        Instant t0 = Instant.now().minusSeconds(120); // maxAge is 90s: stale now
        assertThat(store.replicated(theirs.key(), theirs.settingsFingerprint(), reading(4, t0), null, "adapter-7f-x1"))
                .isNull();
        assertThat(catchThrowable(() -> state("theirs").serve(Instant.now()))).hasMessageContaining(
                "(last value 2m ago, sent by replica adapter-7f-x1, whose readings stopped arriving)");

        MetricDefinition other = provider.metric("theirs", Duration.ofSeconds(30), Duration.ofSeconds(1),
                Map.of("query", "other"));
        store.replicated(theirs.key(), other.settingsFingerprint(), reading(5, Instant.now()), null, "adapter-9c-y2");
        assertThat(catchThrowable(() -> state("theirs").serve(Instant.now()))).hasMessageEndingWith(
                "; readings from the replica that polls it are refused: replica adapter-9c-y2 has other settings"
                        + " for it (a config reload not seen by both)");
    }

    @Test
    void aReadingSentAheadOfThisReplicasReloadIsServedOnceTheReloadApplies() throws Exception {
        MetricDefinition before = metric("theirs");
        await(store.apply(new AdapterConfig(List.of(before))));
        MetricDefinition after = provider.metric("theirs", Duration.ofSeconds(30), Duration.ofSeconds(1),
                Map.of("query", "changed"));
        Instant polled = Instant.now();
        // The owner applied the change first: its reading has the new settings.
        assertThat(store.replicated(after.key(), after.settingsFingerprint(), reading(6, polled), null, "owner-1"))
                .contains("has other settings here");
        await(store.apply(new AdapterConfig(List.of(after))));
        assertThat(state("theirs").serve(polled.plusSeconds(1)).samples()).extracting(Sample::value)
                .as("no gap: served from the moment the reload applies").containsExactly(6.0);
    }

    @Test
    void aReadingFromTheFutureSentAheadOfAReloadIsNotServedWhenTheReloadApplies() throws Exception {
        await(store.apply(new AdapterConfig(List.of(metric("theirs")))));
        MetricDefinition after = provider.metric("theirs", Duration.ofSeconds(30), Duration.ofSeconds(1),
                Map.of("query", "changed"));
        store.replicated(after.key(), after.settingsFingerprint(), reading(6, Instant.now().plusSeconds(3600)), null,
                "owner-1");
        await(store.apply(new AdapterConfig(List.of(after))));
        assertThat(state("theirs").reading()).as("the same checks as a reading that arrives after the reload").isNull();
    }

    private static Reading reading(double value, Instant at) {
        return new Reading(List.of(Sample.of(value).at(at)), at);
    }

    private MetricDefinition metric(String name) {
        return provider.metric(name, Duration.ofSeconds(30), Duration.ofSeconds(1), Map.of());
    }

    private MetricState state(String name) {
        return store.catalog().state(MetricKey.external("shop", name));
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
