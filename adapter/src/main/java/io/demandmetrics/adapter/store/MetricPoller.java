package io.demandmetrics.adapter.store;

import io.demandmetrics.adapter.config.MetricDefinition;
import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.spi.WarmingUp;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls one metric: at its instants of its interval ({@link PollSchedule}) a
 * {@link TimedFetch}, whose samples the {@link ReadingValidator} turns into the metric's new
 * reading, or whose failure is recorded beside the last good one. Lives on the store's context.
 */
final class MetricPoller {

    private static final Logger LOG = LoggerFactory.getLogger(MetricStore.class);

    private final Vertx vertx;
    private final Clock clock;
    private final PollListener listener;
    private final MetricState state;
    private final Scaler scaler;
    private final TimedFetch fetch;
    private final FailureLog failures;
    private final long phaseMillis;
    private final Promise<Void> firstPoll = Promise.promise();
    private long timer = -1;
    private boolean stopped;
    /** Until then (nanoTime) a good poll does not replace a fresh value this state already serves; 0: never. */
    private final long holdUntilNanos;

    MetricPoller(Vertx vertx, Clock clock, PollListener listener, MetricState state, Scaler scaler,
                 TimedFetch fetch) {
        this(vertx, clock, listener, state, scaler, fetch, FailureLog.PER_METRIC, false);
    }

    /**
     * @param failuresTo where its failures are logged: a line each, or with its source's
     * @param takingOver the state already serves what another replica polled: the scaler's
     *     {@link Scaler#warmUp()} values (a rate over part of its window) do not replace it
     */
    MetricPoller(Vertx vertx, Clock clock, PollListener listener, MetricState state, Scaler scaler,
                 TimedFetch fetch, FailureLog.Reporter failuresTo, boolean takingOver) {
        this.holdUntilNanos = takingOver && !scaler.warmUp().isZero()
                ? System.nanoTime() + scaler.warmUp().toNanos() : 0;
        this.vertx = vertx;
        this.clock = clock;
        this.listener = listener;
        this.state = state;
        this.scaler = scaler;
        this.fetch = fetch;
        this.failures = new FailureLog(state.definition().describe(), failuresTo, state.definition().maxAge(),
                System::nanoTime);
        this.phaseMillis = PollSchedule.phase(state.definition().placement(),
                state.definition().pollInterval().toMillis());
    }

    MetricState state() {
        return state;
    }

    /** Polls now and then on the interval; the future completes when the first poll has ended. */
    Future<Void> start() {
        listener.started(state);
        poll();
        return firstPoll.future();
    }

    /** Stops polling and closes the scaler; a poll still running is ignored when it ends. */
    Future<Void> stop() {
        stopped = true;
        firstPoll.tryComplete();
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        listener.retired(state);
        failures.retired();
        return closeScaler();
    }

    private void poll() {
        timer = -1;
        long started = System.nanoTime();
        fetch.fetch().onComplete(result -> completed(result.result(), result.cause(), started));
    }

    private void completed(List<Sample> samples, Throwable error, long started) {
        if (stopped) {
            return;
        }
        long elapsed = System.nanoTime() - started;
        MetricDefinition definition = state.definition();
        String failure = null;
        if (error != null) {
            failure = error.getMessage() == null ? error.getClass().getName() : error.getMessage();
        } else if (!warmingUpOverAFreshValue()) {
            try {
                state.succeeded(ReadingValidator.validate(definition, samples, clock.instant()));
            } catch (IllegalStateException e) {
                failure = e.getMessage();
            }
        }
        if (failure != null) {
            state.failed(new Failure(failure, clock.instant()));
            failures.failed(failure, error instanceof WarmingUp);
        } else {
            failures.succeeded();
        }
        listener.polled(state, elapsed, failure != null);
        firstPoll.tryComplete();
        long nowMillis = System.currentTimeMillis();
        long delay = PollSchedule.delayToNextPoll(definition.pollInterval().toMillis(), phaseMillis,
                nowMillis - TimeUnit.NANOSECONDS.toMillis(elapsed), nowMillis);
        timer = vertx.setTimer(delay, id -> poll());
    }

    /** Taking over: the scaler is still in its warm-up, and the value served meanwhile is still fresh. */
    private boolean warmingUpOverAFreshValue() {
        return holdUntilNanos != 0 && System.nanoTime() < holdUntilNanos
                && state.health(clock.instant()) == MetricState.Health.OK;
    }

    private Future<Void> closeScaler() {
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
}
