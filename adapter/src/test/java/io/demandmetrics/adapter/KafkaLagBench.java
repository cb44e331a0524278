package io.demandmetrics.adapter;

import io.demandmetrics.scaler.kafka.testing.KafkaBroker;
import io.demandmetrics.scaler.kafka.testing.KafkaData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Benchmark (prints figures, asserts nothing): kafka-lag at scale. A real broker in a child
 * JVM holds {@code groups} topics of 10 partitions, each read by its own consumer group; the
 * adapter jar runs as its own process with one metric per group, as in production. Read from
 * the adapter's /metrics and /proc: the duration of one batched poll cycle, the Kafka requests
 * it sends, connections held, heap and RSS. Run first with a tenth of the metrics, each reading
 * ten topics: the same partitions, so the requests per cycle can be compared across metric counts.
 *
 * <p>Run by {@code bench/run}; alone: {@code bench/kafka-lag [groups, default 1000]
 * [seconds observed per run, default 30]}.
 */
public final class KafkaLagBench {

    private static final int PARTITIONS = 10;
    private static final int POLL_SECONDS = 5;

    private KafkaLagBench() {
    }

    public static void main(String[] args) throws Exception {
        int groups = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int observeSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        Path jar = Path.of(System.getProperty("adapter.jar", "adapter/target/demand-adapter.jar"));
        Path work = Files.createTempDirectory("kafka-lag-bench");
        try (KafkaBroker broker = KafkaBroker.startChild(work.resolve("broker"), "1g")) {
            long started = System.nanoTime();
            seed(broker, groups);
            System.out.printf("4. kafka-lag: broker (KRaft, child JVM) seeded with %d topics x %d partitions = %d"
                    + " partitions and %d consumer groups in %.0f s%n", groups, PARTITIONS, groups * PARTITIONS, groups,
                    (System.nanoTime() - started) / 1e9);
            System.out.printf("   adapter jar as its own process (%s), pollInterval %ds, %d s observed per run%n",
                    String.join(" ", BenchAdapter.JAVA_OPTS), POLL_SECONDS, observeSeconds);
            run(jar, work, broker, Math.max(1, groups / 10), 10, observeSeconds);
            run(jar, work, broker, groups, 1, observeSeconds);
        }
    }

    private static void seed(KafkaBroker broker, int groups) throws Exception {
        try (KafkaData data = new KafkaData(broker.bootstrapServers())) {
            for (int from = 0; from < groups; from += 100) {
                List<NewTopic> batch = new ArrayList<>();
                for (int i = from; i < Math.min(groups, from + 100); i++) {
                    batch.add(new NewTopic(topic(i), PARTITIONS, (short) 1));
                }
                data.admin().createTopics(batch).all().get(300, TimeUnit.SECONDS);
            }
            for (int i = 0; i < groups; i++) {
                long[] counts = new long[PARTITIONS];
                java.util.Arrays.fill(counts, 3);
                data.produce(topic(i), counts);
            }
            List<org.apache.kafka.common.KafkaFuture<Void>> commits = new ArrayList<>();
            for (int i = 0; i < groups; i++) {
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                for (int p = 0; p < PARTITIONS; p++) {
                    offsets.put(new TopicPartition(topic(i), p), new OffsetAndMetadata(p % 4)); // lag 3,2,1,0,...
                }
                commits.add(data.admin().alterConsumerGroupOffsets(group(i), offsets).all());
                if (commits.size() == 100) {
                    for (var c : commits) {
                        c.get(120, TimeUnit.SECONDS);
                    }
                    commits.clear();
                }
            }
            for (var c : commits) {
                c.get(120, TimeUnit.SECONDS);
            }
        }
    }

