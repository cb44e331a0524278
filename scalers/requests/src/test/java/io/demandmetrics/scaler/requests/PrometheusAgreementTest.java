package io.demandmetrics.scaler.requests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.demandmetrics.testfixtures.PrometheusServer;
import io.demandmetrics.scaler.requests.testapp.TestApp;
import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.spi.ScalerProvider;
import io.demandmetrics.scaler.testkit.TestScalerContext;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The adapter's numbers against a real Prometheus scraping the same apps every second, one
 * instrumented with prometheus-simpleclient and one with Micrometer, each under steady load
 * with known latencies: per-pod RPS within 5 % of {@code sum by (pod) (rate(...[30s]))}, P99
 * within 5 % of {@code histogram_quantile(0.99, sum by (le) (rate(..._bucket[30s])))}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrometheusAgreementTest {

    @TempDir
    static Path dir;
    private Vertx vertx;
    private TestApp simple;
    private TestApp micrometer;
    private PrometheusServer prometheus;
    private final MeterRegistry meters = new SimpleMeterRegistry();
    private final List<Scaler> scalers = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        vertx = Vertx.vertx();
        simple = TestApp.start(vertx, TestApp.Instrumentation.SIMPLECLIENT, 20, 150);
        micrometer = TestApp.start(vertx, TestApp.Instrumentation.MICROMETER, 30, 180);
        simple.load(40);
        micrometer.load(20);
        prometheus = PrometheusServer.start(dir, Map.of("simple", simple.port(), "micrometer", micrometer.port()));
    }

    @AfterAll
    void stop() throws Exception {
        for (Scaler scaler : scalers) {
            scaler.close();
        }
        simple.close();
        micrometer.close();
        prometheus.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private Scaler scaler(ScalerProvider<HttpMetricConfig> provider, Map<String, Object> parameters) throws Exception {
        Scaler scaler = new TestScalerContext(vertx, "http", "shop/agreement").describing("pods").metered(meters)
                .createScaler(provider, provider.parseConfig(parameters));
        scalers.add(scaler);
        return scaler;
    }

    private static List<Sample> fetch(Scaler scaler) throws Exception {
        return scaler.fetch().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void rpsAndP99AgreeWithPromqlOnTheSameApps() throws Exception {
        // The same 30 s window on both sides (shortWindow = longWindow), scraped every second.
        Scaler simpleRps = scaler(new RpsScalerProvider(), Map.of("counter", "http_requests_total",
                "shortWindow", "30s", "longWindow", "30s",
                "targets", List.of(Map.of("pod", "simple", "url", simple.metricsUrl()))));
        Scaler micrometerRps = scaler(new RpsScalerProvider(), Map.of("preset", "micrometer",
                "shortWindow", "30s", "longWindow", "30s",
                "targets", List.of(Map.of("pod", "micrometer", "url", micrometer.metricsUrl()))));
        LatencyScalerProvider latency = new LatencyScalerProvider();
        Map<String, Object> simpleLatencyParameters = Map.of("histogram", "http_request_duration_seconds",
                "window", "30s", "targets", List.of(Map.of("pod", "simple", "url", simple.metricsUrl())));
        Scaler simpleP99 = scaler(latency, simpleLatencyParameters);
        Map<String, Object> micrometerLatencyParameters = Map.of("preset", "micrometer", "window", "30s",
                "targets", List.of(Map.of("pod", "micrometer", "url", micrometer.metricsUrl())));
        Scaler micrometerP99 = scaler(latency, micrometerLatencyParameters);

        // Both sides hold 30 s of scrapes: Prometheus has scraped each app at least 30 times.
        await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() -> {
            Map<String, Double> scrapes = prometheus.query("count_over_time(up[40s])", "pod");
            return scrapes.size() == 2 && scrapes.values().stream().allMatch(n -> n >= 32);
        });

        Map<String, Double> promRps = prometheus.query("sum by (pod) (rate(http_requests_total[30s]))"
                + " or sum by (pod) (rate(http_server_requests_seconds_count[30s]))", "pod");
        double simpleP99Prom = prometheus.query("histogram_quantile(0.99, sum by (le)"
                + " (rate(http_request_duration_seconds_bucket[30s])))", null).get("");
        double micrometerP99Prom = prometheus.query("histogram_quantile(0.99, sum by (le)"
                + " (rate(http_server_requests_seconds_bucket[30s])))", null).get("");

        assertThat(promRps.get("simple")).as("Prometheus sees the load").isCloseTo(40, Percentage.withPercentage(10));
        assertThat(fetch(simpleRps).get(0).value()).as("simpleclient rps")
                .isCloseTo(promRps.get("simple"), Percentage.withPercentage(5));
        assertThat(fetch(micrometerRps).get(0).value()).as("Micrometer rps")
                .isCloseTo(promRps.get("micrometer"), Percentage.withPercentage(5));
        assertThat(latency.combine(latency.parseConfig(simpleLatencyParameters), fetch(simpleP99), false).get(0).value())
                .as("simpleclient P99 (Prometheus: %s)", simpleP99Prom)
                .isCloseTo(simpleP99Prom, Percentage.withPercentage(5));
        assertThat(latency.combine(latency.parseConfig(micrometerLatencyParameters), fetch(micrometerP99), false)
                .get(0).value()).as("Micrometer P99 (Prometheus: %s)", micrometerP99Prom)
                .isCloseTo(micrometerP99Prom, Percentage.withPercentage(5));
        assertThat(prometheus.running()).isTrue();
    }
}
