package io.demandmetrics.adapter.http;

import io.demandmetrics.adapter.explain.ExplainPage;
import io.demandmetrics.adapter.explain.Explanations;
import io.demandmetrics.adapter.failure.RequestFailure;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.Supplier;

/**
 * {@code /explain} and {@code /explain.json}: for every metric, or the one
 * {@code ?metric=namespace/name} names (a 404 for a metric that is not configured). The data
 * comes from the view (complete at once, but for an informer's first sync, which the router's
 * timeout bounds); it is gathered, and the page or JSON built and gzipped when the client
 * accepts it, on workers: at ten thousand metrics it is megabytes.
 */
final class ExplainRoute {

    private static final JsonFactory JSON = new JsonFactory();

    private final Vertx vertx;
    private final Explanations explanations;
    private final ReusedBodies bodies = new ReusedBodies(java.time.Duration.ofSeconds(1));

    ExplainRoute(Vertx vertx, Explanations explanations) {
        this.vertx = vertx;
        this.explanations = explanations;
    }

    void answer(Exchange exchange, boolean json) {
        HttpServerRequest request = exchange.request();
        String metric = request.query() == null ? null : request.getParam("metric");
        boolean gzip = MetricsScrape.acceptsGzip(request);
        // Gathered on a worker too: at ten thousand metrics the entries alone are tens of
        // milliseconds that the event loop owes the HPA (the view is read from many threads).
        Supplier<Future<ChunkedBody>> build = () -> vertx.executeBlocking(() -> explanations.json(metric), false)
                .compose(gathered -> gathered)
                .compose(data -> vertx.executeBlocking(() -> data == null ? null
                        : ChunkedBody.written(gzip, json ? out -> writeJson(data, out)
                                : out -> out.write(ExplainPage.html(data, metric).getBytes())), false));
        // Every metric's page is the large one: readers within a second share one build.
        (metric == null ? bodies.get((json ? "json" : "html") + (gzip ? ";gzip" : ""), build) : build.get())
                .onComplete(result -> {
                    if (request.response().ended()) {
                        return; // the router's timeout answered first
                    }
                    if (result.failed()) {
                        exchange.fail("explaining the metrics", result.cause());
                    } else if (result.result() == null) {
                        exchange.fail("explaining a metric", new RequestFailure.NoSuchResource());
                    } else {
                        exchange.large(200, json ? "application/json" : "text/html; charset=utf-8",
                                result.result(), gzip);
                    }
                });
    }

    /** The JSON written by Jackson straight into {@code out}: no String or array of all of it. */
    private static void writeJson(JsonObject data, OutputStream out) throws IOException {
        try (JsonGenerator generator = JSON.createGenerator(out)) {
            JacksonCodec.encodeJson(data, generator);
        }
    }
}
