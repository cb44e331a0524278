package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.demandmetrics.scaler.spi.Sample;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The explain page in a cluster (the Kubernetes mock): the HPAs come from an informer started
 * when the page is first asked for; an HPA created later shows up, with the proposal worked out
 * from the metric's value and the HPA's status; one deleted goes away.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExplainClusterIT {

    @TempDir
    static Path dir;
    private MockCluster cluster;
    private Adapter adapter;
    private HttpClient frontProxy;

    @BeforeAll
    void start() throws Exception {
        TestValuesScalerProvider.set("cluster-queue", List.of(Sample.of(120)));
        // Per pod: web-1 and web-2 of Deployment web, and api-1 of another workload; web-3 has no value yet.
        TestValuesScalerProvider.set("cluster-pods", List.of(
                Sample.forObject(io.demandmetrics.scaler.spi.DescribedObject.named("web-1"), 2),
                Sample.forObject(io.demandmetrics.scaler.spi.DescribedObject.named("web-2"), 2),
                Sample.forObject(io.demandmetrics.scaler.spi.DescribedObject.named("api-1"), 50)));
        cluster = new MockCluster();
        List<String> pods = List.of("web-1", "web-2", "web-3", "api-1");
        for (int i = 0; i < pods.size(); i++) {
            String pod = pods.get(i);
            cluster.admin.pods().inNamespace("shop").resource(new io.fabric8.kubernetes.api.model.PodBuilder()
                    .withNewMetadata().withName(pod).withNamespace("shop")
                    .withLabels(java.util.Map.of("app", pod.substring(0, 3))).endMetadata()
                    .withNewStatus().withPhase("Running").withPodIP("10.0.0." + (i + 1)).endStatus().build())
                    .create();
        }
        cluster.admin.apps().deployments().inNamespace("shop").resource(new io.fabric8.kubernetes.api.model.apps
                .DeploymentBuilder().withNewMetadata().withName("web").withNamespace("shop").endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", "web").endSelector().endSpec().build())
                .create();
        adapter = cluster.startAdapter(dir, """
                metrics:
                  - {name: queue_depth, namespace: shop, type: test-values, parameters: {source: cluster-queue}, pollInterval: 200ms}
                  - {name: requests_per_pod, namespace: shop, describes: pods, type: test-values, parameters: {source: cluster-pods}, pollInterval: 200ms}
                """);
        frontProxy = TestAdapters.client(TestAdapters.certFile(dir), cluster.frontProxyCa.client("front-proxy-client"));
    }

    @AfterAll
    void stop() throws Exception {
        cluster.close();
    }

    private HttpResponse<String> explain(String user) throws Exception {
        return explain(user, "shop/queue_depth");
    }

    private HttpResponse<String> explain(String user, String metric) throws Exception {
        return frontProxy.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                        adapter.url() + "/explain.json?metric=" + metric))
                .header("X-Remote-User", user).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonArray hpas() throws Exception {
        HttpResponse<String> response = explain("system:serviceaccount:kube-system:horizontal-pod-autoscaler");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonArray hpas = new JsonObject(response.body()).getJsonArray("metrics").getJsonObject(0).getJsonArray("hpas");
        return hpas == null ? new JsonArray() : hpas;
    }

    private static HorizontalPodAutoscaler hpa(String name, String target, int current) {
        return new HorizontalPodAutoscalerBuilder().withNewMetadata().withName(name).withNamespace("shop").endMetadata()
                .withNewSpec().withNewScaleTargetRef("apps/v1", "Deployment", "worker").withMinReplicas(1)
                .withMaxReplicas(30).addNewMetric().withType("External").withNewExternal().withNewMetric()
                .withName("queue_depth").endMetric().withNewTarget().withType("AverageValue")
                .withAverageValue(new io.fabric8.kubernetes.api.model.Quantity(target)).endTarget().endExternal()
                .endMetric().endSpec().withNewStatus().withCurrentReplicas(current).withDesiredReplicas(current)
                .endStatus().build();
    }

    /**
     * A Pods metric's proposal from the scale target's pods, as the controller lists them: the
     * Deployment's three running pods, web-3 without a value, api-1's value left out. The
     * average 2 against 10 says scale down, so web-3 counts as exactly the target: (2 + 2 + 10)
     * / 3 / 10 = 0.47, ceil(0.47 x 3) = 2. (Over the metric's own pods it would be 54 / 3 = 18:
     * 6 replicas.)
     */
    @Test
    void aPodsMetricIsProposedOverTheTargetsPods() throws Exception {
        cluster.admin.autoscaling().v2().horizontalPodAutoscalers().inNamespace("shop").resource(
                new HorizontalPodAutoscalerBuilder().withNewMetadata().withName("web").withNamespace("shop")
                        .endMetadata().withNewSpec().withNewScaleTargetRef("apps/v1", "Deployment", "web")
                        .withMinReplicas(1).withMaxReplicas(10).addNewMetric().withType("Pods").withNewPods()
                        .withNewMetric().withName("requests_per_pod").endMetric().withNewTarget()
                        .withType("AverageValue").withAverageValue(new io.fabric8.kubernetes.api.model.Quantity("10"))
                        .endTarget().endPods().endMetric().endSpec().withNewStatus().withCurrentReplicas(3)
                        .withDesiredReplicas(3).endStatus().build()).create();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            HttpResponse<String> response = explain("system:serviceaccount:kube-system:horizontal-pod-autoscaler",
                    "shop/requests_per_pod");
            JsonObject hpa = new JsonObject(response.body()).getJsonArray("metrics").getJsonObject(0)
                    .getJsonArray("hpas").getJsonObject(0);
            assertThat(hpa.getString("pods")).isEqualTo("3 running pods of Deployment web");
            assertThat(hpa.getInteger("proposedReplicas")).isEqualTo(2);
        });
    }

    /** Authorized like /metrics: a SubjectAccessReview for the path, which the mock denies strangers. */
    @Test
    void theExplainPageIsAuthorizedLikeTheOtherNonResourcePaths() throws Exception {
        HttpResponse<String> denied = explain("mallory");
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(denied.body()).contains("mallory").contains("/explain.json");
    }

    @Test
    void hpasFromTheClusterWithTheirProposals() throws Exception {
        cluster.admin.autoscaling().v2().horizontalPodAutoscalers().inNamespace("shop")
                .resource(hpa("worker", "20", 2)).create();
        // 120 waiting against 20 a replica with 2 replicas: ratio 3, ceil(120 / 20) = 6.
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            JsonArray hpas = hpas();
            assertThat(hpas).hasSize(1);
            assertThat(hpas.getJsonObject(0).getString("hpa")).isEqualTo("shop/worker");
            assertThat(hpas.getJsonObject(0).getInteger("proposedReplicas")).isEqualTo(6);
            assertThat(hpas.getJsonObject(0).getString("currentFrom")).isEqualTo("status.currentReplicas");
        });
        cluster.admin.autoscaling().v2().horizontalPodAutoscalers().inNamespace("shop")
                .resource(hpa("worker-strict", "10", 4)).create();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> assertThat(hpas()).hasSize(2));
        cluster.admin.autoscaling().v2().horizontalPodAutoscalers().inNamespace("shop").withName("worker").delete();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            JsonArray hpas = hpas();
            assertThat(hpas).hasSize(1);
            assertThat(hpas.getJsonObject(0).getInteger("proposedReplicas")).isEqualTo(12); // 120 / 10
        });
    }
}
