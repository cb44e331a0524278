package io.demandmetrics.adapter.store;

import io.demandmetrics.adapter.config.MetricDefinition;

/**
 * Which metrics this replica polls. The others it serves from the readings their owners
 * replicate ({@link MetricStore#replicated}). Standalone and with one replica it polls
 * everything; with several, each metric's bucket says who polls it.
 */
@FunctionalInterface
public interface Ownership {

    /** Polls every metric: standalone, one replica, tests. */
    Ownership EVERYTHING = definition -> true;

    /**
     * Whether this replica polls {@code definition}'s source now (placed by {@link
     * MetricDefinition#placement()}). Called on the store's context; must not block.
     */
    boolean polls(MetricDefinition definition);

    /**
     * Whether this replica holds the bucket {@code placement} falls in, for work that is not a
     * metric's polling but must be done by one replica (the status of a DemandMetric that serves
     * nothing). Everything, unless replicas share the work.
     */
    default boolean holds(String placement) {
        return true;
    }
}
