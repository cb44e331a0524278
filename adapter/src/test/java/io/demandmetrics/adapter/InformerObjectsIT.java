package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.demandmetrics.scaler.spi.DescribedObject;
import io.demandmetrics.scaler.spi.Sample;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * In-cluster object resolution: {@code pods/*} answers carry exactly the pods that exist, match
 * the selector (set-based too, matched by the adapter: the mock ignores set-based selectors)
 * and are not terminating; a named object that does not exist is a 404; additions, updates and
 * deletions are seen by the next request.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InformerObjectsIT {

    private static final String PODS = "/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/";

    @TempDir
    static Path dir;
    private MockCluster cluster;
    private Adapter adapter;
    private HttpClient frontProxy;

    @BeforeAll
    void start() throws Exception {
        cluster = new MockCluster();
        pod("shop", "web-1", Map.of("app", "web", "tier", "frontend"), false);
        pod("shop", "web-2", Map.of("app", "web"), false);
        pod("shop", "web-old", Map.of("app", "web"), true);
        pod("shop", "api-1", Map.of("app", "api"), false);
        pod("other", "web-1", Map.of("app", "web"), false);
        cluster.admin.apps().deployments().inNamespace("shop").resource(new DeploymentBuilder().withNewMetadata()
                .withName("checkout").withNamespace("shop").endMetadata().build()).create();
        TestValuesScalerProvider.set("informer-pods", List.of(
                pod("web-1", 5), pod("web-2", 3), pod("web-old", 9), pod("api-1", 7), pod("ghost-1", 4)));
        TestValuesScalerProvider.set("informer-latency", List.of(Sample.of(0.3)));
        adapter = cluster.startAdapter(dir, """
                metrics:
                  - {name: http_requests, namespace: shop, describes: pods, type: test-values, parameters: {source: informer-pods}}
                  - {name: p99_latency, namespace: shop, describes: deployments.apps, object: checkout, type: test-values, parameters: {source: informer-latency}}
                """);
        frontProxy = TestAdapters.client(TestAdapters.certFile(dir), cluster.frontProxyCa.client("front-proxy-client"));
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    @Test
    void starAnswersOnlyExistingMatchingPodsThatAreNotTerminating() throws Exception {
        assertThat(values("app=web")).containsExactly("web-1=5", "web-2=3");
        assertThat(values("app in (web,api),tier notin (frontend)")).containsExactly("api-1=7", "web-2=3");
        assertThat(values("!tier")).containsExactly("api-1=7", "web-2=3");
        assertThat(values("app=worker")).isEmpty();
    }

    @Test
    void aNamedObjectThatDoesNotExistIsNotFound() throws Exception {
        HttpResponse<String> ghost = get(PODS + "ghost-1/http_requests");
        assertThat(ghost.statusCode()).isEqualTo(404);
        assertThat(new JsonObject(ghost.body()).getString("message"))
                .isEqualTo("the server could not find the metric http_requests for pods ghost-1");
        HttpResponse<String> checkout = get("/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/deployments.apps"
                + "/checkout/p99_latency");
        assertThat(checkout.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(checkout.body()).getJsonArray("items").getJsonObject(0).getString("value"))
                .isEqualTo("300m");
        HttpResponse<String> missing = get("/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/deployments.apps"
                + "/cart/p99_latency");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(new JsonObject(missing.body()).getString("message"))
                .isEqualTo("the server could not find the metric p99_latency for deployments.apps cart");
    }

    @Test
    void addedUpdatedAndDeletedPodsAreSeenByTheNextRequest() throws Exception {
        assertThat(values("app=web")).doesNotContain("ghost-1=4");
        pod("shop", "ghost-1", Map.of("app", "web"), false);
        await().atMost(Duration.ofSeconds(10)).until(() -> values("app=web").contains("ghost-1=4"));

        cluster.admin.pods().inNamespace("shop").withName("ghost-1").edit(p -> new PodBuilder(p).editMetadata()
                .addToLabels("app", "batch").endMetadata().build());
        await().atMost(Duration.ofSeconds(10)).until(() -> !values("app=web").contains("ghost-1=4"));
        assertThat(values("app=batch")).containsExactly("ghost-1=4");

        cluster.admin.pods().inNamespace("shop").withName("ghost-1").delete();
        await().atMost(Duration.ofSeconds(10)).until(() -> values("app=batch").isEmpty());
        assertThat(get(PODS + "ghost-1/http_requests").statusCode()).isEqualTo(404);
    }

    /** The HPA's calls as the aggregator forwards them: front-proxy certificate, identity headers. */
    @Test
    void hpaClientSequenceThroughTheFrontProxy() throws Exception {
        HttpResponse<String> group = get("/apis/custom.metrics.k8s.io");
        assertThat(group.statusCode()).isEqualTo(200);
        String preferred = new JsonObject(group.body()).getJsonObject("preferredVersion").getString("version");
        HttpResponse<String> pods = get("/apis/custom.metrics.k8s.io/" + preferred
                + "/namespaces/shop/pods/%2A/http_requests?labelSelector=app%3Dweb");
        assertThat(pods.statusCode()).isEqualTo(200);
        List<Long> perPod = new JsonObject(pods.body()).getJsonArray("items").stream().map(JsonObject.class::cast)
                .map(item -> HpaArithmetic.milliValue(item.getString("value"))).toList();
        assertThat(perPod).containsExactly(5_000L, 3_000L); // web-1, web-2: web-old is terminating
        assertThat(HpaArithmetic.podsAverageValue(perPod, 2_000, 2)).isEqualTo(4); // ceil(4 / 2 x 2)
        assertThat(cluster.reviewedSpecs).anySatisfy(spec -> {
            assertThat(spec.getString("user")).isEqualTo("system:serviceaccount:kube-system:horizontal-pod-autoscaler");
            assertThat(spec.getJsonObject("resourceAttributes")).isEqualTo(new JsonObject()
                    .put("group", "custom.metrics.k8s.io").put("name", "*").put("namespace", "shop")
                    .put("resource", "pods").put("subresource", "http_requests").put("verb", "get"));
        });
        assertThat(cluster.reviewedSpecs).anySatisfy(spec -> assertThat(spec.getJsonObject("nonResourceAttributes"))
                .isEqualTo(new JsonObject().put("path", "/apis/custom.metrics.k8s.io").put("verb", "get")));
    }

    private List<String> values(String selector) throws Exception {
        HttpResponse<String> response = get(PODS + "%2A/http_requests?labelSelector="
                + URLEncoder.encode(selector, StandardCharsets.UTF_8));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new JsonObject(response.body()).getJsonArray("items").stream().map(JsonObject.class::cast)
                .map(i -> i.getJsonObject("describedObject").getString("name") + "=" + i.getString("value")).toList();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return frontProxy.send(HttpRequest.newBuilder(URI.create(adapter.url() + path))
                .header("X-Remote-User", "system:serviceaccount:kube-system:horizontal-pod-autoscaler")
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A terminating pod is one deleted while a finalizer holds it: it exists, with a deletion timestamp. */
    private void pod(String namespace, String name, Map<String, String> labels, boolean terminating) {
        var metadata = new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels);
        if (terminating) {
            metadata.withFinalizers("example.com/hold");
        }
        var pods = cluster.admin.pods().inNamespace(namespace);
        pods.resource(metadata.endMetadata().build()).create();
        if (terminating) {
            pods.withName(name).delete();
            assertThat(pods.withName(name).get().getMetadata().getDeletionTimestamp()).as("terminating").isNotNull();
        }
    }

    private static Sample pod(String name, double value) {
        return Sample.forObject(DescribedObject.named(name), value);
    }
}
