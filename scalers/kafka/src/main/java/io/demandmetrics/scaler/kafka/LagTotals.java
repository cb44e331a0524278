package io.demandmetrics.scaler.kafka;

import io.demandmetrics.scaler.spi.Sample;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sums per-partition samples into the value served, with KEDA's cap and activation. Pure:
 * the same samples give the same value, whichever topics an HPA selector picked.
 */
final class LagTotals {

    /** Labels of a partition's sample; the HPA's {@code metric.selector} matches on them. */
    static final String TOPIC = "topic";
    static final String PARTITION = "partition";
    /**
     * Marks a partition that {@code excludePersistentLag} leaves out: its committed offset has
     * not moved since the last poll. Its value still counts for activation, as in KEDA.
     */
    static final String PERSISTENT = "persistentLag";

    /**
     * Served when the group is active but every lagging partition was excluded as persistent:
     * KEDA keeps one replica then (it activates the target, the HPA sees 0). The smallest
     * quantity above 0 makes an HPA with minReplicas 0 keep one replica too, and changes
     * nothing for minReplicas 1 or more.
     */
    static final double ACTIVE_FLOOR = 0.001;

    private LagTotals() {
    }

    static List<Sample> combine(KafkaLagConfig config, List<Sample> matched, boolean narrowed) {
        if (matched.isEmpty() && narrowed) {
            return List.of(); // the selector named no topic the group reads: no value, not a zero
        }
        long totalLag = 0;
        long totalWithPersistent = 0;
        long partitions = 0;
        long partitionsWithLag = 0;
        Instant measuredAt = null;
        Map<String, String> common = null;
        for (Sample sample : matched) {
            long lag = (long) sample.value();
            totalWithPersistent += lag;
            partitions++;
            if (!sample.labels().containsKey(PERSISTENT)) {
                totalLag += lag;
                if (lag > 0) {
                    partitionsWithLag++;
                }
            }
            if (measuredAt == null || (sample.timestamp() != null && sample.timestamp().isBefore(measuredAt))) {
                measuredAt = sample.timestamp();
            }
            common = commonLabels(common, sample.labels());
        }
        if (!config.allowIdleConsumers() || config.limitToPartitionsWithLag()) {
            // KEDA: a replica beyond the partition count would sit idle. Its test is in integer
            // division, so 39 over a threshold of 10 on 3 partitions is not capped (and gives 4
            // replicas); kept, so the replica counts match KEDA's.
            long upperBound = partitions;
            if (config.limitToPartitionsWithLag() && partitionsWithLag > 0) {
                upperBound = partitionsWithLag;
            }
            if (totalLag / config.lagThreshold() > upperBound) {
                totalLag = upperBound * config.lagThreshold();
            }
        }
        double value;
        if (totalWithPersistent <= config.activationLagThreshold()) {
            value = 0;
        } else {
            value = totalLag > 0 ? totalLag : ACTIVE_FLOOR;
        }
        return List.of(new Sample(null, common == null ? Map.of() : common, value, measuredAt, null));
    }

    /** The labels all samples share, without the per-partition ones. */
    private static Map<String, String> commonLabels(Map<String, String> common, Map<String, String> labels) {
        if (common == null) {
            Map<String, String> first = new HashMap<>(labels);
            first.remove(PARTITION);
            first.remove(PERSISTENT);
            return first;
        }
        common.entrySet().removeIf(e -> !e.getValue().equals(labels.get(e.getKey())));
        return common;
    }
}
