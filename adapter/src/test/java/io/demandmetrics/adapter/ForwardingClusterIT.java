package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.demandmetrics.scaler.spi.DescribedObject;
import io.demandmetrics.scaler.spi.Sample;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Forwarding between two real adapters in in-cluster mode against the Kubernetes API mock: the
 * backend authenticates the front adapter's token with a TokenReview and authorizes it with a
 * SubjectAccessReview, as KEDA's and prometheus-adapter's servers do; users reach the front one
 * through the real {@code kubectl} or the aggregator's front-proxy path. A user the front adapter
 * does not authorize is refused there, and the backend never sees the request.
 */
class ForwardingClusterIT {

    private static final String EXTERNAL = "/apis/external.metrics.k8s.io/v1beta1";

    @TempDir
    Path frontDir;
    @TempDir
    Path backDir;
    private MockCluster cluster;
    private Adapter backend;
    private Adapter front;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        for (String pod : List.of("web-1", "web-2", "web-3")) {
            cluster.admin.pods().inNamespace("shop").resource(new PodBuilder().withNewMetadata().withName(pod)
                    .withNamespace("shop").withLabels(Map.of("app", "web")).endMetadata().build()).create();
        }
        TestValuesScalerProvider.set("forward-theirs", List.of(Sample.of(11)));
        TestValuesScalerProvider.set("forward-ours", List.of(Sample.of(5)));
        TestValuesScalerProvider.set("forward-their-pods", List.of(pod("web-1", 9), pod("web-2", 6), pod("web-3", 3),
                pod("ghost", 50)));
        backend = cluster.startAdapter(backDir, "metrics:\n"
                + "  - {name: theirs, namespace: shop, type: test-values, parameters: {source: forward-theirs}}\n"
                + "  - {name: both, namespace: shop, type: test-values, parameters: {source: forward-theirs}}\n"
                + "  - {name: requests_per_pod, namespace: shop, describes: pods, type: test-values,"
                + " parameters: {source: forward-their-pods}}\n");
        Path token = Files.writeString(frontDir.resolve("token"), "good-token\n"); // the mock's service account
        front = cluster.startAdapter(frontDir, "metrics:\n"
                + "  - {name: mine, namespace: shop, type: test-values, parameters: {source: forward-ours}}\n"
                + "  - {name: both, namespace: shop, type: test-values, parameters: {source: forward-ours}}\n"
                + "forward:\n"
                + "  - {name: other, url: \"" + backend.url() + "\", groups: [external.metrics.k8s.io,"
                + " custom.metrics.k8s.io], caFile: "
                + TestAdapters.certFile(backDir) + ", tokenFile: " + token + ", timeout: 2s, discoveryInterval: 1s}\n");
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void kubectlGetsOursAndTheBackendsMetricsAndDiscoveryListsBoth() throws Exception {
        Path kubeconfig = kubeconfig();
        assertThat(value(kubectl(kubeconfig, EXTERNAL + "/namespaces/shop/theirs"))).isEqualTo("11");
        assertThat(value(kubectl(kubeconfig, EXTERNAL + "/namespaces/shop/mine"))).isEqualTo("5");
        assertThat(value(kubectl(kubeconfig, EXTERNAL + "/namespaces/shop/both"))).as("a name both serve is ours")
                .isEqualTo("5");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                new JsonObject(kubectl(kubeconfig, EXTERNAL)).getJsonArray("resources").stream()
                        .map(r -> ((JsonObject) r).getString("name")).sorted().toList())
                .containsExactly("both", "mine", "theirs"));
        // The backend was asked as the front adapter: its service account's token, reviewed there.
        assertThat(cluster.reviewedSpecs).filteredOn(spec -> spec.containsKey("resourceAttributes")).anySatisfy(spec -> {
            assertThat(spec.getString("user")).isEqualTo("system:serviceaccount:kube-system:horizontal-pod-autoscaler");
            assertThat(spec.getJsonObject("resourceAttributes").getString("resource")).isEqualTo("theirs");
        });
    }

    /**
     * The HPA controller's calls as the aggregator sends them to the front adapter (front-proxy
     * certificate, the HPA's service account, protobuf asked first): the preferred version from
     * discovery, the backend's pods metric with the target's selector, the backend's and our
     * external metrics; the replica counts the HPA computes from them.
     */
    @Test
    void theHpasCallsReadOursAndTheBackendsMetricsThroughTheFront() throws Exception {
        HttpClient frontProxy = TestAdapters.client(TestAdapters.certFile(frontDir),
                cluster.frontProxyCa.client("front-proxy-client"));
        HttpResponse<String> group = hpaGet(frontProxy, "/apis/custom.metrics.k8s.io");
        assertThat(group.statusCode()).isEqualTo(200);
        String preferred = new JsonObject(group.body()).getJsonObject("preferredVersion").getString("version");
        assertThat(preferred).isEqualTo("v1beta2");

        HttpResponse<String> pods = hpaGet(frontProxy, "/apis/custom.metrics.k8s.io/" + preferred
                + "/namespaces/shop/pods/%2A/requests_per_pod?labelSelector=app%3Dweb");
        assertThat(pods.statusCode()).as(pods.body()).isEqualTo(200);
        assertThat(pods.headers().firstValue("content-type")).hasValue("application/json");
        List<Long> perPod = milliValues(pods);
        assertThat(perPod).as("the pods that exist, as the backend answered").containsExactly(9_000L, 6_000L, 3_000L);
        assertThat(HpaArithmetic.podsAverageValue(perPod, 4_000, 3)).isEqualTo(5); // ceil(6 / 4 x 3)

        HttpResponse<String> theirs = hpaGet(frontProxy, EXTERNAL + "/namespaces/shop/theirs");
        HttpResponse<String> mine = hpaGet(frontProxy, EXTERNAL + "/namespaces/shop/mine");
        assertThat(HpaArithmetic.externalAverageValue(milliValues(theirs), 2_000, 3)).isEqualTo(6); // ceil(11 / 2)
        assertThat(HpaArithmetic.externalAverageValue(milliValues(mine), 2_000, 3)).isEqualTo(3); // ceil(5 / 2)
        assertThat(HpaArithmetic.desired(1, 10, 5, 6, 3)).isEqualTo(6);
        // The backend authorized the front adapter for its pods metric, as the HPA was authorized here.
        assertThat(cluster.reviewedSpecs).filteredOn(spec -> spec.containsKey("resourceAttributes"))
                .anySatisfy(spec -> assertThat(spec.getJsonObject("resourceAttributes").getString("subresource"))
                        .isEqualTo("requests_per_pod"));
    }

    /** The backend adapter stopped, then started again on its address: kubectl sees a 503 naming it, then its metric. */
    @Test
    void aStoppedBackendIsA503NamingItWhileOursAndDiscoveryCarryOnUntilItIsBack() throws Exception {
        Path kubeconfig = kubeconfig();
        await().atMost(Duration.ofSeconds(10)).until(() -> discoveryNames(kubeconfig).contains("theirs"));
        backend.stop();
        TestAdapters.KubectlResult down = TestAdapters.kubectl(kubeconfig, frontDir.resolve("kubectl-cache"),
                EXTERNAL + "/namespaces/shop/theirs");
        assertThat(down.exitCode()).isNotZero();
        assertThat(down.stderr()).contains("ServiceUnavailable", "backend \"other\" (" + backend.url()
                + ") did not answer");
        assertThat(value(kubectl(kubeconfig, EXTERNAL + "/namespaces/shop/mine"))).isEqualTo("5");
        // Through discovery intervals with the backend down, its last list is kept.
        await().during(Duration.ofMillis(2_500)).atMost(Duration.ofSeconds(5))
                .until(() -> discoveryNames(kubeconfig).contains("theirs"));

        backend = cluster.startAdapter(backDir, Files.readString(backDir.resolve("config.yaml")), "--secure-port",
                Integer.toString(backend.port()));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(value(kubectl(kubeconfig, EXTERNAL + "/namespaces/shop/theirs"))).isEqualTo("11"));
    }

    private List<String> discoveryNames(Path kubeconfig) throws Exception {
        return new JsonObject(kubectl(kubeconfig, EXTERNAL)).getJsonArray("resources").stream()
                .map(r -> ((JsonObject) r).getString("name")).sorted().toList();
    }

    @Test
    void aUserTheFrontAdapterDoesNotAuthorizeIsRefusedBeforeAnyForwardedCall() throws Exception {
        HttpClient frontProxy = TestAdapters.client(TestAdapters.certFile(frontDir),
                cluster.frontProxyCa.client("front-proxy-client"));
        double asked = backendRequests();
        HttpResponse<String> mallory = send(frontProxy, front.url() + EXTERNAL + "/namespaces/shop/theirs",
                "X-Remote-User", "mallory", "X-Remote-Group", "system:authenticated");
        assertThat(mallory.statusCode()).as(mallory.body()).isEqualTo(403);
        assertThat(backendRequests()).as("requests the backend answered").isEqualTo(asked);

        HttpResponse<String> alice = send(frontProxy, front.url() + EXTERNAL + "/namespaces/shop/theirs",
                "X-Remote-User", "alice", "X-Remote-Group", "system:authenticated");
        assertThat(alice.statusCode()).as(alice.body()).isEqualTo(200);
        assertThat(backendRequests()).isEqualTo(asked + 1);
    }

    /** The backend's answered external-metric requests, from its own /metrics. */
    private double backendRequests() throws Exception {
        HttpClient reader = TestAdapters.client(TestAdapters.certFile(backDir),
                cluster.clientCa.issue("hpa-client", "ops").keyManager());
        String exposition = send(reader, backend.url() + "/metrics").body();
        return exposition.lines().filter(line -> line.startsWith("demand_adapter_http_requests_seconds_count{")
                        && line.contains("route=\"external\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    private Path kubeconfig() throws Exception {
        return TestAdapters.clientCertificateKubeconfig(frontDir, front, cluster.clientCa.issue("hpa-client", "ops"));
    }

    private String kubectl(Path kubeconfig, String path) throws Exception {
        TestAdapters.KubectlResult result = TestAdapters.kubectl(kubeconfig, frontDir.resolve("kubectl-cache"), path);
        assertThat(result.exitCode()).as(result.stderr()).isZero();
        return result.stdout();
    }

    /** GET as the HPA controller asks: its identity from the front proxy, protobuf first. */
    private HttpResponse<String> hpaGet(HttpClient frontProxy, String path) throws Exception {
        return send(frontProxy, front.url() + path, "X-Remote-User",
                "system:serviceaccount:kube-system:horizontal-pod-autoscaler", "X-Remote-Group", "system:serviceaccounts",
                "Accept", "application/vnd.kubernetes.protobuf, */*");
    }

    private static List<Long> milliValues(HttpResponse<String> answer) {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return new JsonObject(answer.body()).getJsonArray("items").stream().map(JsonObject.class::cast)
                .map(item -> HpaArithmetic.milliValue(item.getString("value"))).toList();
    }

    private static Sample pod(String name, double value) {
        return Sample.forObject(DescribedObject.named(name), value);
    }

    private static String value(String body) {
        JsonArray items = new JsonObject(body).getJsonArray("items");
        return items.getJsonObject(0).getString("value");
    }

    private static HttpResponse<String> send(HttpClient client, String url, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
