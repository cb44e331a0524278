package io.demandmetrics.scaler.kafka;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * One batched read of a cluster for every consumer group asked about: one
 * {@code listConsumerGroupOffsets} for all groups, one {@code describeTopics} for all their
 * topics, one {@code listOffsets} for all those partitions. Kafka's Admin client turns each
 * into as few requests as there are coordinators or leaders; none is per metric or per
 * partition.
 *
 * <p>Two functions: {@link #read} turns a batch of queries into a {@link Result}, what the
 * cluster said about each group, topic and partition (a value or an error); {@link #answer}
 * is a pure function of that result and one query, so a missing topic fails only the
 * metrics that name it. Admin futures complete on the client's network thread; each step
 * continues on the poller's thread ({@code loop}).
 */
final class PollCycle {

    /**
     * One metric's question: a group and the topics it measures (empty: those it committed to).
     *
     * @param deadlineNanos ({@link System#nanoTime()}) by when Kafka must have answered, so its
     *     own error, not the adapter's poll timeout, reaches the metric
     */
    record Query(String group, List<String> topics, long deadlineNanos, CompletableFuture<GroupOffsets> result) {
    }

    /** Each key's value, or its error. */
    record Settled<K, V>(Map<K, V> values, Map<K, Throwable> errors) {

        static <K, V> Settled<K, V> none() {
            return new Settled<>(Map.of(), Map.of());
        }
    }

    /**
     * What one cycle read: committed offsets per group, partitions per topic, latest offsets per
     * partition, each with its errors; or, when a step failed as a whole, {@code failure}.
     */
    record Result(Settled<String, Map<TopicPartition, Long>> committed, Settled<String, List<Integer>> partitions,
                  Settled<TopicPartition, Long> latest, String failure) {

        static Result failed(String failure) {
            return new Result(Settled.none(), Settled.none(), Settled.none(), failure);
        }

        /** A cycle that failed as a whole with {@code error}. */
        static Result failed(String cluster, Throwable error) {
            return failed("polling " + cluster + " failed: " + describe(error));
        }

        /** Whether the brokers refused the client's credentials (then the client is rebuilt, re-reading them). */
        boolean authenticationFailed() {
            return Stream.of(committed.errors(), partitions.errors(), latest.errors())
                    .flatMap(errors -> errors.values().stream())
                    .anyMatch(e -> unwrap(e) instanceof AuthenticationException);
        }
    }

    /** A query's answer: its group's offsets, or what went wrong. */
    record Answer(GroupOffsets offsets, String error) {
    }

    /** DescribeTopicPartitions pages its answer; ask for large pages (the broker caps them). */
    private static final int PARTITIONS_PER_PAGE = 100_000;

    private PollCycle() {
    }

    /**
     * Reads what {@code queries} need, each call bounded by the earliest of their deadlines.
     *
     * @return a future completed, never failed, when all reads have settled
     */
    static CompletableFuture<Result> read(Admin admin, String cluster, List<Query> queries, Executor loop) {
        long deadlineNanos = queries.stream().mapToLong(Query::deadlineNanos).min().orElse(System.nanoTime());
        Set<String> groups = new TreeSet<>();
        queries.forEach(q -> groups.add(q.group()));
        return settle(committedOffsets(admin, groups, deadlineNanos), loop)
                .thenComposeAsync(committed -> {
                    Set<String> topics = new TreeSet<>();
                    queries.stream().filter(q -> !committed.errors().containsKey(q.group()))
                            .forEach(q -> topics.addAll(topicsOf(q, committed)));
                    return settle(partitions(admin, topics, deadlineNanos), loop).thenComposeAsync(partitions ->
                            settle(latestOffsets(admin, partitions.values(), deadlineNanos), loop)
                                    .thenApply(latest -> new Result(committed, partitions, latest, null)), loop);
                }, loop)
                .exceptionally(e -> Result.failed(cluster, e));
    }

    /** The answer to {@code query} from what the cycle read. */
    static Answer answer(Result result, String cluster, Query query) {
        if (result.failure() != null) {
            return new Answer(null, result.failure());
        }
        Throwable groupError = result.committed().errors().get(query.group());
        if (groupError != null) {
            return new Answer(null, "cannot read the committed offsets of group \"" + query.group() + "\" from "
                    + cluster + ": " + describe(groupError));
        }
        Map<String, List<Integer>> measured = new TreeMap<>();
        for (String topic : topicsOf(query, result.committed())) {
            Throwable topicError = result.partitions().errors().get(topic);
            if (topicError != null) {
                return new Answer(null, topicError instanceof UnknownTopicOrPartitionException
                        ? "topic \"" + topic + "\" does not exist on " + cluster
                        : "cannot describe topic \"" + topic + "\" on " + cluster + ": " + describe(topicError));
            }
            List<Integer> ids = result.partitions().values().get(topic);
            for (Integer id : ids) {
                Throwable partitionError = result.latest().errors().get(new TopicPartition(topic, id));
                if (partitionError != null) {
                    return new Answer(null, "cannot read the latest offset of " + topic + "-" + id + " on " + cluster
                            + ": " + describe(partitionError));
                }
            }
            measured.put(topic, ids);
        }
        return new Answer(new GroupOffsets(result.committed().values().get(query.group()), measured,
                result.latest().values()), null);
    }

    private static Map<String, CompletableFuture<Map<TopicPartition, Long>>> committedOffsets(
            Admin admin, Set<String> groups, long deadlineNanos) {
        Map<String, ListConsumerGroupOffsetsSpec> specs = new TreeMap<>();
        groups.forEach(g -> specs.put(g, new ListConsumerGroupOffsetsSpec()));
        Map<String, CompletableFuture<Map<TopicPartition, Long>>> offsets = new HashMap<>();
        try {
            var listed = admin.listConsumerGroupOffsets(specs,
                    new ListConsumerGroupOffsetsOptions().timeoutMs(remainingMillis(deadlineNanos)));
            groups.forEach(g -> offsets.put(g, stage(listed.partitionsToOffsetAndMetadata(g)).thenApply(result -> {
                Map<TopicPartition, Long> byPartition = new HashMap<>();
                result.forEach((tp, offset) -> {
                    if (offset != null) {
                        byPartition.put(tp, offset.offset());
                    }
                });
                return byPartition;
            })));
        } catch (RuntimeException e) {
            groups.forEach(g -> offsets.put(g, CompletableFuture.failedFuture(e)));
        }
        return offsets;
    }

    private static Map<String, CompletableFuture<List<Integer>>> partitions(Admin admin, Set<String> topics,
                                                                            long deadlineNanos) {
        Map<String, CompletableFuture<List<Integer>>> described = new HashMap<>();
        if (topics.isEmpty()) {
            return described;
        }
        try {
            var result = admin.describeTopics(topics,
                    new DescribeTopicsOptions().partitionSizeLimitPerResponse(PARTITIONS_PER_PAGE)
                            .timeoutMs(remainingMillis(deadlineNanos)));
            result.topicNameValues().forEach((topic, future) -> described.put(topic, stage(future)
                    .thenApply(PollCycle::partitionIds)));
        } catch (RuntimeException e) {
            topics.forEach(t -> described.put(t, CompletableFuture.failedFuture(e)));
        }
        return described;
    }

    private static List<Integer> partitionIds(TopicDescription description) {
        List<Integer> ids = new ArrayList<>();
        description.partitions().forEach(p -> ids.add(p.partition()));
        ids.sort(null);
        return List.copyOf(ids);
    }

    private static Map<TopicPartition, CompletableFuture<Long>> latestOffsets(
            Admin admin, Map<String, List<Integer>> partitions, long deadlineNanos) {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach((topic, ids) -> ids.forEach(id -> request.put(new TopicPartition(topic, id),
                OffsetSpec.latest())));
        Map<TopicPartition, CompletableFuture<Long>> listed = new HashMap<>();
        if (request.isEmpty()) {
            return listed;
        }
        try {
            ListOffsetsResult result = admin.listOffsets(request,
                    new ListOffsetsOptions().timeoutMs(remainingMillis(deadlineNanos)));
            request.keySet().forEach(tp -> listed.put(tp, stage(result.partitionResult(tp))
                    .thenApply(ListOffsetsResult.ListOffsetsResultInfo::offset)));
        } catch (RuntimeException e) {
            request.keySet().forEach(tp -> listed.put(tp, CompletableFuture.failedFuture(e)));
        }
        return listed;
    }

    private static List<String> topicsOf(Query query, Settled<String, Map<TopicPartition, Long>> committed) {
        if (!query.topics().isEmpty()) {
            return query.topics();
        }
        Set<String> committedTopics = new TreeSet<>();
        committed.values().getOrDefault(query.group(), Map.of()).keySet().forEach(tp -> committedTopics.add(tp.topic()));
        return List.copyOf(committedTopics);
    }

    /** What is left until the deadline, for the next call. */
    private static int remainingMillis(long deadlineNanos) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, left));
    }

    /** When every future has settled: each key's value or error, gathered on the loop. */
    private static <K, V> CompletableFuture<Settled<K, V>> settle(Map<K, CompletableFuture<V>> futures,
                                                                   Executor loop) {
        return allSettled(futures.values()).thenApplyAsync(ignored -> {
            Map<K, V> values = new HashMap<>();
            Map<K, Throwable> errors = new HashMap<>();
            futures.forEach((key, future) -> {
                try {
                    values.put(key, future.join());
                } catch (CompletionException | java.util.concurrent.CancellationException e) {
                    errors.put(key, unwrap(e));
                }
            });
            return new Settled<>(values, errors);
        }, loop);
    }

    private static <T> CompletableFuture<T> stage(KafkaFuture<T> future) {
        return future.toCompletionStage().toCompletableFuture();
    }

    private static CompletableFuture<Void> allSettled(java.util.Collection<? extends CompletableFuture<?>> futures) {
        CompletableFuture<?>[] settled = futures.stream().map(f -> f.handle((v, e) -> null)).toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(settled);
    }

    static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /** A Kafka error as one line: what happened, without stack or secrets (Kafka's messages hold none). */
    static String describe(Throwable error) {
        Throwable e = unwrap(error);
        if (e instanceof TimeoutException) {
            return "no answer in time (broker down or unreachable?): " + e.getMessage();
        }
        if (e instanceof org.apache.kafka.common.errors.SslAuthenticationException) {
            return "the TLS handshake with the brokers failed (check tls.caFile, and tls.certFile and tls.keyFile if"
                    + " the brokers require client certificates): " + e.getMessage();
        }
        if (e instanceof AuthenticationException) {
            return "the brokers refused the client's credentials: " + e.getMessage();
        }
        if (e instanceof org.apache.kafka.common.KafkaException && e.getCause() != null && e.getCause() != e) {
            return describe(e.getCause()); // "Failed to create new KafkaAdminClient" says less than its cause
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
