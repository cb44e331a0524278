package io.demandmetrics.scaler.prometheus;

import io.demandmetrics.prometheus.client.PrometheusEndpoint;

/**
 * One {@code prometheus} metric: KEDA's trigger parameters.
 *
 * @param endpoint where the query goes, and how
 * @param query an instant query
 * @param activationThreshold a total at or below it is served as 0 (KEDA's activation)
 * @param ignoreNullValues an empty result, NaN or ±Inf is served as 0 instead of failing
 * @param objectLabel for a custom metric, the label that names each series' object ({@code pod}
 *     for pods unless set); null: the series are not per object
 */
record PrometheusConfig(PrometheusEndpoint endpoint, String query, double activationThreshold,
                        boolean ignoreNullValues, String objectLabel) {
}
