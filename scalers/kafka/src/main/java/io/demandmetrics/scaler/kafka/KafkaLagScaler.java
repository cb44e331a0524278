package io.demandmetrics.scaler.kafka;

import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.spi.ScalerContext;
import io.demandmetrics.scaler.support.SharedResources;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * One {@code kafka-lag} metric: asks its cluster's shared poller for the group's offsets and
 * turns them into one sample per partition (labels {@code topic}, {@code partition}); the
 * provider's {@code combine} sums them as KEDA does.
 */
final class KafkaLagScaler implements Scaler {

    private final KafkaLagConfig config;
    private final SharedResources<ClusterSettings, KafkaClusters.SharedCluster>.Lease cluster;
    private final ClusterPoller poller;
    private final ScalerContext context;
    private final PartitionLag lagRule;

    KafkaLagScaler(KafkaLagConfig config, SharedResources<ClusterSettings, KafkaClusters.SharedCluster>.Lease cluster,
                   ScalerContext context) {
        this.config = config;
        this.cluster = cluster;
        this.poller = cluster.resource().poller();
        this.context = context;
        this.lagRule = new PartitionLag(config);
    }

    @Override
    public Future<List<Sample>> fetch() {
        Context caller = context.vertx().getOrCreateContext();
        Promise<List<Sample>> result = Promise.promise();
        // Computed on the poller's thread: 10,000 partitions stay off the event loop.
        poller.offsets(config.consumerGroup(), config.topics(), context.sourceTimeout()).thenApply(this::samples).whenComplete((samples, e) ->
                caller.runOnContext(v -> {
                    if (e != null) {
                        result.fail(PollCycle.unwrap(e));
                    } else {
                        result.complete(samples);
                    }
                }));
        return result.future();
    }

    /** One sample per measured partition; the adapter never fetches concurrently, so lagRule is ours alone. */
    List<Sample> samples(GroupOffsets offsets) {
        List<Sample> samples = new ArrayList<>();
        Map<TopicPartition, Long> seen = new HashMap<>();
        offsets.partitions().forEach((topic, ids) -> {
            int measured = 0;
            for (int id : ids) {
                if (config.partitionLimitation() != null && !config.partitionLimitation().contains(id)) {
                    continue;
                }
                measured++;
                TopicPartition tp = new TopicPartition(topic, id);
                Long committed = offsets.committed().get(tp);
                PartitionLag.Lag lag = lagRule.lag(tp, committed == null ? -1 : committed, offsets.latest().get(tp), seen);
                Map<String, String> labels = lag.persistent()
                        ? Map.of(LagTotals.TOPIC, topic, LagTotals.PARTITION, Integer.toString(id), LagTotals.PERSISTENT, "true")
                        : Map.of(LagTotals.TOPIC, topic, LagTotals.PARTITION, Integer.toString(id));
                samples.add(Sample.of(labels, lag.withPersistent()));
            }
            if (measured == 0 && config.partitionLimitation() != null) {
                throw new IllegalStateException("partitionLimitation " + config.partitionLimitation()
                        + " leaves no partition of topic \"" + topic + "\" (it has " + ids.size() + ")");
            }
        });
        lagRule.remember(seen);
        return samples;
    }

    @Override
    public Future<Void> close() {
        cluster.release();
        return Future.succeededFuture();
    }
}
