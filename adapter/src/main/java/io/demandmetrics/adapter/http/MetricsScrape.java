package io.demandmetrics.adapter.http;

import io.demandmetrics.adapter.failure.RequestFailure;
import io.demandmetrics.adapter.metrics.Exposition;
import io.demandmetrics.adapter.metrics.FamilyFilter;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServerRequest;

/**
 * {@code /metrics}: the Prometheus (or, when asked, OpenMetrics) exposition of the adapter's
 * own meters ({@link Exposition}), or of the families {@code name[]} asks for
 * ({@link FamilyFilter}). At ten thousand metrics the whole is megabytes of text and takes hundreds of
 * milliseconds: a worker builds (and gzips) it, never the event loop that answers the HPA, and
 * readers that come during a build share it ({@link ReusedBodies}).
 * That is also why the server's own response compression stays off: it would gzip these
 * megabytes on the event loop.
 */
final class MetricsScrape {

    private final WorkerExecutor builder;
    private final Exposition exposition;
    /** Shared by readers that come during a build only: a scrape's counters are never older than asked. */
    private final ReusedBodies bodies = new ReusedBodies(java.time.Duration.ZERO);

    /** @param builder where large bodies are built ({@link ChunkedBody#builder}) */
    MetricsScrape(WorkerExecutor builder, Exposition exposition) {
        this.builder = builder;
        this.exposition = exposition;
    }

    void answer(Exchange exchange) {
        HttpServerRequest request = exchange.request();
        String accept = request.getHeader("Accept");
        String contentType = accept != null && accept.contains("application/openmetrics-text") ? Exposition.OPENMETRICS
                : Exposition.PROMETHEUS_TEXT;
        boolean gzip = acceptsGzip(request);
        FamilyFilter filter;
        try {
            filter = FamilyFilter.of(request.params().getAll("name[]"));
        } catch (RequestFailure.BadRequest malformed) {
            exchange.fail("scraping the adapter's metrics", malformed);
            return;
        }
        // Streamed into chunks, never one multi-megabyte String or array (ChunkedBody says why).
        bodies.use(contentType + (gzip ? ";gzip" : "") + ";" + filter.key(), () -> builder.executeBlocking(
                () -> ChunkedBody.written(gzip, out -> exposition.write(out, contentType, filter)), false),
                // A client gone mid-answer needs nothing more; the body is freed all the same.
                body -> exchange.large(200, contentType, body, gzip).otherwiseEmpty())
                .onFailure(failure -> exchange.fail("scraping the adapter's metrics", failure));
    }

    static boolean acceptsGzip(HttpServerRequest request) {
        String encodings = request.getHeader("Accept-Encoding");
        return encodings != null && encodings.contains("gzip");
    }
}
