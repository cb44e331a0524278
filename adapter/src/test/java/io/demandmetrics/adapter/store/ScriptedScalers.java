package io.demandmetrics.adapter.store;

import io.demandmetrics.adapter.config.MetricDefinition;
import io.demandmetrics.adapter.config.MetricKey;
import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.spi.ScalerContext;
import io.demandmetrics.scaler.spi.ScalerProvider;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Scalers whose every fetch a test answers by hand (or at once), and a provider that makes
 * them, or refuses to for a metric whose parameters say {@code refuse: why}: what the store's
 * polling sees of a source, without one.
 */
final class ScriptedScalers implements ScalerProvider<Object> {

    /** Every scaler made, in order. */
    final List<Scripted> made = new CopyOnWriteArrayList<>();

    /** One scaler: each fetch is a promise the test completes (or samples answered at once). */
    static class Scripted implements Scaler {
        final ConcurrentLinkedQueue<Promise<List<Sample>>> pending = new ConcurrentLinkedQueue<>();
        final AtomicInteger fetches = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();
        /** When not null, fetches answer these at once. */
        volatile List<Sample> answer;

        @Override
        public Future<List<Sample>> fetch() {
            fetches.incrementAndGet();
            if (answer != null) {
                return Future.succeededFuture(answer);
            }
            Promise<List<Sample>> promise = Promise.promise();
            pending.add(promise);
            return promise.future();
        }

        @Override
        public Future<Void> close() {
            closes.incrementAndGet();
            return Future.succeededFuture();
        }
    }

    @Override
    public String type() {
        return "scripted";
    }

    @Override
    public Object parseConfig(Map<String, Object> parameters) {
        return parameters;
    }

    @Override
    public Scaler createScaler(Object config, ScalerContext context) {
        Object refuse = ((Map<?, ?>) config).get("refuse");
        if (refuse != null) {
            throw new IllegalStateException(refuse.toString());
        }
        Scripted scaler = new Scripted();
        scaler.answer = List.of(Sample.of(1));
        made.add(scaler);
        return scaler;
    }

    /** An external metric of this provider's, polled every {@code interval}, with {@code parameters}. */
    MetricDefinition metric(String name, Duration interval, Duration timeout, Map<String, Object> parameters) {
        return new MetricDefinition(MetricKey.external("shop", name), type(), parameters, this, parameters, null,
                interval, timeout, interval.multipliedBy(3), null, null);
    }
}
