package io.demandmetrics.scaler.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.testfixtures.PrometheusServer;
import io.demandmetrics.scaler.testkit.TestScalerContext;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * prometheus-adapter's per-pod rule as one query: two "pods" whose counters grow at known rates,
 * scraped by a real Prometheus; a {@code pods} metric with the migrated default rule's query
 * serves each pod what the same query asked of Prometheus directly gives it.
 */
class PerPodQueryTest {

    @Test
    void eachPodGetsWhatSumByPodGivesIt(@TempDir Path dir) throws Exception {
        Vertx vertx = Vertx.vertx();
        long started = System.nanoTime();
        Map<String, Integer> ports = new LinkedHashMap<>();
        Map<String, Double> rates = Map.of("web-1", 20.0, "web-2", 5.0);
        for (Map.Entry<String, Double> pod : rates.entrySet()) {
            HttpServer server = vertx.createHttpServer().requestHandler(request -> request.response()
                    .putHeader("Content-Type", "text/plain; version=0.0.4")
                    .end("# TYPE http_requests_total counter\nhttp_requests_total{code=\"200\"} "
                            + pod.getValue() * (System.nanoTime() - started) / 1e9 + "\n"))
                    .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            ports.put(pod.getKey(), server.actualPort());
        }
        try (PrometheusServer prometheus = PrometheusServer.start(dir, ports)) {
            String query = "sum(rate(http_requests_total[5s])) by (pod)";
            // Until the window holds enough scrapes for the rates to settle near the known ones.
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
                Map<String, Double> direct = prometheus.query(query, "pod");
                return direct.size() == 2 && rates.entrySet().stream()
                        .allMatch(pod -> Math.abs(direct.get(pod.getKey()) / pod.getValue() - 1) < 0.05);
            });
            PrometheusScalerProvider provider = new PrometheusScalerProvider();
            Scaler scaler = new TestScalerContext(vertx, "prometheus", "shop/http_requests").describing("pods")
                    .createScaler(provider, provider.parseConfig(Map.of("serverAddress", prometheus.url(),
                            "query", query)));
            List<Sample> samples = scaler.fetch().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
            Map<String, Double> served = samples.stream()
                    .collect(Collectors.toMap(s -> s.object().name(), Sample::value));
            Map<String, Double> direct = prometheus.query(query, "pod");
            assertThat(served).containsOnlyKeys("web-1", "web-2");
            // Two instant queries a moment apart over the same steady counters.
            served.forEach((pod, value) -> {
                assertThat(value).isCloseTo(direct.get(pod), Percentage.withPercentage(5));
                assertThat(value).isCloseTo(rates.get(pod), Percentage.withPercentage(10));
            });
            scaler.close();
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
