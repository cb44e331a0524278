package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.demandmetrics.scaler.kafka.testing.KafkaBroker;
import io.demandmetrics.scaler.kafka.testing.KafkaData;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * kafka-lag through the adapter, as the HPA reads it, against a real broker in a child JVM;
 * then that broker is killed and restarted under the adapter. 21 metrics read the cluster,
 * through one shared client.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
// By name, so the broker crash runs first: each test leaves the broker as it found it (up, with
// the same data), and the others must pass after a crash and recovery as well as before.
@TestMethodOrder(MethodOrderer.MethodName.class)
class KafkaLagIT {

    private static final String ORDERS_LAG = "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/orders-lag";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    private KafkaBroker broker;
    private Adapter adapter;
    private HttpClient client;

    @BeforeAll
    void start() throws Exception {
        broker = KafkaBroker.startChild(dir.resolve("broker"));
        try (KafkaData data = new KafkaData(broker.bootstrapServers())) {
            data.createTopic("orders", 3);
            data.produce("orders", 10, 20, 30);
            data.createTopic("refunds", 2);
            data.produce("refunds", 40, 0);
            data.commit("checkout", "orders", 0, 20, 25);   // lag 10 + 0 + 5
            data.commit("checkout", "refunds", 0, -1);     // lag 40 + 1 (no commit: latest rule)
        }
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, """
                metrics:
                  - name: orders-lag
                    namespace: shop
                    type: kafka-lag
                    pollInterval: 1s
                    timeout: 1s
                    maxAge: 3s
                    parameters:
                      bootstrapServers: %s
                      consumerGroup: checkout
                      lagThreshold: 10
                      properties:
                        request.timeout.ms: 500
                        reconnect.backoff.max.ms: 1000
                %s""".formatted(broker.bootstrapServers(), moreMetrics(broker.bootstrapServers())));
        adapter = TestAdapters.start(dir, config, Clock.systemUTC());
        client = TestAdapters.client(TestAdapters.certFile(dir));
    }

    /** Twenty more metrics on the same cluster: they share its one client and its connections. */
    private static String moreMetrics(String bootstrapServers) {
        StringBuilder more = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            more.append("  - name: other-lag-").append(i).append("\n    namespace: shop\n    type: kafka-lag\n")
                    .append("    pollInterval: 1s\n    timeout: 1s\n    maxAge: 3s\n")
                    .append("    parameters: {bootstrapServers: \"").append(bootstrapServers)
                    .append("\", consumerGroup: other-").append(i).append(", topic: orders,")
                    .append(" properties: {request.timeout.ms: 500,")
                    .append(" reconnect.backoff.max.ms: 1000}}\n");
        }
        return more.toString();
    }

    @AfterAll
    void stop() throws Exception {
        if (adapter != null) {
            adapter.stop();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private JsonNode items(String query) throws Exception {
        HttpResponse<String> response = TestAdapters.get(client, adapter, ORDERS_LAG + query);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).get("items");
    }

    @Test
    void theHpaReadsTheGroupTotalAndScalesAsWithKeda() throws Exception {
        JsonNode items = items("");
        assertThat(items).hasSize(1);
        // 56 over 5 partitions: 56/10 = 5, not > 5, so KEDA does not cap it.
        assertThat(items.get(0).get("value").asText()).isEqualTo("56");
        assertThat(items.get(0).get("metricName").asText()).isEqualTo("orders-lag");
        List<Long> series = new ArrayList<>();
        items.forEach(i -> series.add(HpaArithmetic.milliValue(i.get("value").asText())));
        assertThat(HpaArithmetic.externalAverageValue(series, 10_000, 1)).isEqualTo(6);

        String scrape = TestAdapters.get(client, adapter, "/metrics").body();
        assertThat(scrape).containsPattern("demand_adapter_kafka_poll_cycles_total\\{client=\"demand-adapter-\\d+-\\d+\","
                + "cluster=\"" + broker.bootstrapServers() + "\"} [1-9]")
                .containsPattern("demand_adapter_kafka_connections\\{[^}]*} [1-9]")
                .containsPattern("demand_adapter_kafka_metrics\\{[^}]*} 21.0");
    }

    @Test
    void aSelectorOnTopicNarrowsTheTotalAndItsCap() throws Exception {
        JsonNode refunds = items("?labelSelector=topic%3Drefunds");
        assertThat(refunds).hasSize(1);
        // 41 on 2 partitions: 41/10 = 4 > 2, capped at 2 x 10.
        assertThat(refunds.get(0).get("value").asText()).isEqualTo("20");
        assertThat(refunds.get(0).get("metricLabels").get("topic").asText()).isEqualTo("refunds");
        assertThat(HpaArithmetic.externalAverageValue(List.of(20_000L), 10_000, 1)).isEqualTo(2);
        JsonNode both = items("?labelSelector=topic+in+%28orders%2Crefunds%29");
        assertThat(both.get(0).get("value").asText()).isEqualTo("56");
        assertThat(both.get(0).get("metricLabels").size()).isZero();
        assertThat(items("?labelSelector=topic%3Dnone")).isEmpty();
    }

    @Test
    void aBrokerCrashGoesStaleThenRecoversWithoutNewConnections() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> connectionsTo(broker.bootstrapServers()) >= 1);
        int connectionsBefore = connectionsTo(broker.bootstrapServers());
        assertThat(connectionsBefore).as("21 metrics, one shared client").isLessThanOrEqualTo(2);
        broker.kill();
        // The last value is served until it is older than maxAge (3s) ...
        assertThat(items("").get(0).get("value").asText()).isEqualTo("56");
        // ... then 503 naming the metric and the cause.
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).until(() ->
                TestAdapters.get(client, adapter, ORDERS_LAG).statusCode() == 503);
        HttpResponse<String> stale = TestAdapters.get(client, adapter, ORDERS_LAG);
        assertThat(stale.body()).contains("has no value newer than its maxAge of 3s")
                .contains("last error 0s ago: cannot read the committed offsets of group \\\"checkout\\\" from "
                        + broker.bootstrapServers() + ": no answer in time (broker down or unreachable?)");
        // Connections sampled while five more polls fail: reconnecting must not open more.
        double failedBefore = pollMeter("demand_adapter_poll_errors_total");
        int[] maxDuringOutage = {0};
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            maxDuringOutage[0] = Math.max(maxDuringOutage[0], connectionsTo(broker.bootstrapServers()));
            return pollMeter("demand_adapter_poll_errors_total") >= failedBefore + 5;
        });
        assertThat(maxDuringOutage[0]).isLessThanOrEqualTo(connectionsBefore);

        broker.restart();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                TestAdapters.get(client, adapter, ORDERS_LAG).statusCode() == 200);
        assertThat(items("").get(0).get("value").asText()).isEqualTo("56");
        double pollsAfterRecovery = pollMeter("demand_adapter_poll_seconds_count");
        double errorsAfterRecovery = pollMeter("demand_adapter_poll_errors_total");
        await().atMost(Duration.ofSeconds(20)).until(() ->
                pollMeter("demand_adapter_poll_seconds_count") >= pollsAfterRecovery + 2);
        assertThat(connectionsTo(broker.bootstrapServers())).isBetween(1, connectionsBefore);
        assertThat(pollMeter("demand_adapter_poll_errors_total")).as("no failed poll once recovered")
                .isEqualTo(errorsAfterRecovery);
    }

    /** A poll meter of shop/orders-lag, from the adapter's /metrics. */
    private double pollMeter(String name) throws Exception {
        return TestAdapters.meter(TestAdapters.get(client, adapter, "/metrics").body(), name,
                "metric=\"shop/orders-lag\"");
    }

    /** Established TCP connections to the broker's port, counted by the kernel (this JVM is the only client). */
    private static int connectionsTo(String hostPort) throws Exception {
        int port = Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
        String portHex = String.format(":%04X", port);
        int count = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path file = Path.of(table);
            if (!Files.exists(file)) {
                continue;
            }
            for (String line : Files.readAllLines(file)) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && f[2].endsWith(portHex) && f[3].equals("01")) {
                    count++;
                }
            }
        }
        return count;
    }
}
