package io.demandmetrics.adapter.explain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.demandmetrics.adapter.config.ConfigParser;
import io.demandmetrics.adapter.config.MetricDefinition;
import io.demandmetrics.adapter.objects.ReportedObjects;
import io.demandmetrics.adapter.registry.ScalerRegistry;
import io.demandmetrics.adapter.store.Catalog;
import io.demandmetrics.adapter.store.MetricState;
import io.demandmetrics.adapter.store.Readings;
import io.demandmetrics.adapter.view.MetricView;
import io.demandmetrics.scaler.spi.DescribedObject;
import io.demandmetrics.scaler.spi.Sample;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Explain shows and proposes from what the API serves, for metrics whose served values are not
 * their raw samples: a latency metric (bucket rates merged into a quantile) and a kafka-lag
 * metric (partition lags summed and capped by KEDA's rule), with the real providers' combine.
 */
class ExplanationsTest {

    private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");
    private static final String CONFIG = """
            metrics:
              - name: p99_latency_seconds
                namespace: shop
                describes: pods
                type: latency
                parameters:
                  histogram: http_server_requests_seconds
                  quantile: 0.99
                  targets: [{pod: web-1, url: "http://127.0.0.1:9/metrics"}]
              - name: orders-lag
                namespace: shop
                type: kafka-lag
                parameters: {bootstrapServers: "127.0.0.1:9", consumerGroup: orders, lagThreshold: 10}
            """;

    @Test
    void aLatencyMetricIsTheQuantileTheApiServesAndItsProposalComesFromThat() throws Exception {
        // Bucket rates of one pod (cumulative, per second): none within 10 ms, 100 within 50 ms.
        DescribedObject web1 = new DescribedObject("web-1", Map.of("app", "web"));
        List<Sample> buckets = List.of(new Sample(web1, Map.of("le", "0.01"), 0, null, null),
                new Sample(web1, Map.of("le", "0.05"), 100, null, null),
                new Sample(web1, Map.of("le", "+Inf"), 100, null, null));
        JsonObject latency = explain("shop/p99_latency_seconds", buckets, hpa("""
                - type: Pods
                  pods:
                    metric: {name: p99_latency_seconds}
                    target: {type: AverageValue, averageValue: 5m}
                """, 1));
        // P99: rank 99 of 100 in (0.01, 0.05]: 0.01 + 0.04 x 99/100 = 0.0496 s, served as 50m.
        assertThat(latency.getJsonObject("value").getDouble("total")).isCloseTo(0.0496, offset(1e-12));
        assertThat(latency.getJsonObject("value").getJsonArray("items")).containsExactly(
                new JsonObject().put("value", latency.getJsonObject("value").getDouble("total")).put("object", "web-1"));
        // The history follows the served total too: the quantile, not the rates' 200.
        assertThat(latency.getJsonArray("history").getJsonObject(0).getDouble("total")).isCloseTo(0.0496, offset(1e-6));
        // 50m per pod against 5m: ratio 10 over 1 pod, 10 replicas (the raw rates would say 40,000).
        assertThat(latency.getJsonArray("hpas").getJsonObject(0).getInteger("proposedReplicas")).isEqualTo(10);
    }

    @Test
    void aKafkaLagMetricIsTheCappedTotalTheApiServesAndItsProposalComesFromThat() throws Exception {
        List<Sample> partitions = List.of(Sample.of(Map.of("topic", "orders", "partition", "0"), 100),
                Sample.of(Map.of("topic", "orders", "partition", "1"), 0),
                Sample.of(Map.of("topic", "orders", "partition", "2"), 0));
        JsonObject lag = explain("shop/orders-lag", partitions, hpa("""
                - type: External
                  external:
                    metric: {name: orders-lag, selector: {matchLabels: {topic: orders}}}
                    target: {type: AverageValue, averageValue: "10"}
                """, 1));
        // KEDA: 100 over a threshold of 10 would want 10 consumers for 3 partitions: capped at 3 x 10.
        assertThat(lag.getJsonObject("value").getDouble("total")).isEqualTo(30.0);
        assertThat(lag.getJsonArray("history").getJsonObject(0).getDouble("total")).isEqualTo(30.0);
        // 30 against 10 per replica from 1: 3 replicas (the raw lags' sum would say 10).
        assertThat(lag.getJsonArray("hpas").getJsonObject(0).getInteger("proposedReplicas")).isEqualTo(3);
    }

    private static JsonObject explain(String metricId, List<Sample> samples, HorizontalPodAutoscaler hpa)
            throws Exception {
        List<MetricState> states = new java.util.ArrayList<>();
        for (MetricDefinition definition : new ConfigParser(ScalerRegistry.load(null, w -> { })).parse(CONFIG)
                .metrics()) {
            states.add(Readings.polled(definition, NOW, definition.key().id().equals(metricId) ? samples
                    : List.of()));
        }
        Catalog catalog = Catalog.of(states);
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        Explanations explanations = new Explanations(() -> catalog, new MetricView(() -> catalog,
                new ReportedObjects(), clock), clock, () -> List.of(hpa), null, definition -> null,
                JsonArray::new);
        return explanations.json(metricId, Explanations.Page.FIRST).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
                .getJsonArray("metrics").getJsonObject(0);
    }

    private static HorizontalPodAutoscaler hpa(String metric, int currentReplicas) {
        return Serialization.unmarshal("""
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                metadata: {name: web, namespace: shop}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
                  minReplicas: 1
                  maxReplicas: 100000
                  metrics:
                """ + metric.indent(4) + """
                status: {currentReplicas: %d, desiredReplicas: %d}
                """.formatted(currentReplicas, currentReplicas), HorizontalPodAutoscaler.class);
    }
}
