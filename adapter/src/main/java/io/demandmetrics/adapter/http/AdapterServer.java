package io.demandmetrics.adapter.http;

import io.demandmetrics.adapter.failure.RequestFailure;
import io.demandmetrics.adapter.explain.ExplainPage;
import io.demandmetrics.adapter.explain.Explanations;
import io.demandmetrics.adapter.metrics.AdapterMetrics;
import io.demandmetrics.adapter.tls.ServingCertificate;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.net.TrustOptions;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.vertx.core.net.ServerSSLOptions;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;

/**
 * The HTTPS server: TLS 1.2+ with HTTP/2 and HTTP/1.1 by ALPN, the metrics API, health,
 * {@code /metrics} and the OpenAPI documents. One server instance per event loop, sharing
 * the port.
 */
public final class AdapterServer {

    private static final String PROMETHEUS_TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final String OPENMETRICS_CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    /** The longest an explain answer may wait for the objects it names (an informer's first sync). */
    private static final long EXPLAIN_TIMEOUT_SECONDS = 30;

    private final Vertx vertx;
    private final MetricsApiHandler api;
    private final Explanations explain;
    private final AdapterMetrics metrics;
    private final PrometheusMeterRegistry prometheus;
    private final Supplier<String> notReadyReason;
    private final ClientCertificates clientCertificates;
    private final RequestGate gate;
    private final OpenApiDocuments openApi = new OpenApiDocuments();
    private final List<HttpServer> servers = new ArrayList<>();

    /**
     * How the TLS layer treats client certificates: not asked for, required from one CA
     * (standalone with a client CA), or requested from anyone (in-cluster: the chain is checked
     * against the front-proxy or client CA by the authenticator, which knows what each may do).
     */
    public record ClientCertificates(ClientAuth mode, TrustOptions trust) {

        public static final ClientCertificates NONE = new ClientCertificates(ClientAuth.NONE, null);

        public static ClientCertificates requiredFrom(Path caFile) {
            return new ClientCertificates(ClientAuth.REQUIRED, new PemTrustOptions().addCertPath(caFile.toString()));
        }

        /** Any chain is accepted by TLS, which still proves the client holds the key. */
        public static ClientCertificates requestedFromAnyone() {
            return new ClientCertificates(ClientAuth.REQUEST, TrustOptions.wrap(InsecureTrustManagerFactory.INSTANCE));
        }
    }

    /**
     * What the routes answer from.
     *
     * @param api the metrics APIs
     * @param explain {@code /explain} and {@code /explain.json}
     * @param prometheus {@code /metrics}
     * @param notReadyReason {@code /readyz}: null when ready, else why not
     */
    public record Routes(MetricsApiHandler api, Explanations explain, PrometheusMeterRegistry prometheus,
                         Supplier<String> notReadyReason) {
    }

    /** Who may connect and ask: TLS's treatment of client certificates, and the gate every request passes. */
    public record Access(ClientCertificates clientCertificates, RequestGate gate) {
    }

    /** @param metrics the server's own meters (requests, connections, reloads) */
    public AdapterServer(Vertx vertx, Routes routes, Access access, AdapterMetrics metrics) {
        this.vertx = vertx;
        this.api = routes.api();
        this.explain = routes.explain();
        this.prometheus = routes.prometheus();
        this.notReadyReason = routes.notReadyReason();
        this.clientCertificates = access.clientCertificates();
        this.gate = access.gate();
        this.metrics = metrics;
    }

