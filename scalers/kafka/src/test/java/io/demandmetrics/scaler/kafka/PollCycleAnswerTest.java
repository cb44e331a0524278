package io.demandmetrics.scaler.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;

/** Answering a query is a function of what the cycle read: each metric gets the error that concerns it. */
class PollCycleAnswerTest {

    private static final String CLUSTER = "broker:9092";
    private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);
    private static final TopicPartition ORDERS_1 = new TopicPartition("orders", 1);

    private static PollCycle.Query query(String group, String... topics) {
        return new PollCycle.Query(group, List.of(topics), 0, new CompletableFuture<>());
    }

    private static PollCycle.Result read() {
        return new PollCycle.Result(
                new PollCycle.Settled<>(Map.of("checkout", Map.of(ORDERS_0, 5L, ORDERS_1, 7L)),
                        Map.of("gone", new IllegalStateException("coordinator not available"))),
                new PollCycle.Settled<>(Map.of("orders", List.of(0, 1)),
                        Map.of("nope", new UnknownTopicOrPartitionException("unknown"))),
                new PollCycle.Settled<>(Map.of(ORDERS_0, 10L, ORDERS_1, 9L), Map.of()), null);
    }

    @Test
    void aGroupWithoutTopicsMeasuresTheTopicsItCommittedTo() {
        PollCycle.Answer answer = PollCycle.answer(read(), CLUSTER, query("checkout"));
        assertThat(answer.error()).isNull();
        assertThat(answer.offsets().partitions()).isEqualTo(Map.of("orders", List.of(0, 1)));
        assertThat(answer.offsets().committed()).containsEntry(ORDERS_0, 5L);
    }

    @Test
    void eachQueryGetsOnlyTheErrorThatConcernsIt() {
        PollCycle.Result result = read();
        assertThat(PollCycle.answer(result, CLUSTER, query("checkout", "orders")).error()).isNull();
        assertThat(PollCycle.answer(result, CLUSTER, query("checkout", "orders", "nope")).error())
                .isEqualTo("topic \"nope\" does not exist on broker:9092");
        assertThat(PollCycle.answer(result, CLUSTER, query("gone")).error())
                .isEqualTo("cannot read the committed offsets of group \"gone\" from broker:9092:"
                        + " coordinator not available");
        assertThat(result.authenticationFailed()).isFalse();
    }

    @Test
    void aFailedCycleFailsEveryQueryAndRefusedCredentialsAreSeen() {
        assertThat(PollCycle.answer(PollCycle.Result.failed("polling broker:9092 failed: boom"), CLUSTER,
                query("checkout")).error()).isEqualTo("polling broker:9092 failed: boom");
        PollCycle.Result refused = new PollCycle.Result(new PollCycle.Settled<>(Map.of(),
                Map.of("checkout", new AuthenticationException("bad password"))), PollCycle.Settled.none(),
                PollCycle.Settled.none(), null);
        assertThat(refused.authenticationFailed()).isTrue();
    }
}
