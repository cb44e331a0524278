package io.demandmetrics.adapter.http;

import io.demandmetrics.adapter.failure.RequestFailure;
import io.demandmetrics.adapter.explain.Explanations;
import io.demandmetrics.adapter.metrics.AdapterMetrics;
import io.demandmetrics.adapter.metrics.Exposition;
import io.demandmetrics.adapter.tls.ServingCertificate;
import io.demandmetrics.scaler.support.TlsEngine;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.core.net.impl.ConnectionBase;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.ext.web.Router;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The HTTPS server: TLS 1.2+ with HTTP/2 and HTTP/1.1 by ALPN, connections and their
 * deadlines, and the door every request comes through ({@link AdapterRouter} says what each
 * path answers). One server instance per event loop, sharing the port.
 */
public final class AdapterServer {

    private final Vertx vertx;
    private final Routes routes;
    private final AdapterMetrics metrics;
    private final ClientCertificates clientCertificates;
    private final RequestGate gate;
    private final MetricRoute metricRoute;
    private final List<HttpServer> servers = new ArrayList<>();
    /** Set by {@link #listen}: the HTTP/1.x connections' deadlines and shutdown drain. */
    private Http1Connections http1Connections;

    /**
     * How a metrics API request reaches its handler. The router costs the hot route a
     * per-request context; bench/RESULTS.md has both measured in one run, and the default is
     * the one those figures chose.
     */
    public enum MetricRoute {
        /** In front of the router: the gate, then the metrics API. */
        FAST_PATH,
        /** Through the router, like every other route. */
        ROUTER;

        /** The default, or the one the system property {@code demand.adapter.metricRoute} names (for the benchmark). */
        public static MetricRoute configured() {
            String named = System.getProperty("demand.adapter.metricRoute");
            return named == null ? FAST_PATH : valueOf(named.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        }
    }

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
     * @param exposition {@code /metrics}
     * @param notReadyReason {@code /readyz}: null when ready, else why not
     */
    public record Routes(MetricsApiHandler api, Explanations explain, Exposition exposition,
                         Supplier<String> notReadyReason) {
    }

    /** Who may connect and ask: TLS's treatment of client certificates, and the gate every request passes. */
    public record Access(ClientCertificates clientCertificates, RequestGate gate) {
    }

    /** @param metrics the server's own meters (requests, connections, reloads) */
    public AdapterServer(Vertx vertx, Routes routes, Access access, AdapterMetrics metrics) {
        this(vertx, routes, access, metrics, MetricRoute.configured());
    }

    public AdapterServer(Vertx vertx, Routes routes, Access access, AdapterMetrics metrics, MetricRoute metricRoute) {
        this.vertx = vertx;
        this.routes = routes;
        this.clientCertificates = access.clientCertificates();
        this.gate = access.gate();
        this.metrics = metrics;
        this.metricRoute = metricRoute;
        metrics.largeAnswerBytes(() -> ChunkedBody.ALLOCATOR.metric().usedDirectMemory());
    }

