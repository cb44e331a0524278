package io.demandmetrics.adapter.replicas;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandmetrics.adapter.api.KubernetesResource;
import io.demandmetrics.adapter.config.MetricKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Which metrics a replica polls, from the buckets it holds. */
class LeasedOwnershipTest {

    @Test
    void aMetricsBucketIsFixedAndTheBucketsShareTenThousandMetricsEvenly() {
        MetricKey orders = MetricKey.external("shop", "orders");
        assertThat(LeasedOwnership.bucketOf(orders, 32)).isEqualTo(LeasedOwnership.bucketOf(orders, 32))
                .isBetween(0, 31);
        MetricKey customTwin = new MetricKey(KubernetesResource.byName("pods").orElseThrow(), "shop", "orders");
        List<Integer> spread = new ArrayList<>();
        int[] counts = new int[32];
        for (int i = 0; i < 10_000; i++) {
            counts[LeasedOwnership.bucketOf(MetricKey.external("team-" + (i % 100), "scheduled-" + i), 32)]++;
        }
        for (int count : counts) {
            spread.add(count);
        }
        // 312.5 each on average: every bucket within 20 % of it, so 3 replicas poll about a third each
        assertThat(spread).allSatisfy(count -> assertThat(count).isBetween(250, 375));
        assertThat(LeasedOwnership.bucketOf(customTwin, 1 << 20))
                .as("the external and the custom metric of one name are different metrics")
                .isNotEqualTo(LeasedOwnership.bucketOf(orders, 1 << 20));
    }

    @Test
    void theMetricsOfHeldBucketsArePolledAndEachChangeIsPassedOn() {
        AtomicInteger changes = new AtomicInteger();
        LeasedOwnership ownership = new LeasedOwnership(8, changes::incrementAndGet);
        MetricKey key = MetricKey.external("shop", "orders");
        int bucket = ownership.bucketOf(key);
        assertThat(ownership.polls(key)).isFalse();
        ownership.acquired(bucket);
        assertThat(ownership.polls(key)).isTrue();
        ownership.acquired((bucket + 1) % 8);
        ownership.lost(bucket, "released to balance");
        assertThat(ownership.polls(key)).isFalse();
        assertThat(changes).hasValue(3);
    }
}
