package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.demandmetrics.scaler.spi.Sample;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lead} through the adapter: a source that rises poll after poll is served ahead of what
 * it reports, the observed and served totals side by side at /metrics; when it falls, what is
 * served is what is observed (a lead only brings scale-up earlier). The same metric without a
 * lead serves the observed values.
 */
class LeadIT {

    private static final String EXTERNAL = "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/";

    @TempDir
    Path dir;

    @Test
    void aRiseIsServedAheadAndAFallAsObserved() throws Exception {
        TestValuesScalerProvider.set("ramp", List.of(Sample.of(java.util.Map.of("partition", "0"), 100),
                Sample.of(java.util.Map.of("partition", "1"), 100)));
        Path config = Files.writeString(dir.resolve("config.yaml"), """
                metrics:
                  - {name: ahead, namespace: shop, type: test-values, parameters: {source: ramp}, pollInterval: 100ms, lead: 1s}
                  - {name: observed, namespace: shop, type: test-values, parameters: {source: ramp}, pollInterval: 100ms}
                """);
        Adapter adapter = TestAdapters.start(dir, config, Clock.systemUTC());
        HttpClient client = TestAdapters.client(TestAdapters.certFile(dir));
        try {
            // +20 per series every poll: each value is set, then waited on until both metrics polled it.
            for (int step = 1; step <= 12; step++) {
                setAndWait(100 + 20 * step);
            }
            double observed = total(client, adapter, "observed");
            double ahead = total(client, adapter, "ahead");
            assertThat(observed).isEqualTo(2 * (100 + 20 * 12));
            assertThat(ahead).isGreaterThan(observed).isLessThanOrEqualTo(2 * observed);
            String exposition = TestAdapters.get(client, adapter, "/metrics").body();
            assertThat(TestAdapters.meter(exposition, "demand_adapter_lead_observed", "metric=\"shop/ahead\""))
                    .isEqualTo(observed);
            // Polls went on meanwhile at the same value, so the forecast has settled towards it, not past it.
            assertThat(TestAdapters.meter(exposition, "demand_adapter_lead_served", "metric=\"shop/ahead\""))
                    .isBetween(observed, ahead + 0.01);
            assertThat(exposition.lines().filter(line -> line.startsWith("demand_adapter_lead_")
                    && line.contains("shop/observed"))).as("no lead meters without a lead").isEmpty();

            for (int step = 11; step >= 0; step--) {
                setAndWait(100 + 20 * step);
                assertThat(total(client, adapter, "ahead")).isGreaterThanOrEqualTo(total(client, adapter, "observed"));
            }
            assertThat(total(client, adapter, "ahead")).isEqualTo(total(client, adapter, "observed"));
        } finally {
            adapter.stop();
        }
    }

    private static void setAndWait(double each) {
        int before = TestValuesScalerProvider.fetches("ramp");
        TestValuesScalerProvider.set("ramp", List.of(Sample.of(java.util.Map.of("partition", "0"), each),
                Sample.of(java.util.Map.of("partition", "1"), each)));
        // Two fetches per metric after the change: the one running may have read the old value.
        await().atMost(Duration.ofSeconds(10)).until(() -> TestValuesScalerProvider.fetches("ramp") >= before + 4);
    }

    /** The sum of the external metric's items, as the HPA adds them. */
    private static double total(HttpClient client, Adapter adapter, String metric) throws Exception {
        JsonObject answer = new JsonObject(TestAdapters.get(client, adapter, EXTERNAL + metric).body());
        double total = 0;
        for (Object item : answer.getJsonArray("items")) {
            total += HpaArithmetic.milliValue(((JsonObject) item).getString("value")) / 1000.0;
        }
        return total;
    }
}
