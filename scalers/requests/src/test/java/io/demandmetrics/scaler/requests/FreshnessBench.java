package io.demandmetrics.scaler.requests;

import io.demandmetrics.testfixtures.PrometheusServer;
import io.demandmetrics.scaler.requests.testapp.TestApp;
import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.testkit.TestScalerContext;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Freshness (issue #11, benchmark 1), printed, not asserted: an app's load steps from
 * {@code from} to {@code to} requests per second; how many seconds until the served per-pod
 * RPS reaches 90 % of the new rate, for this adapter's rps scaler (1 s scrapes, 3 s / 30 s
 * windows, its value read every 100 ms) and for the pipeline users run today (Prometheus
 * scraping every 15 s, {@code rate(...[1m])}, read every 15 s as prometheus-adapter and the
 * HPA do), measured in the same run on the same app. Beside them, the rps scaler with
 * {@code source: prometheus} on that same Prometheus (default 1 m / 2 m windows), its value read
 * every second: what the adapter adds to a Prometheus users already run.
 *
 * <p>Usage: {@code bench/rps-freshness [from, default 50] [to, default 500]}
 */
public final class FreshnessBench {

    /** Why the last read failed, shown when a side never reaches the new rate. */
    private static volatile String lastError;

    private FreshnessBench() {
    }

    public static void main(String[] args) throws Exception {
        int from = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int to = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        Path dir = Files.createTempDirectory("freshness");
        Vertx vertx = Vertx.vertx();
        try (TestApp app = TestApp.start(vertx, TestApp.Instrumentation.SIMPLECLIENT, 5, 20)) {
            app.load(from);
            try (PrometheusServer prometheus = PrometheusServer.start(dir, Map.of("web-1", app.port()), "15s")) {
                RpsScalerProvider provider = new RpsScalerProvider();
                HttpMetricConfig config = provider.parseConfig(Map.of("counter", "http_requests_total",
                        "targets", List.of(Map.of("pod", "web-1", "url", app.metricsUrl()))));
                Scaler scaler = new TestScalerContext(vertx, "rps", "shop/web").describing("pods")
                        .createScaler(provider, config);
                // A metric id without a namespace: this Prometheus labels its one target with pod only.
                Scaler promqlScaler = new TestScalerContext(vertx, "rps", "web").describing("pods")
                        .createScaler(provider, provider.parseConfig(Map.of("counter", "http_requests_total",
                                "source", "prometheus", "prometheus", Map.of("serverAddress", prometheus.url()))));

                // Both at the old rate first: Prometheus' rate[1m] needs a minute and more of scrapes.
                String promql = "sum(rate(http_requests_total[1m]))";
                long warmUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (System.nanoTime() < warmUntil || prometheus.query(promql, null).isEmpty()) {
                    TimeUnit.SECONDS.sleep(1);
                }
                double before = adapterValue(scaler);
                double promBefore = prometheus.query(promql, null).get("");
                System.out.printf("freshness: %d -> %d req/s on one pod; before the step: adapter %.1f, Prometheus"
                        + " pipeline %.1f%n", from, to, before, promBefore);

                double target = 0.9 * to;
                long step = System.nanoTime();
                app.load(to);
                double adapterSeconds = Double.NaN;
                double promSeconds = Double.NaN;
                double promqlSeconds = Double.NaN;
                long nextPromRead = step; // the pipeline reads every 15 s, at a phase it does not choose
                long nextPromqlPoll = step;
                while ((Double.isNaN(adapterSeconds) || Double.isNaN(promSeconds) || Double.isNaN(promqlSeconds))
                        && System.nanoTime() - step < TimeUnit.SECONDS.toNanos(240)) {
                    double elapsed = (System.nanoTime() - step) / 1e9;
                    if (Double.isNaN(adapterSeconds) && adapterValue(scaler) >= target) {
                        adapterSeconds = elapsed;
                    }
                    if (Double.isNaN(promqlSeconds) && System.nanoTime() >= nextPromqlPoll) {
                        nextPromqlPoll += TimeUnit.SECONDS.toNanos(1);
                        if (adapterValue(promqlScaler) >= target) {
                            promqlSeconds = elapsed;
                        }
                    }
                    if (Double.isNaN(promSeconds) && System.nanoTime() >= nextPromRead) {
                        nextPromRead += TimeUnit.SECONDS.toNanos(15);
                        Double read = prometheus.query(promql, null).get("");
                        if (read != null && read >= target) {
                            promSeconds = elapsed;
                        }
                    }
                    TimeUnit.MILLISECONDS.sleep(100);
                }
                System.out.printf("   seconds until the served rate reaches 90 %% of %d: adapter (1 s scrapes, max of"
                        + " 3 s / 30 s rates) %.1f s (bar: <= 5 s); Prometheus pipeline (15 s scrapes, rate[1m], read"
                        + " every 15 s) %.1f s; ratio %.1fx%n", to, adapterSeconds, promSeconds,
                        promSeconds / adapterSeconds);
                System.out.printf("   source: prometheus on the same Prometheus (max of 1 m / 2 m rates, polled every"
                        + " 1 s): %.1f s%n", promqlSeconds);
                if (Double.isNaN(adapterSeconds) || Double.isNaN(promqlSeconds)) {
                    System.out.println("   the last failed read: " + lastError);
                }
                scaler.close();
                promqlScaler.close();
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static double adapterValue(Scaler scaler) throws Exception {
        try {
            List<Sample> samples = scaler.fetch().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            return samples.isEmpty() ? 0 : samples.get(0).value();
        } catch (java.util.concurrent.ExecutionException e) {
            lastError = e.getCause().getMessage();
            return 0;
        }
    }
}
