package io.demandmetrics.scaler.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.demandmetrics.scaler.kafka.testing.KafkaBroker;
import io.demandmetrics.scaler.kafka.testing.KafkaData;
import io.demandmetrics.scaler.spi.Sample;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The KEDA cases against Kafka's own broker: topic "orders" has 3 partitions holding 10, 20
 * and 30 messages; each case commits offsets for its own group and reads what the HPA would.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaLagBrokerTest {

    @TempDir
    static Path dir;
    private KafkaBroker broker;
    private KafkaData data;
    private ScalerRun run;

    @BeforeAll
    void start() throws Exception {
        broker = KafkaBroker.startInJvm(dir.resolve("broker"));
        data = new KafkaData(broker.bootstrapServers());
        data.createTopic("orders", 3);
        data.produce("orders", 10, 20, 30);
        data.createTopic("payments", 2);
        data.produce("payments", 4, 4);
        run = new ScalerRun();
    }

    @AfterAll
    void stop() throws Exception {
        run.close();
        data.close();
        broker.close();
    }

    private Map<String, Object> params(String group, Object... more) {
        Map<String, Object> p = new HashMap<>(Map.of("bootstrapServers", broker.bootstrapServers(), "consumerGroup", group));
        for (int i = 0; i < more.length; i += 2) {
            p.put((String) more[i], more[i + 1]);
        }
        return p;
    }

    /** HPA AverageValue target = lagThreshold: replicas = ceil(value / threshold), 0 stays 0. */
    private static long replicas(double value, long threshold) {
        return (long) Math.ceil(value / threshold);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        # case                                            | commits   | extra parameters                                  | value | replicas
        no commit, latest: 1 per partition                | - - -     |                                                   | 3     | 1
        no commit, latest, scaleToZeroOnInvalidOffset     | - - -     | scaleToZeroOnInvalidOffset=true                   | 0     | 0
        no commit, earliest: whole log, capped at 3 x 10  | - - -     | offsetResetPolicy=earliest                        | 30    | 3
        no commit, earliest, allowIdleConsumers           | - - -     | offsetResetPolicy=earliest,allowIdleConsumers=true | 60    | 6
        no commit, earliest, scaleToZeroOnInvalidOffset   | - - -     | offsetResetPolicy=earliest,scaleToZeroOnInvalidOffset=true | 0 | 0
        some commits, latest                              | 5 20 -    |                                                   | 6     | 1
        some commits, earliest (35/10=3, not capped)      | 5 20 -    | offsetResetPolicy=earliest                        | 35    | 4
        everything unread: capped at partitions x 10      | 0 0 0     |                                                   | 30    | 3
        limitToPartitionsWithLag, one lagging             | 0 20 30   | topic=orders,limitToPartitionsWithLag=true,lagThreshold=5 | 5 | 1
        limitToPartitionsWithLag, two lagging             | 0 0 30    | topic=orders,limitToPartitionsWithLag=true,lagThreshold=5 | 10 | 2
        partitionLimitation 0 and 2, capped at 2 x 10     | 0 0 0     | topic=orders,partitionLimitation=0;2              | 20    | 2
        partitionLimitation, allowIdleConsumers           | 0 0 0     | topic=orders,partitionLimitation=0;2,allowIdleConsumers=true | 40 | 4
        commit past the end: lag 0, never negative        | 15 20 30  | topic=orders                                      | 0     | 0
        activation: 10 at threshold 10 is 0               | 0 20 30   | topic=orders,activationLagThreshold=10            | 0     | 0
        activation: 10 above 9 is served                  | 0 20 30   | topic=orders,activationLagThreshold=9             | 10    | 1
        """)
    void kedaCases(String name, String commits, String extra, double value, long replicas) throws Exception {
        String group = "case-" + Integer.toHexString(name.hashCode());
        String[] each = commits.trim().split(" +");
        long[] offsets = new long[each.length];
        for (int i = 0; i < each.length; i++) {
            offsets[i] = each[i].equals("-") ? -1 : Long.parseLong(each[i]);
        }
        boolean anyCommit = java.util.Arrays.stream(offsets).anyMatch(o -> o >= 0);
        if (anyCommit) {
            data.commit(group, "orders", offsets);
        }
        Map<String, Object> p = params(group);
        if (!anyCommit || extra == null || !extra.contains("topic=")) {
            p.put("topic", "orders"); // without commits, the group has no topics of its own
        }
        if (extra != null) {
            for (String setting : extra.split(",")) {
                String[] kv = setting.split("=", 2);
                p.put(kv[0], kv[1].replace(';', ','));
            }
        }
        double served = run.value(p);
        assertThat(served).isEqualTo(value);
        long threshold = Long.parseLong(p.getOrDefault("lagThreshold", "10").toString());
        assertThat(replicas(served, threshold)).isEqualTo(replicas);
    }

    @Test
    void withoutTopicEveryCommittedTopicCountsAndASelectorNarrowsIt() throws Exception {
        data.commit("multi", "orders", 5, 5, 5);     // lag 5 + 15 + 25
        data.commit("multi", "payments", 0, -1);     // lag 4 + 1 (no commit on partition 1: latest rule)
        ScalerRun.Metric metric = run.metric(params("multi"));
        List<Sample> samples = metric.fetch();
        assertThat(samples).hasSize(5);
        assertThat(run.provider.combine(metric.config(), samples, false).get(0).value()).isEqualTo(50);
        List<Sample> payments = samples.stream().filter(s -> s.labels().get("topic").equals("payments")).toList();
        List<Sample> narrowed = run.provider.combine(metric.config(), payments, true);
        assertThat(narrowed).singleElement().satisfies(s -> {
            assertThat(s.value()).isEqualTo(5);
            assertThat(s.labels()).isEqualTo(Map.of("topic", "payments"));
        });
        List<Sample> orders = samples.stream().filter(s -> s.labels().get("topic").equals("orders")).toList();
        assertThat(run.provider.combine(metric.config(), orders, true).get(0).value()).isEqualTo(30); // 45 capped at 3 x 10
        metric.close();
    }

    @Test
    void excludePersistentLagLeavesOutPartitionsThatDoNotMove() throws Exception {
        data.commit("stuck", "orders", 5, 5, 5);
        ScalerRun.Metric metric = run.metric(params("stuck", "topic", "orders", "excludePersistentLag", true,
                "allowIdleConsumers", true));
        assertThat(metric.value()).isEqualTo(45);              // first poll: nothing known to be stuck
        assertThat(metric.value()).isEqualTo(LagTotals.ACTIVE_FLOOR); // nothing moved: all left out, but active
        data.commit("stuck", "orders", 6, 5, 5);
        assertThat(metric.value()).isEqualTo(4);               // partition 0 moved: only its lag counts
        metric.close();
    }

    @Test
    void realConsumerCommitsAndLagFollowsProduction() throws Exception {
        data.createTopic("events", 2);
        data.produce("events", 3, 4);
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "events-consumer");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        ScalerRun.Metric metric = run.metric(params("events-consumer", "topic", "events", "offsetResetPolicy", "earliest"));
        assertThat(metric.value()).isEqualTo(7); // nothing committed yet: earliest counts the whole log
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of("events"));
            int read = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (read < 7 && System.nanoTime() < deadline) {
                read += consumer.poll(Duration.ofMillis(200)).count();
            }
            assertThat(read).isEqualTo(7);
            consumer.commitSync();
        }
        assertThat(metric.value()).isZero();
        data.produce("events", 0, 6);
        assertThat(metric.value()).isEqualTo(6);
        metric.close();
    }

    @Test
    void aMissingTopicFailsOnlyItsMetricWithItsName() throws Exception {
        data.commit("fine", "orders", 0, 0, 0);
        ScalerRun.Metric missing = run.metric(params("fine", "topic", "no-such-topic"));
        ScalerRun.Metric fine = run.metric(params("fine", "topic", "orders"));
        Future<List<Sample>> both = missing.scaler().fetch();
        assertThat(fine.value()).isEqualTo(30);
        assertThat(both.toCompletionStage().toCompletableFuture().handle((v, e) -> PollCycle.unwrap(e).getMessage()).get())
                .isEqualTo("topic \"no-such-topic\" does not exist on " + broker.bootstrapServers());
        missing.close();
        fine.close();
    }

    @Test
    void metricsOfOneClusterShareOneClientAndOneCycle() throws Exception {
        List<ScalerRun.Metric> metrics = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            data.commit("shared-" + i, "orders", i % 10, 0, 0);
            metrics.add(run.metric(params("shared-" + i, "topic", "orders", "allowIdleConsumers", true)));
        }
        List<Future<List<Sample>>> fetches = new ArrayList<>();
        for (int round = 0; round < 2; round++) { // the first cycle also connects: measure the second
            fetches.clear();
            metrics.forEach(m -> fetches.add(m.scaler().fetch()));
            Future.all(fetches).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        // What an operator reads at /metrics for the cluster's shared client.
        String cluster = broker.bootstrapServers();
        assertThat(run.meter("demand_adapter_kafka_metrics", cluster)).isEqualTo(40);
        assertThat(run.meter("demand_adapter_kafka_clients_created", cluster)).isEqualTo(1);
        double requestsFor40 = run.meter("demand_adapter_kafka_last_cycle_requests", cluster);
        double cyclesBefore = run.meter("demand_adapter_kafka_poll_cycles", cluster);
        // Again with 4 metrics: the cycle sends as many requests (one per coordinator or leader).
        for (int i = 4; i < 40; i++) {
            metrics.get(i).close();
        }
        fetches.clear();
        metrics.subList(0, 4).forEach(m -> fetches.add(m.scaler().fetch()));
        Future.all(fetches).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(run.meter("demand_adapter_kafka_poll_cycles", cluster)).isEqualTo(cyclesBefore + 1);
        assertThat(run.meter("demand_adapter_kafka_last_cycle_requests", cluster)).isEqualTo(requestsFor40);
        assertThat(requestsFor40).isBetween(1.0, 10.0);
        metrics.subList(0, 4).forEach(ScalerRun.Metric::close);
        // With its last metric the shared client is closed and its meters go.
        await().atMost(Duration.ofSeconds(10)).until(() -> run.meter("demand_adapter_kafka_metrics", cluster) == null);
    }

    @Test
    void unreachableAndUnresolvableBrokersGiveClearMessages() throws Exception {
        // Kafka's own timeouts follow the metric's (2s): its error, not "the poll timed out", answers.
        ScalerRun.Metric down = run.metric(Map.of("bootstrapServers", "127.0.0.1:1", "consumerGroup", "g",
                "topic", "orders"), java.time.Duration.ofSeconds(2));
        assertThat(down.failure()).startsWith("cannot read the committed offsets of group \"g\" from 127.0.0.1:1:"
                + " no answer in time (broker down or unreachable?)");
        down.close();
        ScalerRun.Metric unknown = run.metric(Map.of("bootstrapServers", "no-such-host.invalid:9092",
                "consumerGroup", "g", "topic", "orders"));
        assertThat(unknown.failure()).isEqualTo("cannot create a Kafka client for no-such-host.invalid:9092:"
                + " No resolvable bootstrap urls given in bootstrap.servers");
        unknown.close();
    }
}
