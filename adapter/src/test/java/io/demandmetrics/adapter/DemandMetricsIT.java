package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.demandmetrics.scaler.spi.Sample;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DemandMetrics on the Kubernetes mock (CRUD, the CRD of deploy/ installed, its status
 * subresource): created, changed and deleted resources are served, changed and removed like a
 * config reload, read by the HPA's calls; an invalid one is refused in its status with every
 * problem and serves nothing; a name the config file defines stays the file's; statuses are
 * written when a condition changes, not per poll.
 */
class DemandMetricsIT {

    private static final String EXTERNAL = "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/";

    @TempDir
    Path dir;
    private MockCluster cluster;
    private Adapter adapter;
    private HttpClient frontProxy;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        cluster.installDemandMetricCrd();
        TestValuesScalerProvider.set("team-orders", List.of(Sample.of(7)));
        TestValuesScalerProvider.set("platform-office", List.of(Sample.of(1)));
        adapter = cluster.startAdapter(dir, "metrics:\n"
                + "  - {name: office, namespace: shop, type: test-values, parameters: {source: platform-office}}\n");
        frontProxy = TestAdapters.client(TestAdapters.certFile(dir), cluster.frontProxyCa.client("front-proxy-client"));
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void aDemandMetricIsServedChangedAndRemovedWithItsStatus() throws Exception {
        create("orders", spec("team-orders"));
        await().atMost(Duration.ofSeconds(10)).until(() -> get(EXTERNAL + "orders").statusCode() == 200);
        // The HPA's reading: an AverageValue target of 2 per replica.
        long milli = HpaArithmetic.milliValue(value(get(EXTERNAL + "orders")));
        assertThat(HpaArithmetic.externalAverageValue(List.of(milli), 2_000, 1)).isEqualTo(4); // ceil(7 / 2)
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonObject status = status("orders");
            assertThat(condition(status, "Ready")).containsEntry("status", "True").containsEntry("reason", "Serving");
            assertThat(condition(status, "Invalid")).containsEntry("status", "False");
            assertThat(status.getLong("observedGeneration")).isEqualTo(1L);
            assertThat(status.getString("value")).isEqualTo("7");
        });

        TestValuesScalerProvider.set("team-orders-2", List.of(Sample.of(9)));
        GenericKubernetesResource changed = resources().withName("orders").get();
        changed.setAdditionalProperty("spec", spec("team-orders-2"));
        changed.getMetadata().setGeneration(2L); // the API server's job; the mock does not count generations
        resources().resource(changed).update();
        await().atMost(Duration.ofSeconds(10)).until(() -> "9".equals(value(get(EXTERNAL + "orders"))));
        await().atMost(Duration.ofSeconds(10)).until(() -> status("orders").getLong("observedGeneration") == 2L);

        resources().withName("orders").delete();
        await().atMost(Duration.ofSeconds(10)).until(() -> get(EXTERNAL + "orders").statusCode() == 404);
    }

    @Test
    void anInvalidDemandMetricServesNothingAndItsStatusListsEveryProblem() throws Exception {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("type", "nope");
        spec.put("pollInterval", "soon");
        spec.put("parameters", Map.of("tokenFile", "/var/run/secrets/kubernetes.io/serviceaccount/token"));
        create("broken", spec);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Map<String, Object> invalid = condition(status("broken"), "Invalid");
            assertThat(invalid).containsEntry("status", "True").containsEntry("reason", "InvalidSpec");
            assertThat((String) invalid.get("message")).contains("spec.parameters.tokenFile names a file",
                    "unknown scaler type \"nope\"", "field \"spec.pollInterval\"");
            assertThat(condition(status("broken"), "Ready")).containsEntry("status", "False");
        });
        assertThat(get(EXTERNAL + "broken").statusCode()).isEqualTo(404);

        create("office", spec("team-orders")); // the config file defines shop/office
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(condition(status("office"), "Invalid"))
                .containsEntry("status", "True").containsEntry("reason", "NameConflict"));
        assertThat(value(get(EXTERNAL + "office"))).as("the file's metric").isEqualTo("1");
    }

    @Test
    void statusIsWrittenWhenAConditionChangesNotPerPoll() throws Exception {
        TestValuesScalerProvider.set("team-steady", List.of(Sample.of(3)));
        create("steady", spec("team-steady"));
        await().atMost(Duration.ofSeconds(10)).until(() -> "True".equals(condition(status("steady"), "Ready")
                .get("status")));
        double written = writes();
        int polls = TestValuesScalerProvider.fetches("team-steady");
        // Ten polls (200 ms apart) with nothing changing: no write.
        await().atMost(Duration.ofSeconds(10)).until(() -> TestValuesScalerProvider.fetches("team-steady") >= polls + 10);
        assertThat(writes()).isEqualTo(written);

        TestValuesScalerProvider.fail("team-steady", "connection refused");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonObject status = status("steady");
            assertThat(condition(status, "Ready")).containsEntry("reason", "LastGood");
            assertThat(status.getString("lastError")).contains("connection refused");
        });
        double afterFailure = writes();
        int failedPolls = TestValuesScalerProvider.fetches("team-steady");
        await().atMost(Duration.ofSeconds(10)).until(() -> TestValuesScalerProvider.fetches("team-steady")
                >= failedPolls + 5);
        assertThat(writes()).as("failing the same way is no change").isEqualTo(afterFailure);
    }

    /**
     * Each HPA request is authorized by a SubjectAccessReview (one per metric, then cached); a
     * slow API server with status writes waiting must not hold those reviews back. Here each of
     * 80 statuses takes the API server 3 s: had the writes and the reviews one queue (as they
     * once had), every review would wait behind tens of seconds of writes and fail at its 5 s
     * deadline, and the HPA would get no value for a metric that has one.
     */
    @Test
    void hpaRequestsAreAuthorizedWhileStatusWritesWaitOnASlowApiServer() throws Exception {
        int slow = 80;
        assertThat(get("/apis/external.metrics.k8s.io/v1beta1").statusCode()).isEqualTo(200);
        TestValuesScalerProvider.set("team-slow", List.of(Sample.of(2)));
        for (int i = 0; i < slow; i++) {
            cluster.slowStatusWrites("shop", "slow-" + i, Duration.ofSeconds(3));
            create("slow-" + i, spec("team-slow"));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> new JsonObject(get("/apis/external.metrics.k8s.io/v1beta1")
                .body()).getJsonArray("resources").size() >= slow + 1);
        for (int i = 0; i < slow; i++) {
            HttpResponse<String> answer = get(EXTERNAL + "slow-" + i);
            assertThat(answer.statusCode()).as("slow-%d: %s", i, answer.body()).isEqualTo(200);
            assertThat(value(answer)).isEqualTo("2");
        }
        // Meanwhile the writes waited (8 at a time, 3 s each: half a minute for the 80).
        assertThat(TestAdapters.meter(get("/metrics").body(), "demand_adapter_demandmetric_status_writes_waiting"))
                .isPositive();
    }

    private static Map<String, Object> spec(String source) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("type", "test-values");
        spec.put("parameters", Map.of("source", source));
        spec.put("pollInterval", "200ms");
        spec.put("maxAge", "1h");
        return spec;
    }

    private void create(String name, Map<String, Object> spec) {
        cluster.createDemandMetric("shop", name, spec);
    }

    private io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<GenericKubernetesResource,
            io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
            io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>> resources() {
        return cluster.demandMetrics("shop");
    }

    private JsonObject status(String name) {
        Object status = resources().withName(name).get().getAdditionalProperties().get("status");
        return status == null ? new JsonObject() : JsonObject.mapFrom(status);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> condition(JsonObject status, String type) {
        return status.getJsonArray("conditions", new io.vertx.core.json.JsonArray()).stream()
                .map(c -> ((JsonObject) c).getMap()).filter(c -> type.equals(c.get("type"))).findFirst()
                .orElse(Map.of());
    }

    private double writes() throws Exception {
        return TestAdapters.meter(get("/metrics").body(), "demand_adapter_demandmetric_status_writes_total");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return frontProxy.send(HttpRequest.newBuilder(URI.create(adapter.url() + path))
                .header("X-Remote-User", "system:serviceaccount:kube-system:horizontal-pod-autoscaler")
                .header("Accept", "application/vnd.kubernetes.protobuf, */*")
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String value(HttpResponse<String> answer) {
        return answer.statusCode() != 200 ? null
                : new JsonObject(answer.body()).getJsonArray("items").getJsonObject(0).getString("value");
    }
}
