package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.demandmetrics.scaler.kafka.testing.KafkaBroker;
import io.demandmetrics.scaler.kafka.testing.KafkaData;
import io.demandmetrics.scaler.sqs.testing.ElasticMq;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three adapter processes (the jar, in-cluster mode against the Kubernetes mock) sharing the
 * polling of real sources, each counted where the requests arrive: a KRaft broker (its own
 * request meters), ElasticMQ (a counting proxy in front of it) and pods serving counters and
 * histograms (each pod counts its scrapes). Every source is asked as often with three replicas
 * as with one, and every replica answers every metric with the source's value.
 *
 * <p>What makes the counts equal: each kafka-lag metric of one cluster is polled by one replica
 * (one batched read per cycle, not one per replica), and the rps and latency metrics that scrape
 * one namespace's pods too (each pod scraped once, whatever reads it).
 */
class ReplicaSourcesIT {

    private static final int GROUPS = 6;
    private static final int QUEUES = 6;
    private static final int PODS = 6;

    @TempDir
    Path dir;
    private KafkaBroker broker;
    private ElasticMq mq;
    private CountingHttpProxy sqs;
    private MockCluster cluster;
    private final Vertx vertx = Vertx.vertx();
    private final List<AtomicInteger> scrapes = new ArrayList<>();
    private final List<ReplicaProcess> replicas = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        broker = KafkaBroker.startInJvm(dir.resolve("broker"));
        try (KafkaData data = new KafkaData(broker.bootstrapServers())) {
            data.createTopic("orders", 2);
            data.produce("orders", 100, 100);
            for (int g = 0; g < GROUPS; g++) {
                data.commit("group-" + g, "orders", 100 - (g + 1), 100); // lag g + 1
            }
        }
        mq = ElasticMq.start();
        for (int q = 0; q < QUEUES; q++) {
            mq.createQueue("jobs-" + q, q + 1, 0, 0); // depth q + 1
        }
        sqs = new CountingHttpProxy(mq.endpoint(), SourceRequests::sqsCall);
        cluster = new MockCluster();
        for (int p = 0; p < PODS; p++) {
            pod("web-" + p, p < PODS / 2 ? "front" : "back");
        }
        Files.writeString(dir.resolve("key-id"), "AKIAEXAMPLEID\n");
        Files.writeString(dir.resolve("secret-key"), "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLE\n");
        Files.writeString(dir.resolve("config.yaml"), config());
        ReplicaProcess.prepare(cluster, dir);
        for (int r = 0; r < 3; r++) {
            replicas.add(ReplicaProcess.start(cluster, dir, "replica-" + r, System.getProperty("adapter.jar"),
                    ReplicaProcess.TEST_JVM, List.of("--replica-buckets", "8", "--lease-duration", "4s",
                            "--lease-renew-deadline", "3s", "--lease-retry-period", "500ms")));
        }
    }

    /** A pod on 127.0.0.1 whose server counts its scrapes: 10 requests a second, all within 0.1 s. */
    private void pod(String name, String tier) throws Exception {
        AtomicInteger scraped = new AtomicInteger();
        scrapes.add(scraped);
        long started = System.nanoTime();
        HttpServer server = vertx.createHttpServer().requestHandler(request -> {
            scraped.incrementAndGet();
            double requests = 10 * (System.nanoTime() - started) / 1e9;
            request.response().end("http_requests_total " + requests + "\n"
                    + "http_request_duration_seconds_bucket{le=\"0.1\"} " + requests + "\n"
                    + "http_request_duration_seconds_bucket{le=\"+Inf\"} " + requests + "\n"
                    + "http_request_duration_seconds_count " + requests + "\n");
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        cluster.admin.pods().inNamespace("shop").resource(new PodBuilder().withNewMetadata().withName(name)
                .withNamespace("shop").withLabels(Map.of("app", "web", "tier", tier))
                .withAnnotations(Map.of("prometheus.io/port", Integer.toString(server.actualPort()))).endMetadata()
                .withNewStatus().withPhase("Running").withPodIP("127.0.0.1").endStatus().build()).create();
    }

    private String config() {
        StringBuilder config = new StringBuilder("metrics:\n");
        for (int g = 0; g < GROUPS; g++) {
            config.append("  - {name: lag-").append(g).append(", namespace: shop, type: kafka-lag, pollInterval: 1s,")
                    .append(" maxAge: 60s, parameters: {bootstrapServers: \"").append(broker.bootstrapServers())
                    .append("\", consumerGroup: group-").append(g).append(", topic: orders, lagThreshold: 10}}\n");
        }
        for (int q = 0; q < QUEUES; q++) {
            config.append("  - {name: depth-").append(q).append(", namespace: shop, type: aws-sqs-queue,")
                    .append(" pollInterval: 1s, maxAge: 60s, parameters: {queueURL: jobs-").append(q)
                    .append(", awsRegion: eu-west-1, awsEndpoint: \"").append(sqs.url()).append("\", accessKeyIdFile: ")
                    .append(dir.resolve("key-id")).append(", secretAccessKeyFile: ").append(dir.resolve("secret-key"))
                    .append("}}\n");
        }
        // Four metrics on shop's pods, two selections overlapping: every pod is read by two or four.
        for (String tier : List.of("web", "front")) {
            String selector = tier.equals("web") ? "app=web" : "tier=front";
            config.append("  - {name: rps-").append(tier).append(", namespace: shop, describes: pods, type: rps,")
                    .append(" pollInterval: 500ms, maxAge: 60s, parameters: {counter: http_requests_total,")
                    .append(" pods: {selector: \"").append(selector).append("\"}, scrapeInterval: 500ms,")
                    .append(" shortWindow: 1s, longWindow: 2s}}\n");
            config.append("  - {name: p99-").append(tier).append(", namespace: shop, describes: pods, type: latency,")
                    .append(" pollInterval: 500ms, maxAge: 60s, parameters: {histogram: http_request_duration_seconds,")
                    .append(" pods: {selector: \"").append(selector).append("\"}, scrapeInterval: 500ms, window: 2s}}\n");
        }
        return config.toString();
    }

    @AfterEach
    void stop() throws Exception {
        for (ReplicaProcess replica : replicas) {
            replica.kill();
        }
        cluster.close();
        sqs.close();
        mq.close();
        broker.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Every source's requests, counted where they arrive. */
    private Map<String, Double> counts() throws Exception {
        Map<String, Double> counts = new HashMap<>();
        counts.put("kafka OffsetFetch", (double) SourceRequests.brokerRequests("OffsetFetch"));
        counts.put("kafka ListOffsets", (double) SourceRequests.brokerRequests("ListOffsets"));
        for (int q = 0; q < QUEUES; q++) {
            counts.put("sqs jobs-" + q, (double) sqs.count("GetQueueAttributes jobs-" + q));
        }
        for (int p = 0; p < PODS; p++) {
            counts.put("scrapes web-" + p, (double) scrapes.get(p).get());
        }
        return counts;
    }

    /** Each source's requests per second while the live replicas poll, over about 8 s (8 SQS polls of jobs-0). */
    private Map<String, Double> rates() throws Exception {
        Map<String, Double> before = counts();
        long started = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).until(() -> sqs.count("GetQueueAttributes jobs-0")
                >= before.get("sqs jobs-0") + 8);
        Map<String, Double> after = counts();
        double seconds = (System.nanoTime() - started) / 1e9;
        Map<String, Double> rates = new HashMap<>();
        after.forEach((source, count) -> rates.put(source, (count - before.get(source)) / seconds));
        return rates;
    }

    private void awaitEveryMetricServedEverywhere(List<ReplicaProcess> live, int buckets) {
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().untilAsserted(() -> {
            double held = 0;
            for (ReplicaProcess replica : live) {
                held += replica.meter("demand_adapter_buckets_held");
                for (int g = 0; g < GROUPS; g++) {
                    assertThat(external(replica, "lag-" + g)).as("%s lag-%d", replica.name(), g).isEqualTo(g + 1);
                }
                for (int q = 0; q < QUEUES; q++) {
                    assertThat(external(replica, "depth-" + q)).as("%s depth-%d", replica.name(), q).isEqualTo(q + 1);
                }
                JsonArray rps = items(replica, "/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/%2A/rps-web");
                assertThat(rps).hasSize(PODS);
                for (Object item : rps) {
                    assertThat(HpaArithmetic.milliValue(((JsonObject) item).getString("value")) / 1000.0)
                            .as("%s rps", replica.name()).isBetween(9.0, 11.0);
                }
                assertThat(items(replica, "/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/%2A/p99-front"))
                        .hasSize(PODS / 2);
            }
            assertThat(held).isEqualTo(buckets);
        });
    }

    private static JsonArray items(ReplicaProcess replica, String path) throws Exception {
        HttpResponse<String> answer = replica.get(path);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return new JsonObject(answer.body()).getJsonArray("items");
    }

    private static long external(ReplicaProcess replica, String metric) throws Exception {
        JsonArray items = items(replica, "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/" + metric);
        long total = 0;
        for (Object item : items) {
            total += HpaArithmetic.milliValue(((JsonObject) item).getString("value"));
        }
        return total / 1000;
    }

    @Test
    void everySourceIsAskedAsOftenByThreeReplicasAsByOneAndEveryReplicaAnswersEveryMetric() throws Exception {
        awaitEveryMetricServedEverywhere(replicas, 8);
        Map<String, Double> three = rates();

        for (ReplicaProcess leaving : List.copyOf(replicas.subList(1, 3))) {
            leaving.process().destroy(); // SIGTERM: gives its buckets back
            assertThat(leaving.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            replicas.remove(leaving);
        }
        awaitEveryMetricServedEverywhere(replicas, 8);
        Map<String, Double> one = rates();

        System.out.printf("replica sources: requests per second, 3 replicas vs 1: %s%n", new java.util.TreeMap<>(
                three.keySet().stream().collect(java.util.stream.Collectors.toMap(source -> source,
                        source -> String.format("%.2f vs %.2f", three.get(source), one.get(source))))));
        for (String source : three.keySet()) {
            assertThat(one.get(source)).as("%s per second with one replica", source).isGreaterThan(0.5);
            assertThat(three.get(source)).as("%s per second with three replicas (one replica: %.2f)", source,
                    one.get(source)).isBetween(one.get(source) * 0.75, one.get(source) * 1.3);
        }
        // And as often as the config says: a poll a second, a scrape every 500 ms.
        assertThat(three.get("sqs jobs-3")).isBetween(0.7, 1.3);
        assertThat(three.get("scrapes web-0")).isBetween(1.4, 2.6);
        assertThat(three.get("kafka OffsetFetch")).isBetween(0.7, 1.5);
    }
}
