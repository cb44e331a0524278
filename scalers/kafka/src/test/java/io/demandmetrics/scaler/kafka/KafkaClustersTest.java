package io.demandmetrics.scaler.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The shared client's meters, without a broker (acquiring connects to nothing). */
class KafkaClustersTest {

    @Test
    void theMetricsUsingAClientAreCountedForAsLongAsItIsOpen() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        KafkaClusters clusters = new KafkaClusters();
        ClusterSettings settings = new ClusterSettings("127.0.0.1:1", null, null, new TreeMap<>());
        var first = clusters.acquire(settings, registry);
        var second = clusters.acquire(settings, registry);
        assertThat(second.resource()).isSameAs(first.resource());
        for (int i = 0; i < 3; i++) {
            System.gc(); // a gauge whose object only Micrometer holds (weakly) reads NaN once collected
        }
        assertThat(registry.get("demand_adapter_kafka_metrics").gauge().value()).isEqualTo(2.0);
        first.release();
        assertThat(registry.get("demand_adapter_kafka_metrics").gauge().value()).isEqualTo(1.0);
        second.release();
        assertThat(registry.find("demand_adapter_kafka_metrics").gauge()).as("removed with the client").isNull();
    }
}
