package io.demandmetrics.prometheus.client;

import io.demandmetrics.scaler.spi.ScalerContext;
import io.demandmetrics.scaler.support.ClientTls;
import io.demandmetrics.scaler.support.SharedResources;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;

/**
 * One HTTP client per Prometheus server and settings, shared by every metric that queries it
 * (one connection pool, at most {@link #CONNECTIONS} queries at once); closed with its last
 * metric. The registry is the adapter's ({@link ScalerContext#shared}), not a static: each
 * adapter, and each plugin that carries this library, has its own.
 */
final class PrometheusClients {

    /** Queries to one server at once; more wait for a connection. */
    static final int CONNECTIONS = 16;

    private final SharedResources<PrometheusEndpoint.ClientSettings, Future<HttpClient>> clients =
            new SharedResources<>(client -> client.onSuccess(HttpClient::close));

    private PrometheusClients() {
    }

    static SharedResources<?, Future<HttpClient>>.Lease acquire(ScalerContext context,
                                                                 PrometheusEndpoint.ClientSettings settings) {
        Vertx vertx = context.vertx();
        return context.shared(PrometheusClients.class, PrometheusClients::new).clients
                .acquire(settings, users -> open(vertx, settings));
    }

    /** TLS files are read on a worker: opening must not block the caller's event loop. */
    private static Future<HttpClient> open(Vertx vertx, PrometheusEndpoint.ClientSettings settings) {
        return vertx.executeBlocking(() -> {
            // The TLS files and unsafeSsl are only accepted with an https serverAddress.
            HttpClientOptions options = ClientTls.apply(new HttpClientOptions().setKeepAlive(true)
                    .setDecompressionSupported(true).setSsl(settings.https()), settings.caFile(), settings.certFile(),
                    settings.keyFile(), settings.unsafeSsl());
            return vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(CONNECTIONS));
        }, false);
    }
}
