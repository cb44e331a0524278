package io.demandmetrics.adapter.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;

/**
 * {@code /metrics}: the Prometheus (or, when asked, OpenMetrics) exposition of the adapter's
 * own meters. At ten thousand metrics this is megabytes of text and takes hundreds of
 * milliseconds: a worker builds (and gzips) it, never the event loop that answers the HPA, and
 * readers that come during a build share it ({@link ReusedBodies}).
 * That is also why the server's own response compression stays off: it would gzip these
 * megabytes on the event loop.
 */
final class MetricsScrape {

    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private final Vertx vertx;
    private final PrometheusMeterRegistry prometheus;
    /** Shared by readers that come during a build only: a scrape's counters are never older than asked. */
    private final ReusedBodies bodies = new ReusedBodies(java.time.Duration.ZERO);

    MetricsScrape(Vertx vertx, PrometheusMeterRegistry prometheus) {
        this.vertx = vertx;
        this.prometheus = prometheus;
    }

    void answer(Exchange exchange) {
        HttpServerRequest request = exchange.request();
        String accept = request.getHeader("Accept");
        String contentType = accept != null && accept.contains("application/openmetrics-text") ? OPENMETRICS : PROMETHEUS_TEXT;
        boolean gzip = acceptsGzip(request);
        // Streamed into chunks, never one multi-megabyte String or array (ChunkedBody says why).
        bodies.get(contentType + (gzip ? ";gzip" : ""), () -> vertx.executeBlocking(
                () -> ChunkedBody.written(gzip, out -> prometheus.scrape(out, contentType)), false))
                .onComplete(result -> {
                    if (result.failed()) {
                        exchange.fail("scraping the adapter's metrics", result.cause());
                    } else {
                        exchange.large(200, contentType, result.result(), gzip);
                    }
                });
    }

    static boolean acceptsGzip(HttpServerRequest request) {
        String encodings = request.getHeader("Accept-Encoding");
        return encodings != null && encodings.contains("gzip");
    }
}
