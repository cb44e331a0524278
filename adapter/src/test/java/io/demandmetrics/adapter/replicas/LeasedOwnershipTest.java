package io.demandmetrics.adapter.replicas;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandmetrics.adapter.config.ConfigParser;
import io.demandmetrics.adapter.config.MetricDefinition;
import io.demandmetrics.adapter.registry.ScalerRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Which metrics a replica polls, from the buckets it holds. */
class LeasedOwnershipTest {

    private static List<MetricDefinition> parse(String yaml) throws Exception {
        return new ConfigParser(ScalerRegistry.load(null, warning -> { })).parse(yaml).metrics();
    }

    private static MetricDefinition cron(String namespace, String name, String describes) throws Exception {
        return parse("metrics:\n  - {name: " + name + ", namespace: " + namespace + ", describes: " + describes
                + (describes.equals("external") ? "" : ", object: web") + ", type: cron, parameters: {timezone: UTC,"
                + " start: \"0 8 * * *\", end: \"0 18 * * *\", desiredReplicas: 3}}\n").get(0);
    }

    @Test
    void aMetricsBucketIsFixedAndTheBucketsShareTenThousandMetricsEvenly() throws Exception {
        MetricDefinition orders = cron("shop", "orders", "external");
        assertThat(LeasedOwnership.bucketOf(orders.placement(), 32))
                .isEqualTo(LeasedOwnership.bucketOf(cron("shop", "orders", "external").placement(), 32))
                .isBetween(0, 31);
        int[] counts = new int[32];
        for (int i = 0; i < 10_000; i++) {
            counts[LeasedOwnership.bucketOf("external/team-" + (i % 100) + "/scheduled-" + i, 32)]++;
        }
        List<Integer> spread = new ArrayList<>();
        for (int count : counts) {
            spread.add(count);
        }
        // 312.5 each on average: every bucket within 20 % of it, so 3 replicas poll about a third each
        assertThat(spread).allSatisfy(count -> assertThat(count).isBetween(250, 375));
        assertThat(cron("shop", "orders", "deployments.apps").placement())
                .as("the external and the custom metric of one name are different metrics")
                .isNotEqualTo(orders.placement());
    }

    /**
     * An {@code rps} and a {@code latency} metric on the pods of one namespace may scrape the same
     * pods: they are polled by one replica, so each pod is scraped once. Metrics on another
     * namespace's pods, or asking a Prometheus, are placed by their own names.
     */
    @Test
    void metricsScrapingTheSamePodsArePlacedTogether() throws Exception {
        StringBuilder yaml = new StringBuilder("metrics:\n");
        for (int i = 0; i < 40; i++) {
            String type = i % 2 == 0 ? "rps" : "latency";
            String parameters = type.equals("rps") ? "{counter: http_requests_total, pods: {selector: \"app=web-" + i + "\"}}"
                    : "{histogram: http_request_duration_seconds, pods: {selector: \"app=web-" + i + "\"}}";
            yaml.append("  - {name: ").append(type).append('-').append(i).append(", namespace: shop, describes: pods, type: ")
                    .append(type).append(", parameters: ").append(parameters).append("}\n");
        }
        yaml.append("  - {name: rps-other, namespace: bank, describes: pods, type: rps, parameters: {counter: requests,"
                + " pods: {selector: \"app=web\"}}}\n");
        yaml.append("  - {name: rps-promql, namespace: shop, describes: pods, type: rps, parameters: {counter: requests,"
                + " pods: {selector: \"app=web\"}, source: prometheus, prometheus: {serverAddress: \"http://prom:9090\"}}}\n");
        Map<String, MetricDefinition> byName = parse(yaml.toString()).stream()
                .collect(Collectors.toMap(definition -> definition.key().name(), Function.identity()));
        assertThat(byName.values().stream().filter(definition -> definition.key().namespace().equals("shop")
                        && !definition.key().name().equals("rps-promql"))
                .map(definition -> LeasedOwnership.bucketOf(definition.placement(), 1 << 20)).distinct())
                .as("the 40 metrics scraping shop's pods, in buckets")
                .hasSize(1);
        int shop = LeasedOwnership.bucketOf(byName.get("rps-0").placement(), 1 << 20);
        assertThat(LeasedOwnership.bucketOf(byName.get("rps-other").placement(), 1 << 20)).isNotEqualTo(shop);
        assertThat(byName.get("rps-promql").placement()).isEqualTo("pods/shop/rps-promql");
    }

    @Test
    void theMetricsOfHeldBucketsArePolledAndEachChangeIsPassedOn() throws Exception {
        AtomicInteger changes = new AtomicInteger();
        LeasedOwnership ownership = new LeasedOwnership(8, changes::incrementAndGet);
        MetricDefinition orders = cron("shop", "orders", "external");
        int bucket = ownership.bucketOf(orders);
        assertThat(ownership.polls(orders)).isFalse();
        ownership.acquired(bucket);
        assertThat(ownership.polls(orders)).isTrue();
        ownership.acquired((bucket + 1) % 8);
        ownership.lost(bucket, "released to balance");
        assertThat(ownership.polls(orders)).isFalse();
        assertThat(changes).hasValue(3);
    }
}
