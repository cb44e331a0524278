package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.demandmetrics.testfixtures.PrometheusServer;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-pod values from one PromQL query, in a cluster (the Kubernetes mock): a real Prometheus
 * scrapes five local servers whose counters grow at known rates, labelled as Kubernetes service
 * discovery labels pods ({@code namespace}, {@code pod}); web-3 is scraped before it exists in
 * the cluster and web-2 goes on being scraped after it is deleted. Which pods are served is the
 * adapter's informer's word and the HPA's selector's, never the query's: one query per poll,
 * whatever the request. The same for the rps scaler's preset PromQL and for the prometheus
 * scaler with prometheus-adapter's migrated per-pod rule.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PromqlPodsIT {

    private static final String API = "/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/";

    @TempDir
    static Path dir;
    private MockCluster cluster;
    private Adapter adapter;
    private HttpClient frontProxy;
    private Vertx vertx;
    private PrometheusServer prometheus;

    @BeforeAll
    void start() throws Exception {
        cluster = new MockCluster();
        vertx = Vertx.vertx();
        Map<String, Double> rates = Map.of("web-1", 20.0, "web-2", 5.0, "web-3", 12.0, "api-1", 50.0);
        StringBuilder scrapes = new StringBuilder("""
                global: {scrape_interval: 1s, evaluation_interval: 1s}
                scrape_configs:
                  - job_name: pods
                    static_configs:
                """);
        for (Map.Entry<String, Double> pod : new TreeMap<>(rates).entrySet()) {
            scrapes.append("      - targets: [\"127.0.0.1:").append(counter(pod.getValue()))
                    .append("\"]\n        labels: {namespace: shop, pod: ").append(pod.getKey()).append("}\n");
        }
        // The same name in another namespace: never added to shop's web-1.
        scrapes.append("      - targets: [\"127.0.0.1:").append(counter(100))
                .append("\"]\n        labels: {namespace: other, pod: web-1}\n");
        prometheus = PrometheusServer.startWithConfig(Files.createDirectories(dir.resolve("prometheus")),
                scrapes.toString());
        pod("web-1", "web");
        pod("web-2", "web");
        pod("api-1", "api");
        cluster.admin.apps().deployments().inNamespace("shop").resource(new io.fabric8.kubernetes.api.model.apps
                .DeploymentBuilder().withNewMetadata().withName("web").withNamespace("shop").endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", "web").endSelector().endSpec()
                .build()).create();
        // The three metrics read one counter from this Prometheus over 5 s windows.
        String fromPrometheus = """
                      counter: http_requests_total
                      source: prometheus
                      prometheus: {serverAddress: "%s"}
                      shortWindow: 5s
                      longWindow: 5s
                """.formatted(prometheus.url());
        adapter = cluster.startAdapter(dir, """
                metrics:
                  - name: web_rps
                    namespace: shop
                    describes: pods
                    type: rps
                    pollInterval: 1s
                    parameters:
                      pods: {deployment: web}
                %1$s
                  - name: shop_rps
                    namespace: shop
                    describes: pods
                    type: rps
                    pollInterval: 1s
                    parameters:
                %1$s
                  - name: web_total_rps
                    namespace: shop
                    describes: deployments.apps
                    object: web
                    type: rps
                    pollInterval: 1s
                    parameters:
                      pods: {deployment: web}
                %1$s
                  - name: http_requests
                    namespace: shop
                    describes: pods
                    type: prometheus
                    pollInterval: 1s
                    parameters:
                      serverAddress: "%2$s"
                      query: sum(rate(http_requests_total{namespace="shop"}[5s])) by (pod)
                """.formatted(fromPrometheus.stripTrailing(), prometheus.url()));
        frontProxy = TestAdapters.client(TestAdapters.certFile(dir), cluster.frontProxyCa.client("front-proxy-client"));
    }

    @AfterAll
    void stop() throws Exception {
        cluster.close();
        prometheus.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** A local server whose counter grows at {@code rate} per second by the wall clock; its port. */
    private int counter(double rate) throws Exception {
        long started = System.nanoTime();
        HttpServer server = vertx.createHttpServer().requestHandler(request -> request.response()
                .end("http_requests_total{code=\"200\"} " + rate * (System.nanoTime() - started) / 1e9 + "\n"))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return server.actualPort();
    }

    /** A running pod; Prometheus, not the adapter, scrapes it, so it needs no port. */
    private void pod(String name, String app) {
        cluster.admin.pods().inNamespace("shop").resource(new PodBuilder().withNewMetadata().withName(name)
                .withNamespace("shop").withLabels(Map.of("app", app)).endMetadata()
                .withNewStatus().withPhase("Running").withPodIP("10.0.0." + name.length()).endStatus().build())
                .create();
    }

    /** The described objects and values of an answer, rounded to whole requests per second. */
    private Map<String, Long> answer(String path) throws Exception {
        Map<String, Long> values = new TreeMap<>();
        TestAdapters.milliValuesByObject(frontProxy, adapter, API + path).forEach((object, milli) ->
                values.put(object, Math.round(milli / 1000.0)));
        return values;
    }

    private static String selector(String selector) {
        return "?labelSelector=" + URLEncoder.encode(selector, StandardCharsets.UTF_8);
    }

    @Test
    void theInformersPodsAndTheHpasSelectorPickFromOneQuerysSeries() throws Exception {
        // web-3's series exists in Prometheus, but no such pod is in the cluster yet. Each query's
        // rates settle once Prometheus has scraped its series a few times (the pods' servers start
        // one after another): until then a rate may be short, so every answer is awaited.
        await().ignoreExceptions().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(answer("pods/*/web_rps" + selector("app=web"))).isEqualTo(Map.of("web-1", 20L, "web-2", 5L));
            // The HPA's selector over a metric of the whole namespace: the adapter's pods that match it.
            assertThat(answer("pods/*/shop_rps" + selector("app=web"))).isEqualTo(Map.of("web-1", 20L, "web-2", 5L));
            assertThat(answer("pods/*/shop_rps" + selector("app=api"))).isEqualTo(Map.of("api-1", 50L));
            // prometheus-adapter's default rule migrated (the prometheus scaler): the same pods, the same picking.
            assertThat(answer("pods/*/http_requests" + selector("app=web")))
                    .isEqualTo(Map.of("web-1", 20L, "web-2", 5L));
            // An Object metric about the Deployment: the sum of its pods' rates.
            assertThat(answer("deployments.apps/web/web_total_rps")).isEqualTo(Map.of("web", 25L));
        });
        // The article's HPA with a target of 10 requests per second per pod: ceil(12.5 / 10 x 2) = 3 replicas.
        assertThat(HpaArithmetic.podsAverageValue(List.of(20_000L, 5_000L), 10_000, 2)).isEqualTo(3);

        pod("web-3", "web");
        await().ignoreExceptions().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(answer("pods/*/web_rps" + selector("app=web")))
                        .isEqualTo(Map.of("web-1", 20L, "web-2", 5L, "web-3", 12L)));

        // Prometheus goes on scraping web-2's server; the pod is gone from the cluster.
        cluster.admin.pods().inNamespace("shop").withName("web-2").delete();
        await().ignoreExceptions().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(answer("pods/*/web_rps" + selector("app=web"))).isEqualTo(Map.of("web-1", 20L, "web-3", 12L));
            assertThat(answer("deployments.apps/web/web_total_rps")).isEqualTo(Map.of("web", 32L));
        });
        assertThat(prometheus.query("sum by (pod) (rate(http_requests_total{namespace=\"shop\"}[5s]))", "pod"))
                .containsKey("web-2");
    }
}
