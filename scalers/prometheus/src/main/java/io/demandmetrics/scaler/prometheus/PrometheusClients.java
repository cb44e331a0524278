package io.demandmetrics.scaler.prometheus;

import io.demandmetrics.scaler.spi.ClientTls;
import io.demandmetrics.scaler.spi.ScalerContext;
import io.demandmetrics.scaler.spi.SharedResources;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;

/**
 * One HTTP client per Prometheus server and settings, shared by every metric that queries it
 * (one connection pool, at most {@link #CONNECTIONS} queries at once); closed with its last
 * metric.
 */
final class PrometheusClients {

    /** Queries to one server at once; more wait for a connection. */
    static final int CONNECTIONS = 16;

    private record Key(Vertx vertx, PrometheusEndpoint.ClientSettings settings) {
    }

    private static final SharedResources<Key, Future<HttpClient>> CLIENTS =
            new SharedResources<>(client -> client.onSuccess(HttpClient::close));

    private PrometheusClients() {
    }

    static SharedResources<Key, Future<HttpClient>>.Lease acquire(ScalerContext context,
                                                                    PrometheusEndpoint.ClientSettings settings) {
        Vertx vertx = context.vertx();
        return CLIENTS.acquire(new Key(vertx, settings), users -> open(vertx, settings));
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
