package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An {@code rps} metric's owner leaves: its bucket's new owner needs its own scrapes to cover
 * the rate's window before its rate is right (a shorter history understates it, as a young
 * series does in PromQL), and until then serves the value the old owner sent, so the HPA
 * reading the other replica sees the pod's rate throughout, never a gap or a dip.
 */
class ReplicasRpsIT {

    private static final String PODS = "/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/*/http_requests_per_second";
    private static final String HPA = "system:serviceaccount:kube-system:horizontal-pod-autoscaler";

    @TempDir
    Path dir;
    private MockCluster cluster;
    private final Vertx vertx = Vertx.vertx();
    private final List<Adapter> replicas = new ArrayList<>();
    private final List<HttpClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        long started = System.nanoTime();
        HttpServer pod = vertx.createHttpServer().requestHandler(request -> request.response()
                .end("http_requests_total{code=\"200\"} " + 20 * (System.nanoTime() - started) / 1e9 + "\n"))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        Pod web = new PodBuilder().withNewMetadata().withName("web-1").withNamespace("shop")
                .withLabels(Map.of("app", "web"))
                .withAnnotations(Map.of("prometheus.io/port", Integer.toString(pod.actualPort()))).endMetadata()
                .withNewStatus().withPhase("Running").withPodIP("127.0.0.1").endStatus().build();
        cluster.admin.pods().inNamespace("shop").resource(web).create();
        Path token = dir.resolve("peer-token");
        Files.writeString(token, MockCluster.PEER_TOKEN);
        String config = """
                metrics:
                  - name: http_requests_per_second
                    namespace: shop
                    describes: pods
                    type: rps
                    parameters: {counter: http_requests_total, pods: {selector: "app=web"}, scrapeInterval: 250ms,
                                 shortWindow: 1s, longWindow: 2s}
                    pollInterval: 500ms
                    maxAge: 30s
                """;
        for (int r = 0; r < 2; r++) {
            Path home = Files.createDirectories(dir.resolve("replica-" + r));
            replicas.add(cluster.startAdapter(home, config, "--replica-buckets", "4", "--peer-port", "0",
                    "--peer-address", "127.0.0.1", "--peer-token-file", token.toString(), "--lease-namespace",
                    "adapters", "--lease-duration", "3s", "--lease-renew-deadline", "2s", "--lease-retry-period",
                    "200ms", "--shutdown-grace-period", "1s"));
            clients.add(TestAdapters.client(TestAdapters.certFile(home), cluster.frontProxyCa.client("front-proxy-client")));
        }
    }

    @AfterEach
    void stop() throws Exception {
        cluster.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private HttpResponse<String> get(int replica, String path) throws Exception {
        return clients.get(replica).send(HttpRequest.newBuilder(URI.create(replicas.get(replica).url()
                        + path.replace("*", "%2A"))).header("X-Remote-User", HPA).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private double polledHere(int replica) throws Exception {
        return TestAdapters.meter(get(replica, "/metrics").body(), "demand_adapter_metrics_polled_here");
    }

    @Test
    void theOtherReplicaAnswersWithThePodsRateThroughoutTheTakeover() throws Exception {
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            assertThat(polledHere(0) + polledHere(1)).isEqualTo(1);
            for (int r = 0; r < 2; r++) {
                assertThat(TestAdapters.milliValuesByObject(clients.get(r), replicas.get(r), PODS).get("web-1") / 1000.0)
                        .isBetween(18.0, 22.0);
            }
        });
        int owner = polledHere(0) == 1 ? 0 : 1;
        int other = 1 - owner;
        AtomicBoolean reading = new AtomicBoolean(true);
        AtomicInteger answered = new AtomicInteger();
        java.util.concurrent.atomic.AtomicLong lowestMilli = new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE);
        List<String> gaps = new CopyOnWriteArrayList<>();
        Thread hpa = new Thread(() -> {
            while (reading.get()) {
                try {
                    HttpResponse<String> answer = get(other, PODS);
                    if (answer.statusCode() != 200 || !answer.body().contains("web-1")) {
                        gaps.add(answer.statusCode() + " " + answer.body());
                    } else {
                        answered.incrementAndGet();
                        String value = new io.vertx.core.json.JsonObject(answer.body()).getJsonArray("items")
                                .getJsonObject(0).getString("value");
                        lowestMilli.accumulateAndGet(HpaArithmetic.milliValue(value), Math::min);
                    }
                } catch (Exception e) {
                    gaps.add(e.toString());
                }
            }
        });
        hpa.start();
        replicas.get(owner).stop(); // gives its buckets back: the other takes them and warms up
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> polledHere(other) == 1);
        // Its own rate, once its window has filled.
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> assertThat(
                TestAdapters.milliValuesByObject(clients.get(other), replicas.get(other), PODS).get("web-1") / 1000.0)
                .isBetween(18.0, 22.0));
        int before = answered.get();
        await().atMost(Duration.ofSeconds(10)).until(() -> answered.get() > before + 50);
        reading.set(false);
        hpa.join(10_000);
        assertThat(gaps).as("answers without web-1's rate while the new owner warmed up").isEmpty();
        assertThat(lowestMilli.get() / 1000.0).as("the lowest rate served during the takeover (the pod serves 20)")
                .isGreaterThanOrEqualTo(18.0);
        System.out.printf("rps takeover: %d answers, none without the rate; lowest value served %.1f req/s"
                + " (the pod serves 20)%n", answered.get(), lowestMilli.get() / 1000.0);
    }
}
