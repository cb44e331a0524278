package io.demandmetrics.scaler.requests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.demandmetrics.scaler.requests.testapp.TestApp;
import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.spi.ScalerProvider;
import io.demandmetrics.testfixtures.PrometheusServer;
import io.demandmetrics.scaler.testkit.TestScalerContext;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rps} and {@code latency} with {@code source: prometheus} against a real Prometheus
 * scraping the direct-scrape tests' app every second: pods web-1 (40 req/s) and web-2
 * (slower; 30 req/s, then 5) in namespace shop, web-3 idle in shop, and a busy pod also named
 * web-1 in namespace other. Each value is compared with hand-written PromQL asked of the same
 * server at the same instant, so they must agree exactly (up to floating point).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PromqlSourceTest {

    @TempDir
    static Path dir;
    private Vertx vertx;
    private final List<AutoCloseable> apps = new ArrayList<>();
    private PrometheusServer prometheus;
    private final List<Scaler> scalers = new ArrayList<>();
    /** Every query of a test is asked at this instant, settled: Prometheus has scraped past it. */
    private Instant at;

    @BeforeAll
    void start() throws Exception {
        vertx = Vertx.vertx();
        TestApp web1 = app(20, 150, 40);
        TestApp web2 = app(30, 300, 30);
        TestApp web3 = app(20, 150, 0);
        TestApp otherWeb1 = app(20, 150, 20);
        int summaryPort = summaryPod();
        StringBuilder config = new StringBuilder("""
                global: {scrape_interval: 1s, evaluation_interval: 1s}
                scrape_configs:
                  - job_name: app
                    static_configs:
                """);
        target(config, web1.port(), "shop", "web-1");
        target(config, web2.port(), "shop", "web-2");
        target(config, web3.port(), "shop", "web-3");
        target(config, otherWeb1.port(), "other", "web-1");
        target(config, summaryPort, "shop", "rpc-1");
        prometheus = PrometheusServer.startWithConfig(dir, config.toString());
        // Until every target has 25 s of scrapes: the longest window asked is 20 s.
        await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() -> {
            Map<String, Double> scrapes = prometheus.query("count_over_time(up[25s])", "instance");
            return scrapes.size() == 5 && scrapes.values().stream().allMatch(n -> n >= 24);
        });
        // web-2's load drops: its short window's rate falls below its long window's.
        // The instant the tests ask at is one where that shows: checked at that instant, not at
        // the moment of asking (a CI run once asked 2 s before the drop had shown).
        web2.load(5);
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            Instant settled = Instant.now().minusSeconds(2);
            double short10 = prometheus.query("sum by (pod) (rate(http_requests_total{namespace=\"shop\"}[10s]))",
                    "pod", settled).get("web-2");
            double long20 = prometheus.query("sum by (pod) (rate(http_requests_total{namespace=\"shop\"}[20s]))",
                    "pod", settled).get("web-2");
            at = settled;
            return short10 < 10 && long20 > short10 * 1.5;
        });
    }

    private TestApp app(long fastMillis, long slowMillis, int perSecond) throws Exception {
        TestApp app = TestApp.start(vertx, TestApp.Instrumentation.SIMPLECLIENT, fastMillis, slowMillis);
        if (perSecond > 0) {
            app.load(perSecond);
        }
        apps.add(app);
        return app;
    }

    /** A pod whose summary says P99 0.25 s for GET and NaN (no request lately) for POST. */
    private int summaryPod() throws Exception {
        HttpServer server = vertx.createHttpServer().requestHandler(request -> request.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4")
                .end("# TYPE rpc_duration_seconds summary\n"
                        + "rpc_duration_seconds{method=\"GET\",quantile=\"0.99\"} 0.25\n"
                        + "rpc_duration_seconds_count{method=\"GET\"} 10\n"
                        + "rpc_duration_seconds{method=\"POST\",quantile=\"0.99\"} NaN\n"
                        + "rpc_duration_seconds_count{method=\"POST\"} 0\n"))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        apps.add(() -> server.close());
        return server.actualPort();
    }

    private static void target(StringBuilder config, int port, String namespace, String pod) {
        config.append("      - targets: [\"127.0.0.1:").append(port).append("\"]\n        labels: {namespace: ")
                .append(namespace).append(", pod: ").append(pod).append("}\n");
    }

    @AfterAll
    void stop() throws Exception {
        for (Scaler scaler : scalers) {
            scaler.close();
        }
        for (AutoCloseable app : apps) {
            app.close();
        }
        prometheus.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private Scaler scaler(ScalerProvider<HttpMetricConfig> provider, String describes, Map<String, Object> parameters)
            throws Exception {
        Map<String, Object> withSource = new HashMap<>(parameters);
        withSource.put("source", "prometheus");
        withSource.put("prometheus", Map.of("serverAddress", prometheus.url()));
        Scaler scaler = new TestScalerContext(vertx, provider.type(), "shop/demand").describing(describes)
                .at(Clock.fixed(at, ZoneOffset.UTC)).createScaler(provider, provider.parseConfig(withSource));
        scalers.add(scaler);
        return scaler;
    }

    private static List<Sample> fetch(Scaler scaler) throws Exception {
        return scaler.fetch().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    private static Map<String, Double> byPod(List<Sample> samples) {
        return samples.stream().collect(Collectors.toMap(s -> s.object() != null ? s.object().name()
                : s.labels().get("pod"), Sample::value));
    }

    private Map<String, Double> promql(String query, String by) throws Exception {
        return prometheus.query(query, by, at);
    }

    @Test
    void rpsPerPodAppliesTheTwoWindowsToTheNamespacesPodsTotalOrEachPodsOwn() throws Exception {
        Map<String, Double> served = byPod(fetch(scaler(new RpsScalerProvider(), "pods", Map.of(
                "counter", "http_requests_total", "shortWindow", "10s", "longWindow", "20s"))));
        Map<String, Double> ownWindows = byPod(fetch(scaler(new RpsScalerProvider(), "pods", Map.of(
                "counter", "http_requests_total", "shortWindow", "10s", "longWindow", "20s", "windowsOver", "pod"))));
        Map<String, Double> short10 = promql("sum by (pod) (rate(http_requests_total{namespace=\"shop\"}[10s]))",
                "pod");
        Map<String, Double> long20 = promql("sum by (pod) (rate(http_requests_total{namespace=\"shop\"}[20s]))",
                "pod");
        // web-3 has served nothing, so its counter has no series yet: left out, as when scraped.
        assertThat(served).containsOnlyKeys("web-1", "web-2");
        // The service's demand: the larger of the two windows' totals, shared by the short window's
        // rates, no pod above its own larger rate. web-2's drop keeps the long total up; by shares
        // alone web-1 would carry part of it, so web-1 gets its own rate and web-2 the rest.
        double shortTotal = short10.values().stream().mapToDouble(Double::doubleValue).sum();
        double total = Math.max(shortTotal, long20.values().stream().mapToDouble(Double::doubleValue).sum());
        double web1Own = Math.max(short10.get("web-1"), long20.get("web-1"));
        assertThat(total * short10.get("web-1") / shortTotal).isGreaterThan(web1Own * 1.05);
        assertThat(served.get("web-1")).isCloseTo(web1Own, within(1e-9));
        assertThat(served.get("web-2")).isCloseTo(total - web1Own, within(1e-9))
                .isLessThanOrEqualTo(Math.max(short10.get("web-2"), long20.get("web-2")) + 1e-9);
        // windowsOver: pod, each pod's own larger rate.
        ownWindows.forEach((pod, value) -> assertThat(value).as(pod)
                .isCloseTo(Math.max(short10.get(pod), long20.get(pod)), within(1e-9)));
        // After web-2's drop the calm window holds its value up.
        assertThat(long20.get("web-2")).isGreaterThan(short10.get("web-2") * 1.5);
        // The other namespace's web-1 (20 req/s) is not added to this one's.
        assertThat(ownWindows.get("web-1")).isCloseTo(40, Percentage.withPercentage(15));
    }

    @Test
    void latencyPerPodIsPrometheusHistogramQuantileAndAnIdlePodIsZero() throws Exception {
        Map<String, Double> served = byPod(fetch(scaler(new LatencyScalerProvider(), "pods", Map.of(
                "histogram", "http_request_duration_seconds", "window", "20s"))));
        Map<String, Double> p99 = promql("histogram_quantile(0.99, sum by (pod, le)"
                + " (rate(http_request_duration_seconds_bucket{namespace=\"shop\"}[20s])))", "pod");
        assertThat(served).containsOnlyKeys("web-1", "web-2", "web-3");
        assertThat(served.get("web-1")).isCloseTo(p99.get("web-1"), within(1e-9));
        assertThat(served.get("web-2")).isCloseTo(p99.get("web-2"), within(1e-9));
        assertThat(served.get("web-2")).as("web-2's slow tenth (300 ms)").isGreaterThan(0.25);
        assertThat(p99.get("web-3")).as("Prometheus for the idle pod").isNaN();
        assertThat(served.get("web-3")).as("no request: no latency demand").isZero();
    }

    @Test
    void latencyForAnExternalMetricMergesThePickedPodsBucketsBeforeTheQuantile() throws Exception {
        LatencyScalerProvider provider = new LatencyScalerProvider();
        Map<String, Object> parameters = Map.of("histogram", "http_request_duration_seconds", "window", "20s",
                "unit", "milliseconds");
        List<Sample> buckets = fetch(scaler(provider, "external", parameters));
        HttpMetricConfig config = provider.parseConfig(withSource(parameters));
        String rates = "rate(http_request_duration_seconds_bucket{namespace=\"shop\"}[20s])";
        double all = promql("histogram_quantile(0.99, sum by (le) (" + rates + "))", null).get("");
        double web2 = promql("histogram_quantile(0.99, sum by (le) (" + rates.replace("shop\"", "shop\", pod=\"web-2\"")
                + "))", null).get("");
        // "unit: milliseconds" read the histogram's le as milliseconds: the served seconds are a thousandth.
        assertThat(provider.combine(config, buckets, false).get(0).value()).isCloseTo(all / 1000, within(1e-12));
        List<Sample> picked = buckets.stream().filter(s -> s.labels().get("pod").equals("web-2")).toList();
        assertThat(provider.combine(config, picked, true).get(0).value()).isCloseTo(web2 / 1000, within(1e-12));
    }

    @Test
    void aSummarysQuantileIsServedPerPodAndNaNIsZero() throws Exception {
        List<Sample> served = fetch(scaler(new LatencyScalerProvider(), "pods", Map.of(
                "summary", "rpc_duration_seconds", "filter", "method=\"GET\"")));
        assertThat(byPod(served)).containsExactly(Map.entry("rpc-1", 0.25));
        List<Sample> idle = fetch(scaler(new LatencyScalerProvider(), "pods", Map.of(
                "summary", "rpc_duration_seconds", "filter", "method=\"POST\"")));
        assertThat(byPod(idle)).containsExactly(Map.entry("rpc-1", 0.0));
    }

    @Test
    void whatServesNothingSaysWhy() throws Exception {
        assertThat(failure(scaler(new RpsScalerProvider(), "pods", Map.of("counter", "http_requests_total",
                "filter", "code=\"503\""))))
                .contains("Prometheus has no series for label_replace(sum by (pod) (rate(http_requests_total{"
                        + "namespace=\"shop\", code=\"503\"}[1m])), \"window\", \"short\", \"\", \"\") or ")
                .contains("the pods have served no request in the window yet, or the preset, filter or namespace"
                        + " match none of its series");
        assertThat(failure(scaler(new RpsScalerProvider(), "pods", Map.of("counter", "http_requests_total",
                "podLabel", "kubernetes_pod_name"))))
                .contains("has the label \"kubernetes_pod_name\" that names the pod: set \"podLabel\"");
        assertThat(failure(scaler(new RpsScalerProvider(), "pods", Map.of("counter", "http_requests_total",
                "filter", "code=~\"(?<x>2)..\""))))
                .startsWith("Prometheus answered bad_data: ");
        assertThat(failure(scaler(new LatencyScalerProvider(), "external", Map.of("summary", "rpc_duration_seconds"))))
                .isEqualTo(HttpScaler.SUMMARY_NOT_MERGED);
    }

    private static String failure(Scaler scaler) throws Exception {
        try {
            fetch(scaler);
        } catch (ExecutionException e) {
            return e.getCause().getMessage();
        }
        throw new AssertionError("expected the poll to fail");
    }

    private Map<String, Object> withSource(Map<String, Object> parameters) {
        Map<String, Object> withSource = new HashMap<>(parameters);
        withSource.put("source", "prometheus");
        withSource.put("prometheus", Map.of("serverAddress", prometheus.url()));
        return withSource;
    }
}
