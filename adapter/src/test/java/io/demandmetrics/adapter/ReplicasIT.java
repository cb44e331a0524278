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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three in-cluster replicas sharing the polling through bucket Leases on the Kubernetes API
 * mock: each source is polled by one of them, every replica answers every metric with the
 * owner's value, and when a replica leaves the others take its buckets over; each DemandMetric's
 * status is written by one of them.
 */
class ReplicasIT {

    private static final int METRICS = 12;
    private static final String HPA = "system:serviceaccount:kube-system:horizontal-pod-autoscaler";

    @TempDir
    Path dir;
    private MockCluster cluster;
    private final List<Adapter> replicas = new ArrayList<>();
    private final Map<Adapter, HttpClient> clients = new HashMap<>();

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        cluster.installDemandMetricCrd();
        Path token = dir.resolve("peer-token");
        Files.writeString(token, MockCluster.PEER_TOKEN);
        StringBuilder config = new StringBuilder("metrics:\n");
        for (int i = 0; i < METRICS; i++) {
            TestValuesScalerProvider.set("replicas-" + i, List.of(Sample.of(100 + i)));
            config.append("  - {name: m").append(i).append(", namespace: shop, type: test-values, pollInterval: 1s,")
                    .append(" parameters: {source: replicas-").append(i).append("}}\n");
        }
        for (int r = 0; r < 3; r++) {
            replicas.add(startReplica(r, config.toString(), token));
        }
    }

    private Adapter startReplica(int index, String config, Path token) throws Exception {
        Path home = dir.resolve("replica-" + index);
        Files.createDirectories(home);
        Adapter adapter = cluster.startAdapter(home, config, "--replica-buckets", "8", "--peer-port", "0",
                "--peer-address", "127.0.0.1", "--peer-token-file", token.toString(), "--lease-namespace", "adapters",
                "--lease-duration", "3s", "--lease-renew-deadline", "2s", "--lease-retry-period", "200ms",
                "--shutdown-grace-period", "1s");
        clients.put(adapter, TestAdapters.client(TestAdapters.certFile(home),
                cluster.frontProxyCa.client("front-proxy-client")));
        return adapter;
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private HttpResponse<String> get(Adapter adapter, String path) throws Exception {
        return clients.get(adapter).send(HttpRequest.newBuilder(URI.create(adapter.url() + path))
                .header("X-Remote-User", HPA).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private double meter(Adapter adapter, String name) throws Exception {
        return TestAdapters.meter(get(adapter, "/metrics").body(), name);
    }

    private String value(Adapter adapter, int metric) throws Exception {
        HttpResponse<String> answer = get(adapter, "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/m" + metric);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonArray items = new JsonObject(answer.body()).getJsonArray("items");
        return items.getJsonObject(0).getString("value");
    }

    private void awaitBucketsShared(List<Adapter> live) {
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            double total = 0;
            for (Adapter adapter : live) {
                double held = meter(adapter, "demand_adapter_buckets_held");
                assertThat(held).as("buckets held by one of %d replicas", live.size())
                        .isBetween(Math.floor(8.0 / live.size()), Math.ceil(8.0 / live.size()));
                total += held;
            }
            assertThat(total).isEqualTo(8);
        });
    }

    @Test
    void eachSourceIsPolledByOneReplicaAndEveryReplicaAnswersEveryMetric() throws Exception {
        awaitBucketsShared(replicas);
        // Every replica serves every metric, with the value its owner polled.
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> {
            for (Adapter adapter : replicas) {
                for (int i = 0; i < METRICS; i++) {
                    assertThat(value(adapter, i)).isEqualTo(String.valueOf(100 + i));
                }
            }
        });
        TestValuesScalerProvider.set("replicas-3", List.of(Sample.of(7)));
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> {
            for (Adapter adapter : replicas) {
                assertThat(value(adapter, 3)).isEqualTo("7");
            }
        });
        // Polled once per interval across the three, not three times: while one source is
        // polled 5 more times, each other one is polled about as often.
        int[] before = new int[METRICS];
        for (int i = 0; i < METRICS; i++) {
            before[i] = TestValuesScalerProvider.fetches("replicas-" + i);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> TestValuesScalerProvider.fetches("replicas-0") >= before[0] + 5);
        for (int i = 0; i < METRICS; i++) {
            assertThat(TestValuesScalerProvider.fetches("replicas-" + i) - before[i]).as("polls of source %d", i)
                    .isBetween(3, 7);
        }
        for (Adapter adapter : replicas) {
            assertThat(meter(adapter, "demand_adapter_replicas_seen")).isEqualTo(3);
        }
        assertThat(meter(replicas.get(0), "demand_adapter_readings_received_total")).isPositive();
        // The explain page names each metric's poller.
        JsonArray metrics = new JsonObject(get(replicas.get(1), "/explain.json").body()).getJsonArray("metrics");
        assertThat(metrics).hasSize(METRICS);
        for (int i = 0; i < METRICS; i++) {
            assertThat(metrics.getJsonObject(i).getJsonObject("health").getString("polledBy")).isNotBlank();
        }
    }

    @Test
    void tenThousandMetricsAreSplitAboutAThirdEach() throws Exception {
        cluster.close();
        replicas.clear();
        cluster = new MockCluster();
        Path token = dir.resolve("peer-token");
        StringBuilder config = new StringBuilder("metrics:\n");
        for (int i = 0; i < 10_000; i++) {
            config.append("  - {name: scheduled-").append(i).append(", namespace: team-").append(i % 100)
                    .append(", type: cron, pollInterval: 15s, parameters: {timezone: UTC, start: \"0 8 * * *\",")
                    .append(" end: \"0 18 * * *\", desiredReplicas: 2}}\n");
        }
        for (int r = 0; r < 3; r++) {
            replicas.add(startReplica(10 + r, config.toString(), token));
        }
        awaitBucketsShared(replicas);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            double total = 0;
            for (Adapter adapter : replicas) {
                double polled = meter(adapter, "demand_adapter_metrics_polled_here");
                assertThat(polled).as("metrics polled by one of three").isBetween(2_500.0, 4_200.0);
                assertThat(meter(adapter, "demand_adapter_metrics_configured")).isEqualTo(10_000);
                total += polled;
            }
            assertThat(total).isEqualTo(10_000);
        });
    }

    @Test
    void whenAReplicaLeavesTheOthersTakeItsBucketsAndKeepAnswering() throws Exception {
        awaitBucketsShared(replicas);
        Adapter leaving = replicas.remove(2);
        leaving.stop();
        awaitBucketsShared(replicas);
        TestValuesScalerProvider.set("replicas-5", List.of(Sample.of(55)));
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> {
            for (Adapter adapter : replicas) {
                for (int i = 0; i < METRICS; i++) {
                    assertThat(value(adapter, i)).isEqualTo(i == 5 ? "55" : String.valueOf(100 + i));
                }
            }
        });
    }

    @Test
    void oneReplicaWritesEachDemandMetricsStatusServedOrInvalid() throws Exception {
        awaitBucketsShared(replicas);
        cluster.drainRequests(request -> false);
        TestValuesScalerProvider.set("replicas-team", List.of(Sample.of(4)));
        // The invalid ones first: a replica that serves the last valid one has applied them all.
        for (int i = 0; i < 10; i++) {
            cluster.createDemandMetric("shop", "invalid-" + i, Map.of("type", "no-such-type"));
        }
        for (int i = 0; i < 10; i++) {
            cluster.createDemandMetric("shop", "valid-" + i, Map.of("type", "test-values", "pollInterval", "1s", "maxAge", "1h",
                    "parameters", Map.of("source", "replicas-team")));
        }
        for (Adapter replica : replicas) {
            await().atMost(Duration.ofSeconds(30)).until(() -> get(replica,
                    "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/valid-9").statusCode() == 200);
        }
        // Every status written, and nothing left to write: what the replicas count as written is
        // what the API received, and no write waits for its turn.
        int[] received = {0};
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            received[0] += cluster.drainRequests(request -> request.getMethod().equals("PATCH")
                    && request.getPath().contains("/demandmetrics/") && request.getPath().contains("/status"));
            double written = 0;
            for (Adapter replica : replicas) {
                if (meter(replica, "demand_adapter_demandmetric_status_writes_waiting") > 0) {
                    return false;
                }
                written += meter(replica, "demand_adapter_demandmetric_status_writes_total");
            }
            return received[0] >= 20 && written == received[0];
        });
        assertThat(received[0]).as("status writes for 10 served and 10 invalid DemandMetrics, by 3 replicas")
                .isEqualTo(20);
        for (int i = 0; i < 10; i++) {
            assertThat(cluster.demandMetrics("shop").withName("invalid-" + i).get().getAdditionalProperties()
                    .get("status").toString()).contains("InvalidSpec");
        }
    }
}
