package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.demandmetrics.scaler.sqs.testing.ElasticMq;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
 * aws-sqs-queue through the adapter, as the HPA reads it, against ElasticMQ; then ElasticMQ is
 * stopped and started again under the adapter. The static secret key must never show.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SqsQueueIT {

    private static final String JOBS = "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/jobs-depth";
    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLE";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    private ElasticMq mq;
    private Adapter adapter;
    private HttpClient client;
    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    private PrintStream originalErr;

    @BeforeAll
    void start() throws Exception {
        originalErr = System.err;
        System.setErr(new PrintStream(new TeeStream(logs, originalErr), true, StandardCharsets.UTF_8));
        mq = ElasticMq.start();
        fill();
        Files.writeString(dir.resolve("key-id"), "AKIAEXAMPLEID\n");
        Files.writeString(dir.resolve("secret-key"), SECRET + "\n");
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, """
                metrics:
                  - name: jobs-depth
                    namespace: shop
                    type: aws-sqs-queue
                    pollInterval: 1s
                    maxAge: 3s
                    parameters:
                      queueURL: jobs
                      awsRegion: eu-west-1
                      awsEndpoint: %s
                      accessKeyIdFile: %s
                      secretAccessKeyFile: %s
                """.formatted(mq.endpoint(), dir.resolve("key-id"), dir.resolve("secret-key")));
        adapter = TestAdapters.start(dir, config, Clock.systemUTC());
        client = TestAdapters.client(TestAdapters.certFile(dir));
    }

    /** 3 visible messages and 2 in flight (received, not deleted): a depth of 5. */
    private void fill() {
        mq.createQueue("jobs", 3, 2, 0);
    }

    @AfterAll
    void stop() throws Exception {
        if (adapter != null) {
            adapter.stop();
        }
        if (mq != null) {
            mq.close();
        }
        System.setErr(originalErr);
        assertThat(logs.toString(StandardCharsets.UTF_8)).doesNotContain(SECRET);
    }

    private JsonNode items() throws Exception {
        HttpResponse<String> response = TestAdapters.get(client, adapter, JOBS);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).get("items");
    }

    @Test
    @Order(1)
    void theHpaReadsTheDepthAndScalesAsWithKedasQueueLength() throws Exception {
        JsonNode items = items();
        assertThat(items).hasSize(1);
        assertThat(items.get(0).get("value").asText()).isEqualTo("5");
        assertThat(items.get(0).get("metricLabels").get("queue").asText()).isEqualTo("jobs");
        // KEDA's queueLength 2 is the HPA's averageValue "2": ceil(5 / 2) = 3 replicas.
        long milli = HpaArithmetic.milliValue(items.get(0).get("value").asText());
        assertThat(HpaArithmetic.externalAverageValue(List.of(milli), 2_000, 1)).isEqualTo(3);
        assertThat(HpaArithmetic.externalAverageValue(List.of(milli), 5_000, 1)).isEqualTo(1);
        String scrape = TestAdapters.get(client, adapter, "/metrics").body();
        assertThat(scrape).containsPattern("demand_adapter_sqs_requests_total\\{[^}]*region=\"eu-west-1\"[^}]*} [1-9]")
                .doesNotContain(SECRET).doesNotContain("AKIAEXAMPLEID");
    }

    @Test
    @Order(2)
    void anEndpointOutageGoesStaleThenRecovers() throws Exception {
        mq.stop();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() ->
                TestAdapters.get(client, adapter, JOBS).statusCode() == 503);
        String body = TestAdapters.get(client, adapter, JOBS).body();
        assertThat(body).contains("has no value newer than its maxAge of 3s")
                .contains("queue \\\"jobs\\\" (" + mq.endpoint() + " (region eu-west-1)): cannot connect")
                .doesNotContain(SECRET);
        mq.restart();
        fill(); // ElasticMQ keeps queues in memory
        // Recovered: 200 again, and (once a poll follows the refill) the depth again.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() ->
                TestAdapters.get(client, adapter, JOBS).statusCode() == 200 && items().get(0).get("value").asText().equals("5"));
    }

    /** Writes to both streams: the test reads what the adapter logged, and so does the console. */
    private static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream a;
        private final java.io.OutputStream b;

        TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int c) throws java.io.IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }
    }
}
