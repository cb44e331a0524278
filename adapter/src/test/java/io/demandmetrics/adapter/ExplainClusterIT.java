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
        cluster = new MockCluster();
        adapter = cluster.startAdapter(dir, """
                metrics:
                  - {name: queue_depth, namespace: shop, type: test-values, parameters: {source: cluster-queue}, pollInterval: 200ms}
                """);
        frontProxy = TestAdapters.client(TestAdapters.certFile(dir), cluster.frontProxyCa.client("front-proxy-client"));
    }

    @AfterAll
    void stop() throws Exception {
        cluster.close();
    }

    private HttpResponse<String> explain(String user) throws Exception {
        return frontProxy.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                        adapter.url() + "/explain.json?metric=shop/queue_depth"))
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