    /** Lag of each group: partitions 0..9 commit p % 4 of 3 messages (offset 3 is past the end: 0). */
    private static long expectedLag() {
        long lag = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            lag += Math.max(0, 3 - p % 4);
        }
        return lag;
    }

    private static void run(Path jar, Path work, KafkaBroker broker, int metrics, int topicsPerMetric,
                            int observeSeconds) throws Exception {
        StringBuilder config = new StringBuilder("metrics:\n");
        for (int i = 0; i < metrics; i++) {
            config.append("  - name: lag-").append(i).append("\n    namespace: bench\n    type: kafka-lag\n")
                    .append("    pollInterval: ").append(POLL_SECONDS).append("s\n    parameters: {bootstrapServers: \"")
                    .append(broker.bootstrapServers()).append("\", consumerGroup: ").append(group(i))
                    .append(", topic: \"").append(topics(i, topicsPerMetric)).append("\", lagThreshold: 10}\n");
        }
        try (BenchAdapter adapter = BenchAdapter.start(jar, Files.createTempDirectory(work, "adapter-" + metrics),
                config.toString())) {
            Thread.sleep(2 * POLL_SECONDS * 1000L); // warm-up: a few cycles
            Map<String, Double> before = adapter.scrape();
            double maxCycle = 0;
            double maxRequests = 0;
            double maxConnections = 0;
            double sumCycle = 0;
            int samples = 0;
            for (int s = 0; s < observeSeconds; s += POLL_SECONDS) {
                Thread.sleep(POLL_SECONDS * 1000L);
                Map<String, Double> now = adapter.scrape();
                maxCycle = Math.max(maxCycle, now.get("demand_adapter_kafka_last_cycle_seconds"));
                sumCycle += now.get("demand_adapter_kafka_last_cycle_seconds");
                samples++;
                maxRequests = Math.max(maxRequests, now.get("demand_adapter_kafka_last_cycle_requests"));
                maxConnections = Math.max(maxConnections, now.get("demand_adapter_kafka_connections"));
            }
            Map<String, Double> after = adapter.scrape();
            double cycles = after.get("demand_adapter_kafka_poll_cycles_total") - before.get("demand_adapter_kafka_poll_cycles_total");
            double polls = after.get("demand_adapter_poll_seconds_count") - before.get("demand_adapter_poll_seconds_count");
            double pollErrors = after.getOrDefault("demand_adapter_poll_errors_total", 0.0)
                    - before.getOrDefault("demand_adapter_poll_errors_total", 0.0);
            double requests = after.get("demand_adapter_kafka_requests_total") - before.get("demand_adapter_kafka_requests_total");
            String value = adapter.get("/apis/external.metrics.k8s.io/v1beta1/namespaces/bench/lag-" + (metrics - 1));
            Matcher m = Pattern.compile("\"value\":\"([^\"]+)\"").matcher(value);
            String served = m.find() ? m.group(1) : "none: " + value;
            System.out.printf("   %5d metrics (%d topics, %d partitions each): cycle mean %.0f ms, max %.0f ms (bar: < 2000 ms);"
                    + " %.0f cycles, %.0f polls (%.0f failed) -> %.0f metrics per cycle%n", metrics, topicsPerMetric,
                    topicsPerMetric * PARTITIONS, 1000 * sumCycle / samples, 1000 * maxCycle, cycles, polls, pollErrors,
                    cycles == 0 ? 0 : polls / cycles);
            System.out.printf("          Kafka requests per cycle: %.0f (max %.0f); connections held: %.0f;"
                    + " heap used %.0f MiB; RSS %d MiB, peak %d MiB (bar: < 400 MiB); lag-%d = %s (expected %d)%n",
                    cycles == 0 ? 0 : requests / cycles, maxRequests, maxConnections,
                    after.get("jvm_memory_used_bytes_heap") / (1 << 20), adapter.procStatusMib("VmRSS"),
                    adapter.procStatusMib("VmHWM"), metrics - 1, served, topicsPerMetric == 1 ? expectedLag()
                            : topicsPerMetric * PARTITIONS); // other groups' topics: no commit, lag 1 per partition
        }
    }

    /** Metric i's topics: group i's own when one per metric, else a run of topics it has no commits on. */
    private static String topics(int metric, int perMetric) {
        if (perMetric == 1) {
            return topic(metric);
        }
        List<String> names = new ArrayList<>();
        for (int k = 0; k < perMetric; k++) {
            names.add(topic(metric * perMetric + k));
        }
        return String.join(",", names);
    }

    private static String topic(int i) {
        return String.format("topic-%04d", i);
    }

    private static String group(int i) {
        return String.format("group-%04d", i);
    }
}
