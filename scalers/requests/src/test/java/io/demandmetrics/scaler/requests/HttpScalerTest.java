package io.demandmetrics.scaler.requests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.spi.ScalerProvider;
import io.demandmetrics.scaler.testkit.TestScalerContext;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The scalers against real HTTP targets whose counters grow at known rates by the wall clock
 * and whose histograms grow in known proportions: per-pod values, failing and restarting
 * targets, merged quantiles, idle pods, and one scrape per target for several metrics.
 */
class HttpScalerTest {

    private Vertx vertx;
    private HttpServer server;
    private String base;
    private final MeterRegistry meters = new SimpleMeterRegistry();
    /** Each pod's request counter; a pod without one answers 503. */
    private final PodCounters counters = new PodCounters();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private final List<Scaler> scalers = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer().requestHandler(request -> {
            String pod = request.path().substring(request.path().lastIndexOf('/') + 1);
            requests.computeIfAbsent(pod, p -> new AtomicInteger()).incrementAndGet();
            if (pod.startsWith("summary-")) { // a summary per endpoint, as the pod computed it
                boolean idle = pod.equals("summary-idle");
                request.response().end("# TYPE http_request_duration_seconds summary\n"
                        + "http_request_duration_seconds{uri=\"/a\",quantile=\"0.5\"} " + (idle ? "NaN" : "0.02") + "\n"
                        + "http_request_duration_seconds{uri=\"/a\",quantile=\"0.99\"} " + (idle ? "NaN" : "0.15") + "\n"
                        + "http_request_duration_seconds{uri=\"/b\",quantile=\"0.99\"} " + (idle ? "NaN" : "0.3") + "\n"
                        + "http_request_duration_seconds_sum{uri=\"/a\"} 4\n"
                        + "http_request_duration_seconds_count{uri=\"/a\"} " + (idle ? 0 : 100) + "\n");
                return;
            }
            Double counted = counters.value(pod);
            if (counted == null) {
                request.response().setStatusCode(503).end();
                return;
            }
            double count = counted;
            // Latency: a fifth of requests under 0.1 s, the rest in (0.1, 0.5]; an idle pod's buckets stand still.
            request.response().putHeader("Content-Type", "text/plain; version=0.0.4").end(
                    "# TYPE http_requests_total counter\n"
                    + "http_requests_total{code=\"200\"} " + count + "\n"
                    + "http_requests_total{code=\"500\"} " + (count / 10) + "\n"
                    + "http_request_duration_seconds_bucket{le=\"0.1\"} " + (count / 5) + "\n"
                    + "http_request_duration_seconds_bucket{le=\"0.5\"} " + count + "\n"
                    + "http_request_duration_seconds_bucket{le=\"+Inf\"} " + count + "\n");
        });
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        base = "http://127.0.0.1:" + server.actualPort() + "/metrics/";
    }

    @AfterEach
    void stop() throws Exception {
        for (Scaler scaler : scalers) {
            scaler.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private TestScalerContext context(String describes) {
        return new TestScalerContext(vertx, "http", "shop/test").describing(describes).metered(meters);
    }

    private Scaler scaler(ScalerProvider<HttpMetricConfig> provider, String describes, Map<String, Object> extra,
                          String... pods) throws Exception {
        List<Map<String, Object>> targets = new ArrayList<>();
        for (String pod : pods) {
            targets.add(Map.of("pod", pod, "url", base + pod));
        }
        Map<String, Object> parameters = new java.util.HashMap<>(Map.of("targets", targets,
                "scrapeInterval", "100ms", "shortWindow", "1s", "longWindow", "3s"));
        if (provider instanceof LatencyScalerProvider) {
            parameters.remove("shortWindow");
            parameters.remove("longWindow");
            parameters.put("window", "2s");
            parameters.put("histogram", "http_request_duration_seconds");
        } else {
            parameters.put("counter", "http_requests_total");
        }
        parameters.putAll(extra);
        return create(provider, provider.parseConfig(parameters), describes);
    }

    /** Until the condition holds, within 20 s; a fetch that fails meanwhile (no value yet) is retried. */
    private static org.awaitility.core.ConditionFactory eventually() {
        return await().ignoreExceptionsInstanceOf(ExecutionException.class).atMost(Duration.ofSeconds(20));
    }

    private static List<Sample> fetch(Scaler scaler) throws Exception {
        return scaler.fetch().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static String failure(Scaler scaler) throws Exception {
        try {
            fetch(scaler);
        } catch (ExecutionException e) {
            return e.getCause().getMessage();
        }
        return null;
    }

    private static Map<String, Double> byPod(List<Sample> samples) {
        return samples.stream().collect(Collectors.toMap(s -> s.object().name(), Sample::value));
    }

    @Test
    void rpsIsEachPodsRequestRateAndAFailingPodIsLeftOutNotServedAsZero() throws Exception {
        counters.setRate("web-1", 50);
        counters.setRate("web-2", 10);
        Scaler scaler = scaler(new RpsScalerProvider(), "pods", Map.of(), "web-1", "web-2", "web-3");
        // web-1: 50 (code 200) + 5 (code 500) per second; web-2: 11; web-3 answers 503.
        eventually().untilAsserted(() -> {
            Map<String, Double> values = byPod(fetch(scaler));
            assertThat(values).containsOnlyKeys("web-1", "web-2");
            assertThat(values.get("web-1")).isCloseTo(55, org.assertj.core.data.Percentage.withPercentage(5));
            assertThat(values.get("web-2")).isCloseTo(11, org.assertj.core.data.Percentage.withPercentage(5));
        });
        counters.remove("web-2"); // web-2 starts failing: left out at once, though its history still has rates
        eventually()
                .untilAsserted(() -> assertThat(byPod(fetch(scaler))).containsOnlyKeys("web-1"));
        counters.remove("web-1");
        eventually().untilAsserted(() -> assertThat(failure(scaler))
                .startsWith("no target answered: web-1: HTTP 503").contains("web-3: HTTP 503"));
    }

    /**
     * #27: 1,500 req/s over three pods, then the same over four. Served per pod, the old pods'
     * long windows would hold their 500 for a whole window (a total of about 1,875 served): the
     * service's total is served instead, shared by the pods' current rates; a rise of the total
     * still shows; a pod that goes does not lift the others above their real rates. (Windows of
     * 1 s and 3 s here, 3 s and 30 s by default.)
     */
    @Test
    void aScaleUpOnFlatDemandDoesNotOverstateItAndARiseStillShows() throws Exception {
        List<String> old = List.of("web-1", "web-2", "web-3");
        old.forEach(pod -> counters.setRate(pod, 500));
        Scaler scaler = scaler(new RpsScalerProvider(), "pods", Map.of("filter", "code=\"200\""), "web-1", "web-2",
                "web-3", "web-4");
        // The long windows full of 500: 3 s of scrapes, 100 ms apart.
        eventually().until(() -> requests.computeIfAbsent("web-1", p -> new AtomicInteger()).get() >= 35);
        eventually().untilAsserted(() -> assertThat(byPod(fetch(scaler))).containsOnlyKeys(old)
                .allSatisfy((pod, value) -> assertThat(value).isCloseTo(500, org.assertj.core.data.Percentage
                        .withPercentage(2))));

        old.forEach(pod -> counters.setRate(pod, 375));
        counters.setRate("web-4", 375); // web-4 becomes ready and takes its share
        double[] most = {0, 0}; // the largest total and the largest pod's value served meanwhile
        eventually().until(() -> {
            Map<String, Double> served = byPod(fetch(scaler));
            most[0] = Math.max(most[0], served.values().stream().mapToDouble(Double::doubleValue).sum());
            most[1] = Math.max(most[1], served.values().stream().mapToDouble(Double::doubleValue).max().orElse(0));
            return served.size() == 4 && served.values().stream().allMatch(v -> Math.abs(v - 375) < 375 * 0.03);
        });
        assertThat(most[0]).as("the total served: the service's 1,500").isLessThan(1500 * 1.04);
        assertThat(most[1]).as("no pod above the old 500").isLessThan(500 * 1.02);

        List.of("web-1", "web-2", "web-3", "web-4").forEach(pod -> counters.setRate(pod, 750));
        eventually().untilAsserted(() -> assertThat(byPod(fetch(scaler))).allSatisfy((pod, value) ->
                assertThat(value).isCloseTo(750, org.assertj.core.data.Percentage.withPercentage(3))));

        // web-4 goes (its scrapes fail), the other three take its traffic: none served above its real rate.
        counters.remove("web-4");
        old.forEach(pod -> counters.setRate(pod, 1000));
        double[] highest = {0};
        double[] lowestTotal = {Double.MAX_VALUE};
        eventually().until(() -> {
            Map<String, Double> served = byPod(fetch(scaler));
            highest[0] = Math.max(highest[0], served.values().stream().mapToDouble(Double::doubleValue).max()
                    .orElse(0));
            lowestTotal[0] = Math.min(lowestTotal[0], served.values().stream().mapToDouble(Double::doubleValue).sum());
            return served.keySet().equals(java.util.Set.copyOf(old))
                    && served.values().stream().allMatch(v -> Math.abs(v - 1000) < 1000 * 0.03);
        });
        assertThat(highest[0]).as("no pod above its real 1,000").isLessThan(1000 * 1.03);
        // The pod's going is not demand going: the total stays the service's 3,000 (what web-4 got
        // before it went is in the windows until they pass it). Without that it dips to about 2,276;
        // with it, scrapes on a loaded machine that fall between web-4's going and the others' rise
        // have shown 2,874 (0.958): the bound sits between.
        assertThat(lowestTotal[0]).as("the total served while web-4 goes").isGreaterThan(3000 * 0.92);
    }

    @Test
    void aFilterKeepsOnlyTheSeriesItMatches() throws Exception {
        counters.setRate("web-1", 50);
        Scaler scaler = scaler(new RpsScalerProvider(), "pods", Map.of("filter", "code!~\"5..\""), "web-1");
        eventually().untilAsserted(() -> assertThat(byPod(fetch(scaler)).get("web-1"))
                .isCloseTo(50, org.assertj.core.data.Percentage.withPercentage(5)));
    }

    @Test
    void aRestartedContainerIsAResetNeverANegativeOrHugeRate() throws Exception {
        counters.setRate("web-1", 40);
        Scaler scaler = scaler(new RpsScalerProvider(), "pods", Map.of("filter", "code=\"200\""), "web-1");
        eventually().untilAsserted(() -> assertThat(byPod(fetch(scaler)).get("web-1"))
                .isCloseTo(40, org.assertj.core.data.Percentage.withPercentage(5)));
        int before = requests.get("web-1").get();
        counters.restart("web-1");
        // Through the next 4 s (more than the long window): never negative, never far above the rate.
        eventually().until(() -> {
            double value = byPod(fetch(scaler)).get("web-1");
            assertThat(value).isBetween(0.0, 40 * 1.5);
            return requests.get("web-1").get() > before + 40;
        });
    }

    @Test
    void anExternalRpsMetricIsASeriesPerPodForTheHpaToSum() throws Exception {
        counters.setRate("web-1", 20);
        counters.setRate("web-2", 30);
        Scaler scaler = scaler(new RpsScalerProvider(), "external", Map.of("filter", "code=\"200\""),
                "web-1", "web-2");
        eventually().untilAsserted(() -> {
            List<Sample> samples = fetch(scaler);
            assertThat(samples).allSatisfy(s -> assertThat(s.object()).isNull());
            Map<String, Double> byLabel = samples.stream()
                    .collect(Collectors.toMap(s -> s.labels().get("pod"), Sample::value));
            assertThat(byLabel.get("web-1")).isCloseTo(20, org.assertj.core.data.Percentage.withPercentage(5));
            assertThat(byLabel.get("web-2")).isCloseTo(30, org.assertj.core.data.Percentage.withPercentage(5));
        });
    }

    @Test
    void latencyIsTheQuantileOfEachPodsBucketsAndAnIdlePodIsZero() throws Exception {
        counters.setRate("web-1", 100);
        counters.setRate("idle", 0);
        LatencyScalerProvider provider = new LatencyScalerProvider();
        Scaler scaler = scaler(provider, "pods", Map.of(), "web-1", "idle");
        HttpMetricConfig config = provider.parseConfig(Map.of("histogram", "http_request_duration_seconds",
                "targets", List.of(Map.of("pod", "x", "url", base + "x"))));
        eventually().untilAsserted(() -> {
            Map<String, List<Sample>> perPod = fetch(scaler).stream()
                    .collect(Collectors.groupingBy(s -> s.object().name()));
            assertThat(perPod).containsOnlyKeys("web-1", "idle");
            // rank 0.99 of the observations: 0.2 of them <= 0.1 s, all <= 0.5 s: 0.1 + 0.4 x 0.79/0.8 = 0.495.
            assertThat(provider.combine(config, perPod.get("web-1"), false).get(0).value())
                    .isCloseTo(0.495, org.assertj.core.data.Offset.offset(1e-6));
            assertThat(provider.combine(config, perPod.get("idle"), false).get(0).value()).isZero();
        });
    }

    @Test
    void twoMetricsReadingOnePodScrapeItOnce() throws Exception {
        counters.setRate("web-1", 10);
        Scaler rps = scaler(new RpsScalerProvider(), "pods", Map.of(), "web-1");
        Scaler latency = scaler(new LatencyScalerProvider(), "pods", Map.of(), "web-1");
        eventually().untilAsserted(() -> {
            assertThat(fetch(rps)).isNotEmpty();
            assertThat(fetch(latency)).isNotEmpty();
        });
        double scrapes = meters.get("demand_adapter_scrapes").tag("result", "ok").counter().count();
        int served = requests.get("web-1").get();
        // Each answered request is one scrape of the shared target (one may be in flight).
        assertThat(served).isBetween((int) scrapes, (int) scrapes + 1);
        assertThat(meters.get("demand_adapter_scrape_targets").gauge().value()).isEqualTo(1.0);
    }

    @Test
    void podsSelectedByLabelNeedTheAdapterInACluster() throws Exception {
        RpsScalerProvider provider = new RpsScalerProvider();
        HttpMetricConfig config = provider.parseConfig(Map.of("counter", "http_requests_total",
                "pods", Map.of("selector", "app=web")));
        Scaler scaler = create(provider, config, "pods"); // standalone: no pods()
        assertThat(failure(scaler)).isEqualTo("parameter \"pods\" needs the adapter in a cluster (its pod informer);"
                + " standalone, list \"targets\"");
    }

    @Test
    void aSummaryIsServedPerPodAsItsSlowestEndpointAndNeverMerged() throws Exception {
        LatencyScalerProvider provider = new LatencyScalerProvider();
        Map<String, Object> parameters = Map.of("summary", "http_request_duration_seconds", "quantile", 0.99,
                "scrapeInterval", "100ms", "window", "2s", "targets", List.of(
                        Map.of("pod", "summary-web", "url", base + "summary-web"),
                        Map.of("pod", "summary-idle", "url", base + "summary-idle")));
        HttpMetricConfig config = provider.parseConfig(parameters);
        Scaler perPod = create(provider, config, "pods");
        eventually().untilAsserted(() ->
                assertThat(byPod(provider.combine(config, fetch(perPod), false)))
                        .isEqualTo(Map.of("summary-web", 0.3, "summary-idle", 0.0)));
        Scaler external = create(provider, config, "external");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(failure(external))
                .isEqualTo("a summary's quantiles cannot be merged across pods: serve it per pod (describes: pods),"
                        + " or read a histogram (parameter \"histogram\")"));
    }

    private Scaler create(ScalerProvider<HttpMetricConfig> provider, HttpMetricConfig config, String describes)
            throws Exception {
        Scaler scaler = context(describes).createScaler(provider, config);
        scalers.add(scaler);
        return scaler;
    }

    @Test
    void aNewMetricsFirstPollWaitsForTheSecondScrapeInsteadOfFailing() throws Exception {
        counters.setRate("web-1", 20);
        // 1 s scrapes: the second comes half an interval to one and a half after the first, within
        // the first poll's wait (2 intervals and the scrape timeout, at most half the poll timeout).
        Scaler scaler = scaler(new RpsScalerProvider(), "pods", Map.of("scrapeInterval", "1s", "shortWindow", "2s",
                "longWindow", "3s"), "web-1");
        assertThat(byPod(fetch(scaler))).containsOnlyKeys("web-1");
    }

    /** The adapter logs such a failure as waiting (not a warning) while it is expected: the SPI's WarmingUp. */
    @Test
    void aFirstPollBeforeAnySecondScrapeFailsAsWarmingUpSayingWhatItWaitsFor() throws Exception {
        counters.setRate("web-1", 20);
        Scaler scaler = scaler(new RpsScalerProvider(), "pods", Map.of("scrapeInterval", "30s", "shortWindow", "60s",
                "longWindow", "90s"), "web-1");
        ExecutionException failed = org.assertj.core.api.Assertions.catchThrowableOfType(ExecutionException.class,
                () -> fetch(scaler));
        assertThat(failed.getCause()).isInstanceOf(io.demandmetrics.scaler.spi.WarmingUp.class)
                .hasMessage("waiting for a second scrape of a target (a rate needs two)");
    }
}
