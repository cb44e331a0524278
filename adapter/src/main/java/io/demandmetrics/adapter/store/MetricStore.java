package io.demandmetrics.adapter.store;

import io.demandmetrics.adapter.config.AdapterConfig;
import io.demandmetrics.adapter.config.MetricDefinition;
import io.demandmetrics.adapter.config.MetricKey;
import io.demandmetrics.adapter.metrics.AdapterMetrics;
import io.demandmetrics.scaler.spi.Durations;
import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.spi.ScalerContext;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls every configured metric on its own interval into memory; requests read the current
 * {@link Catalog} and never wait on a source.
 *
 * <p>All polling state lives on one Vert.x context, so it needs no locks; the catalog and
 * each {@link MetricState} are the only things other threads read, and both are published
 * as immutable values.
 */
public final class MetricStore {

    private static final Logger LOG = LoggerFactory.getLogger(MetricStore.class);

    private final Vertx vertx;
    private final Context context;
    private final Clock clock;
    private final AdapterMetrics metrics;
    private final AtomicReference<Catalog> catalog = new AtomicReference<>(Catalog.of(List.of()));
    private final Map<MetricKey, PolledMetric> running = new HashMap<>();
    private final Map<String, WorkerExecutor> executors = new HashMap<>();
    /** The last apply queued; the next starts when it ends, so applies never interleave. */
    private Future<Void> lastApply = Future.succeededFuture();

