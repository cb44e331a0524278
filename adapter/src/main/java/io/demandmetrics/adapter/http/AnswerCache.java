package io.demandmetrics.adapter.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.demandmetrics.adapter.view.Basis;
import io.demandmetrics.adapter.view.MetricQuestion;
import io.vertx.core.buffer.Buffer;
import java.util.function.Function;

/**
 * Encoded answers, keyed by the request as it was sent (path and query: API version, metric,
 * object, both selectors) and reused while their {@link Basis} holds (the same reading and the
 * same objects): many HPAs asking one metric with different selectors each keep their own
 * answer, and a request asked many times between polls is parsed and encoded once. Keyed by
 * the request's text, a repeated request is answered without parsing it again; two spellings
 * of one question (an escaped {@code %2A} and a {@code *}) are two entries, each correct.
 *
 * <p>Bounded by the bytes it holds, so no mix of requests can grow it: a client controls the
 * path and the selectors and so the number of distinct keys. Shared by every event loop.
 */
final class AnswerCache {

    /** Room for the answers of thousands of HPAs; an answer over a thousand pods is about 200 KiB. */
    static final long DEFAULT_MAX_BYTES = 32L * 1024 * 1024;
    /** What an entry costs besides its body and key: question, selectors, basis. An estimate, for the bound. */
    private static final int ENTRY_OVERHEAD_BYTES = 512;

    /** An encoded answer and what it was worked out from. */
    record Encoded(Basis basis, Buffer body) {
    }

    /**
     * One request's answer.
     *
     * @param question what the request asks, to learn the basis an answer would have now
     * @param route the request's route template, for the request meters
     */
    record Entry(MetricQuestion question, String route, Encoded encoded) {
    }

    private final Cache<String, Entry> answers;

    AnswerCache(long maxBytes) {
        this.answers = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .<String, Entry>weigher((request, entry) ->
                        entry.encoded().body().length() + 2 * request.length() + ENTRY_OVERHEAD_BYTES)
                .build();
    }

    /**
     * The answer kept for {@code request} when it was worked out from what {@code currentBasis}
     * says its question would be answered from now; else null, and the caller works it out. A
     * question the view cannot answer now (the metric is gone, its value stale) is null too:
     * the caller's own attempt fails with the reason.
     */
    Entry reusable(String request, Function<MetricQuestion, Basis> currentBasis) {
        Entry kept = answers.getIfPresent(request);
        if (kept == null) {
            return null;
        }
        try {
            return kept.encoded().basis().sameAs(currentBasis.apply(kept.question())) ? kept : null;
        } catch (RuntimeException notAnswerableNow) {
            return null;
        }
    }

    /** Keeps {@code entry} as the answer to {@code request} until its basis changes. */
    void keep(String request, Entry entry) {
        answers.put(request, entry);
    }

    long size() {
        answers.cleanUp();
        return answers.estimatedSize();
    }
}
