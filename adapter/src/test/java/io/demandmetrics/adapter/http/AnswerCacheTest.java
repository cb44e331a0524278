package io.demandmetrics.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandmetrics.adapter.config.MetricKey;
import io.demandmetrics.adapter.selector.LabelSelector;
import io.demandmetrics.adapter.view.MetricQuestion;
import io.demandmetrics.adapter.view.MetricValues;
import io.demandmetrics.scaler.spi.Sample;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Answers reused per whole question while their basis holds, within a byte bound. */
class AnswerCacheTest {

    private static final MetricKey QUEUE = MetricKey.external("shop", "queue");
    private final AtomicInteger encoded = new AtomicInteger();

    private Buffer encode(String text) {
        encoded.incrementAndGet();
        return Buffer.buffer(text);
    }

    private static MetricQuestion question(String selector) {
        return MetricQuestion.external(QUEUE, LabelSelector.parse(selector));
    }

    @Test
    void twoSelectorsOnOneMetricKeepTheirOwnAnswers() {
        AnswerCache cache = new AnswerCache(1 << 20);
        MetricValues values = new MetricValues(List.of(), List.of(Sample.of(1)), 0);
        for (int round = 0; round < 3; round++) { // alternating, as two HPAs on one metric do
            assertThat(cache.body("v1beta1", question("queue=a"), values, () -> encode("a")).toString()).isEqualTo("a");
            assertThat(cache.body("v1beta1", question("queue=b"), values, () -> encode("b")).toString()).isEqualTo("b");
        }
        assertThat(encoded).hasValue(2);
    }

    @Test
    void aNewReadingOrObjectGenerationIsEncodedAgain() {
        AnswerCache cache = new AnswerCache(1 << 20);
        List<Sample> reading = List.of(Sample.of(1));
        cache.body("v1beta1", question(""), new MetricValues(List.of(), reading, 0), () -> encode("1"));
        cache.body("v1beta1", question(""), new MetricValues(List.of(), List.of(Sample.of(1)), 0), () -> encode("2"));
        Buffer third = cache.body("v1beta1", question(""), new MetricValues(List.of(), reading, 1), () -> encode("3"));
        assertThat(third.toString()).isEqualTo("3");
        assertThat(encoded).hasValue(3);
    }

    @Test
    void theApiVersionIsPartOfTheQuestion() {
        AnswerCache cache = new AnswerCache(1 << 20);
        MetricValues values = new MetricValues(List.of(), List.of(), 0);
        cache.body("v1beta1", question(""), values, () -> encode("old"));
        assertThat(cache.body("v1beta2", question(""), values, () -> encode("new")).toString()).isEqualTo("new");
    }

    @Test
    void manyDistinctQuestionsStayWithinTheBound() {
        AnswerCache cache = new AnswerCache(64 * 1024);
        MetricValues values = new MetricValues(List.of(), List.of(), 0);
        for (int i = 0; i < 10_000; i++) {
            cache.body("v1beta1", question("queue=q" + i), values, () -> encode("x".repeat(1000)));
        }
        assertThat(cache.size()).isLessThanOrEqualTo(64 * 1024 / 1000);
    }
}
