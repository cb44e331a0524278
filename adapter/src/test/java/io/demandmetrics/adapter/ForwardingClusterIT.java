package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.demandmetrics.scaler.spi.Sample;
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
        TestValuesScalerProvider.set("forward-theirs", List.of(Sample.of(11)));
        TestValuesScalerProvider.set("forward-ours", List.of(Sample.of(5)));
        backend = cluster.startAdapter(backDir, "metrics:\n"
                + "  - {name: theirs, namespace: shop, type: test-values, parameters: {source: forward-theirs}}\n"
                + "  - {name: both, namespace: shop, type: test-values, parameters: {source: forward-theirs}}\n");
        Path token = Files.writeString(frontDir.resolve("token"), "good-token\n"); // the mock's service account
        front = cluster.startAdapter(frontDir, "metrics:\n"
                + "  - {name: mine, namespace: shop, type: test-values, parameters: {source: forward-ours}}\n"
                + "  - {name: both, namespace: shop, type: test-values, parameters: {source: forward-ours}}\n"
                + "forward:\n"
                + "  - {name: other, url: \"" + backend.url() + "\", groups: [external.metrics.k8s.io], caFile: "
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
