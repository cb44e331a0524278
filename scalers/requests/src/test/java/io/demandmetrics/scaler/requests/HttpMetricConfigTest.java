package io.demandmetrics.scaler.requests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.demandmetrics.scaler.spi.InvalidConfigException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpMetricConfigTest {

    private static final List<Map<String, Object>> ONE_TARGET = List.of(Map.of("pod", "web-1",
            "url", "http://10.0.0.1:15020/stats/prometheus"));

    @Test
    void aPresetFixesNamesUnitAndFilterAndTheMetricsFilterReplacesItsLabels() throws Exception {
        HttpMetricConfig latency = HttpMetricConfig.parseLatency(Map.of("preset", "istio", "targets", ONE_TARGET));
        assertThat(latency.sampleName()).isEqualTo("istio_request_duration_milliseconds_bucket");
        assertThat(latency.secondsPerUnit()).isEqualTo(0.001);
        assertThat(latency.filter()).hasToString("[reporter=\"destination\"]");
        assertThat(latency.quantile()).isEqualTo(0.99);
        HttpMetricConfig outOfMesh = HttpMetricConfig.parseRps(Map.of("preset", "istio", "targets", ONE_TARGET,
                "filter", "reporter=\"source\", destination_service=\"api.example.com\""));
        assertThat(outOfMesh.sampleName()).isEqualTo("istio_requests_total");
        assertThat(outOfMesh.filter()).hasToString("[reporter=\"source\", destination_service=\"api.example.com\"]");
        assertThat(outOfMesh.shortWindow()).isEqualTo(Duration.ofSeconds(3));
        assertThat(outOfMesh.longWindow()).isEqualTo(Duration.ofSeconds(30));
        assertThat(outOfMesh.historyCapacity()).isEqualTo(32);
    }

    @Test
    void aCustomHistogramMayBeNamedWithOrWithoutBucket() throws Exception {
        assertThat(HttpMetricConfig.parseLatency(Map.of("histogram", "x_seconds", "targets", ONE_TARGET)).sampleName())
                .isEqualTo("x_seconds_bucket");
        assertThat(HttpMetricConfig.parseLatency(Map.of("histogram", "x_seconds_bucket", "unit", "milliseconds",
                "targets", ONE_TARGET)).secondsPerUnit()).isEqualTo(0.001);
    }

    @Test
    void everyProblemIsReported() {
        InvalidConfigException error = catchThrowableOfType(InvalidConfigException.class,
                () -> HttpMetricConfig.parseRps(Map.of("preset", "nginx", "counter", "c", "filter", "code=5",
                        "scrapeInterval", "1s", "scrapeTimeout", "2s", "shortWindow", "1s", "longWindow", "500ms",
                        "targets", List.of(Map.of("pod", "a", "url", "ftp://x/metrics"),
                                Map.of("pod", "a", "url", "http://user:pw@x/metrics")))));
        assertThat(error.problems()).containsExactly(
                "parameter \"preset\" value \"nginx\" must be one of [istio, linkerd, ingress-nginx, traefik,"
                        + " envoy-gateway, micrometer, vertx, custom]",
                "parameter \"scrapeTimeout\" (2s) must be shorter than scrapeInterval (1s)",
                "parameter \"shortWindow\" (1s) must be at least two scrapeIntervals (2s): a rate needs two scrapes",
                "parameter \"longWindow\" (500ms) must be at least two scrapeIntervals (2s): a rate needs two scrapes",
                "parameter \"longWindow\" (500ms) must be at least shortWindow (1s)",
                "parameter \"filter\" value \"code=5\" is not a list of label matchers (code!~\"5..\","
                        + " reporter=\"destination\"): expected a double-quoted value after code=",
                "parameter \"targets[0].url\" value \"ftp://x/metrics\" must be an http:// or https:// URL with a host",
                "parameter \"targets[1].pod\" value \"a\" names a pod listed before; each pod once",
                "parameter \"targets[1].url\" value \"http://***@x/metrics\" must not hold credentials"
                        + " (use bearerTokenFile)");
        assertThat(String.join("\n", error.problems())).doesNotContain("pw");
    }

    @Test
    void aSummaryOrAHistogramNotBoth() {
        InvalidConfigException error = catchThrowableOfType(InvalidConfigException.class,
                () -> HttpMetricConfig.parseLatency(Map.of("summary", "x", "histogram", "y", "targets", ONE_TARGET)));
        assertThat(error.problems()).containsExactly("parameters \"histogram\" and \"summary\" exclude each other:"
                + " name the one the pods expose");
    }

    @Test
    void podsAreSelectedOneWayAndTargetsAreNotListedBeside() throws Exception {
        HttpMetricConfig byDeployment = HttpMetricConfig.parseRps(Map.of("counter", "c",
                "pods", Map.of("deployment", "checkout", "port", 9090)));
        assertThat(byDeployment.pods().ownerResource()).isEqualTo("deployments.apps");
        assertThat(byDeployment.pods().describe()).isEqualTo("deployments.apps checkout");
        InvalidConfigException error = catchThrowableOfType(InvalidConfigException.class,
                () -> HttpMetricConfig.parseRps(Map.of("counter", "c", "targets", ONE_TARGET,
                        "pods", Map.of("selector", "app=web", "service", "web"))));
        assertThat(error.problems()).containsExactly(
                "parameter \"pods\" needs exactly one of selector, service, deployment, statefulset, daemonset;"
                        + " given: [selector, service]",
                "parameters \"targets\" and \"pods\" exclude each other: list targets (standalone) or select pods"
                        + " (in a cluster)");
    }

    @Test
    void sourcePrometheusReadsTheEndpointAndKeepsScrapeSettingsOut() throws Exception {
        HttpMetricConfig config = HttpMetricConfig.parseRps(Map.of("preset", "istio", "source", "prometheus",
                "prometheus", Map.of("serverAddress", "http://prometheus.monitoring:9090/",
                        "customHeaders", "X-Scope-OrgID=shop"), "pods", Map.of("deployment", "checkout")));
        assertThat(config.prometheus().endpoint().server()).hasToString("http://prometheus.monitoring:9090");
        assertThat(config.prometheus().endpoint().customHeaders()).containsExactlyEntriesOf(
                Map.of("X-Scope-OrgID", "shop"));
        assertThat(config.prometheus().podLabel()).isEqualTo("pod");
        assertThat(config.prometheus().namespaceLabel()).isEqualTo("namespace");
        assertThat(config.shortWindow()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.longWindow()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.scrape()).isNull();
        assertThat(config.targets()).isEmpty();
        assertThat(HttpMetricConfig.parseLatency(Map.of("preset", "istio", "source", "prometheus",
                "prometheus", Map.of("serverAddress", "http://p:9090"))).longWindow()).isEqualTo(Duration.ofMinutes(2));

        InvalidConfigException error = catchThrowableOfType(InvalidConfigException.class,
                () -> HttpMetricConfig.parseRps(Map.of("preset", "istio", "source", "prometheus",
                        "prometheus", Map.of("serverAddress", "prometheus:9090", "bearerToken", "s3cret"),
                        "targets", ONE_TARGET, "scrapeInterval", "5s", "podLabel", "pod-name",
                        "pods", Map.of("selector", "app=web", "port", 8080), "shortWindow", "500ms")));
        assertThat(error.problems()).containsExactlyInAnyOrder(
                "parameter \"targets\" is for source: scrape; with source: prometheus, Prometheus scrapes the pods"
                        + " (select them with \"pods\", or by \"filter\")",
                "parameter \"scrapeInterval\" is for source: scrape; with source: prometheus, Prometheus scrapes the"
                        + " pods (select them with \"pods\", or by \"filter\")",
                "parameter \"podLabel\" value \"pod-name\" is not a Prometheus label name",
                "parameter \"prometheus.bearerToken\": secrets are not written in the config; give a file (a mounted"
                        + " Secret) with \"bearerTokenFile\"",
                "parameter \"prometheus.serverAddress\" value \"prometheus:9090\" is not an http(s) URL without query"
                        + " or credentials (e.g. http://prometheus.monitoring:9090)",
                "parameter \"shortWindow\" value \"500ms\" must be >= 1s",
                "parameter \"pods.port\" is for source: scrape; with source: prometheus, Prometheus scrapes the pods",
                "parameters \"targets\" and \"pods\" exclude each other: list targets (standalone) or select pods"
                        + " (in a cluster)");
        assertThat(String.join("\n", error.problems())).doesNotContain("s3cret");

        assertThat(catchThrowableOfType(InvalidConfigException.class, () -> HttpMetricConfig.parseLatency(Map.of(
                "preset", "istio", "source", "prometheus"))).problems()).containsExactly(
                "source: prometheus needs the \"prometheus\" block: {serverAddress: http://prometheus.monitoring:9090},"
                        + " with the prometheus scaler's connection parameters");
        assertThat(catchThrowableOfType(InvalidConfigException.class, () -> HttpMetricConfig.parseRps(Map.of(
                "preset", "istio", "targets", ONE_TARGET, "prometheus", Map.of("serverAddress", "http://p:9090"))))
                .problems()).containsExactly("parameter \"prometheus\" needs source: prometheus (without it the"
                + " adapter scrapes the pods itself)");
    }
}
