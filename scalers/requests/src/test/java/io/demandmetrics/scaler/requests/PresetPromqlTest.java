package io.demandmetrics.scaler.requests;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The PromQL each preset asks with source: prometheus: what the README shows, and what users compare with. */
class PresetPromqlTest {

    private static Map<String, Object> promql(Map<String, Object> parameters) {
        Map<String, Object> withSource = new HashMap<>(parameters);
        withSource.put("source", "prometheus");
        withSource.put("prometheus", Map.of("serverAddress", "http://prometheus.monitoring:9090"));
        return withSource;
    }

    private static String rps(Map<String, Object> parameters, boolean perPod, String namespace) throws Exception {
        return PresetPromql.query(HttpMetricConfig.parseRps(promql(parameters)), perPod, namespace);
    }

    private static String latency(Map<String, Object> parameters, boolean perPod, String namespace) throws Exception {
        return PresetPromql.query(HttpMetricConfig.parseLatency(promql(parameters)), perPod, namespace);
    }

    @Test
    void rpsIsEachWindowsRatePerPodToldApartByALabelOrOneRateWithOneWindow() throws Exception {
        assertThat(rps(Map.of("preset", "istio"), true, "shop")).isEqualTo(
                "label_replace(sum by (pod) (rate(istio_requests_total{namespace=\"shop\", reporter=\"destination\"}"
                        + "[1m])), \"window\", \"short\", \"\", \"\") or label_replace(sum by (pod)"
                        + " (rate(istio_requests_total{namespace=\"shop\", reporter=\"destination\"}[2m])), \"window\","
                        + " \"long\", \"\", \"\")");
        assertThat(rps(Map.of("preset", "micrometer", "shortWindow", "90s", "longWindow", "90s",
                "filter", "status!~\"5..\"", "podLabel", "kubernetes_pod_name"), false, "shop")).isEqualTo(
                "sum by (kubernetes_pod_name) (rate(http_server_requests_seconds_count{namespace=\"shop\","
                        + " status!~\"5..\"}[90s]))");
    }

    @Test
    void latencyIsPrometheusQuantilePerPodAndBucketRatesOtherwise() throws Exception {
        assertThat(latency(Map.of("preset", "linkerd", "quantile", 0.95), true, "shop")).isEqualTo(
                "histogram_quantile(0.95, sum by (pod, le) (rate(response_latency_ms_bucket{namespace=\"shop\","
                        + " direction=\"inbound\"}[2m])))");
        assertThat(latency(Map.of("preset", "linkerd", "window", "30s"), false, "shop")).isEqualTo(
                "sum by (pod, le) (rate(response_latency_ms_bucket{namespace=\"shop\", direction=\"inbound\"}[30s]))");
        assertThat(latency(Map.of("summary", "rpc_duration_seconds", "quantile", 0.5), true, "shop")).isEqualTo(
                "max by (pod) (rpc_duration_seconds{namespace=\"shop\", quantile=\"0.5\"})");
    }

    @Test
    void theFilterMayReplaceTheNamespaceMatcherAndValuesAreEscaped() throws Exception {
        // ingress-nginx's series live in the controller's namespace: the filter says which.
        assertThat(rps(Map.of("preset", "ingress-nginx", "shortWindow", "1m", "longWindow", "1m",
                "filter", "namespace=\"ingress-nginx\", ingress=\"shop\""), false, "shop")).isEqualTo(
                "sum by (pod) (rate(nginx_ingress_controller_requests{namespace=\"ingress-nginx\","
                        + " ingress=\"shop\"}[1m]))");
        assertThat(rps(Map.of("counter", "c", "shortWindow", "1m", "longWindow", "1m",
                "filter", "path=\"/a\\\"b\\\\c\\td\""), true, null)).isEqualTo(
                "sum by (pod) (rate(c{path=\"/a\\\"b\\\\c\\td\"}[1m]))");
    }
}
