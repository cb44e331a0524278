package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.demandmetrics.testfixtures.PrometheusServer;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prometheus scaler through the adapter, as the HPA reads it, against a real Prometheus;
 * then Prometheus is killed and started again under the adapter: stale (503 naming the cause)
 * for the metric without a fallback, the fallback for the one with it, then values again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrometheusQueryIT {

    private static final String ORDERS = "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/orders-rate";
    private static final String GUARDED = "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/orders-guarded";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    private PrometheusServer prometheus;
    private Adapter adapter;
    private HttpClient client;

    @BeforeAll
    void start() throws Exception {
        prometheus = PrometheusServer.startWithConfig(Files.createDirectories(dir.resolve("prometheus")),
                "global: {evaluation_interval: 1s}\nscrape_configs: []\n");
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> prometheus.query("vector(1)", null).size() == 1);
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, """
                metrics:
                  - name: orders-rate
                    namespace: shop
                    type: prometheus
                    pollInterval: 1s
                    maxAge: 3s
                    parameters:
                      serverAddress: %1$s
                      query: vector(250)
                  - name: orders-guarded
                    namespace: shop
                    type: prometheus
                    pollInterval: 1s
                    maxAge: 3s
                    fallback: 4
                    parameters:
                      serverAddress: %1$s
                      query: vector(250)
                """.formatted(prometheus.url()));
        adapter = TestAdapters.start(dir, config, Clock.systemUTC());
        client = TestAdapters.client(TestAdapters.certFile(dir));
    }

    @AfterAll
    void stop() throws Exception {
        if (adapter != null) {
            adapter.stop();
        }
        if (prometheus != null) {
            prometheus.close();
        }
    }

    private String value(String path) throws Exception {
        HttpResponse<String> response = TestAdapters.get(client, adapter, path);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode items = JSON.readTree(response.body()).get("items");
        assertThat(items).hasSize(1);
        return items.get(0).get("value").asText();
    }

    @Test
    @Order(1)
    void theHpaReadsTheQuerysValueAndScalesAsWithKedasThreshold() throws Exception {
        assertThat(value(ORDERS)).isEqualTo("250");
        // KEDA's threshold 100 is the HPA's averageValue "100": ceil(250 / 100) = 3 replicas.
        long milli = HpaArithmetic.milliValue(value(ORDERS));
        assertThat(HpaArithmetic.externalAverageValue(List.of(milli), 100_000, 1)).isEqualTo(3);
    }

    @Test
    @Order(2)
    void prometheusKilledGoesStaleOrToTheFallbackThenRecovers() throws Exception {
        prometheus.kill();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() ->
                TestAdapters.get(client, adapter, ORDERS).statusCode() == 503);
        assertThat(TestAdapters.get(client, adapter, ORDERS).body())
                .contains("has no value newer than its maxAge of 3s")
                .contains("cannot query " + prometheus.url());
        assertThat(value(GUARDED)).isEqualTo("4");
        // Discovery does not wait for the source.
        assertThat(TestAdapters.get(client, adapter, "/apis/external.metrics.k8s.io/v1beta1").statusCode())
                .isEqualTo(200);

        prometheus.restart();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).ignoreExceptions().until(() ->
                value(ORDERS).equals("250") && value(GUARDED).equals("250"));
    }
}
