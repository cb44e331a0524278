package io.demandmetrics.adapter;

import io.demandmetrics.testfixtures.PrometheusServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Issue #12's query benchmark, printed, not asserted: {@code metrics} {@code prometheus}
 * metrics, each polled every 5 s, against one real Prometheus (which scrapes itself every
 * second, so the queries have data). Printed: queries Prometheus received per interval (from
 * its own {@code prometheus_http_requests_total}), the adapter's poll time (mean and max),
 * its CPU and RSS.
 *
 * <p>Usage: {@code bench/prometheus-queries [metrics, default 1000] [seconds measured, default 60]}
 */
final class PrometheusQueriesBench {

    private static final int INTERVAL_SECONDS = 5;
    private static final String QUERIES = "sum(prometheus_http_requests_total{handler=\"/api/v1/query\"})";

    private PrometheusQueriesBench() {
    }

    public static void main(String[] args) throws Exception {
        int metrics = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        Path dir = Files.createTempDirectory("prometheus-queries");
        Path promDir = Files.createDirectories(dir.resolve("prometheus"));
        try (PrometheusServer prometheus = PrometheusServer.startWithConfig(promDir,
                "global: {scrape_interval: 1s, evaluation_interval: 1s}\nscrape_configs:\n"
                        + "  - job_name: self\n    static_configs: [{targets: [\"127.0.0.1:PORT\"]}]\n")) {
            // The config names its own port only once it is known: write it again and reload.
            Files.writeString(promDir.resolve("prometheus.yml"), Files.readString(promDir.resolve("prometheus.yml"))
                    .replace("PORT", prometheus.url().substring(prometheus.url().lastIndexOf(':') + 1)));
            prometheus.kill();
            prometheus.restart();
            StringBuilder config = new StringBuilder("metrics:\n");
            for (int i = 0; i < metrics; i++) {
                config.append("  - name: q-").append(i).append("\n    namespace: team-").append(i % 100)
                        .append("\n    type: prometheus\n    pollInterval: ").append(INTERVAL_SECONDS)
                        .append("s\n    parameters:\n      serverAddress: ").append(prometheus.url())
                        .append("\n      query: 'sum(rate(prometheus_http_requests_total{code=\"200\"}[30s])) + ")
                        .append(i).append("'\n");
            }
            System.out.printf("prometheus queries: %d metrics polled every %d s against one Prometheus 2.42%n", metrics,
                    INTERVAL_SECONDS);
            try (BenchAdapter adapter = BenchAdapter.start(Path.of("adapter/target/demand-adapter.jar"),
                    Files.createDirectories(dir.resolve("adapter")), config.toString())) {
                // Warm-up: every metric polled many times, and the start (all first polls at once, to be
                // ready soon) out of the poll timer's max, which spans the last 2 minutes.
                TimeUnit.SECONDS.sleep(130);
                double queriesBefore = prometheus.query(QUERIES, null).getOrDefault("", 0.0);
                long queriesFrom = System.nanoTime();
                var before = adapter.scrape();
                double cpuBefore = ScrapeCostBench.cpuSeconds(adapter.pid());
                long from = System.nanoTime();
                TimeUnit.SECONDS.sleep(seconds);
                double elapsed = (System.nanoTime() - from) / 1e9;
                var after = adapter.scrape(); // the same window as the polls' (polls are spread over each interval)
                // Prometheus counts its own query requests with a scrape's delay: read after one more scrape.
                TimeUnit.SECONDS.sleep(2);
                double queries = prometheus.query(QUERIES, null).getOrDefault("", 0.0) - queriesBefore;
                double queryIntervals = (System.nanoTime() - queriesFrom) / 1e9 / INTERVAL_SECONDS;
                double cpu = (ScrapeCostBench.cpuSeconds(adapter.pid()) - cpuBefore) * 60 / elapsed;
                double polls = after.getOrDefault("demand_adapter_poll_seconds_count", 0.0)
                        - before.getOrDefault("demand_adapter_poll_seconds_count", 0.0);
                double pollSeconds = after.getOrDefault("demand_adapter_poll_seconds_sum", 0.0)
                        - before.getOrDefault("demand_adapter_poll_seconds_sum", 0.0);
                double errors = after.getOrDefault("demand_adapter_poll_errors_total", 0.0)
                        - before.getOrDefault("demand_adapter_poll_errors_total", 0.0);
                double intervals = elapsed / INTERVAL_SECONDS;
                System.out.printf("   queries Prometheus received per interval: %.0f (metrics: %d; bar: one each)%n",
                        queries / queryIntervals, metrics);
                System.out.printf("   polls per interval: %.0f, failed: %.0f; poll time mean %.1f ms, max %.1f ms (bar: below 300 ms)%n",
                        polls / intervals, errors, 1000 * pollSeconds / Math.max(1, polls),
                        1000 * after.getOrDefault("demand_adapter_poll_seconds_max", 0.0));
                System.out.printf("   adapter: CPU %.1f s per minute; RSS %d MiB, peak %d MiB%n", cpu,
                        adapter.procStatusMib("VmRSS"), adapter.procStatusMib("VmHWM"));
                String value = adapter.get("/apis/external.metrics.k8s.io/v1beta1/namespaces/team-7/q-7");
                System.out.printf("   a served value: %s%n", value.replaceAll(".*\"value\":\"([^\"]*)\".*", "q-7 $1"));
            }
        }
    }
}
