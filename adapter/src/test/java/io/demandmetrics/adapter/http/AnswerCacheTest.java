package io.demandmetrics.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandmetrics.adapter.config.MetricKey;
import io.demandmetrics.adapter.failure.RequestFailure;
import io.demandmetrics.adapter.selector.LabelSelector;
import io.demandmetrics.adapter.view.Basis;
import io.demandmetrics.adapter.view.MetricQuestion;
import io.demandmetrics.scaler.spi.Sample;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Answers reused per request as sent while their basis holds, within a byte bound. */
class AnswerCacheTest {

    private static final MetricKey QUEUE = MetricKey.external("shop", "queue");
    private static final String V1BETA1 = "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/queue";
    private final AtomicInteger encoded = new AtomicInteger();

    /**
     * What {@code MetricsApiHandler} does with the cache: the kept answer when its basis holds,
     * else the answer worked out now from {@code basisNow} (encoding to {@code text}), kept.
     */
    private String answer(AnswerCache cache, String request, Basis basisNow, String text) {
        return answer(cache, request, question -> basisNow, basisNow, text);
    }

    private String answer(AnswerCache cache, String request, Function<MetricQuestion, Basis> view, Basis basisNow,
                          String text) {
        AnswerCache.Entry reused = cache.reusable(request, view);
        if (reused != null) {
            return reused.encoded().body().toString();
        }
        encoded.incrementAndGet();
        cache.keep(request, new AnswerCache.Entry(MetricQuestion.external(QUEUE, LabelSelector.parse("")), "external",
                new AnswerCache.Encoded(basisNow, Buffer.buffer(text))));
        return text;
    }

    @Test
    void twoSelectorsOnOneMetricKeepTheirOwnAnswers() {
        AnswerCache cache = new AnswerCache(1 << 20);
        Basis basis = new Basis(List.of(Sample.of(1)), 0);
        for (int round = 0; round < 3; round++) { // alternating, as two HPAs on one metric do
            assertThat(answer(cache, V1BETA1 + "?labelSelector=queue%3Da", basis, "a")).isEqualTo("a");
            assertThat(answer(cache, V1BETA1 + "?labelSelector=queue%3Db", basis, "b")).isEqualTo("b");
        }
        assertThat(encoded).hasValue(2);
    }

    @Test
    void aNewReadingOrObjectGenerationIsWorkedOutAgain() {
        AnswerCache cache = new AnswerCache(1 << 20);
        List<Sample> reading = List.of(Sample.of(1));
        answer(cache, V1BETA1, new Basis(reading, 0), "1");
        assertThat(answer(cache, V1BETA1, new Basis(reading, 0), "again")).isEqualTo("1");
        assertThat(answer(cache, V1BETA1, new Basis(List.of(Sample.of(1)), 0), "2")).isEqualTo("2");
        assertThat(answer(cache, V1BETA1, new Basis(reading, 1), "3")).isEqualTo("3");
        assertThat(encoded).hasValue(3);
    }

    @Test
    void aQuestionTheViewCannotAnswerNowIsNotReused() {
        AnswerCache cache = new AnswerCache(1 << 20);
        answer(cache, V1BETA1, new Basis(List.of(Sample.of(1)), 0), "1");
        assertThat(cache.reusable(V1BETA1, question -> {
            throw new RequestFailure.StaleValue("the value is stale");
        })).isNull();
    }

    @Test
    void theApiVersionIsPartOfTheRequest() {
        AnswerCache cache = new AnswerCache(1 << 20);
        Basis basis = new Basis(List.of(), 0);
        answer(cache, V1BETA1, basis, "old");
        assertThat(answer(cache, V1BETA1.replace("v1beta1", "v1beta2"), basis, "new")).isEqualTo("new");
    }

    @Test
    void manyDistinctRequestsStayWithinTheBound() {
        AnswerCache cache = new AnswerCache(64 * 1024);
        Basis basis = new Basis(List.of(), 0);
        for (int i = 0; i < 10_000; i++) {
            answer(cache, V1BETA1 + "?labelSelector=queue%3Dq" + i, basis, "x".repeat(1000));
        }
        assertThat(cache.size()).isLessThanOrEqualTo(64 * 1024 / 1000);
    }
}