    /**
     * Listens with {@code instances} servers on one port; returns the bound port (for port 0,
     * one free port that every instance shares).
     */
    public Future<Integer> listen(String host, int port, ServingCertificate certificate, int instances,
                                  ServingTimeouts timeouts) {
        ReadHeaderDeadline headerDeadline = new ReadHeaderDeadline(vertx, timeouts.readHeader(), timeouts.idle());
        HttpServerOptions options = new HttpServerOptions()
                .setSsl(true)
                .setUseAlpn(true)
                .setKeyCertOptions(certificate.keyCertOptions())
                .setEnabledSecureTransportProtocols(Set.of("TLSv1.2", "TLSv1.3"))
                .setSslEngineOptions(sslEngine())
                .setCompressionSupported(false)
                // Idle means nothing read from the client: the server writes only in answer to a read.
                // A read-idle timeout costs nothing per write (an all-idle one adds a listener to
                // every write, measurable on HTTP/2).
                .setReadIdleTimeout((int) Math.max(1, timeouts.idle().toMillis()))
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                .setHost(host)
                // Vert.x binds port 0 to a new free port per instance; a negative port is one free
                // port shared by every instance of this Vert.x.
                .setPort(port == 0 ? -1 : port);
        options.setClientAuth(clientCertificates.mode());
        if (clientCertificates.trust() != null) {
            options.setTrustOptions(clientCertificates.trust());
        }
        List<Future<HttpServer>> listening = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            HttpServer server = vertx.createHttpServer(options)
                    .connectionHandler(connection -> opened(connection, headerDeadline))
                    .requestHandler(requestHandler(headerDeadline));
            servers.add(server);
            listening.add(server.listen());
        }
        return Future.all(listening).map(all -> servers.get(0).actualPort());
    }

    /**
     * Everything kept per connection is released from here: Vert.x keeps one close handler
     * per connection, so this is the only place that sets it.
     */
    private void opened(HttpConnection connection, ReadHeaderDeadline headerDeadline) {
        metrics.connectionOpened();
        headerDeadline.connected(connection);
        connection.closeHandler(closed -> {
            headerDeadline.closed(connection);
            gate.connectionClosed(connection);
            metrics.connectionClosed();
        });
    }

    /** BoringSSL when its native library loads on this platform, else the JDK's engine. */
    private static SSLEngineOptions sslEngine() {
        return OpenSSLEngineOptions.isAvailable() ? new OpenSSLEngineOptions() : new JdkSSLEngineOptions();
    }

    /** The TLS implementation in use, for the startup log. */
    public static String tlsEngineName() {
        return OpenSSLEngineOptions.isAvailable() ? "BoringSSL" : "JDK";
    }

    /** Swaps the serving certificate on every instance; new connections use it, open ones finish. */
    public Future<Void> updateCertificate(ServingCertificate certificate) {
        ServerSSLOptions ssl = new ServerSSLOptions()
                .setKeyCertOptions(certificate.keyCertOptions())
                .setEnabledSecureTransportProtocols(Set.of("TLSv1.2", "TLSv1.3"))
                .setUseAlpn(true);
        ssl.setClientAuth(clientCertificates.mode());
        if (clientCertificates.trust() != null) {
            ssl.setTrustOptions(clientCertificates.trust());
        }
        List<Future<Boolean>> updates = servers.stream().map(s -> s.updateSSLOptions(ssl, true)).toList();
        return Future.all(updates).mapEmpty();
    }

    public Future<Void> close() {
        return Future.join(servers.stream().map(HttpServer::close).toList()).mapEmpty();
    }

    /**
     * Stops listening at once, then lets in-flight requests finish for up to {@code grace}
     * (HTTP/2 clients get a GOAWAY, HTTP/1.x connections close after their response); what is
     * still open then is closed.
     */
    public Future<Void> shutdown(Duration grace) {
        return Future.join(servers.stream().map(s -> s.shutdown(grace.toMillis(), TimeUnit.MILLISECONDS)).toList())
                .mapEmpty();
    }

    /**
     * Every request: malformed ones are answered at once, the rest pass the gate
     * (authentication and authorization) and are dispatched by path. A handful of fixed paths
     * and one prefix need no router, and a router's per-request context showed in HTTP/2
     * profiles (bench/RESULTS.md, section 1).
     */
    private Handler<HttpServerRequest> requestHandler(ReadHeaderDeadline headerDeadline) {
        return request -> {
            headerDeadline.requestStarted(request);
            Exchange exchange = new Exchange(request, metrics);
            try {
                if (MalformedRequests.isServerWideOptions(request)) {
                    request.response().putHeader("Content-Length", "0");
                    exchange.route("options").text(200, "");
                    return;
                }
                RequestFailure malformed = MalformedRequests.check(request);
                if (malformed != null) {
                    exchange.route("malformed").fail("checking a request", malformed);
                    return;
                }
                gate.admit(request).onComplete(admitted -> {
                    if (admitted.succeeded()) {
                        dispatch(exchange);
                    } else {
                        exchange.route("denied").fail("admitting a request", admitted.cause());
                    }
                });
            } catch (RuntimeException e) { // a bug: answered, never a hang
                exchange.fail("serving a request", e);
            }
        };
    }

    private void dispatch(Exchange exchange) {
        try {
            HttpServerRequest request = exchange.request();
            String path = request.path();
            if (path.startsWith("/apis")) {
                metricsApi(exchange); // the API answers its own 404s and 405s, as Status objects
                return;
            }
            if (request.method() != HttpMethod.GET) {
                exchange.fail("serving", new RequestFailure.MethodNotAllowed("the server does not allow this method"));
                return;
            }
            switch (path) {
                case "/healthz", "/livez" -> exchange.route(path.substring(1)).text(200, "ok");
                case "/readyz" -> {
                    String notReady = notReadyReason.get();
                    exchange.route("readyz").text(notReady == null ? 200 : 503,
                            notReady == null ? "ok" : "not ready: " + notReady);
                }
                case "/metrics" -> scrape(exchange.route("metrics"));
                case "/explain", "/explain.json" -> explain(exchange.route("explain"), path.endsWith(".json"));
                case "/openapi/v2" -> exchange.route("openapi").json(200, openApi.v2());
                case "/openapi/v3" -> exchange.route("openapi").json(200, openApi.v3Index());
                default -> {
                    Buffer document = path.startsWith("/openapi/v3/") ? openApi.v3(path) : null;
                    if (document != null) {
                        exchange.route("openapi").json(200, document);
                    } else {
                        exchange.fail("serving", new RequestFailure.NoSuchResource());
                    }
                }
            }
        } catch (RuntimeException e) {
            exchange.fail("serving a non-API path", e);
        }
    }

    /**
     * Prometheus exposition of the adapter's metrics. At ten thousand metrics this is megabytes
     * of text and takes hundreds of milliseconds: a worker builds (and gzips) it, never the
     * event loop that answers the HPA.
     */
    private void scrape(Exchange exchange) {
        HttpServerRequest request = exchange.request();
        String accept = request.getHeader("Accept");
        String contentType = accept != null && accept.contains("application/openmetrics-text")
                ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_TEXT_CONTENT_TYPE;
        String encodings = request.getHeader("Accept-Encoding");
        boolean gzip = encodings != null && encodings.contains("gzip");
        vertx.executeBlocking(() -> {
            // Streamed, never one multi-megabyte String: less garbage, shorter GC pauses for everyone.
            ByteArrayOutputStream body = new ByteArrayOutputStream(gzip ? 256 * 1024 : 1024 * 1024);
            try (OutputStream out = gzip ? new GZIPOutputStream(body, 64 * 1024) : body) {
                prometheus.scrape(out, contentType);
            }
            return Buffer.buffer(body.toByteArray());
        }, false).onComplete(result -> {
            if (result.failed()) {
                exchange.fail("scraping the adapter's metrics", result.cause());
                return;
            }
            HttpServerResponse response = request.response().putHeader("Content-Type", contentType)
                    .putHeader("Vary", "Accept-Encoding");
            if (gzip) {
                response.putHeader("Content-Encoding", "gzip");
            }
            response.end(result.result());
        });
    }

    /**
     * The explain page or its JSON, for every metric or the one {@code ?metric=namespace/name}
     * names; built on a worker (the list is large at ten thousand metrics), a 404 for a metric
     * that is not configured.
     */
    private void explain(Exchange exchange, boolean json) {
        HttpServerRequest request = exchange.request();
        String metric = request.query() == null ? null : request.getParam("metric");
        // On a worker: at ten thousand metrics the answer is megabytes. The view's answers are
        // complete at once but for an informer's first sync, which this worker waits for.
        vertx.executeBlocking(() -> explain.json(metric)
                .map(data -> data == null ? null : json ? data.toBuffer() : ExplainPage.html(data, metric))
                .toCompletionStage().toCompletableFuture().get(EXPLAIN_TIMEOUT_SECONDS, TimeUnit.SECONDS), false)
                .onComplete(result -> {
                    if (result.failed()) {
                        exchange.fail("explaining the metrics", result.cause());
                    } else if (result.result() == null) {
                        exchange.fail("explaining a metric", new RequestFailure.NoSuchResource());
                    } else if (json) {
                        exchange.json(200, result.result());
                    } else {
                        request.response().putHeader("Content-Type", "text/html; charset=utf-8").end(result.result());
                    }
                });
    }

    private void metricsApi(Exchange exchange) {
        HttpServerRequest request = exchange.request();
        boolean query = request.query() != null; // without one, no parameter map is built
        api.answer(request.method().name(), request.path(), query ? request.getParam("labelSelector") : null,
                query ? request.getParam("metricLabelSelector") : null).onComplete(answered -> {
                    ApiResponse response = answered.succeeded() ? answered.result() // it answers its own failures
                            : ApiResponse.of(FailureStatus.of("answering a metrics API request", answered.cause()),
                                    "unknown");
                    exchange.route(response.route());
                    if (response.gzippedBody() != null) {
                        request.response().putHeader("Vary", "Accept-Encoding");
                        String accepted = request.getHeader("Accept-Encoding");
                        if (accepted != null && accepted.contains("gzip")) {
                            request.response().putHeader("Content-Encoding", "gzip");
                            exchange.json(response.code(), response.gzippedBody());
                            return;
                        }
                    }
                    exchange.json(response.code(), response.body());
                });
    }
}
