package io.demandmetrics.adapter.replicas;

import io.demandmetrics.adapter.config.MetricDefinition;
import io.demandmetrics.adapter.store.Ownership;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;

/**
 * Ownership by buckets: a metric belongs to bucket {@code crc32(placement) mod buckets}
 * ({@link MetricDefinition#placement()}: its {@code describes/id}, or the polling it shares
 * with other metrics, such as the pods of a namespace that {@code rps} and {@code latency}
 * metrics scrape), the same on every replica and across restarts, and this replica polls the
 * metrics of the buckets whose Leases it holds ({@link BucketLeases} tells it, through
 * {@link BucketLeases.Listener}). A change is passed on, after the held set is updated, to
 * {@code changed} (the store's {@code ownershipChanged}).
 */
public final class LeasedOwnership implements Ownership, BucketLeases.Listener {

    private final int buckets;
    private final Runnable changed;
    private final Set<Integer> held = ConcurrentHashMap.newKeySet();

    public LeasedOwnership(int buckets, Runnable changed) {
        this.buckets = buckets;
        this.changed = changed;
    }

    /** The bucket of a metric placed by {@code placement}, in [0, buckets). */
    public static int bucketOf(String placement, int buckets) {
        CRC32 crc = new CRC32();
        crc.update(placement.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % buckets);
    }

    public int bucketOf(MetricDefinition definition) {
        return bucketOf(definition.placement(), buckets);
    }

    @Override
    public boolean polls(MetricDefinition definition) {
        return held.contains(bucketOf(definition));
    }

    @Override
    public boolean holds(String placement) {
        return held.contains(bucketOf(placement, buckets));
    }

    @Override
    public void acquired(int bucket) {
        held.add(bucket);
        changed.run();
    }

    @Override
    public void lost(int bucket, String why) {
        held.remove(bucket);
        changed.run();
    }
}
