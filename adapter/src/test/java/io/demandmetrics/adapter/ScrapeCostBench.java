package io.demandmetrics.adapter;

import io.demandmetrics.testfixtures.PrometheusServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Scrape cost (issue #11, benchmarks 2 and 3), printed, not asserted: {@code pods} targets
 * (one local process serving each a realistic exposition of about 300 series with two
 * histograms) scraped every 2 s by the adapter jar (an rps and a latency metric over all of
 * them, sharing each scrape) and, in the same run, by a real Prometheus at the same interval.
 * Printed: CPU seconds per minute and RSS of both processes and scrapes per second; then, with
 * Prometheus stopped and the adapter still scraping, the metric route's latency at a fixed rate
 * (h2load, measured outside and inside the adapter) and at saturation (wrk).
 *
 * <p>Usage: {@code bench/scrape-cost [pods, default 1000] [seconds measured, default 60]}
 */
final class ScrapeCostBench {

    private static final String[] CODES = {"200", "201", "404", "500", "503"};
    private static final String[] METHODS = {"GET", "POST"};
    private static final String[] BOUNDS = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5",
        "5", "10", "+Inf"};

    private static final String ROUTE = "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/pod-7/"
            + "http_requests_per_second";
    /** Requests per second in benchmark 3; 1,000 HPAs with two metrics each ask about 133. */
    private static final int RATE = 1000;

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
        try (BenchAdapter adapter = BenchAdapter.start(jar, adapterDir, config)) {
            try (PrometheusServer prometheus = PrometheusServer.startWithConfig(promDir,
                    "global: {scrape_interval: 2s, evaluation_interval: 2s}\nscrape_configs:\n"
                            + "  - job_name: pods\n    static_configs:\n" + promTargets)) {
                cost(adapter, prometheus, pods, seconds);
            }
            routeLatency(adapter);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** Benchmark 2: CPU and RSS of the adapter and of Prometheus scraping the same targets at once. */
    private static void cost(BenchAdapter adapter, PrometheusServer prometheus, int pods, int seconds)
            throws Exception {
        // Warm-up: both scraping every target, the adapter serving values for all of them.
        TimeUnit.SECONDS.sleep(30);
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
        String values = adapter.get(ROUTE);
        System.out.printf("   a served value: %s%n", values.replaceAll(".*\"value\":\"([^\"]*)\".*", "pod-7 $1"));
    }

    /**
     * Benchmark 3: the metric route's latency while the adapter goes on scraping every target,
     * Prometheus stopped. The adapter gets core 0 to itself, as a pod gets its CPU; the targets'
     * server (this JVM) and the load generator share core 1, so a latency measured here is the
     * adapter's, not time spent waiting for a core another process holds. The load is HTTP/2
     * (the aggregator's protocol) at a fixed rate, far above what HPAs ask (each HPA asks once
     * per 15 s sync), so a pause delays every request due in it, as it would in a cluster.
     */
    private static void routeLatency(BenchAdapter adapter) throws Exception {
        long self = ProcessHandle.current().pid();
        run("taskset", "-a", "-p", "-c", "0", Long.toString(adapter.pid()));
        run("taskset", "-a", "-p", "-c", "1", Long.toString(self));
        // Warm-up: the adapter settles on its one core and compiles the route, still scraping every target.
        run("taskset", "-c", "1", "h2load", "-c4", "-m8", "--rps=" + RATE / 4, "-D", "15", adapter.url() + ROUTE);
        Path log = Files.createTempFile("h2load", ".tsv");
        Map<String, Double> before = adapter.requestDurationBuckets();
        double scrapesBefore = adapter.scrape().getOrDefault("demand_adapter_scrapes_total", 0.0);
        long from = System.nanoTime();
        // Real-time priority: on core 1 the targets' server must not delay the load generator's
        // reading of an answer, which would count as the adapter's latency.
        List<String> h2load = run("taskset", "-c", "1", "chrt", "-f", "50", "h2load", "-c4", "-m8",
                "--rps=" + RATE / 4, "-D", "30", "--log-file=" + log, adapter.url() + ROUTE);
        Map<String, Double> after = adapter.requestDurationBuckets();
        long[] micros = Files.readAllLines(log).stream().map(line -> line.split("\t"))
                .filter(columns -> columns.length >= 3 && columns[1].equals("200"))
                .mapToLong(columns -> Long.parseLong(columns[2])).sorted().toArray();
        double scrapesPerSecond = (adapter.scrape().getOrDefault("demand_adapter_scrapes_total", 0.0) - scrapesBefore)
                / ((System.nanoTime() - from) / 1e9);
        System.out.printf("   metric route while scraping, adapter alone on core 0 (h2load, HTTP/2, %d req/s for 30 s,"
                + " %d answered 200 of %s): p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms (bar: p99 < 5 ms)%n",
                RATE, micros.length, h2load.stream().filter(line -> line.startsWith("requests:")).findFirst()
                        .orElse("?").replaceAll("requests: (\\d+) total.*", "$1"),
                percentile(micros, 0.50) / 1e3, percentile(micros, 0.99) / 1e3, percentile(micros, 0.999) / 1e3,
                micros.length == 0 ? Double.NaN : micros[micros.length - 1] / 1e3);
        double answered = after.getOrDefault("+Inf", 0.0) - before.getOrDefault("+Inf", 0.0);
        System.out.printf("   the same requests inside the adapter (demand_adapter_http_requests_seconds): %.2f %% within"
                + " 1 ms, %.2f %% within 5 ms%n",
                100 * (after.getOrDefault("0.001", 0.0) - before.getOrDefault("0.001", 0.0)) / answered,
                100 * (after.getOrDefault("0.005", 0.0) - before.getOrDefault("0.005", 0.0)) / answered);
        System.out.printf("   scrapes meanwhile: %.0f per second%n", scrapesPerSecond);
        List<String> wrk = run("taskset", "-c", "1", "wrk", "-t1", "-c16", "-d10s", "--latency", adapter.url() + ROUTE);
        String throughput = wrk.stream().filter(l -> l.startsWith("Requests/sec")).findFirst().orElse("?");
        String p99 = wrk.stream().filter(l -> l.trim().startsWith("99%")).findFirst().orElse("?").trim();
        System.out.printf("   the same route at saturation (wrk -c16, HTTP/1.1, 10 s, on core 1): %s; p99 %s%n",
                throughput.replaceAll("\\s+", " "), p99.replaceAll("99%\\s+", ""));
    }

    private static long percentile(long[] sorted, double quantile) {
        return sorted.length == 0 ? -1 : sorted[(int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)];
    }

    /** Runs a command to its end; its output lines. */
    private static List<String> run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
        }
        return out.lines().toList();
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
}
