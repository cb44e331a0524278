package io.demandmetrics.adapter.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.demandmetrics.adapter.config.MetricDefinition;
import io.demandmetrics.scaler.spi.Sample;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One metric's polling: on its interval, a failure beside the last good value, nothing after stop. */
class MetricPollerTest {

    private final Vertx vertx = Vertx.vertx();
    private final Context context = vertx.getOrCreateContext();
    private final ScriptedScalers provider = new ScriptedScalers();
    private final MetricDefinition metric = provider.metric("orders", Duration.ofMillis(100), Duration.ofSeconds(5),
            Map.of());
    private final List<String> heard = new CopyOnWriteArrayList<>();
    private final PollListener listener = new PollListener() {
        @Override
        public void started(MetricState state) {
            heard.add("started");
        }

        @Override
        public void polled(MetricState state, long nanos, boolean failed) {
            heard.add(failed ? "failed" : "polled");
        }

        @Override
        public void retired(MetricState state) {
            heard.add("retired");
        }
    };

    @AfterEach
    void close() {
        vertx.close();
    }

    @Test
    void aFailedPollKeepsTheLastGoodValueBesideItsFailureAndPollsGoOnOnTheInterval() throws Exception {
        ScriptedScalers.Scripted scaler = new ScriptedScalers.Scripted();
        MetricState state = new MetricState(metric);
        MetricPoller poller = poller(scaler, state);
        CompletableFuture<Void> firstPoll = new CompletableFuture<>();
        context.runOnContext(v -> poller.start().onComplete(r -> firstPoll.complete(null)));
        answer(scaler, List.of(Sample.of(3)));
        firstPoll.get(5, TimeUnit.SECONDS);
        assertThat(state.reading().samples()).extracting(Sample::value).containsExactly(3.0);

        await().atMost(Duration.ofSeconds(5)).until(() -> !scaler.pending.isEmpty()); // the next grid instant
        context.runOnContext(v -> scaler.pending.poll().fail("broker unreachable"));
        await().atMost(Duration.ofSeconds(5)).until(() -> state.failure() != null);
        assertThat(state.failure().message()).isEqualTo("broker unreachable");
        assertThat(state.reading().samples()).extracting(Sample::value).containsExactly(3.0);
        assertThat(heard).containsExactly("started", "polled", "failed");
    }

    @Test
    void afterStopAPollThatEndsIsIgnoredAndTheScalerIsClosedOnce() throws Exception {
        ScriptedScalers.Scripted scaler = new ScriptedScalers.Scripted();
        MetricState state = new MetricState(metric);
        MetricPoller poller = poller(scaler, state);
        context.runOnContext(v -> poller.start());
        await().atMost(Duration.ofSeconds(5)).until(() -> !scaler.pending.isEmpty());
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        context.runOnContext(v -> poller.stop().onComplete(r -> stopped.complete(null)));
        stopped.get(5, TimeUnit.SECONDS);
        answer(scaler, List.of(Sample.of(9)));
        CompletableFuture<Void> drained = new CompletableFuture<>();
        context.runOnContext(v -> drained.complete(null)); // after the late answer's handling
        drained.get(5, TimeUnit.SECONDS);
        assertThat(state.reading()).isNull();
        assertThat(scaler.closes).hasValue(1);
        assertThat(heard).containsExactly("started", "retired");
        assertThat(scaler.fetches).as("no poll after stop").hasValue(1);
    }

    @Test
    void takingOverAWarmingUpScalersPollsDoNotReplaceTheFreshValueAnotherReplicaSent() throws Exception {
        ScriptedScalers.Scripted scaler = new ScriptedScalers.Scripted() {
            @Override
            public Duration warmUp() {
                return Duration.ofMinutes(10); // the whole test long
            }
        };
        scaler.answer = List.of(Sample.of(5)); // understated, as a rate over part of its window
        MetricDefinition twoSecondsMaxAge = new MetricDefinition(metric.key(), metric.type(), metric.parameters(),
                metric.provider(), metric.scalerConfig(), null, metric.pollInterval(), metric.timeout(),
                Duration.ofSeconds(2), null, null);
        MetricState state = new MetricState(twoSecondsMaxAge);
        java.time.Instant sent = java.time.Instant.now();
        state.replicated(new Reading(List.of(Sample.of(20).at(sent)), sent), null, "previous-owner");
        MetricPoller poller = new MetricPoller(vertx, Clock.systemUTC(), listener, state, scaler,
                new TimedFetch(vertx, context, metric, scaler), FailureLog.PER_METRIC, true);
        context.runOnContext(v -> poller.start());
        await().atMost(Duration.ofSeconds(5)).until(() -> scaler.fetches.get() >= 2);
        assertThat(state.reading().samples()).extracting(Sample::value).as("the previous owner's value")
                .containsExactly(20.0);
        // Once that value is stale (maxAge 2 s), the scaler's own value is better than none.
        await().atMost(Duration.ofSeconds(5)).until(() -> state.reading().samples().get(0).value() == 5.0);
        context.runOnContext(v -> poller.stop());
    }

    private MetricPoller poller(ScriptedScalers.Scripted scaler, MetricState state) {
        return new MetricPoller(vertx, Clock.systemUTC(), listener, state, scaler,
                new TimedFetch(vertx, context, metric, scaler));
    }

    private void answer(ScriptedScalers.Scripted scaler, List<Sample> samples) {
        await().atMost(Duration.ofSeconds(5)).until(() -> !scaler.pending.isEmpty());
        context.runOnContext(v -> scaler.pending.poll().complete(samples));
    }
}
