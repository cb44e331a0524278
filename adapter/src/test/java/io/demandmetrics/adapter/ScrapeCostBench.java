package io.demandmetrics.adapter;

import io.demandmetrics.scaler.http.testapp.PrometheusServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Scrape cost (issue #11, benchmarks 2 and 3), printed, not asserted: {@code pods} targets
 * (one local process serving each a realistic exposition of about 300 series with two
 * histograms) scraped every 2 s by the adapter jar (an rps and a latency metric over all of
 * them, sharing each scrape) and, in the same run, by a real Prometheus at the same interval.
 * Printed: CPU seconds per minute and RSS of both processes, scrapes per second, and the
 * metric route's latency (wrk) while the adapter scrapes.
 *
 * <p>Usage: {@code bench/scrape-cost [pods, default 1000] [seconds measured, default 60]}
 */
final class ScrapeCostBench {

    private static final String[] CODES = {"200", "201", "404", "500", "503"};
    private static final String[] METHODS = {"GET", "POST"};
    private static final String[] BOUNDS = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5",
        "5", "10", "+Inf"};

    private ScrapeCostBench() {
    }

    public static void main(String[] args) throws Exception {
        int pods = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        Path dir = Files.createTempDirectory("scrape-cost");
        Vertx vertx = Vertx.vertx();
        long started = System.nanoTime();
        HttpServer targets = vertx.createHttpServer().requestHandler(request -> request.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4")
                .end(exposition(request.path(), (System.nanoTime() - started) / 1e9)))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        int port = targets.actualPort();
        int series = exposition("/pod/0", 1).split("\n").length;

        StringBuilder targetList = new StringBuilder();
        StringBuilder promTargets = new StringBuilder();
        for (int i = 0; i < pods; i++) {
            targetList.append("        - {pod: pod-").append(i).append(", url: \"http://127.0.0.1:").append(port)
                    .append("/pod/").append(i).append("\"}\n");
            promTargets.append("      - targets: [\"127.0.0.1:").append(port).append("\"]\n")
                    .append("        labels: {__metrics_path__: /pod/").append(i).append(", pod: pod-").append(i)
                    .append("}\n");
        }
        String scrape = "      scrapeInterval: 2s\n      targets:\n" + targetList;
        String config = "metrics:\n"
                + "  - name: http_requests_per_second\n    namespace: default\n    describes: pods\n    type: rps\n"
                + "    pollInterval: 2s\n    parameters:\n      counter: http_requests_total\n"
                + "      shortWindow: 4s\n" + scrape
                + "  - name: p99_latency_seconds\n    namespace: default\n    describes: pods\n    type: latency\n"
                + "    pollInterval: 2s\n    parameters:\n      histogram: http_request_duration_seconds\n" + scrape;
        Path jar = Path.of("adapter/target/demand-adapter.jar");
        Path adapterDir = Files.createDirectories(dir.resolve("adapter"));
        Path promDir = Files.createDirectories(dir.resolve("prometheus"));
        System.out.printf("scrape cost: %d targets of %d series (%d KiB each; two histograms), every 2 s, served by one"
                + " local process%n", pods, series, exposition("/pod/0", 1).length() / 1024);
        try (BenchAdapter adapter = BenchAdapter.start(jar, adapterDir, config);
             PrometheusServer prometheus = PrometheusServer.startWithConfig(promDir,
                     "global: {scrape_interval: 2s, evaluation_interval: 2s}\nscrape_configs:\n"
                             + "  - job_name: pods\n    static_configs:\n" + promTargets)) {
            // Warm-up: both scraping every target, the adapter serving values for all of them.
            long warm = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < warm) {
                TimeUnit.SECONDS.sleep(1);
            }
            double adapterScrapesBefore = adapter.scrape().getOrDefault("demand_adapter_scrapes_total", 0.0);
            double adapterCpuBefore = cpuSeconds(adapter.pid());
            double promCpuBefore = cpuSeconds(prometheus.pid());
            long measuredFrom = System.nanoTime();
            TimeUnit.SECONDS.sleep(seconds);
            double elapsed = (System.nanoTime() - measuredFrom) / 1e9;
            double adapterCpu = (cpuSeconds(adapter.pid()) - adapterCpuBefore) * 60 / elapsed;
            double promCpu = (cpuSeconds(prometheus.pid()) - promCpuBefore) * 60 / elapsed;
            double adapterScrapes = (adapter.scrape().getOrDefault("demand_adapter_scrapes_total", 0.0)
                    - adapterScrapesBefore) / elapsed;
            double promUp = prometheus.query("sum(up)", null).getOrDefault("", 0.0);
            System.out.printf("   adapter jar (%s): CPU %.1f s per minute; RSS %d MiB, peak %d MiB (bar: < 400 MiB);"
                    + " %.0f scrapes/s (expected %d)%n", String.join(" ", BenchAdapter.javaOpts()), adapterCpu,
                    adapter.procStatusMib("VmRSS"), adapter.procStatusMib("VmHWM"), adapterScrapes, pods / 2);
            System.out.printf("   Prometheus 2.42: CPU %.1f s per minute; RSS %d MiB; %d targets up%n", promCpu,
                    BenchAdapter.procStatusMib(prometheus.pid(), "VmRSS"), (long) promUp);
            System.out.printf("   CPU ratio adapter / Prometheus: %.2f (bar: <= 1)%n", adapterCpu / promCpu);
            String values = adapter.get("/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/pod-7/"
                    + "http_requests_per_second");
            System.out.printf("   a served value: %s%n", values.replaceAll(".*\"value\":\"([^\"]*)\".*", "pod-7 $1"));
            System.out.println("   " + String.join("\n   ", wrk(adapter)));
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** About 300 series like a web app's: request counters, two histograms, process gauges. */
    static String exposition(String path, double seconds) {
        int pod = Integer.parseInt(path.substring(path.lastIndexOf('/') + 1));
        StringBuilder text = new StringBuilder(40_000);
        text.append("# TYPE http_requests_total counter\n");
        for (int uri = 0; uri < 10; uri++) {
            for (String method : METHODS) {
                for (String code : CODES) {
                    text.append("http_requests_total{code=\"").append(code).append("\",method=\"").append(method)
                            .append("\",uri=\"/api/v1/resource").append(uri).append("\"} ")
                            .append((long) (seconds * (1 + (pod + uri) % 7))).append('\n');
                }
            }
        }
        histogram(text, "http_request_duration_seconds", 10, seconds, pod);
        histogram(text, "http_response_size_bytes", 3, seconds, pod);
        for (int i = 0; i < 20; i++) {
            text.append("process_gauge_").append(i).append(" ").append(i * 1.5).append('\n');
        }
        return text.toString();
    }

    private static void histogram(StringBuilder text, String name, int uris, double seconds, int pod) {
        text.append("# TYPE ").append(name).append(" histogram\n");
        for (int uri = 0; uri < uris; uri++) {
            long total = (long) (seconds * (1 + (pod + uri) % 7));
            for (int b = 0; b < BOUNDS.length; b++) {
                text.append(name).append("_bucket{uri=\"/api/v1/resource").append(uri).append("\",le=\"")
                        .append(BOUNDS[b]).append("\"} ").append(total * (b + 1) / BOUNDS.length).append('\n');
            }
            text.append(name).append("_sum{uri=\"/api/v1/resource").append(uri).append("\"} ").append(total * 0.05)
                    .append('\n');
            text.append(name).append("_count{uri=\"/api/v1/resource").append(uri).append("\"} ").append(total)
                    .append('\n');
        }
    }

    /** utime + stime of a process, in seconds. */
    static double cpuSeconds(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0; // USER_HZ, 100 on Linux
    }

    /** The metric route under wrk (16 keep-alive connections, 10 s) while the adapter scrapes. */
    private static List<String> wrk(BenchAdapter adapter) throws Exception {
        Process wrk = new ProcessBuilder("wrk", "-t1", "-c16", "-d10s", "--latency", adapter.url()
                + "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/pod-7/http_requests_per_second")
                .redirectErrorStream(true).start();
        String out = new String(wrk.getInputStream().readAllBytes());
        wrk.waitFor(30, TimeUnit.SECONDS);
        String rps = out.lines().filter(l -> l.startsWith("Requests/sec")).findFirst().orElse("?");
        String p50 = out.lines().filter(l -> l.trim().startsWith("50%")).findFirst().orElse("?").trim();
        String p99 = out.lines().filter(l -> l.trim().startsWith("99%")).findFirst().orElse("?").trim();
        return List.of("metric route while scraping (wrk -c16, 10 s): " + rps.replaceAll("\\s+", " ") + "; p50 "
                + p50.replaceAll("50%\\s+", "") + ", p99 " + p99.replaceAll("99%\\s+", "") + " (bar: p99 < 5 ms)");
    }
}
