package io.demandmetrics.adapter.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.demandmetrics.adapter.view.MetricQuestion;
import io.demandmetrics.adapter.view.Basis;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.function.Supplier;

/**
 * Encoded answers, keyed by the whole question (API version, metric, object, both selectors)
 * and reused while their {@link Basis} holds (the same reading and the same objects): many
 * HPAs asking one metric with different selectors each keep their own answer, and a metric
 * asked the same question many times between polls is encoded once.
 *
 * <p>Bounded by the bytes it holds, so no mix of questions can grow it: a client controls the
 * selectors and so the number of distinct questions. Shared by every event loop.
 */
final class AnswerCache {

    /** Room for the answers of thousands of HPAs; an answer over a thousand pods is about 200 KiB. */
    static final long DEFAULT_MAX_BYTES = 32L * 1024 * 1024;
    /** What an entry costs besides its body: key, selectors, basis. An estimate, for the bound. */
    private static final int ENTRY_OVERHEAD_BYTES = 512;

    private record Question(String apiVersion, MetricQuestion question) {
    }

    /** An encoded answer and what it was worked out from. */
    record Encoded(Basis basis, Buffer body) {
    }

    private final Cache<Question, Encoded> answers;

    AnswerCache(long maxBytes) {
        this.answers = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .<Question, Encoded>weigher((question, answer) -> answer.body().length() + ENTRY_OVERHEAD_BYTES)
                .build();
    }

    /**
     * The encoded answer to {@code question}: the one cached for it when it was worked out from
     * {@code current}, else {@code work}'s, cached with the basis it was worked out from. The
     * only place an answer is reused: one lookup per request.
     *
     * @param current what the answer would be worked out from now ({@code MetricView.basis})
     */
    Future<Buffer> answer(String apiVersion, MetricQuestion question, Basis current, Supplier<Future<Encoded>> work) {
        Question key = new Question(apiVersion, question);
        Encoded cached = answers.getIfPresent(key);
        if (cached != null && cached.basis().sameAs(current)) {
            return Future.succeededFuture(cached.body());
        }
        return work.get().map(encoded -> {
            answers.put(key, encoded);
            return encoded.body();
        });
    }

    long size() {
        answers.cleanUp();
        return answers.estimatedSize();
    }
}
