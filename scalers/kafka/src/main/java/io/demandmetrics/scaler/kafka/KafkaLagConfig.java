package io.demandmetrics.scaler.kafka;

import java.util.List;

/**
 * One {@code kafka-lag} metric's settings, named and defaulted as KEDA's kafka trigger.
 *
 * @param topics the topics to measure; empty means every topic the group has committed
 *     offsets for
 * @param partitionLimitation the partitions to measure, or null for all
 */
record KafkaLagConfig(ClusterSettings cluster, String consumerGroup, List<String> topics,
                      PartitionSet partitionLimitation, long lagThreshold, long activationLagThreshold,
                      OffsetResetPolicy offsetResetPolicy, boolean allowIdleConsumers,
                      boolean limitToPartitionsWithLag, boolean excludePersistentLag,
                      boolean scaleToZeroOnInvalidOffset) {

    KafkaLagConfig {
        topics = List.copyOf(topics);
    }
}
