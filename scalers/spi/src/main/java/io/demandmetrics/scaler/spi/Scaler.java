package io.demandmetrics.scaler.spi;

import io.vertx.core.Future;
import java.util.List;

/**
 * Reads one configured metric from its source. One instance per metric; the adapter
 * never calls {@link #fetch()} again before the previous future has completed.
 */
public interface Scaler {

    /**
     * Reads the current demand.
     *
     * <p>Called on an event-loop thread: return at once with a future and do the I/O
     * asynchronously or on {@link ScalerContext#blockingExecutor()}. The adapter applies
     * the poll timeout; a future that completes after it is ignored.
     *
     * <p>For an external metric, return one {@link Sample} per series (the HPA sums them);
     * for a custom metric about Kubernetes objects, one sample per described object
     * ({@link Sample#forObject}). Values are per the metric's meaning (replicas, messages,
     * requests per second); negative values are served as 0, NaN and infinities are errors.
     *
     * @return the samples, or a failed future whose message says what went wrong
     *     (never including secrets)
     */
    Future<List<Sample>> fetch();

    /**
     * Releases what the scaler holds (clients, connections, timers). Called once, when
     * its metric is removed or reconfigured or the adapter stops; no {@link #fetch()}
     * follows. Must not block the event loop.
     */
    default Future<Void> close() {
        return Future.succeededFuture();
    }
}
