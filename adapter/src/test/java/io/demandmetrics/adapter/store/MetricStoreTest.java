package io.demandmetrics.adapter.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.demandmetrics.adapter.config.AdapterConfig;
import io.demandmetrics.adapter.config.MetricDefinition;
import io.demandmetrics.adapter.config.MetricKey;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link MetricStore#apply}: what a config change keeps, replaces, adds, closes, and refuses whole. */
class MetricStoreTest {

    private final Vertx vertx = Vertx.vertx();
    private final ScriptedScalers provider = new ScriptedScalers();
    private final List<String> heard = new CopyOnWriteArrayList<>();
    private final MetricStore store = new MetricStore(vertx, Clock.systemUTC(), new SimpleMeterRegistry(),
            new PollListener() {
                @Override
                public void started(MetricState state) {
                    heard.add("started " + state.definition().key().name());
                }

                @Override
                public void polled(MetricState state, long nanos, boolean failed) {
                }

                @Override
                public void retired(MetricState state) {
                    heard.add("retired " + state.definition().key().name());
                }
            });

    @AfterEach
    void close() throws Exception {
        store.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        vertx.close();
    }

    @Test
    void aChangeKeepsUnchangedMetricsReplacesChangedOnesAndPollsNewOnesBeforeServingThem() throws Exception {
        apply(metric("a", Map.of()), metric("b", Map.of("v", 1)));
        assertThat(names()).containsExactly("a", "b");
        assertThat(provider.made).hasSize(2);
        ScriptedScalers.Scripted a = provider.made.get(0);
        ScriptedScalers.Scripted oldB = provider.made.get(1);
        MetricState aState = state("a");
        assertThat(aState.reading()).as("polled once before it is served").isNotNull();
        heard.clear();

        apply(metric("a", Map.of()), metric("b", Map.of("v", 2)), metric("c", Map.of()));
        assertThat(names()).containsExactly("a", "b", "c");
        assertThat(state("a")).as("unchanged: the same poller and value").isSameAs(aState);
        assertThat(a.closes).hasValue(0);
        assertThat(oldB.closes).as("the replaced scaler is closed").hasValue(1);
        assertThat(provider.made).hasSize(4);
        assertThat(state("b").reading()).isNotNull();
        assertThat(state("c").reading()).isNotNull();
        assertThat(heard).containsExactlyInAnyOrder("started b", "started c", "retired b");
    }

    @Test
    void aScalerThatCannotBeCreatedRefusesTheWholeChange() throws Exception {
        apply(metric("a", Map.of()));
        MetricState aState = state("a");
        Throwable refused = catchThrowable(() -> apply(metric("a", Map.of()), metric("d", Map.of()),
                metric("e", Map.of("refuse", "no broker named"))));
        assertThat(refused).isInstanceOf(ExecutionException.class).cause().isInstanceOf(IllegalArgumentException.class)
                .hasMessage("metric \"shop/e\" (type \"scripted\"): the scaler could not be created: no broker named");
        assertThat(names()).as("nothing changed").containsExactly("a");
        assertThat(state("a")).isSameAs(aState);
        ScriptedScalers.Scripted d = provider.made.get(provider.made.size() - 1);
        assertThat(d.closes).as("the scaler made for the refused change is closed").hasValue(1);
        assertThat(d.fetches).as("and never polled").hasValue(0);
    }

    private void apply(MetricDefinition... metrics) throws Exception {
        store.apply(new AdapterConfig(List.of(metrics))).toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    private MetricDefinition metric(String name, Map<String, Object> parameters) {
        return provider.metric(name, Duration.ofSeconds(30), Duration.ofSeconds(1), parameters);
    }

    private List<String> names() {
        return store.catalog().keys().stream().map(MetricKey::name).toList();
    }

    private MetricState state(String name) {
        return store.catalog().state(MetricKey.external("shop", name));
    }
}
