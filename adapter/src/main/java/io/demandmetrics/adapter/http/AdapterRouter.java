package io.demandmetrics.adapter.http;

import io.demandmetrics.adapter.failure.RequestFailure;
import io.demandmetrics.adapter.metrics.AdapterMetrics;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.TimeoutHandler;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * What each path answers, as a vertx-web {@link Router}: every request first passes the gate
 * (authentication and authorization), then the route for its path answers; paths no route
 * knows are 404s and known paths asked with another method 405s, both as Status objects like
 * every other failure. The metrics API answers its own 404s and 405s inside {@code /apis}.
 */
final class AdapterRouter {

    /** The longest an explain answer may wait for the objects it names (an informer's first sync). */
    static final Duration EXPLAIN_TIMEOUT = Duration.ofSeconds(30);

    private static final String EXCHANGE = "demand.exchange";

    private AdapterRouter() {
    }

    /**
     * @param metricsApi when null, {@code /apis} is left to a fast path in front of the router
     *        (see {@link AdapterServer.MetricRoute})
     */
    static Router create(Vertx vertx, MetricsApiHandler metricsApi, AdapterServer.Routes routes, RequestGate gate,
                         AdapterMetrics metrics) {
        Router router = Router.router(vertx);
        router.route().handler(context -> admit(context, gate, metrics));
        if (metricsApi != null) {
            router.route("/apis/*").setName("apis").handler(context -> metricsApi.answer(exchange(context)));
            router.route("/apis").handler(context -> metricsApi.answer(exchange(context)));
        }
        router.get("/healthz").handler(answer("healthz", exchange -> exchange.text(200, "ok")));
        router.get("/livez").handler(answer("livez", exchange -> exchange.text(200, "ok")));
        router.get("/readyz").handler(answer("readyz", exchange -> ready(exchange, routes.notReadyReason())));
        WorkerExecutor builder = ChunkedBody.builder(vertx);
        router.get("/metrics").handler(answer("metrics", new MetricsScrape(builder, routes.exposition())::answer));
        ExplainRoute explain = new ExplainRoute(vertx, builder, routes.explain());
        router.get("/explain").handler(TimeoutHandler.create(EXPLAIN_TIMEOUT.toMillis(), 503))
                .handler(answer("explain", exchange -> explain.answer(exchange, false)));
        router.get("/explain.json").handler(TimeoutHandler.create(EXPLAIN_TIMEOUT.toMillis(), 503))
                .handler(answer("explain", exchange -> explain.answer(exchange, true)));
        OpenApiDocuments openApi = new OpenApiDocuments();
        router.get("/openapi/v2").handler(answer("openapi", exchange -> exchange.json(200, openApi.v2())));
        router.get("/openapi/v3").handler(answer("openapi", exchange -> exchange.json(200, openApi.v3Index())));
        router.get("/openapi/v3/*").handler(answer("openapi", exchange -> {
            Buffer document = openApi.v3(exchange.request().path());
            if (document != null) {
                exchange.json(200, document);
            } else {
                exchange.fail("serving", new RequestFailure.NoSuchResource());
            }
        }));
        router.errorHandler(404, context -> failed(context, new RequestFailure.NoSuchResource()));
        router.errorHandler(405, context -> failed(context,
                new RequestFailure.MethodNotAllowed("the server does not allow this method")));
        router.errorHandler(503, context -> failed(context, new RequestFailure.ObjectsNotYetKnown(
                "the explanation took longer than " + EXPLAIN_TIMEOUT.toSeconds()
                        + " s: the objects it names are not listed yet (an informer's first sync)")));
        router.errorHandler(500, context -> failed(context, context.failure()));
        return router;
    }

    /** Counts the request from here on, then lets it through the gate or answers why not. */
    private static void admit(RoutingContext context, RequestGate gate, AdapterMetrics metrics) {
        Exchange exchange = Exchange.routed(context, metrics);
        context.put(EXCHANGE, exchange);
        gate.admit(context.request()).onComplete(admitted -> {
            if (admitted.succeeded()) {
                RequestFailure malformed = MalformedRequests.malformedPath(context.request());
                if (malformed != null) {
                    exchange.route("malformed").fail("checking a path", malformed);
                } else {
                    context.next();
                }
            } else {
                exchange.route("denied").fail("admitting a request", admitted.cause());
            }
        });
    }

    private static Exchange exchange(RoutingContext context) {
        return context.get(EXCHANGE);
    }

    private static Handler<RoutingContext> answer(String route, Handler<Exchange> handler) {
        return context -> handler.handle(exchange(context).route(route));
    }

    private static void ready(Exchange exchange, Supplier<String> notReadyReason) {
        String notReady = notReadyReason.get();
        exchange.text(notReady == null ? 200 : 503, notReady == null ? "ok" : "not ready: " + notReady);
    }

    /**
     * The router's own failures (no route, wrong method, a timeout, a handler that threw) as
     * Status answers. A failure before admission (none is expected) still gets an answer.
     */
    private static void failed(RoutingContext context, Throwable failure) {
        if (context.response().ended()) {
            return; // answered already: a timeout that lost the race to the answer
        }
        Exchange exchange = exchange(context);
        if (exchange == null) {
            context.response().setStatusCode(500).end();
            BugLog.log("routing a request before its admission", failure);
            return;
        }
        exchange.fail("serving", failure == null
                ? new IllegalStateException("the router failed a request without a cause") : failure);
    }
}