    /**
     * Listens with {@code instances} servers on one port; returns the bound port (for port 0,
     * one free port that every instance shares).
     */
    public Future<Integer> listen(String host, int port, ServingCertificate certificate, int instances,
                                  ServingTimeouts timeouts) {
        ReadHeaderDeadline headerDeadline = new ReadHeaderDeadline(vertx, timeouts.readHeader());
        http1Connections = new Http1Connections(timeouts.readHeader(), timeouts.idle());
        HttpServerOptions options = new HttpServerOptions()
                .setSsl(true)
                .setUseAlpn(true)
                .setKeyCertOptions(certificate.keyCertOptions())
                .setEnabledSecureTransportProtocols(Set.of("TLSv1.2", "TLSv1.3"))
                .setSslEngineOptions(TlsEngine.preferred())
                .setCompressionSupported(false)
                // No WebSocket is served: without these, every HTTP/1.x connection carries Netty's
                // WebSocket extension handler, which every request and answer passes through.
                .setPerMessageWebSocketCompressionSupported(false)
                .setPerFrameWebSocketCompressionSupported(false)
                .setMaxInitialLineLength(RequestLimits.MAX_REQUEST_LINE)
                .setMaxHeaderSize(RequestLimits.MAX_HEADER_BYTES)
                // Idle means nothing read from the client: the server writes only in answer to a read.
                // A read-idle timeout costs nothing per write (an all-idle one adds a listener to
                // every write, measurable on HTTP/2). HTTP/1.x connections keep it in
                // Http1Connections instead of this handler.
                .setReadIdleTimeout((int) Math.max(1, timeouts.idle().toMillis()))
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                .setHost(host)
                // Vert.x binds port 0 to a new free port per instance; a negative port is one free
                // port shared by every instance of this Vert.x.
                .setPort(port == 0 ? -1 : port);
        options.getInitialSettings().setMaxHeaderListSize(RequestLimits.MAX_HEADER_LIST_SIZE);
        options.setClientAuth(clientCertificates.mode());
        if (clientCertificates.trust() != null) {
            options.setTrustOptions(clientCertificates.trust());
        }
        List<Future<HttpServer>> listening = new ArrayList<>();
        Handler<HttpServerRequest> requests = requestHandler(headerDeadline);
        for (int i = 0; i < instances; i++) {
            HttpServer server = vertx.createHttpServer(options)
                    .connectionHandler(connection -> opened(connection, headerDeadline))
                    .invalidRequestHandler(this::undecodable)
                    .requestHandler(requests);
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
        ChannelPipeline http1 = http1Pipeline(connection);
        if (http1 != null) {
            http1Connections.install(http1);
        } else {
            headerDeadline.connected(connection);
        }
        connection.closeHandler(closed -> {
            headerDeadline.closed(connection);
            gate.connectionClosed(connection);
            metrics.connectionClosed();
        });
    }

    /**
     * The Netty pipeline of an HTTP/1.x connection (Vert.x's decoder and handler in it), where
     * {@link Http1Connections}' handlers go; null for HTTP/2, which has none of them.
     */
    private static ChannelPipeline http1Pipeline(HttpConnection connection) {
        if (!(connection instanceof ConnectionBase base)) {
            return null;
        }
        ChannelPipeline pipeline = base.channel().pipeline();
        return pipeline.get("httpDecoder") != null && pipeline.get("handler") != null ? pipeline : null;
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
     * Stops listening at once, then lets in-flight requests finish for up to {@code grace}:
     * HTTP/2 clients get a GOAWAY; each HTTP/1.1 connection answers what it has read and what
     * arrives on it, with {@code Connection: close}, and closes once quiet ({@link Http1Connections}).
     * What is still open then is closed.
     */
    public Future<Void> shutdown(Duration grace) {
        if (http1Connections != null) {
            http1Connections.startDraining(grace);
        }
        return Future.join(servers.stream().map(s -> s.shutdown(grace.toMillis(), TimeUnit.MILLISECONDS)).toList())
                .mapEmpty();
    }

    /**
     * HTTP/1.1 requests received during the shutdown that were never dispatched (queued on a
     * connection closed at the grace period's end, or still arriving); the dispatched ones left
     * unanswered are in {@link AdapterMetrics#requestsUnanswered()}.
     */
    public int undispatchedAtShutdown() {
        return http1Connections == null ? 0 : http1Connections.unanswered();
    }

    /**
     * Every request: malformed ones are answered at once (the router cannot match what is not
     * a path), the metrics API by the fast path when it is on, the rest by the router.
     */
    private Handler<HttpServerRequest> requestHandler(ReadHeaderDeadline headerDeadline) {
        Router router = AdapterRouter.create(vertx, metricRoute == MetricRoute.ROUTER ? routes.api() : null, routes,
                gate, metrics);
        return request -> {
            headerDeadline.requestStarted(request);
            try {
                if (MalformedRequests.isServerWideOptions(request)) {
                    request.response().putHeader("Content-Length", "0");
                    Exchange.direct(request, metrics).route("options").text(200, "");
                    return;
                }
                RequestFailure malformed = MalformedRequests.check(request);
                if (malformed != null) {
                    Exchange.direct(request, metrics).route("malformed").fail("checking a request", malformed);
                } else if (metricRoute == MetricRoute.FAST_PATH && request.path().startsWith("/apis")) {
                    metricsApi(Exchange.direct(request, metrics));
                } else {
                    router.handle(request);
                }
            } catch (RuntimeException e) { // a bug: answered, never a hang
                BugLog.log("serving a request", e);
                if (!request.response().ended()) {
                    request.response().setStatusCode(500).end();
                }
            }
        };
    }

    /**
     * An HTTP/1 request the decoder could not read (or whose version {@link RequestVersions}
     * refused): a Status with the client's fault, then the connection closes, since what
     * follows on it cannot be framed.
     */
    private void undecodable(HttpServerRequest request) {
        request.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
        request.response().bodyEndHandler(written -> request.connection().close());
        Exchange.direct(request, metrics).route("malformed")
                .fail("reading a request", MalformedRequests.ofDecoding(request.decoderResult().cause()));
    }

    /** The fast path: the gate, then the metrics API, without the router's per-request context. */
    private void metricsApi(Exchange exchange) {
        Future<Void> admission = gate.admit(exchange.request());
        if (admission.isComplete()) { // decided at once, as the loopback gate always is: no callback to allocate
            answerIfAdmitted(exchange, admission);
        } else {
            admission.onComplete(admitted -> answerIfAdmitted(exchange, admitted));
        }
    }

    private void answerIfAdmitted(Exchange exchange, AsyncResult<Void> admitted) {
        if (admitted.succeeded()) {
            routes.api().answer(exchange);
        } else {
            exchange.route("denied").fail("admitting a request", admitted.cause());
        }
    }
}
