package io.demandmetrics.adapter.http;

import io.demandmetrics.adapter.explain.ExplainPage;
import io.demandmetrics.adapter.explain.Explanations;
import io.demandmetrics.adapter.failure.RequestFailure;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@code /explain} and {@code /explain.json}: for every metric, or the one
 * {@code ?metric=namespace/name} names (a 404 for a metric that is not configured). The data
 * comes from the view (complete at once, but for an informer's first sync, which the router's
 * timeout bounds); it is gathered, and the page or JSON built and gzipped when the client
 * accepts it, on workers. Every metric is listed a page at a time ({@code ?limit=}, at most
 * {@value Explanations.Page#MAX_LIMIT}, and the {@code ?continue=} a page ends with):
 * at ten thousand metrics the whole list is megabytes.
 */
final class ExplainRoute {

    private static final JsonFactory JSON = new JsonFactory();

    private final Vertx vertx;
    private final WorkerExecutor builder;
    private final Explanations explanations;
    private final ReusedBodies bodies = new ReusedBodies(java.time.Duration.ofSeconds(1));

    /** @param builder where the pages are written ({@link ChunkedBody#builder}) */
    ExplainRoute(Vertx vertx, WorkerExecutor builder, Explanations explanations) {
        this.vertx = vertx;
        this.builder = builder;
        this.explanations = explanations;
    }

    void answer(Exchange exchange, boolean json) {
        HttpServerRequest request = exchange.request();
        String metric = request.query() == null ? null : request.getParam("metric");
        Explanations.Page page;
        try {
            page = page(request);
        } catch (RequestFailure.BadRequest e) {
            exchange.fail("explaining the metrics", e);
            return;
        }
        boolean gzip = MetricsScrape.acceptsGzip(request);
        // Gathered on a worker too: at ten thousand metrics the entries alone are tens of
        // milliseconds that the event loop owes the HPA (the view is read from many threads).
        Supplier<Future<ChunkedBody>> build = () -> vertx.executeBlocking(() -> explanations.json(metric, page), false)
                .compose(gathered -> gathered)
                .compose(data -> builder.executeBlocking(() -> data == null ? null
                        : ChunkedBody.written(gzip, json ? out -> writeJson(data, out)
                                : out -> out.write(ExplainPage.html(data, metric, page).getBytes())), false));
        // The first page is what dashboards poll: readers within a second share one build. Other
        // pages are built for their reader (their keys are the reader's to choose, and a page is
        // bounded).
        Function<ChunkedBody, Future<Void>> send = body -> {
            if (request.response().ended()) {
                return Future.succeededFuture(); // the router's timeout answered first
            }
            if (body == null) {
                exchange.fail("explaining a metric", new RequestFailure.NoSuchResource());
                return Future.succeededFuture();
            }
            // A client gone mid-answer needs nothing more; the body is freed all the same.
            return exchange.large(200, json ? "application/json" : "text/html; charset=utf-8", body, gzip)
                    .otherwiseEmpty();
        };
        (metric == null && page.equals(Explanations.Page.FIRST)
                ? bodies.use((json ? "json" : "html") + (gzip ? ";gzip" : ""), build, send)
                : ChunkedBody.usedOnce(build.get(), send))
                .onFailure(failure -> {
                    if (!request.response().ended()) {
                        exchange.fail("explaining the metrics", failure);
                    }
                });
    }

    /** The page {@code ?limit=} and {@code ?continue=} ask for. */
    private static Explanations.Page page(HttpServerRequest request) {
        if (request.query() == null) {
            return Explanations.Page.FIRST;
        }
        String after = request.getParam("continue");
        String limit = request.getParam("limit");
        int count = Explanations.Page.DEFAULT_LIMIT;
        if (limit != null) {
            try {
                count = Integer.parseInt(limit);
            } catch (NumberFormatException e) {
                count = -1;
            }
            if (count < 1 || count > Explanations.Page.MAX_LIMIT) {
                throw new RequestFailure.BadRequest("limit must be a whole number from 1 to "
                        + Explanations.Page.MAX_LIMIT + " (metrics on a page)");
            }
        }
        if (after != null && after.isEmpty()) {
            after = null;
        }
        return new Explanations.Page(after, count);
    }

    /** The JSON written by Jackson straight into {@code out}: no String or array of all of it. */
    private static void writeJson(JsonObject data, OutputStream out) throws IOException {
        try (JsonGenerator generator = JSON.createGenerator(out)) {
            JacksonCodec.encodeJson(data, generator);
        }
    }
}
