package io.demandmetrics.adapter.store;

import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The worker pools scalers run blocking calls on: one per scaler type, named
 * {@code scaler-<type>}, so one slow backend cannot starve the others. A scaler may ask for
 * its pool from any thread; all are closed with the store.
 */
final class ScalerExecutors {

    private static final int THREADS_PER_TYPE = 4;

    private final Vertx vertx;
    private final Map<String, WorkerExecutor> byType = new ConcurrentHashMap<>();

    ScalerExecutors(Vertx vertx) {
        this.vertx = vertx;
    }

    WorkerExecutor forType(String type) {
        return byType.computeIfAbsent(type, t -> vertx.createSharedWorkerExecutor("scaler-" + t, THREADS_PER_TYPE));
    }

    void close() {
        byType.values().forEach(WorkerExecutor::close);
        byType.clear();
    }
}
