package io.demandmetrics.scaler.kafka;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * KEDA's lag of one partition (getLagForPartition), and the memory excludePersistentLag
 * needs: the committed offsets of the previous poll. Negative lag (a committed offset past
 * the end, after a topic was recreated) is 0: KEDA let it reach the HPA.
 */
final class PartitionLag {

    /**
     * @param withPersistent the partition's lag
     * @param persistent whether excludePersistentLag leaves it out of the scaled value
     */
    record Lag(long withPersistent, boolean persistent) {
    }

    private final KafkaLagConfig config;
    private Map<TopicPartition, Long> previous = new HashMap<>();

    PartitionLag(KafkaLagConfig config) {
        this.config = config;
    }

    /**
     * @param committed the group's committed offset, or -1 when it has none
     * @param latest the partition's latest offset
     * @param seen collects the committed offsets of this poll, for {@link #remember}
     */
    Lag lag(TopicPartition partition, long committed, long latest, Map<TopicPartition, Long> seen) {
        if (committed < 0) {
            // No commit: the consumer will start where offsetResetPolicy says. KEDA's code
            // (not its docs) counts 1 for latest, the whole log for earliest; 0 with the flag.
            if (config.scaleToZeroOnInvalidOffset()) {
                return new Lag(0, false);
            }
            return new Lag(config.offsetResetPolicy() == OffsetResetPolicy.LATEST ? 1 : Math.max(0, latest), false);
        }
        long lag = Math.max(0, latest - committed);
        if (config.excludePersistentLag()) {
            seen.put(partition, committed);
            Long before = previous.get(partition);
            if (before != null && before == committed) {
                return new Lag(lag, true);
            }
        }
        return new Lag(lag, false);
    }

    /** Keeps this poll's offsets for the next; partitions no longer measured are forgotten. */
    void remember(Map<TopicPartition, Long> seen) {
        if (config.excludePersistentLag()) {
            previous = seen;
        }
    }
}
