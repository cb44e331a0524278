package io.demandmetrics.scaler.requests;

import io.demandmetrics.scaler.requests.series.LabelMatcher;
import java.util.List;
import java.util.Optional;

/**
 * What users already run, so an `rps` or `latency` metric needs one word instead of metric
 * names, units, ports and the filters that make the numbers right (rps-latency.md).
 *
 * @param name the preset's name in the config
 * @param counter the request counter's sample name
 * @param histogram the request-duration histogram's bucket sample name
 * @param secondsPerUnit what one unit of the histogram's {@code le} is in seconds (0.001 for ms)
 * @param port the scrape port where the exposition usually is (0: the pod's {@code prometheus.io/port} annotation)
 * @param path the scrape path (null: the pod's {@code prometheus.io/path} annotation, else /metrics)
 * @param filter matchers every series must pass, e.g. Istio's destination reporter, so that a
 *     request is counted once and not by both sidecars
 * @param note what a user should know (where the port is unverified, what must be enabled)
 */
public record Preset(String name, String counter, String histogram, double secondsPerUnit, int port, String path,
                     List<LabelMatcher> filter, String note) {

    /** The presets by name; {@code custom} names its own counter and histogram. */
    public static final List<Preset> ALL = List.of(
            new Preset("istio", "istio_requests_total", "istio_request_duration_milliseconds_bucket", 0.001,
                    15020, "/stats/prometheus", LabelMatcher.parseAll("reporter=\"destination\""),
                    "the sidecar's merged metrics; reporter=\"destination\" counts each request once, at the"
                            + " receiving pod. For calls out of the mesh (a ServiceEntry host), filter with"
                            + " reporter=\"source\" and destination_service=\"<host>\" on an external metric."),
            new Preset("linkerd", "request_total", "response_latency_ms_bucket", 0.001, 4191, "/metrics",
                    LabelMatcher.parseAll("direction=\"inbound\""), "the proxy's admin port"),
            new Preset("ingress-nginx", "nginx_ingress_controller_requests",
                    "nginx_ingress_controller_request_duration_seconds_bucket", 1, 10254, "/metrics", List.of(),
                    "series are per ingress and service, not per app pod: filter on ingress or service and serve"
                            + " an object or external metric"),
            new Preset("traefik", "traefik_service_requests_total", "traefik_service_request_duration_seconds_bucket",
                    1, 8080, "/metrics", List.of(), "series are per Traefik service; the port is Traefik's"
                    + " metrics entry point (8080 unless configured)"),
            new Preset("envoy-gateway", "envoy_cluster_upstream_rq_total", "envoy_cluster_upstream_rq_time_bucket",
                    0.001, 19001, "/stats/prometheus", List.of(), "series are per Envoy cluster (route backend)"),
            new Preset("micrometer", "http_server_requests_seconds_count", "http_server_requests_seconds_bucket", 1,
                    8080, "/actuator/prometheus", List.of(), "Spring Boot's path; Quarkus serves /q/metrics. Buckets"
                    + " need management.metrics.distribution.percentiles-histogram.http.server.requests=true"),
            new Preset("vertx", "vertx_http_server_requests_total", "vertx_http_server_response_time_seconds_bucket",
                    1, 8080, "/metrics", List.of(), "buckets need MicrometerMetricsOptions' histogram enabled"),
            new Preset("custom", null, null, 1, 0, null, List.of(),
                    "name the counter (rps) or histogram (latency) yourself"));

    public static Optional<Preset> named(String name) {
        return ALL.stream().filter(preset -> preset.name.equals(name)).findFirst();
    }

    public static List<String> names() {
        return ALL.stream().map(Preset::name).toList();
    }
}
