package io.demandmetrics.scaler.requests.testapp;

import io.demandmetrics.scaler.support.ClientExchange;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Histogram;
import io.prometheus.client.exporter.common.TextFormat;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An app instrumented the ways users instrument theirs, serving {@code GET /work} with known
 * latencies (every tenth request {@code slowMillis}, the rest {@code fastMillis}, waited on a
 * timer, never a sleep) and its metrics at {@code GET /metrics}; and a load generator that sends
 * it requests at a fixed rate.
 */
public final class TestApp implements AutoCloseable {

    /** How the app counts and times its requests. */
    public enum Instrumentation {
        /** prometheus-simpleclient: http_requests_total{code}, http_request_duration_seconds (default buckets). */
        SIMPLECLIENT,
        /** Micrometer's Prometheus registry: http.server.requests with a percentiles histogram. */
        MICROMETER
    }

    private final Vertx vertx;
    private final HttpServer server;
    private long loadTimer = -1;
    private HttpClient loadClient;

    private TestApp(Vertx vertx, HttpServer server) {
        this.vertx = vertx;
        this.server = server;
    }

    public static TestApp start(Vertx vertx, Instrumentation instrumentation, long fastMillis, long slowMillis)
            throws Exception {
        CollectorRegistry simpleRegistry = new CollectorRegistry();
        Counter requests = Counter.build("http_requests_total", "Requests served.").labelNames("code")
                .register(simpleRegistry);
        Histogram durations = Histogram.build("http_request_duration_seconds", "Request duration.")
                .register(simpleRegistry);
        PrometheusMeterRegistry micrometer = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Timer timer = Timer.builder("http.server.requests").tag("uri", "/work").tag("status", "200")
                .publishPercentileHistogram().register(micrometer);
        AtomicLong count = new AtomicLong();
        HttpServer server = vertx.createHttpServer().requestHandler(request -> {
            if (request.path().equals("/metrics")) {
                if (instrumentation == Instrumentation.SIMPLECLIENT) {
                    StringWriter text = new StringWriter();
                    try {
                        TextFormat.write004(text, simpleRegistry.metricFamilySamples());
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    request.response().putHeader("Content-Type", TextFormat.CONTENT_TYPE_004).end(text.toString());
                } else {
                    request.response().putHeader("Content-Type", "text/plain; version=0.0.4")
                            .end(micrometer.scrape());
                }
                return;
            }
            long started = System.nanoTime();
            long delay = count.incrementAndGet() % 10 == 0 ? slowMillis : fastMillis;
            vertx.setTimer(delay, id -> {
                long nanos = System.nanoTime() - started;
                if (instrumentation == Instrumentation.SIMPLECLIENT) {
                    requests.labels("200").inc();
                    durations.observe(nanos / 1e9);
                } else {
                    timer.record(nanos, TimeUnit.NANOSECONDS);
                }
                request.response().end("ok");
            });
        });
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        TestApp app = new TestApp(vertx, server);
        return app;
    }

    public int port() {
        return server.actualPort();
    }

    public String metricsUrl() {
        return "http://127.0.0.1:" + port() + "/metrics";
    }

    /** Sends {@code perSecond} requests a second from now on (one every 1000/perSecond ms). */
    public void load(int perSecond) {
        if (loadClient == null) {
            loadClient = vertx.createHttpClient();
        }
        if (loadTimer >= 0) {
            vertx.cancelTimer(loadTimer);
        }
        loadTimer = vertx.setPeriodic(1000 / perSecond, id -> loadClient.request(HttpMethod.GET, port(),
                "127.0.0.1", "/work").compose(r -> ClientExchange.send(r, HttpClientResponse::body)));
    }

    @Override
    public void close() {
        if (loadTimer >= 0) {
            vertx.cancelTimer(loadTimer);
        }
        server.close();
    }
}
