package io.demandmetrics.scaler.kafka;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CompletionException;
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
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
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
 * partition. Each query is completed with its group's offsets or the error that concerns it,
 * so a missing topic fails only the metrics that name it.
 *
 * <p>Admin futures complete on the client's network thread; every step continues on the
 * poller's own thread ({@code loop}), which owns the cycle's state.
 */
final class PollCycle {

    /** One metric's question: a group and the topics it measures (empty: those it committed to). */
    /**
     * @param deadlineNanos ({@link System#nanoTime()}) by when Kafka must have answered, so its
     *     own error, not the adapter's poll timeout, reaches the metric
     */
    record Query(String group, List<String> topics, long deadlineNanos, CompletableFuture<GroupOffsets> result) {
    }

    /** DescribeTopicPartitions pages its answer; ask for large pages (the broker caps them). */
    private static final int PARTITIONS_PER_PAGE = 100_000;

    private final Admin admin;
    private final String cluster;
    private final List<Query> queries;
    private final Executor loop;
    private final long deadlineNanos;
    private final Map<String, Map<TopicPartition, Long>> committed = new HashMap<>();
    private final Map<String, Throwable> groupErrors = new HashMap<>();
    private final Map<String, List<Integer>> partitions = new HashMap<>();
    private final Map<String, Throwable> topicErrors = new HashMap<>();
    private final Map<TopicPartition, Long> latest = new HashMap<>();
    private final Map<TopicPartition, Throwable> partitionErrors = new HashMap<>();
    private boolean authenticationFailed;
    /** Set when a step failed as a whole: every query fails with it. */
    private String failure;

    PollCycle(Admin admin, String cluster, List<Query> queries, Executor loop) {
        this.admin = admin;
        this.cluster = cluster;
        this.queries = queries;
        this.loop = loop;
        this.deadlineNanos = queries.stream().mapToLong(Query::deadlineNanos).min().orElse(System.nanoTime());
    }

