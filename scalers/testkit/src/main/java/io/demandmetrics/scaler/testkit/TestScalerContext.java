package io.demandmetrics.scaler.testkit;

import io.demandmetrics.scaler.spi.ScalerContext;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;

/**
 * A {@link ScalerContext} for driving a scaler in tests as the adapter would: a Vert.x
 * instance, the system clock (or one given), a shared worker pool named after the scaler type, and no meters.
 * The contexts of one Vert.x instance share {@link #shared} instances, as the scalers of one adapter do.
 */
public final class TestScalerContext implements ScalerContext {

    /** Per Vert.x instance, as the adapter keeps them per adapter (tests make few instances). */
    private static final java.util.Map<Vertx, java.util.Map<Class<?>, Object>> SHARED = new java.util.HashMap<>();

    private final Vertx vertx;
    private final String metricId;
    private final WorkerExecutor workers;
    private final java.time.Duration pollTimeout;
    private String describes = "external";
    private io.micrometer.core.instrument.MeterRegistry meters = NO_METERS;
    private Clock clock = Clock.systemUTC();

    /**
     * @param type the scaler type, naming the worker pool (as the adapter names it)
     * @param metricId what the scaler sees as its metric, {@code namespace/name}
     */
    public TestScalerContext(Vertx vertx, String type, String metricId) {
        this(vertx, type, metricId, java.time.Duration.ofSeconds(10));
    }

    /** The same, for a metric whose poll timeout is {@code pollTimeout}. */
    public TestScalerContext(Vertx vertx, String type, String metricId, java.time.Duration pollTimeout) {
        this.vertx = vertx;
        this.metricId = metricId;
        this.workers = vertx.createSharedWorkerExecutor("scaler-" + type, 4);
        this.pollTimeout = pollTimeout;
    }

    /**
     * The scaler for {@code config}, created with this context on an event loop, as the
     * adapter creates it; waits up to 10 s.
     */
    public <C> io.demandmetrics.scaler.spi.Scaler createScaler(io.demandmetrics.scaler.spi.ScalerProvider<C> provider,
                                                               C config) throws Exception {
        io.vertx.core.Promise<io.demandmetrics.scaler.spi.Scaler> created = io.vertx.core.Promise.promise();
        vertx.runOnContext(ignored -> {
            try {
                created.complete(provider.createScaler(config, this));
            } catch (RuntimeException e) {
                created.fail(e);
            }
        });
        return created.future().toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** This context, for a metric that describes {@code resource} ({@code pods}, ...) rather than an external one. */
    public TestScalerContext describing(String resource) {
        this.describes = resource;
        return this;
    }

    /** This context, with "now" read from {@code clock} (a fixed instant, to compare with a query at it). */
    public TestScalerContext at(Clock clock) {
        this.clock = clock;
        return this;
    }

    /** This context, with meters going to {@code registry}. */
    public TestScalerContext metered(io.micrometer.core.instrument.MeterRegistry registry) {
        this.meters = registry;
        return this;
    }

    @Override
    public <T> T shared(Class<T> type, java.util.function.Supplier<? extends T> create) {
        java.util.Map<Class<?>, Object> instances;
        synchronized (SHARED) {
            instances = SHARED.computeIfAbsent(vertx, v -> new java.util.concurrent.ConcurrentHashMap<>());
        }
        return type.cast(instances.computeIfAbsent(type, t -> java.util.Objects.requireNonNull(create.get(),
                "ScalerContext.shared(" + type.getName() + ") was given null")));
    }

    @Override
    public String describes() {
        return describes;
    }

    @Override
    public io.micrometer.core.instrument.MeterRegistry meterRegistry() {
        return meters;
    }

    @Override
    public java.time.Duration pollTimeout() {
        return pollTimeout;
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
        return metricId;
    }

    @Override
    public WorkerExecutor blockingExecutor() {
        return workers;
    }
}
