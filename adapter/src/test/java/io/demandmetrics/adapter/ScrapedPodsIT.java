package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rps scaler in a cluster: pods come from the adapter's informer (the Kubernetes mock),
 * each with IP 127.0.0.1 and a {@code prometheus.io/port} annotation pointing at its own local
 * server, whose counter grows at a known rate. {@code pods/*} answers carry exactly the running,
 * matching pods that were scraped; a pod added is served after its first scrapes, a pod deleted
 * is gone at once, a restarted container is a counter reset.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScrapedPodsIT {

    private static final String PODS = "/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/*/http_requests_per_second";

    @TempDir
    static Path dir;
    private MockCluster cluster;
    private Adapter adapter;
    private HttpClient frontProxy;
    private Vertx vertx;
    /** Each pod's server: requests per second, and the counter's start (reset on a restart). */
    private final Map<String, double[]> counters = new ConcurrentHashMap<>();

    @BeforeAll
    void start() throws Exception {
        cluster = new MockCluster();
        vertx = Vertx.vertx();
        pod("web-1", "web", 20, "Running");
        pod("web-2", "web", 5, "Running");
        pod("api-1", "api", 50, "Running");
        pod("web-pending", "web", 7, "Pending");
        cluster.admin.apps().deployments().inNamespace("shop").resource(new io.fabric8.kubernetes.api.model.apps
                .DeploymentBuilder().withNewMetadata().withName("web").withNamespace("shop").endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", "web").addNewMatchExpression()
                .withKey("app").withOperator("NotIn").withValues("api").endMatchExpression().endSelector().endSpec()
                .build()).create();
        adapter = cluster.startAdapter(dir, """
                metrics:
                  - name: http_requests_per_second
                    namespace: shop
                    describes: pods
                    type: rps
                    parameters:
                      counter: http_requests_total
                      pods: {selector: "app=web"}
                      scrapeInterval: 100ms
                      shortWindow: 1s
                      longWindow: 2s
                    pollInterval: 200ms
                  - name: web_requests_per_second
                    namespace: shop
                    describes: deployments.apps
                    object: web
                    type: rps
                    parameters:
                      counter: http_requests_total
                      pods: {deployment: web}
                      scrapeInterval: 100ms
                      shortWindow: 1s
                      longWindow: 2s
                    pollInterval: 200ms
                  - name: deployment_requests_per_second
                    namespace: shop
                    describes: pods
                    type: rps
                    parameters:
                      counter: http_requests_total
                      pods: {deployment: web}
                      scrapeInterval: 100ms
                      shortWindow: 1s
                      longWindow: 2s
                    pollInterval: 200ms
                """);
        frontProxy = TestAdapters.client(TestAdapters.certFile(dir), cluster.frontProxyCa.client("front-proxy-client"));
    }

    @AfterAll
    void stop() throws Exception {
        cluster.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** A pod whose metrics server counts {@code rate} requests per second by the wall clock. */
    private void pod(String name, String app, double rate, String phase) throws Exception {
        counters.put(name, new double[] {rate, System.nanoTime()});
        HttpServer server = vertx.createHttpServer().requestHandler(request -> {
            double[] counter = counters.get(name);
            double count = counter[0] * (System.nanoTime() - counter[1]) / 1e9;
            request.response().end("http_requests_total{code=\"200\"} " + count + "\n");
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        Pod pod = new PodBuilder().withNewMetadata().withName(name).withNamespace("shop")
                .withLabels(Map.of("app", app))
                .withAnnotations(Map.of("prometheus.io/port", Integer.toString(server.actualPort())))
                .endMetadata()
                .withNewStatus().withPhase(phase).withPodIP(phase.equals("Running") ? "127.0.0.1" : null).endStatus()
                .build();
        cluster.admin.pods().inNamespace("shop").resource(pod).create();
    }

    /** The pods and values of a pods/* answer, values rounded to whole requests per second. */
    private Map<String, Long> answer() throws Exception {
        return answer(PODS);
    }

    private Map<String, Long> answer(String path) throws Exception {
        Map<String, Long> rounded = new TreeMap<>();
        milliValues(path).forEach((pod, milli) -> rounded.put(pod, Math.round(milli / 1000.0)));
        return rounded;
    }

    /** The pods and values of a pods/* answer, in thousandths, as the HPA reads the quantities. */
    private Map<String, Long> milliValues() throws Exception {
        return milliValues(PODS);
    }

    private Map<String, Long> milliValues(String path) throws Exception {
        return TestAdapters.milliValuesByObject(frontProxy, adapter, path);
    }

    @Test
    void podsAreFoundScrapedAddedAndDeletedAsTheClusterChanges() throws Exception {
        // Running and matching: web-1 and web-2; api-1 does not match, web-pending has no IP.
        await().ignoreExceptions().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(answer()).isEqualTo(Map.of("web-1", 20L, "web-2", 5L)));
        // The article's HPA, with a target of 10 requests per second per pod: the HPA averages
        // the pods' values (12.5) and proposes ceil(12.5 / 10 x 2 pods) = 3 replicas.
        assertThat(HpaArithmetic.podsAverageValue(List.copyOf(milliValues().values()), 10_000, 2)).isEqualTo(3);

        pod("web-3", "web", 12, "Running");
        await().ignoreExceptions().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(answer()).isEqualTo(Map.of("web-1", 20L, "web-2", 5L, "web-3", 12L)));

        cluster.admin.pods().inNamespace("shop").withName("web-2").delete();
        await().ignoreExceptions().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(answer()).isEqualTo(Map.of("web-1", 20L, "web-3", 12L)));
    }

    /** pods: {deployment: web} scrapes the pods the Deployment's own selector picks. */
    @Test
    void aDeploymentsSelectorPicksThePods() throws Exception {
        await().ignoreExceptions().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(answer(PODS.replace("http_requests_per_second", "deployment_requests_per_second")))
                        .containsEntry("web-1", 20L).doesNotContainKey("api-1").doesNotContainKey("web-pending"));
    }

    /** An object metric about the Deployment: the sum of its pods' rates (an HPA Object metric). */
    @Test
    void aDeploymentObjectMetricIsTheSumOfItsPods() throws Exception {
        String object = "/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/deployments.apps/web/web_requests_per_second";
        await().ignoreExceptions().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            long sumOfPods = answer().values().stream().mapToLong(Long::longValue).sum();
            assertThat(answer(object)).containsOnlyKeys("web");
            assertThat(answer(object).get("web")).isBetween(sumOfPods - 1, sumOfPods + 1);
        });
    }

    @Test
    void aRestartedContainerNeverReadsNegativeOrHuge() throws Exception {
        await().ignoreExceptions().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(answer()).containsEntry("web-1", 20L));
        counters.get("web-1")[1] = System.nanoTime(); // the counter starts again from 0
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            Long value = answer().get("web-1");
            assertThat(value).isNotNull().isBetween(0L, 30L);
            return System.nanoTime() > until;
        });
    }
}
