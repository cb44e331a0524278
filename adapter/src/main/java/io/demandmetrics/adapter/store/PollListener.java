package io.demandmetrics.adapter.store;

/**
 * Told of each metric's polling by the store: the adapter's per-metric meters listen, and the
 * replicator (each new reading goes to the other replicas). Called on the store's context; an
 * implementation must not block. Each method does nothing unless overridden.
 *
 * <p>A reload that changes a metric starts the new poller before it retires the old one, so
 * for one metric key {@link #started} of the new state comes before {@link #retired} of the old.
 */
public interface PollListener {

    /** A poller for {@code state} starts polling. */
    default void started(MetricState state) {
    }

    /** One poll of {@code state}'s source ended after {@code nanos}, failed or not. */
    default void polled(MetricState state, long nanos, boolean failed) {
    }

    /** {@code state}'s poller stopped for good (removed, replaced by a reload, ownership moved, or shutdown). */
    default void retired(MetricState state) {
    }

    /** Tells {@code first}, then {@code second}. */
    static PollListener both(PollListener first, PollListener second) {
        return new PollListener() {
            @Override
            public void started(MetricState state) {
                first.started(state);
                second.started(state);
            }

            @Override
            public void polled(MetricState state, long nanos, boolean failed) {
                first.polled(state, nanos, failed);
                second.polled(state, nanos, failed);
            }

            @Override
            public void retired(MetricState state) {
                first.retired(state);
                second.retired(state);
            }
        };
    }
}
