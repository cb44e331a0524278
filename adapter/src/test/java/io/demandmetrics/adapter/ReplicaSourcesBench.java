package io.demandmetrics.adapter;

import io.demandmetrics.scaler.kafka.testing.KafkaBroker;
import io.demandmetrics.scaler.kafka.testing.KafkaData;
import io.demandmetrics.scaler.sqs.testing.ElasticMq;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Section 8 of bench/RESULTS.md, second part, run by {@code bench/replicas sources N SECONDS}:
 * adapter processes (the jar) in a cluster (the Kubernetes mock) polling N kafka-lag metrics (N
 * consumer groups on a KRaft broker in this JVM, counted by the broker's own request meters), N
 * aws-sqs-queue metrics (N ElasticMQ queues behind a counting proxy) and an rps and a latency
 * metric over N pods (scrapes counted by the pods' server). Prints each source's requests per
 * poll interval with one replica and with three, and each replica's CPU and RSS.
 */
public final class ReplicaSourcesBench {

    private static final Duration INTERVAL = Duration.ofSeconds(5);
    private final int count;
    private final Path dir;
    private final MockCluster cluster = new MockCluster();
    private final KafkaBroker broker;
    private final ElasticMq mq;
    private final CountingHttpProxy sqs;
    private final Vertx vertx = Vertx.vertx();
    private final AtomicLong scrapes = new AtomicLong();

    private ReplicaSourcesBench(int count, Path dir) throws Exception {
        this.count = count;
        this.dir = dir;
        broker = KafkaBroker.startInJvm(dir.resolve("broker"));
        try (KafkaData data = new KafkaData(broker.bootstrapServers())) {
            data.createTopic("orders", 10);
            data.produce("orders", 100, 100, 100, 100, 100, 100, 100, 100, 100, 100);
            for (int g = 0; g < count; g++) {
                data.commit("group-" + g, "orders", 90, 90, 90, 90, 90, 90, 90, 90, 90, 90);
            }
        }
        mq = ElasticMq.start();
        for (int q = 0; q < count; q++) {
            mq.createQueue("jobs-" + q, 0, 0, 0);
        }
        sqs = new CountingHttpProxy(mq.endpoint(), (request, body) -> SourceRequests.sqsCall(request, body).split(" ")[0]);
        HttpServer pods = vertx.createHttpServer().requestHandler(request -> {
            scrapes.incrementAndGet();
            request.response().end("http_requests_total 1\nhttp_request_duration_seconds_bucket{le=\"0.1\"} 1\n"
                    + "http_request_duration_seconds_bucket{le=\"+Inf\"} 1\nhttp_request_duration_seconds_count 1\n");
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        for (int p = 0; p < count; p++) {
            cluster.admin.pods().inNamespace("shop").resource(new PodBuilder().withNewMetadata().withName("web-" + p)
                    .withNamespace("shop").withLabels(Map.of("app", "web"))
                    .withAnnotations(Map.of("prometheus.io/port", Integer.toString(pods.actualPort()),
                            "prometheus.io/path", "/metrics/web-" + p)).endMetadata()
                    .withNewStatus().withPhase("Running").withPodIP("127.0.0.1").endStatus().build()).create();
        }
        Files.writeString(dir.resolve("key-id"), "AKIAEXAMPLEID\n");
        Files.writeString(dir.resolve("secret-key"), "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLE\n");
        StringBuilder config = new StringBuilder("metrics:\n");
        for (int i = 0; i < count; i++) {
            config.append("  - {name: lag-").append(i).append(", namespace: team-").append(i % 10)
                    .append(", type: kafka-lag, pollInterval: 5s, parameters: {bootstrapServers: \"")
                    .append(broker.bootstrapServers()).append("\", consumerGroup: group-").append(i).append("}}\n");
            config.append("  - {name: depth-").append(i).append(", namespace: team-").append(i % 10)
                    .append(", type: aws-sqs-queue, pollInterval: 5s, parameters: {queueURL: jobs-").append(i)
                    .append(", awsRegion: eu-west-1, awsEndpoint: \"").append(sqs.url()).append("\", accessKeyIdFile: ")
                    .append(dir.resolve("key-id")).append(", secretAccessKeyFile: ").append(dir.resolve("secret-key"))
                    .append("}}\n");
        }
        config.append("  - {name: rps, namespace: shop, describes: pods, type: rps, parameters: {counter:"
                + " http_requests_total, pods: {selector: \"app=web\"}}}\n");
        config.append("  - {name: p99, namespace: shop, describes: pods, type: latency, parameters: {histogram:"
                + " http_request_duration_seconds, pods: {selector: \"app=web\"}}}\n");
        Files.writeString(dir.resolve("config.yaml"), config);
        ReplicaProcess.prepare(cluster, dir);
    }

    private Map<String, Long> counts() throws Exception {
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("kafka OffsetFetch", SourceRequests.brokerRequests("OffsetFetch"));
        counts.put("kafka ListOffsets", SourceRequests.brokerRequests("ListOffsets"));
        counts.put("SQS GetQueueAttributes", (long) sqs.count("GetQueueAttributes"));
        counts.put("pod scrapes", scrapes.get());
        return counts;
    }

    private void measure(String label, List<ReplicaProcess> live, int seconds) throws Exception {
        long settled = sqs.count("GetQueueAttributes") + 2L * count; // every queue polled twice since sharing
        ReplicasBench.waitFor(Duration.ofSeconds(180), () -> sqs.count("GetQueueAttributes") >= settled);
        long[] cpuBefore = new long[live.size()];
        double[] skippedBefore = new double[live.size()];
        for (int i = 0; i < live.size(); i++) {
            cpuBefore[i] = ReplicasBench.cpuTicks(live.get(i).process().pid());
            skippedBefore[i] = skippedTicks(live.get(i));
        }
        Map<String, Long> before = counts();
        long started = System.nanoTime();
        ReplicasBench.RssSamples rss = ReplicasBench.RssSamples.during(live, started, seconds);
        double intervals = (System.nanoTime() - started) / 1e9 / INTERVAL.toSeconds();
        Map<String, Long> after = counts();
        StringBuilder line = new StringBuilder();
        after.forEach((source, total) -> line.append(line.isEmpty() ? "" : ", ")
                .append(String.format("%s %.1f", source, (total - before.get(source)) / intervals)));
        System.out.printf("   %s, per %ds interval: %s%n", label, INTERVAL.toSeconds(), line);
        double elapsed = intervals * INTERVAL.toSeconds();
        for (int i = 0; i < live.size(); i++) {
            ReplicaProcess replica = live.get(i);
            double cpu = (ReplicasBench.cpuTicks(replica.process().pid()) - cpuBefore[i]) / 100.0 / elapsed;
            double skipped = (skippedTicks(replica) - skippedBefore[i]) / intervals;
            System.out.printf("     %s: %.0f buckets, %.0f metrics polled here, CPU %.1f %% of a core, RSS %s"
                    + " (after a full GC %d MiB), scrape ticks skipped (a pod's scrape still running) %.0f per interval%n",
                    replica.name(), replica.meter("demand_adapter_buckets_held"),
                    replica.meter("demand_adapter_metrics_polled_here"), cpu * 100, rss.of(i),
                    ReplicasBench.rssAfterFullGc(replica.process().pid()), skipped);
        }
    }

    /** Scrape ticks skipped so far on {@code replica}, 0 where it scrapes nothing. */
    private static double skippedTicks(ReplicaProcess replica) throws Exception {
        String exposition = replica.get("/metrics").body();
        return exposition.contains("demand_adapter_scrape_ticks_skipped_total")
                ? TestAdapters.meter(exposition, "demand_adapter_scrape_ticks_skipped_total") : 0;
    }

    private void run(int seconds) throws Exception {
        System.out.printf("8b. replicas sharing real sources: %d kafka-lag groups (one cluster), %d SQS queues, an rps and"
                + " a latency metric over %d pods; polls every %ds, scrapes every 1s, 32 buckets%n", count, count, count,
                INTERVAL.toSeconds());
        ReplicaProcess alone = ReplicasBench.startReplica(cluster, dir, "alone");
        ReplicasBench.awaitShared(List.of(alone));
        measure("1 replica ", List.of(alone), seconds);
        List<ReplicaProcess> three = ReplicasBench.threeInsteadOf(alone, cluster, dir);
        measure("3 replicas", three, seconds);
        for (ReplicaProcess replica : three) {
            replica.kill();
        }
    }

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        ReplicaSourcesBench bench = new ReplicaSourcesBench(count, Files.createTempDirectory("replica-sources-bench"));
        try {
            bench.run(seconds);
        } finally {
            bench.sqs.close();
            bench.mq.close();
            bench.broker.close();
            bench.cluster.close();
        }
        System.exit(0);
    }
}
