package io.demandmetrics.scaler.kafka;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * What one poll cycle read for one consumer group: the offsets it committed and, for the
 * topics asked about, every partition and its latest offset.
 *
 * @param committed the group's committed offsets; a partition without a commit is absent
 * @param partitions for each topic measured, its partition numbers in order
 * @param latest the latest (high-watermark) offset of every partition in {@code partitions}
 */
record GroupOffsets(Map<TopicPartition, Long> committed, Map<String, List<Integer>> partitions,
                    Map<TopicPartition, Long> latest) {
}
