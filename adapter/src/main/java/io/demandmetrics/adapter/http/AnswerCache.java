package io.demandmetrics.adapter.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.demandmetrics.adapter.view.MetricQuestion;
import io.demandmetrics.adapter.view.MetricValues;
import io.vertx.core.buffer.Buffer;
import java.util.function.Supplier;

/**
 * Encoded answers, keyed by the whole question (API version, metric, object, both selectors)
 * and reused while the values were computed from the same reading and the same objects: many
 * HPAs asking one metric with different selectors each keep their own answer, and a metric
 * asked the same question many times between polls is encoded once.
 *
 * <p>Bounded by the bytes it holds, so no mix of questions can grow it: a client controls the
 * selectors and so the number of distinct questions. Shared by every event loop.
 */
final class AnswerCache {

    /** Room for the answers of thousands of HPAs; an answer over a thousand pods is about 200 KiB. */
    static final long DEFAULT_MAX_BYTES = 32L * 1024 * 1024;
    /** What an entry costs besides its body and points: key, selectors. An estimate, for the bound. */
    private static final int ENTRY_OVERHEAD_BYTES = 512;
    /** What one point of the values kept costs (the point, its name, its timestamp). An estimate. */
    private static final int POINT_BYTES = 120;

    private record Question(String apiVersion, MetricQuestion question) {
    }

    /** An encoded answer and the values it encodes. */
    record Answer(MetricValues values, Buffer body) {
    }

    private final Cache<Question, Answer> answers;

    AnswerCache(long maxBytes) {
        this.answers = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .<Question, Answer>weigher((question, answer) -> answer.body().length() + ENTRY_OVERHEAD_BYTES
                        + answer.values().points().size() * POINT_BYTES)
                .build();
    }

    /**
     * The answer last cached for this question, or null: {@code MetricView} reuses its values
     * when they are still current, and then its body is the answer.
     */
    Answer get(String apiVersion, MetricQuestion question) {
        return answers.getIfPresent(new Question(apiVersion, question));
    }

    /** The body for {@code values}: the one encoded before from the same basis, else {@code encode}'s. */
    Buffer body(String apiVersion, MetricQuestion question, MetricValues values, Supplier<Buffer> encode) {
        Question key = new Question(apiVersion, question);
        Answer cached = answers.getIfPresent(key);
        if (cached != null && cached.values().sameBasisAs(values)) {
            return cached.body();
        }
        Buffer body = encode.get();
        answers.put(key, new Answer(values, body));
        return body;
    }

    long size() {
        answers.cleanUp();
        return answers.estimatedSize();
    }
}