    public MetricStore(Vertx vertx, Clock clock, AdapterMetrics metrics) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.clock = clock;
        this.metrics = metrics;
    }

    /** The config version requests are answered from. */
    public Catalog catalog() {
        return catalog.get();
    }

    /**
     * Switches to a new config. Unchanged metrics keep their scaler and value; new and
     * changed metrics are created and polled once before the switch, so no request meets a
     * metric without a value because of a reload; removed ones stop polling and are closed.
     *
     * <p>Applies run one at a time in the order they were called, each against what the one
     * before it left running: two reloads within one first-poll window cannot both start
     * from the same running set, so the last one called is the one served.
     *
     * @return a future failed with {@link IllegalArgumentException} listing the metrics whose
     *     scaler could not be created, in which case nothing changed
     */
    public Future<Void> apply(AdapterConfig config) {
        Promise<Void> done = Promise.promise();
        context.runOnContext(ignored -> {
            lastApply = lastApply.transform(previous -> applyOnContext(config));
            lastApply.onComplete(done);
        });
        return done.future();
    }

    private Future<Void> applyOnContext(AdapterConfig config) {
        Map<MetricKey, PolledMetric> next = new HashMap<>();
        List<PolledMetric> created = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (MetricDefinition definition : config.metrics()) {
            PolledMetric current = running.get(definition.key());
            if (current != null && current.state.definition().sameSettingsAs(definition)) {
                next.put(definition.key(), current);
                continue;
            }
            try {
                PolledMetric fresh = new PolledMetric(new MetricState(definition));
                created.add(fresh);
                next.put(definition.key(), fresh);
            } catch (RuntimeException e) {
                problems.add(definition.describe() + ": the scaler could not be created: " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            created.forEach(PolledMetric::stop);
            return Future.failedFuture(new IllegalArgumentException(String.join("\n", problems)));
        }
        List<Future<Void>> firstPolls = new ArrayList<>();
        for (PolledMetric metric : created) {
            metrics.track(metric.state);
            firstPolls.add(metric.start());
        }
        // A first poll ends in success, failure or its timeout: joining them is bounded.
        // Encoding discovery for thousands of metrics takes tens of milliseconds: a worker does it.
        return Future.join(firstPolls)
                .transform(ignored -> vertx.executeBlocking(
                        () -> Catalog.of(next.values().stream().map(m -> m.state).toList()), false))
                .map(built -> {
                    List<PolledMetric> retired = new ArrayList<>();
                    running.forEach((key, metric) -> {
                        if (next.get(key) != metric) {
                            retired.add(metric);
                        }
                    });
                    running.clear();
                    running.putAll(next);
                    // Stopped before the switch: until it, the old catalog serves their last values,
                    // and once a request sees the new catalog their scalers are closed.
                    retired.forEach(PolledMetric::stop);
                    catalog.set(built);
                    LOG.info("serving {} metrics ({} new or changed, {} removed)", next.size(), created.size(),
                            retired.size());
                    return null;
                });
    }

    /** Stops every poller and closes every scaler. */
    public Future<Void> close() {
        Promise<Void> done = Promise.promise();
        context.runOnContext(ignored -> {
            List<Future<Void>> closing = new ArrayList<>();
            running.values().forEach(m -> closing.add(m.stop()));
            running.clear();
            catalog.set(Catalog.of(List.of()));
            Future.join(closing).onComplete(ar -> {
                executors.values().forEach(WorkerExecutor::close);
                done.complete();
            });
        });
        return done.future();
    }

    private WorkerExecutor executor(String type) {
        return executors.computeIfAbsent(type, t -> vertx.createSharedWorkerExecutor("scaler-" + t, 4));
    }

    /** One metric's scaler and poll loop; touched only on the store's context. */
    private final class PolledMetric implements ScalerContext {

        final MetricState state;
        final Scaler scaler;
        private final Promise<Void> firstPoll = Promise.promise();
        private long timer = -1;
        private boolean stopped;
        /** The scaler's last fetch while it has not completed, even after its poll timed out. */
        private Future<List<Sample>> unfinishedFetch;
        private String loggedFailure;

        PolledMetric(MetricState state) {
            this.state = state;
            MetricDefinition definition = state.definition();
            this.scaler = definition.provider().createScaler(definition.scalerConfig(), this);
            if (scaler == null) {
                throw new IllegalStateException("the " + definition.type() + " provider returned no scaler");
            }
        }

        Future<Void> start() {
            poll();
            return firstPoll.future();
        }

        Future<Void> stop() {
            stopped = true;
            firstPoll.tryComplete();
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
            metrics.untrack(state);
            try {
                return scaler.close().recover(e -> {
                    LOG.warn("{}: closing the scaler failed: {}", state.definition().describe(), e.getMessage());
                    return Future.succeededFuture();
                });
            } catch (RuntimeException e) {
                LOG.warn("{}: closing the scaler failed: {}", state.definition().describe(), e.getMessage());
                return Future.succeededFuture();
            }
        }

        private void poll() {
            timer = -1;
            long started = System.nanoTime();
            MetricDefinition definition = state.definition();
            if (unfinishedFetch != null) {
                // Scaler's contract: no call overlaps the previous one, even one that timed out.
                completed(null, new IllegalStateException("the poll timed out after "
                        + Durations.format(definition.timeout()) + " and the " + definition.type()
                        + " scaler has not finished it; it is not called again until it does"), started);
                return;
            }
            Future<List<Sample>> fetched;
            try {
                fetched = scaler.fetch();
                if (fetched == null) {
                    fetched = Future.failedFuture("the " + definition.type() + " scaler returned no future (null)");
                }
            } catch (RuntimeException e) {
                fetched = Future.failedFuture(e);
            }
            Promise<List<Sample>> outcome = Promise.promise();
            long deadline = vertx.setTimer(definition.timeout().toMillis(), id -> outcome.tryFail(
                    new TimeoutException("the poll timed out after " + Durations.format(definition.timeout()))));
            unfinishedFetch = fetched;
            fetched.onComplete(result -> {
                onStoreContext(() -> unfinishedFetch = null); // queued before the outcome: seen by the next poll
                vertx.cancelTimer(deadline);
                if (result.succeeded()) {
                    outcome.tryComplete(result.result());
                } else {
                    outcome.tryFail(result.cause());
                }
            });
            outcome.future().onComplete(result -> onStoreContext(() -> completed(result.result(), result.cause(),
                    started)));
        }

        /** Runs now on the store's context, or queued to it from a client's own thread. */
        private void onStoreContext(Runnable action) {
            if (Vertx.currentContext() == context) {
                action.run();
            } else {
                context.runOnContext(v -> action.run());
            }
        }

        private void completed(List<Sample> samples, Throwable error, long started) {
            if (stopped) {
                return;
            }
            long elapsed = System.nanoTime() - started;
            MetricDefinition definition = state.definition();
            String failure = null;
            if (error != null) {
                failure = describe(error, definition);
            } else {
                try {
                    state.succeeded(ReadingValidator.validate(definition, samples, clock.instant()));
                } catch (IllegalStateException e) {
                    failure = e.getMessage();
                }
            }
            if (failure != null) {
                state.failed(new Failure(failure, clock.instant()));
                if (!failure.equals(loggedFailure)) { // once per distinct failure, not once per poll
                    LOG.warn("{}: poll failed: {}", definition.describe(), failure);
                    loggedFailure = failure;
                }
            } else if (loggedFailure != null) {
                LOG.info("{}: polling recovered", definition.describe());
                loggedFailure = null;
            }
            metrics.poll(state, elapsed, failure != null);
            firstPoll.tryComplete();
            long nowMillis = System.currentTimeMillis();
            long delay = PollSchedule.delayToNextPoll(definition.pollInterval().toMillis(),
                    nowMillis - TimeUnit.NANOSECONDS.toMillis(elapsed), nowMillis);
            timer = vertx.setTimer(delay, id -> poll());
        }

        private String describe(Throwable error, MetricDefinition definition) {
            return error.getMessage() == null ? error.getClass().getName() : error.getMessage();
        }

        @Override
        public Vertx vertx() {
            return vertx;
        }

        @Override
        public Clock clock() {
            return clock;
        }

        @Override
        public java.time.Duration pollTimeout() {
            return state.definition().timeout();
        }

        @Override
        public String metricId() {
            return state.definition().key().id();
        }

        @Override
        public io.micrometer.core.instrument.MeterRegistry meterRegistry() {
            return metrics.registry();
        }

        @Override
        public WorkerExecutor blockingExecutor() {
            return executor(state.definition().type());
        }
    }
}
