package io.demandmetrics.adapter.http;

import io.demandmetrics.adapter.explain.ExplainPage;
import io.demandmetrics.adapter.explain.Explanations;
import io.demandmetrics.adapter.failure.RequestFailure;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.GZIPOutputStream;

/**
 * {@code /explain} and {@code /explain.json}: for every metric, or the one
 * {@code ?metric=namespace/name} names (a 404 for a metric that is not configured). The data
 * comes from the view (complete at once, but for an informer's first sync, which the router's
 * timeout bounds); the page or JSON is built, and gzipped when the client accepts it, on a
 * worker: at ten thousand metrics it is megabytes.
 */
final class ExplainRoute {

    private final Vertx vertx;
    private final Explanations explanations;

    ExplainRoute(Vertx vertx, Explanations explanations) {
        this.vertx = vertx;
        this.explanations = explanations;
    }

    void answer(Exchange exchange, boolean json) {
        HttpServerRequest request = exchange.request();
        String metric = request.query() == null ? null : request.getParam("metric");
        boolean gzip = MetricsScrape.acceptsGzip(request);
        explanations.json(metric)
                .compose(data -> vertx.executeBlocking(() -> data == null ? null
                        : encoded(json ? data.toBuffer() : ExplainPage.html(data, metric), gzip), false))
                .onComplete(result -> {
                    if (request.response().ended()) {
                        return; // the router's timeout answered first
                    }
                    if (result.failed()) {
                        exchange.fail("explaining the metrics", result.cause());
                    } else if (result.result() == null) {
                        exchange.fail("explaining a metric", new RequestFailure.NoSuchResource());
                    } else {
                        exchange.compressible(200, json ? "application/json" : "text/html; charset=utf-8",
                                result.result(), gzip);
                    }
                });
    }

    private static Buffer encoded(Buffer body, boolean gzip) {
        if (!gzip) {
            return body;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(1024, body.length() / 4));
        try (GZIPOutputStream zip = new GZIPOutputStream(out, 64 * 1024)) {
            zip.write(body.getBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // memory streams: cannot happen
        }
        return Buffer.buffer(out.toByteArray());
    }
}
