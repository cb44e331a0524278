package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandmetrics.adapter.api.UpstreamTypes;
import io.demandmetrics.scaler.spi.DescribedObject;
import io.demandmetrics.scaler.spi.Sample;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every route, queried with the real {@code kubectl get --raw} and compared byte for byte with
 * golden files; the errors as Status objects; the HPA's own call sequence and arithmetic.
 *
 * <p>Regenerate the golden files after an intended wire change with
 * {@code mvn verify -pl adapter -Dgolden.update=true}, then review the diff.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsApiIT {

    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z"); // a Thursday, 13:00 in Berlin
    private static final Instant MEASURED = Instant.parse("2026-11-26T11:59:30Z");

    @TempDir
    static Path dir;
    private Adapter adapter;
    private HttpClient client;

    @BeforeAll
    void start() throws Exception {
        TestValuesScalerProvider.set("queues", List.of(
                Sample.of(Map.of("queue", "orders"), 120).at(MEASURED),
                Sample.of(Map.of("queue", "returns"), 30).at(MEASURED)));
        TestValuesScalerProvider.set("pods", List.of(
                pod("web-1", "web", "200", 10), pod("web-1", "web", "500", 2),
                pod("web-2", "web", "200", 6), pod("web-3", "web", "200", 3.5),
                pod("api-1", "api", "200", 40)));
        TestValuesScalerProvider.set("latency", List.of(Sample.of(0.2505).at(MEASURED).over(Duration.ofMinutes(1))));
        TestValuesScalerProvider.set("nodes", List.of(
                Sample.forObject(DescribedObject.named("node-1"), 0.75).at(MEASURED),
                Sample.forObject(DescribedObject.named("node-2"), 1500).at(MEASURED)));
        TestValuesScalerProvider.set("budget", List.of(Sample.of(2000).at(MEASURED)));
        TestValuesScalerProvider.set("negative", List.of(Sample.of(-5).at(MEASURED)));
        TestValuesScalerProvider.fail("down", "connection refused (127.0.0.1:9)");
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, """
                metrics:
                  - name: business-hours
                    namespace: shop
                    type: cron
                    parameters: {timezone: Europe/Berlin, start: "0 8 * * 1-5", end: "0 18 * * 1-5", desiredReplicas: 10}
                  - name: queue-depth
                    namespace: shop
                    type: test-values
                    parameters: {source: queues}
                  - name: http_requests_per_second
                    namespace: shop
                    describes: pods
                    type: test-values
                    parameters: {source: pods}
                  - name: p99_latency_seconds
                    namespace: shop
                    describes: deployments.apps
                    object: checkout
                    type: test-values
                    parameters: {source: latency}
                  - name: node_pressure
                    describes: nodes
                    type: test-values
                    parameters: {source: nodes}
                  - name: request_budget
                    describes: namespaces
                    object: shop
                    type: test-values
                    parameters: {source: budget}
                  - name: refunds
                    namespace: shop
                    type: test-values
                    parameters: {source: negative}
                  - name: down-with-fallback
                    namespace: shop
                    type: test-values
                    parameters: {source: down}
                    pollInterval: 1s
                    fallback: 3
                  - name: down
                    namespace: shop
                    type: test-values
                    parameters: {source: down}
                    pollInterval: 1s
                """);
        adapter = TestAdapters.start(dir, config, java.time.Clock.fixed(NOW, java.time.ZoneOffset.UTC));
        client = TestAdapters.client(TestAdapters.certFile(dir));
    }

    @AfterAll
    void stop() {
        adapter.stop();
    }

    static Stream<Arguments> routes() {
        String custom2 = "/apis/custom.metrics.k8s.io/v1beta2";
        String custom1 = "/apis/custom.metrics.k8s.io/v1beta1";
        String external = "/apis/external.metrics.k8s.io/v1beta1";
        return Stream.of(
                Arguments.of("api-group-list", "/apis"),
                Arguments.of("custom-group", "/apis/custom.metrics.k8s.io"),
                Arguments.of("external-group", "/apis/external.metrics.k8s.io"),
                Arguments.of("custom-v1beta2-resources", custom2),
                Arguments.of("custom-v1beta1-resources", custom1),
                Arguments.of("external-v1beta1-resources", external),
                Arguments.of("external-cron", external + "/namespaces/shop/business-hours"),
                Arguments.of("external-labelled", external + "/namespaces/shop/queue-depth"),
                Arguments.of("external-selected", external + "/namespaces/shop/queue-depth?labelSelector=queue%3Dorders"),
                Arguments.of("external-set-selector", external
                        + "/namespaces/shop/queue-depth?labelSelector=queue+notin+%28orders%29"),
                Arguments.of("external-negative-clamped", external + "/namespaces/shop/refunds"),
                Arguments.of("external-fallback", external + "/namespaces/shop/down-with-fallback"),
                Arguments.of("pods-star-v1beta2", custom2
                        + "/namespaces/shop/pods/%2A/http_requests_per_second?labelSelector=app%3Dweb"),
                Arguments.of("pods-star-v1beta1", custom1
                        + "/namespaces/shop/pods/%2A/http_requests_per_second?labelSelector=app%3Dweb"),
                Arguments.of("pods-star-unencoded", custom2 + "/namespaces/shop/pods/*/http_requests_per_second"),
                Arguments.of("pod-metric-selector-v1beta2", custom2
                        + "/namespaces/shop/pods/web-1/http_requests_per_second?metricLabelSelector=code+in+%28200%29"),
                Arguments.of("pod-metric-selector-v1beta1", custom1
                        + "/namespaces/shop/pods/web-1/http_requests_per_second?metricLabelSelector=code%3D500"),
                Arguments.of("object-window-v1beta2", custom2
                        + "/namespaces/shop/deployments.apps/checkout/p99_latency_seconds"),
                Arguments.of("object-window-v1beta1", custom1
                        + "/namespaces/shop/deployments.apps/checkout/p99_latency_seconds"),
                Arguments.of("root-scoped-star", custom2 + "/nodes/%2A/node_pressure"),
                Arguments.of("root-scoped-one", custom2 + "/nodes/node-2/node_pressure"),
                Arguments.of("namespace-metric", custom2 + "/namespaces/shop/metrics/request_budget"),
                Arguments.of("namespace-as-root-object", custom1 + "/namespaces/shop/request_budget"));
    }

    /** A scaler is told what its metric describes, to shape its samples (a value per pod, or one for the object). */
    @Test
    void scalersAreToldWhatTheirMetricDescribes() {
        assertThat(TestValuesScalerProvider.describes("queues")).isEqualTo("external");
        assertThat(TestValuesScalerProvider.describes("pods")).isEqualTo("pods");
        assertThat(TestValuesScalerProvider.describes("latency")).isEqualTo("deployments.apps");
        assertThat(TestValuesScalerProvider.describes("nodes")).isEqualTo("nodes");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routes")
    void kubectlGetRawMatchesTheGoldenFile(String name, String path) throws Exception {
        TestAdapters.KubectlResult result = TestAdapters.kubectl(dir, adapter, path);
        assertThat(result.exitCode()).as("kubectl stderr: %s", result.stderr()).isZero();
        assertThat(UpstreamTypes.differences(new JsonObject(result.stdout()))).as("against upstream's types").isEmpty();
        Golden.assertMatches(name, result.stdout().strip());
    }

    static Stream<Arguments> errors() {
        String custom2 = "/apis/custom.metrics.k8s.io/v1beta2";
        String external = "/apis/external.metrics.k8s.io/v1beta1";
        return Stream.of(
                Arguments.of(external + "/namespaces/shop/nope", 404, "NotFound",
                        "the server could not find the metric nope for namespace shop"),
                Arguments.of(external + "/namespaces/other/queue-depth", 404, "NotFound",
                        "the server could not find the metric queue-depth for namespace other"),
                Arguments.of(custom2 + "/namespaces/shop/pods/web-9/http_requests_per_second", 404, "NotFound",
                        "the server could not find the metric http_requests_per_second for pods web-9"),
                Arguments.of(custom2 + "/namespaces/shop/widgets/%2A/http_requests_per_second", 404, "NotFound",
                        "the server could not find the metric http_requests_per_second for widgets"),
                Arguments.of(custom2 + "/namespaces/shop/nodes/%2A/node_pressure", 404, "NotFound",
                        "the server could not find the metric node_pressure for nodes"),
                Arguments.of("/apis/custom.metrics.k8s.io/v1", 404, "NotFound",
                        "the server could not find the requested resource"),
                Arguments.of("/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop", 404, "NotFound",
                        "the server could not find the requested resource"),
                Arguments.of("/nothing-here", 404, "NotFound", "the server could not find the requested resource"),
                Arguments.of(external + "/namespaces/shop/queue-depth?labelSelector=queue+in+%28orders", 400,
                        "BadRequest", "invalid labelSelector: unable to parse selector \"queue in (orders\": found"
                                + " end of selector, expected ',' or ')'"),
                Arguments.of(custom2 + "/namespaces/shop/pods/%2A/http_requests_per_second?metricLabelSelector=%3D%3D",
                        400, "BadRequest", "invalid metricLabelSelector: unable to parse selector \"==\": found '==',"
                                + " expected a label key"),
                Arguments.of(external + "/namespaces/shop/down", 503, "ServiceUnavailable",
                        "metric \"shop/down\" has no value yet; last error 0s ago: connection refused (127.0.0.1:9)"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("errors")
    void errorsAreStatusObjects(String path, int code, String reason, String message) throws Exception {
        HttpResponse<String> response = TestAdapters.get(client, adapter, path);
        assertThat(response.statusCode()).isEqualTo(code);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(UpstreamTypes.differences(new JsonObject(response.body()))).as("against upstream's types").isEmpty();
        assertThat(new JsonObject(response.body())).isEqualTo(new JsonObject()
                .put("kind", "Status").put("apiVersion", "v1").put("metadata", new JsonObject())
                .put("status", "Failure").put("message", message).put("reason", reason).put("code", code));
    }

    /** The standalone banner's commands name this config's metrics, and each one answers. */
    @Test
    void theBannersCommandsQueryTheConfigsOwnMetrics() throws Exception {
        String banner = StandaloneBanner.text(adapter.url(), dir.resolve("kubeconfig"), TestAdapters.certFile(dir),
                adapter.metrics());
        List<String> paths = banner.lines().filter(line -> line.contains("get --raw '"))
                .map(line -> line.substring(line.indexOf('\'') + 1, line.length() - 1)).toList();
        assertThat(paths).containsExactly(
                "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/business-hours",
                "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/queue-depth",
                "/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/*/http_requests_per_second");
        assertThat(banner).contains("(6 more metrics: see the discovery documents)").doesNotContain("default/");
        for (String path : paths) {
            TestAdapters.KubectlResult result = TestAdapters.kubectl(dir, adapter, path);
            assertThat(result.exitCode()).as("kubectl get --raw %s: %s", path, result.stderr()).isZero();
            assertThat(new JsonObject(result.stdout()).getJsonArray("items")).as(path).isNotEmpty();
        }
        assertThat(StandaloneBanner.path(adapter.metrics().get(4)))
                .isEqualTo("/apis/custom.metrics.k8s.io/v1beta2/nodes/*/node_pressure");
        assertThat(TestAdapters.kubectl(dir, adapter, StandaloneBanner.path(adapter.metrics().get(4))).exitCode())
                .isZero();
    }

    @Test
    void kubectlShowsTheStatusMessage() throws Exception {
        TestAdapters.KubectlResult result = TestAdapters.kubectl(dir, adapter,
                "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/nope");
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.stderr()).contains("Error from server (NotFound): the server could not find the metric nope"
                + " for namespace shop");
    }

    /** What the HPA controller does: discovery, preferred version, %2A with the target's selector, arithmetic. */
    @Test
    void hpaClientSequenceComputesTheExpectedReplicas() throws Exception {
        HttpResponse<String> group = TestAdapters.get(client, adapter, "/apis/custom.metrics.k8s.io");
        assertThat(group.version()).as("HTTP/2 through ALPN").isEqualTo(HttpClient.Version.HTTP_2);
        String preferred = new JsonObject(group.body()).getJsonObject("preferredVersion").getString("version");
        assertThat(preferred).isEqualTo("v1beta2");

        HttpResponse<String> pods = TestAdapters.get(client, adapter, "/apis/custom.metrics.k8s.io/" + preferred
                + "/namespaces/shop/pods/%2A/http_requests_per_second?labelSelector=app%3Dweb");
        assertThat(pods.statusCode()).isEqualTo(200);
        JsonArray items = new JsonObject(pods.body()).getJsonArray("items");
        List<Long> perPod = items.stream().map(JsonObject.class::cast)
                .map(item -> HpaArithmetic.milliValue(item.getString("value"))).toList();
        // web-1 12 (10 + 2 across codes), web-2 6, web-3 3.5: average 7.17 against a target of 5 per pod
        assertThat(perPod).containsExactly(12_000L, 6_000L, 3_500L);
        int fromPods = HpaArithmetic.podsAverageValue(perPod, 5_000, 3);

        HttpResponse<String> external = TestAdapters.get(client, adapter,
                "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/queue-depth");
        List<Long> series = new JsonObject(external.body()).getJsonArray("items").stream().map(JsonObject.class::cast)
                .map(item -> HpaArithmetic.milliValue(item.getString("value"))).toList();
        int fromQueue = HpaArithmetic.externalAverageValue(series, 20_000, 4); // 150 messages, 20 per replica

        HttpResponse<String> cron = TestAdapters.get(client, adapter,
                "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/business-hours");
        long scheduled = HpaArithmetic.milliValue(new JsonObject(cron.body()).getJsonArray("items").getJsonObject(0)
                .getString("value"));
        int fromCron = HpaArithmetic.externalAverageValue(List.of(scheduled), 1_000, 4);

        HttpResponse<String> object = TestAdapters.get(client, adapter,
                "/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/deployments.apps/checkout/p99_latency_seconds");
        long latency = HpaArithmetic.milliValue(new JsonObject(object.body()).getJsonArray("items").getJsonObject(0)
                .getString("value"));
        int fromLatency = HpaArithmetic.objectValue(latency, 200, 4); // 251m against a 200m target

        assertThat(fromPods).isEqualTo(5);     // ceil(7.17 / 5 × 3)
        assertThat(fromQueue).isEqualTo(8);    // ceil(150 / 20)
        assertThat(fromCron).isEqualTo(10);    // desiredReplicas inside the window
        assertThat(fromLatency).isEqualTo(6);  // ceil(1.255 × 4)
        assertThat(HpaArithmetic.desired(2, 20, fromPods, fromQueue, fromCron, fromLatency)).isEqualTo(10);
    }

    @Test
    void healthOpenApiAndMetricsAnswer() throws Exception {
        for (String probe : List.of("/healthz", "/livez")) {
            HttpResponse<String> response = TestAdapters.get(client, adapter, probe);
            assertThat(response.statusCode()).as(probe).isEqualTo(200);
            assertThat(response.body()).isEqualTo("ok");
        }
        HttpResponse<String> readyz = TestAdapters.get(client, adapter, "/readyz");
        assertThat(readyz.statusCode()).isEqualTo(503); // two metrics have never had a value
        assertThat(readyz.body()).isEqualTo("not ready: starting: 2 of 9 metrics have no value yet"
                + " (shop/down-with-fallback, shop/down); ready anyway 30s after start");
        assertThat(new JsonObject(TestAdapters.get(client, adapter, "/openapi/v2").body()).getString("swagger"))
                .isEqualTo("2.0");
        JsonObject v3 = new JsonObject(TestAdapters.get(client, adapter, "/openapi/v3").body());
        String url = v3.getJsonObject("paths").getJsonObject("apis/custom.metrics.k8s.io/v1beta2")
                .getString("serverRelativeURL");
        assertThat(new JsonObject(TestAdapters.get(client, adapter, url).body()).getString("openapi")).isEqualTo("3.0.0");

        TestAdapters.get(client, adapter, "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/queue-depth");
        String metrics = TestAdapters.get(client, adapter, "/metrics").body();
        assertThat(metrics)
                .containsPattern("demand_adapter_http_requests_seconds_count\\{code=\"200\",route=\"external\"} \\d+")
                .containsPattern("demand_adapter_http_requests_seconds_bucket\\{code=\"200\",route=\"external\",le=\"0\\.005\"}")
                .containsPattern("demand_adapter_poll_seconds_count\\{describes=\"external\",metric=\"shop/queue-depth\",type=\"test-values\"} [1-9]")
                .containsPattern("demand_adapter_poll_errors_total\\{describes=\"external\",metric=\"shop/down\",type=\"test-values\"} [1-9]")
                .contains("demand_adapter_value_age_seconds{describes=\"external\",metric=\"shop/queue-depth\",type=\"test-values\"} 0.0")
                .contains("demand_adapter_metrics_configured 9.0");

        // OpenMetrics, as a Prometheus that asks for it gets it: the poll meters inside the
        // exposition, the one "# EOF" last (a Prometheus drops a scrape with anything after it).
        HttpResponse<String> openMetrics = client.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(adapter.url() + "/metrics"))
                        .header("Accept", "application/openmetrics-text; version=1.0.0")
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(openMetrics.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/openmetrics-text"));
        assertThat(openMetrics.body())
                .contains("# TYPE demand_adapter_poll_errors counter\n")
                .containsPattern("demand_adapter_poll_seconds_count\\{describes=\"external\",metric=\"shop/queue-depth\",type=\"test-values\"} [1-9]")
                .contains("# TYPE demand_adapter_http_requests_seconds histogram\n")
                .endsWith("\n# EOF\n");
        assertThat(openMetrics.body().split("# EOF", -1)).hasSize(2);

        // name[] (as Prometheus' client libraries take it): the families asked for, by a family's
        // or a series' name, from the adapter's meters and the poll meters alike; nothing else.
        String picked = TestAdapters.get(client, adapter,
                "/metrics?name%5B%5D=demand_adapter_metrics_configured&name%5B%5D=demand_adapter_poll_errors_total").body();
        assertThat(picked).contains("demand_adapter_metrics_configured 9.0")
                .containsPattern("demand_adapter_poll_errors_total\\{describes=\"external\",metric=\"shop/down\",type=\"test-values\"} [1-9]")
                .doesNotContain("demand_adapter_http_requests_seconds", "demand_adapter_poll_seconds", "jvm_");
        HttpResponse<String> malformed = TestAdapters.get(client, adapter, "/metrics?name%5B%5D=no%20name");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(malformed.body()).getString("message"))
                .isEqualTo("name[] must be a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*), got \"no name\"");
    }

    @Test
    void discoveryIsGzippedForClientsThatAcceptIt() throws Exception {
        String path = "/apis/custom.metrics.k8s.io/v1beta2";
        HttpResponse<byte[]> zipped = client.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(adapter.url() + path)).header("Accept-Encoding", "gzip")
                        .timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(zipped.headers().firstValue("content-encoding")).hasValue("gzip");
        assertThat(zipped.headers().firstValue("vary")).hasValue("Accept-Encoding");
        String unzipped = new String(new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(zipped.body()))
                .readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        HttpResponse<String> plain = TestAdapters.get(client, adapter, path);
        assertThat(plain.headers().firstValue("content-encoding")).isEmpty();
        assertThat(unzipped).isEqualTo(plain.body());
    }

    private static Sample pod(String name, String app, String code, double value) {
        return new Sample(new DescribedObject(name, Map.of("app", app)), Map.of("code", code), value, MEASURED, null);
    }
}
