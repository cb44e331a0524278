package io.demandmetrics.adapter.http;

import io.demandmetrics.adapter.api.Status;
import io.demandmetrics.adapter.metrics.AdapterMetrics;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * One request and its answer, counted once: in flight from the moment it is read until its
 * response ends or its connection or stream goes away, then recorded by route template and
 * status code. Every answer the server writes goes through here.
 */
final class Exchange {

    // Prepared, lower-case header names and values: HTTP/2 would otherwise lower-case them per answer.
    private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");
    private static final CharSequence X_CONTENT_TYPE_OPTIONS = HttpHeaders.createOptimized("x-content-type-options");
    private static final CharSequence NOSNIFF = HttpHeaders.createOptimized("nosniff");

    private final HttpServerRequest request;
    private final AdapterMetrics metrics;
    private final long startedNanos = System.nanoTime();
    private String route = "unknown";
    private boolean finished;

    Exchange(HttpServerRequest request, AdapterMetrics metrics) {
        this.request = request;
        this.metrics = metrics;
        metrics.requestStarted();
        HttpServerResponse response = request.response();
        response.endHandler(ended -> finish());
        response.closeHandler(closed -> finish()); // the client left (connection closed, stream reset)
    }

    HttpServerRequest request() {
        return request;
    }

    /** The route template the metrics count this request under: never the path, which is unbounded. */
    Exchange route(String template) {
        route = template;
        return this;
    }

    void text(int code, String body) {
        request.response().setStatusCode(code).putHeader("Content-Type", "text/plain; charset=utf-8").end(body);
    }

    void json(int code, Buffer body) {
        HttpServerResponse response = request.response().setStatusCode(code);
        response.putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON);
        response.putHeader(X_CONTENT_TYPE_OPTIONS, NOSNIFF);
        response.end(body);
    }

    /** Answers with the Status for {@code failure}, met while {@code doing}. */
    void fail(String doing, Throwable failure) {
        Status status = FailureStatus.of(doing, failure);
        json(status.code(), status.toJson().toBuffer());
    }

    private void finish() {
        if (finished) {
            return;
        }
        finished = true;
        metrics.requestEnded();
        metrics.request(route, request.response().getStatusCode(), System.nanoTime() - startedNanos);
    }
}
