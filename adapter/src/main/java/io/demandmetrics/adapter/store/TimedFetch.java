package io.demandmetrics.adapter.store;

import io.demandmetrics.adapter.config.MetricDefinition;
import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.support.Durations;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * Calls one metric's {@link Scaler#fetch()} under the metric's timeout, and never twice at
 * once: a fetch that outlived its poll's timeout is still running, and until it completes the
 * next poll fails without calling the scaler again (the SPI promises no overlapping calls).
 * Whatever the scaler does (throws, returns null, completes on its client's own thread, never
 * completes), the result arrives on the store's context. Used on that context only.
 */
final class TimedFetch {

    private final Vertx vertx;
    private final Context context;
    private final MetricDefinition definition;
    private final Scaler scaler;
    /** The last fetch while it has not completed, even after its poll timed out. */
    private Future<List<Sample>> unfinished;

    TimedFetch(Vertx vertx, Context context, MetricDefinition definition, Scaler scaler) {
        this.vertx = vertx;
        this.context = context;
        this.definition = definition;
        this.scaler = scaler;
    }

    /** The samples, or the failure: the scaler's own, a timeout, or a still-running fetch. */
    Future<List<Sample>> fetch() {
        if (unfinished != null) {
            return Future.failedFuture(new IllegalStateException("the poll timed out after "
                    + Durations.format(definition.timeout()) + " and the " + definition.type()
                    + " scaler has not finished it; it is not called again until it does"));
        }
        Future<List<Sample>> fetched = call();
        Promise<List<Sample>> outcome = Promise.promise();
        long deadline = vertx.setTimer(definition.timeout().toMillis(), id -> outcome.tryFail(
                new TimeoutException("the poll timed out after " + Durations.format(definition.timeout()))));
        unfinished = fetched;
        fetched.onComplete(result -> {
            onStoreContext(() -> unfinished = null); // queued before the outcome: seen by the next poll
            vertx.cancelTimer(deadline);
            if (result.succeeded()) {
                outcome.tryComplete(result.result());
            } else {
                outcome.tryFail(result.cause());
            }
        });
        Promise<List<Sample>> onContext = Promise.promise();
        outcome.future().onComplete(result -> onStoreContext(() -> onContext.handle(result)));
        return onContext.future();
    }

    private Future<List<Sample>> call() {
        try {
            Future<List<Sample>> fetched = scaler.fetch();
            return fetched != null ? fetched
                    : Future.failedFuture("the " + definition.type() + " scaler returned no future (null)");
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    /** Runs now on the store's context, or queued to it from a client's own thread. */
    private void onStoreContext(Runnable action) {
        if (Vertx.currentContext() == context) {
            action.run();
        } else {
            context.runOnContext(v -> action.run());
        }
    }
}
