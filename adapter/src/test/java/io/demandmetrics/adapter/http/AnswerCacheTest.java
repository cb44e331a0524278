package io.demandmetrics.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandmetrics.adapter.config.MetricKey;
import io.demandmetrics.adapter.selector.LabelSelector;
import io.demandmetrics.adapter.view.Basis;
import io.demandmetrics.adapter.view.MetricQuestion;
import io.demandmetrics.scaler.spi.Sample;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Answers reused per whole question while their basis holds, within a byte bound. */
class AnswerCacheTest {

    private static final MetricKey QUEUE = MetricKey.external("shop", "queue");
    private final AtomicInteger encoded = new AtomicInteger();

    /** The body an answer worked out now from {@code basis} encodes to. */
    private String answer(AnswerCache cache, String version, String selector, Basis basis, String text) {
        return cache.answer(version, question(selector), basis, () -> {
            encoded.incrementAndGet();
            return Future.succeededFuture(new AnswerCache.Encoded(basis, Buffer.buffer(text)));
        }).result().toString();
    }

    private static MetricQuestion question(String selector) {
        return MetricQuestion.external(QUEUE, LabelSelector.parse(selector));
    }

    @Test
    void twoSelectorsOnOneMetricKeepTheirOwnAnswers() {
        AnswerCache cache = new AnswerCache(1 << 20);
        Basis basis = new Basis(List.of(Sample.of(1)), 0);
        for (int round = 0; round < 3; round++) { // alternating, as two HPAs on one metric do
            assertThat(answer(cache, "v1beta1", "queue=a", basis, "a")).isEqualTo("a");
            assertThat(answer(cache, "v1beta1", "queue=b", basis, "b")).isEqualTo("b");
        }
        assertThat(encoded).hasValue(2);
    }

    @Test
    void aNewReadingOrObjectGenerationIsWorkedOutAgain() {
        AnswerCache cache = new AnswerCache(1 << 20);
        List<Sample> reading = List.of(Sample.of(1));
        answer(cache, "v1beta1", "", new Basis(reading, 0), "1");
        assertThat(answer(cache, "v1beta1", "", new Basis(reading, 0), "again")).isEqualTo("1");
        assertThat(answer(cache, "v1beta1", "", new Basis(List.of(Sample.of(1)), 0), "2")).isEqualTo("2");
        assertThat(answer(cache, "v1beta1", "", new Basis(reading, 1), "3")).isEqualTo("3");
        assertThat(encoded).hasValue(3);
    }

    @Test
    void theApiVersionIsPartOfTheQuestion() {
        AnswerCache cache = new AnswerCache(1 << 20);
        Basis basis = new Basis(List.of(), 0);
        answer(cache, "v1beta1", "", basis, "old");
        assertThat(answer(cache, "v1beta2", "", basis, "new")).isEqualTo("new");
    }

    @Test
    void manyDistinctQuestionsStayWithinTheBound() {
        AnswerCache cache = new AnswerCache(64 * 1024);
        Basis basis = new Basis(List.of(), 0);
        for (int i = 0; i < 10_000; i++) {
            answer(cache, "v1beta1", "queue=q" + i, basis, "x".repeat(1000));
        }
        assertThat(cache.size()).isLessThanOrEqualTo(64 * 1024 / 1000);
    }
}