    /** What is left of the cycle's time for the next call: the earliest deadline among its queries. */
    private int remainingMillis() {
        long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, left));
    }

    /**
     * Runs the cycle's reads. The queries are answered afterwards, by {@link #answerAll()}, so
     * the poller can record the cycle first: whoever sees an answer also sees its cycle counted.
     *
     * @return a future completed (never failed) when all reads have settled, holding whether
     *     the brokers refused the client's credentials (then the client is rebuilt, re-reading them)
     */
    CompletableFuture<Boolean> run() {
        Map<String, ListConsumerGroupOffsetsSpec> groups = new TreeMap<>();
        queries.forEach(q -> groups.put(q.group(), new ListConsumerGroupOffsetsSpec()));
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        Map<String, CompletableFuture<Map<TopicPartition, OffsetAndMetadata>>> offsets = new HashMap<>();
        try {
            var listed = admin.listConsumerGroupOffsets(groups,
                    new ListConsumerGroupOffsetsOptions().timeoutMs(remainingMillis()));
            groups.keySet().forEach(g -> offsets.put(g, stage(listed.partitionsToOffsetAndMetadata(g))));
        } catch (RuntimeException e) {
            groups.keySet().forEach(g -> offsets.put(g, CompletableFuture.failedFuture(e)));
        }
        whenSettled(offsets, groupErrors, (group, result) -> {
            Map<TopicPartition, Long> byPartition = new HashMap<>();
            result.forEach((tp, offset) -> {
                if (offset != null) {
                    byPartition.put(tp, offset.offset());
                }
            });
            committed.put(group, byPartition);
        }, () -> describeTopics(done), done);
        return done;
    }

    private void describeTopics(CompletableFuture<Boolean> done) {
        Set<String> topics = new TreeSet<>();
        for (Query query : queries) {
            if (!groupErrors.containsKey(query.group())) {
                topics.addAll(topicsOf(query));
            }
        }
        Map<String, CompletableFuture<TopicDescription>> described = new HashMap<>();
        if (!topics.isEmpty()) {
            try {
                var result = admin.describeTopics(topics,
                        new DescribeTopicsOptions().partitionSizeLimitPerResponse(PARTITIONS_PER_PAGE)
                                .timeoutMs(remainingMillis()));
                result.topicNameValues().forEach((topic, future) -> described.put(topic, stage(future)));
            } catch (RuntimeException e) {
                topics.forEach(t -> described.put(t, CompletableFuture.failedFuture(e)));
            }
        }
        whenSettled(described, topicErrors, (topic, description) -> {
            List<Integer> ids = new ArrayList<>();
            description.partitions().forEach(p -> ids.add(p.partition()));
            ids.sort(null);
            partitions.put(topic, List.copyOf(ids));
        }, () -> listOffsets(done), done);
    }

    private void listOffsets(CompletableFuture<Boolean> done) {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach((topic, ids) -> ids.forEach(id -> request.put(new TopicPartition(topic, id), OffsetSpec.latest())));
        Map<TopicPartition, CompletableFuture<ListOffsetsResult.ListOffsetsResultInfo>> listed = new HashMap<>();
        if (!request.isEmpty()) {
            try {
                ListOffsetsResult result = admin.listOffsets(request,
                        new ListOffsetsOptions().timeoutMs(remainingMillis()));
                request.keySet().forEach(tp -> listed.put(tp, stage(result.partitionResult(tp))));
            } catch (RuntimeException e) {
                request.keySet().forEach(tp -> listed.put(tp, CompletableFuture.failedFuture(e)));
            }
        }
        whenSettled(listed, partitionErrors, (tp, info) -> latest.put(tp, info.offset()),
                () -> done.complete(authenticationFailed), done);
    }

    /** Completes every query with its group's offsets or the error that concerns it. */
    void answerAll() {
        if (failure == null) {
            try {
                queries.forEach(this::answer);
                return;
            } catch (RuntimeException e) { // a bug, not a broker's answer: fail them all, never leave a poll hanging
                failure = failureOf(e);
            }
        }
        queries.forEach(q -> q.result().completeExceptionally(new IllegalStateException(failure)));
    }

    private void answer(Query query) {
        Throwable groupError = groupErrors.get(query.group());
        if (groupError != null) {
            query.result().completeExceptionally(new IllegalStateException("cannot read the committed offsets of"
                    + " group \"" + query.group() + "\" from " + cluster + ": " + describe(groupError)));
            return;
        }
        Map<String, List<Integer>> measured = new TreeMap<>();
        for (String topic : topicsOf(query)) {
            Throwable topicError = topicErrors.get(topic);
            if (topicError != null) {
                String problem = topicError instanceof UnknownTopicOrPartitionException
                        ? "topic \"" + topic + "\" does not exist on " + cluster
                        : "cannot describe topic \"" + topic + "\" on " + cluster + ": " + describe(topicError);
                query.result().completeExceptionally(new IllegalStateException(problem));
                return;
            }
            List<Integer> ids = partitions.get(topic);
            for (Integer id : ids) {
                Throwable partitionError = partitionErrors.get(new TopicPartition(topic, id));
                if (partitionError != null) {
                    query.result().completeExceptionally(new IllegalStateException("cannot read the latest offset of "
                            + topic + "-" + id + " on " + cluster + ": " + describe(partitionError)));
                    return;
                }
            }
            measured.put(topic, ids);
        }
        query.result().complete(new GroupOffsets(committed.get(query.group()), measured, latest));
    }

    private List<String> topicsOf(Query query) {
        if (!query.topics().isEmpty()) {
            return query.topics();
        }
        Set<String> committedTopics = new TreeSet<>();
        committed.getOrDefault(query.group(), Map.of()).keySet().forEach(tp -> committedTopics.add(tp.topic()));
        return List.copyOf(committedTopics);
    }

    /**
     * When every future has settled, on the loop: hands each result to {@code each} or its
     * error to {@code errors}, then runs the next step.
     */
    private <K, V> void whenSettled(Map<K, CompletableFuture<V>> futures, Map<K, Throwable> errors,
                                    java.util.function.BiConsumer<K, V> each, Runnable next,
                                    CompletableFuture<Boolean> done) {
        allSettled(futures.values()).thenRunAsync(() -> {
            futures.forEach((key, future) -> {
                Throwable error = errorOf(future);
                if (error != null) {
                    errors.put(key, error);
                } else {
                    each.accept(key, future.join());
                }
            });
            next.run();
        }, loop).exceptionally(e -> fail(done, e));
    }

    private Void fail(CompletableFuture<Boolean> done, Throwable e) {
        failure = failureOf(e);
        done.complete(authenticationFailed);
        return null;
    }

    private String failureOf(Throwable e) {
        return "polling " + cluster + " failed: " + describe(e);
    }

    private <T> CompletableFuture<T> stage(KafkaFuture<T> future) {
        return future.toCompletionStage().toCompletableFuture();
    }

    private Throwable errorOf(CompletableFuture<?> future) {
        if (!future.isCompletedExceptionally()) {
            return null;
        }
        try {
            future.join();
            return null;
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            Throwable cause = unwrap(e);
            if (cause instanceof AuthenticationException) {
                authenticationFailed = true;
            }
            return cause;
        }
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
