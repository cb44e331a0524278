package io.demandmetrics.adapter.replicas;

import io.demandmetrics.adapter.config.MetricDefinition;
import io.demandmetrics.adapter.store.MetricStore;
import io.demandmetrics.adapter.store.Ownership;
import io.demandmetrics.adapter.store.PollListener;
import io.vertx.core.Future;

/**
 * How this replica shares the polling with the others: {@link #ALONE} polls everything (standalone,
 * or replica sharing off); {@link LeaseSharing} polls the buckets whose Leases it holds and
 * serves the rest from the readings their owners send.
 */
public interface Sharing {

    /** Polls every metric; nothing is sent or received. */
    Sharing ALONE = new Sharing() {
        @Override
        public Ownership ownership() {
            return Ownership.EVERYTHING;
        }

        @Override
        public PollListener listener() {
            return new PollListener() { };
        }

        @Override
        public Future<Void> start(MetricStore store) {
            return Future.succeededFuture();
        }

        @Override
        public String ownerOf(MetricDefinition definition) {
            return null;
        }

        @Override
        public Future<Void> close() {
            return Future.succeededFuture();
        }
    };

    /** Which metrics the store polls here. */
    Ownership ownership();

    /** Told of every poll (the store's listener): what is polled here goes to the other replicas. */
    PollListener listener();

    /** Starts sharing with {@code store}: receiving, sending, and the Leases. */
    Future<Void> start(MetricStore store);

    /** The replica that polls {@code definition} as last seen, or null when sharing is off or nobody live does. */
    String ownerOf(MetricDefinition definition);

    /** Gives the buckets back (so the others take over at once) and stops sending and receiving. */
    Future<Void> close();

    /**
     * Runs {@code then} after each change of the buckets held here has reached the store (work
     * that follows ownership but is not polling: the statuses of DemandMetrics that serve
     * nothing). Nothing to do when this replica does everything.
     */
    default void afterOwnershipChanges(Runnable then) {
    }
}
