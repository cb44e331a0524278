package io.demandmetrics.adapter.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.demandmetrics.adapter.config.MetricDefinition;
import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A poll's fetch under its timeout: the scaler's answer, its failure, a timeout, and no second call while one hangs. */
class TimedFetchTest {

    private final Vertx vertx = Vertx.vertx();
    private final Context context = vertx.getOrCreateContext();
    private final ScriptedScalers provider = new ScriptedScalers();
    private final MetricDefinition metric = provider.metric("orders", Duration.ofSeconds(1), Duration.ofMillis(100),
            Map.of());

    @AfterEach
    void close() {
        vertx.close();
    }

    @Test
    void theScalersAnswerInTimeIsThePolls() throws Exception {
        ScriptedScalers.Scripted scaler = new ScriptedScalers.Scripted();
        scaler.answer = List.of(Sample.of(4));
        TimedFetch fetch = new TimedFetch(vertx, context, metric, scaler);
        assertThat(onContext(fetch::fetch).get(5, TimeUnit.SECONDS)).extracting(Sample::value).containsExactly(4.0);
    }

    @Test
    void aFetchThatHangsTimesOutAndTheScalerIsNotCalledAgainUntilItAnswers() throws Exception {
        ScriptedScalers.Scripted scaler = new ScriptedScalers.Scripted();
        TimedFetch fetch = new TimedFetch(vertx, context, metric, scaler);
        assertThat(failure(fetch)).isInstanceOf(TimeoutException.class).hasMessage("the poll timed out after 100ms");
        assertThat(failure(fetch)).hasMessage("the poll timed out after 100ms and the scripted scaler has not"
                + " finished it; it is not called again until it does");
        assertThat(scaler.fetches).hasValue(1);

        scaler.answer = List.of(Sample.of(7));
        context.runOnContext(v -> scaler.pending.poll().complete(List.of(Sample.of(1))));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(onContext(fetch::fetch)
                .get(5, TimeUnit.SECONDS)).extracting(Sample::value).containsExactly(7.0));
        assertThat(scaler.fetches).hasValue(2);
    }

    @Test
    void aScalerThatThrowsOrReturnsNoFutureFailsThePoll() throws Exception {
        Scaler throwing = () -> {
            throw new IllegalStateException("broker unreachable");
        };
        assertThat(failure(new TimedFetch(vertx, context, metric, throwing))).hasMessage("broker unreachable");
        Scaler returningNull = () -> null;
        assertThat(failure(new TimedFetch(vertx, context, metric, returningNull)))
                .hasMessage("the scripted scaler returned no future (null)");
    }

    private Throwable failure(TimedFetch fetch) throws Exception {
        try {
            onContext(fetch::fetch).get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("the fetch succeeded");
    }

    /** Calls {@code call} on the store's context, as the poller does. */
    private <T> CompletableFuture<T> onContext(java.util.function.Supplier<Future<T>> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        context.runOnContext(v -> call.get().onComplete(r -> {
            if (r.succeeded()) {
                result.complete(r.result());
            } else {
                result.completeExceptionally(r.cause());
            }
        }));
        return result;
    }
}
