package io.demandmetrics.scaler.spi;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;

/**
 * Reads one configured metric from its source. One instance per metric.
 *
 * <p>Calls never overlap: the adapter does not call {@link #fetch()} again before the
 * previous future has completed, even when that poll timed out (until the late future
 * completes, the metric's polls fail with "the poll timed out ... has not finished it"
 * without calling the scaler). {@link #close()} may come while a fetch is still running.
 */
public interface Scaler {

    /**
     * Reads the current demand.
     *
     * <p>Called on an event-loop thread: return at once with a future and do the I/O
     * asynchronously or on {@link ScalerContext#blockingExecutor()}. The adapter applies
     * the poll timeout; a future that completes after it is ignored, and the next call
     * waits for it (see the class comment). The future may complete on any thread.
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
     * How long after this scaler was created its values may understate the demand: a rate over
     * a window reads low until the scaler has watched a whole window. When the adapter's replicas
     * share the polling and a metric moves to a new owner, the new owner keeps serving the
     * value the previous owner sent for this long (within the metric's {@code maxAge}) before it
     * serves its own. Zero (the default) for a scaler whose first value is as good as any.
     */
    default Duration warmUp() {
        return Duration.ZERO;
    }

    /**
     * Releases what the scaler holds (clients, connections, timers). Called once, on an
     * event-loop thread, when its metric is removed or reconfigured or the adapter stops,
     * possibly while a {@link #fetch()} is still running (its result is then ignored); no
     * {@link #fetch()} follows. Must not block the event loop.
     */
    default Future<Void> close() {
        return Future.succeededFuture();
    }
}
