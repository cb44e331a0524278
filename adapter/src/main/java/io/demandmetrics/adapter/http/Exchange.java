package io.demandmetrics.adapter.http;

import io.demandmetrics.adapter.api.Status;
import io.demandmetrics.adapter.metrics.AdapterMetrics;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * One request and its answer, counted once: in flight from the moment it is read until its
 * response ends or its connection or stream goes away, then recorded by route template and
 * status code. Every answer the server writes goes through here.
 */
final class Exchange implements Handler<Void> {

    // Prepared, lower-case header names and values: HTTP/2 would otherwise lower-case them per answer.
    private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");
    private static final CharSequence X_CONTENT_TYPE_OPTIONS = HttpHeaders.createOptimized("x-content-type-options");
    private static final CharSequence NOSNIFF = HttpHeaders.createOptimized("nosniff");
    /** The value of {@code Vary} for answers gzipped when the client accepts it. */
    static final CharSequence ACCEPT_ENCODING = HttpHeaders.createOptimized("Accept-Encoding");

    private final HttpServerRequest request;
    private final AdapterMetrics metrics;
    private final long startedNanos = System.nanoTime();
    private String route = "unknown";
    private boolean finished;

    private Exchange(HttpServerRequest request, AdapterMetrics metrics) {
        this.request = request;
        this.metrics = metrics;
        metrics.requestStarted();
    }

    /**
     * A request answered without the router: its response's end handler tells when it is over,
     * answered or not. Vert.x calls it "when the response is disposed": as the answer ends,
     * or as the connection or stream closes first (the client left). A close handler is not
     * needed, and would cost a dispatch per HTTP/2 request: Vert.x calls it at every stream's
     * close, after the answer too.
     */
    static Exchange direct(HttpServerRequest request, AdapterMetrics metrics) {
        Exchange exchange = new Exchange(request, metrics);
        request.response().endHandler(exchange);
        return exchange;
    }

    /**
     * A request the router answers. The routing context takes the response's end and close
     * handlers for itself as soon as anything (a timeout handler) asks it to report the end:
     * so the end is learned from it, which reports both.
     */
    static Exchange routed(RoutingContext context, AdapterMetrics metrics) {
        Exchange exchange = new Exchange(context.request(), metrics);
        context.addEndHandler(endedOrClosed -> exchange.finish());
        return exchange;
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
        body(code, APPLICATION_JSON, body);
    }

    /** Answers {@code body} as {@code contentType} (a forwarded answer keeps its backend's). */
    void body(int code, CharSequence contentType, Buffer body) {
        HttpServerResponse response = request.response().setStatusCode(code);
        response.putHeader(HttpHeaders.CONTENT_TYPE, contentType);
        response.putHeader(X_CONTENT_TYPE_OPTIONS, NOSNIFF);
        response.end(body);
    }

    /**
     * Answers with a large body (built on a worker in chunks) that may have been gzipped for
     * this client: the headers say which, and that the answer varies with
     * {@code Accept-Encoding}.
     */
    Future<Void> large(int code, String contentType, ChunkedBody body, boolean gzipped) {
        HttpServerResponse response = request.response().setStatusCode(code);
        response.putHeader(HttpHeaders.CONTENT_TYPE, contentType);
        response.putHeader(X_CONTENT_TYPE_OPTIONS, NOSNIFF);
        response.putHeader(HttpHeaders.VARY, ACCEPT_ENCODING);
        if (gzipped) {
            response.putHeader(HttpHeaders.CONTENT_ENCODING, "gzip");
        }
        return body.send(response);
    }

    /** Answers with the Status for {@code failure}, met while {@code doing}. */
    void fail(String doing, Throwable failure) {
        Status status = FailureStatus.of(doing, failure);
        json(status.code(), status.toJson().toBuffer());
    }

    /** Its response's end handler ({@link #direct}): the answer ended, or the connection or stream closed first. */
    @Override
    public void handle(Void endedOrClosed) {
        finish();
    }

    private void finish() {
        if (finished) {
            return;
        }
        finished = true;
        metrics.requestEnded(request.response().ended());
        metrics.request(route, request.response().getStatusCode(), System.nanoTime() - startedNanos);
    }
}
