package io.demandmetrics.scaler.prometheus;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * One {@code prometheus} metric: KEDA's trigger parameters, secrets as file paths.
 *
 * @param server the query API's base ({@code http://prometheus:9090}, or a prefix such as
 *     VictoriaMetrics' {@code /select/0/prometheus}); {@code /api/v1/query} is appended
 * @param query an instant query
 * @param activationThreshold a total at or below it is served as 0 (KEDA's activation)
 * @param ignoreNullValues an empty result, NaN or ±Inf is served as 0 instead of failing
 * @param customHeaders sent with every query (a tenant's {@code X-Scope-OrgID}, ...)
 * @param queryParameters added to every query's URL
 * @param namespace sent as the {@code namespace} query parameter (Thanos' namespaced queries), or null
 * @param timeout for the whole query, or null for the poll's own bound
 * @param auth how the adapter proves who it is
 * @param awsRegion signs every query with SigV4 for this region (Amazon Managed Prometheus), or null
 * @param objectLabel for a custom metric, the label that names each series' object ({@code pod}
 *     for pods unless set); null: the series are not per object
 */
record PrometheusConfig(URI server, String query, double activationThreshold, boolean ignoreNullValues,
                        Map<String, String> customHeaders, Map<String, String> queryParameters, String namespace,
                        Duration timeout, ClientSettings client, Auth auth, String awsRegion,
                        String objectLabel) {

    /**
     * What a query's HTTP client is built from: metrics on one server with equal settings
     * share one client (one connection pool).
     */
    record ClientSettings(String host, int port, boolean https, boolean unsafeSsl, String caFile, String certFile,
                          String keyFile) {
    }

    /** Bearer token or basic auth, both from files (mounted Secrets); none when all are null. */
    record Auth(String bearerTokenFile, String username, String passwordFile) {

        static final Auth NONE = new Auth(null, null, null);
    }
}
