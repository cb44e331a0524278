package io.demandmetrics.adapter.store;

import io.demandmetrics.adapter.config.MetricDefinition;
import io.demandmetrics.scaler.spi.Pods;
import io.demandmetrics.scaler.spi.ScalerContext;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/** What the adapter gives one metric's scaler: nothing more, and nothing of the poller's. */
final class MetricScalerContext implements ScalerContext {

    private final Vertx vertx;
    private final Clock clock;
    private final MetricDefinition definition;
    private final MeterRegistry meters;
    private final ScalerExecutors executors;
    private final Optional<Pods> pods;
    private final SharedInstances shared;

    MetricScalerContext(Vertx vertx, Clock clock, MetricDefinition definition, MeterRegistry meters,
                        ScalerExecutors executors, Optional<Pods> pods, SharedInstances shared) {
        this.pods = pods;
        this.shared = shared;
        this.vertx = vertx;
        this.clock = clock;
        this.definition = definition;
        this.meters = meters;
        this.executors = executors;
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
    public String metricId() {
        return definition.key().id();
    }

    @Override
    public String namespace() {
        return definition.key().namespace();
    }

    @Override
    public Optional<Pods> pods() {
        return pods;
    }

    @Override
    public String describes() {
        return definition.key().describes();
    }

    @Override
    public Duration pollTimeout() {
        return definition.timeout();
    }

    @Override
    public MeterRegistry meterRegistry() {
        return meters;
    }

    @Override
    public <T> T shared(Class<T> type, Supplier<? extends T> create) {
        return shared.get(type, create);
    }

    @Override
    public WorkerExecutor blockingExecutor() {
        return executors.forType(definition.type());
    }
}
