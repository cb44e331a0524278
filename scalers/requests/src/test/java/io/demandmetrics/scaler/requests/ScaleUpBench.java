package io.demandmetrics.scaler.requests;

import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.testkit.TestScalerContext;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Issue #27's check on the scaler at its default windows (3 s, 30 s; scrapes every second),
 * printed, not asserted: three pods at 500 req/s, then a fourth becomes ready and the same
 * 1,500 req/s is spread over four (375 each); then the total steps to 3,000; then a pod goes and
 * the three others take its traffic. Each pod's counter
 * grows at its rate by the wall clock (exact rates, no load generator). Both rules read the
 * same scrapes: {@code windowsOver: service} (the default) and {@code pod} (the old rule).
 *
 * <p>Usage: {@code bench/rps-scale-up}
 */
public final class ScaleUpBench {

    private static final List<String> PODS = List.of("web-1", "web-2", "web-3", "web-4");
    /** Each pod's request counter; a pod without one answers 503 (not ready). */
    private static final PodCounters COUNTERS = new PodCounters();

    private ScaleUpBench() {
    }

    public static void main(String[] args) throws Exception {
        Vertx vertx = Vertx.vertx();
        HttpServer server = vertx.createHttpServer().requestHandler(request -> {
            String pod = request.path().substring(request.path().lastIndexOf('/') + 1);
            Double count = COUNTERS.value(pod);
            if (count == null) {
                request.response().setStatusCode(503).end();
                return;
            }
            request.response().putHeader("Content-Type", "text/plain; version=0.0.4")
                    .end("# TYPE http_requests_total counter\nhttp_requests_total " + count + "\n");
        });
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        List<Map<String, Object>> targets = new ArrayList<>();
        PODS.forEach(pod -> targets.add(Map.of("pod", pod, "url",
                "http://127.0.0.1:" + server.actualPort() + "/metrics/" + pod)));
        RpsScalerProvider provider = new RpsScalerProvider();
        Scaler service = new TestScalerContext(vertx, "rps", "shop/web").describing("pods").createScaler(provider,
                provider.parseConfig(Map.of("counter", "http_requests_total", "targets", targets)));
        Scaler pod = new TestScalerContext(vertx, "rps", "shop/web").describing("pods").createScaler(provider,
                provider.parseConfig(Map.of("counter", "http_requests_total", "targets", targets,
                        "windowsOver", "pod")));

        PODS.subList(0, 3).forEach(p -> COUNTERS.setRate(p, 500));
        TimeUnit.SECONDS.sleep(32); // the long windows full of the old rates (a bench: wall time is the subject)
        steadyState(service, pod, 500, 1500, 8);

        long step = System.nanoTime();
        PODS.subList(0, 3).forEach(p -> COUNTERS.setRate(p, 375));
        COUNTERS.setRate("web-4", 375);
        report("3 pods at 500 -> 4 at 375 (1,500 in all)", step, 375, 1500, service, pod, 40);

        step = System.nanoTime();
        PODS.forEach(p -> COUNTERS.setRate(p, 750));
        report("4 pods at 375 -> 750 (3,000 in all)", step, 750, 3000, service, pod, 15);

        TimeUnit.SECONDS.sleep(20); // the long windows full of 750
        step = System.nanoTime();
        COUNTERS.remove("web-4"); // its scrapes fail: gone, as a pod deleted
        PODS.subList(0, 3).forEach(p -> COUNTERS.setRate(p, 1000));
        report("web-4 goes: 4 pods at 750 -> 3 at 1000 (3,000 in all)", step, 1000, 3000, service, pod, 35);
        service.close();
        pod.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Reads both every 100 ms for {@code seconds}: totals at a few instants, the largest, time to within 5 %. */
    private static void report(String what, long step, double each, double total, Scaler service, Scaler pod,
                               int seconds) throws Exception {
        System.out.println("scale-up: " + what);
        double[][] most = new double[2][2];
        double[] least = {Double.MAX_VALUE, Double.MAX_VALUE};
        double[] within = {Double.NaN, Double.NaN};
        List<Integer> marks = new ArrayList<>(List.of(2, 4, 10, 20, 30));
        StringBuilder[] atMarks = {new StringBuilder(), new StringBuilder()};
        while (System.nanoTime() - step < TimeUnit.SECONDS.toNanos(seconds)) {
            double elapsed = (System.nanoTime() - step) / 1e9;
            List<Scaler> both = List.of(service, pod);
            for (int i = 0; i < 2; i++) {
                Map<String, Double> served = served(both.get(i));
                double sum = served.values().stream().mapToDouble(Double::doubleValue).sum();
                double max = served.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
                most[i][0] = Math.max(most[i][0], sum);
                most[i][1] = Math.max(most[i][1], max);
                least[i] = Math.min(least[i], sum);
                if (Double.isNaN(within[i]) && served.size() == COUNTERS.pods()
                        && served.values().stream().allMatch(v -> Math.abs(v - each) <= each * 0.05)) {
                    within[i] = elapsed;
                }
                if (!marks.isEmpty() && elapsed >= marks.get(0)) {
                    atMarks[i].append(String.format("  +%ds: total %.0f, average %.0f;", marks.get(0), sum,
                            sum / Math.max(1, served.size())));
                }
            }
            if (!marks.isEmpty() && elapsed >= marks.get(0)) {
                marks.remove(0);
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        for (int i = 0; i < 2; i++) {
            System.out.printf("   windowsOver %-8s total %.0f to %.0f (%.0f in truth), largest pod %.0f; every pod within 5 %%"
                            + " of %.0f after %s%n      %s%n", i == 0 ? "service" : "pod", least[i], most[i][0], total,
                    most[i][1], each, Double.isNaN(within[i]) ? "never in the run" : String.format("%.1f s", within[i]),
                    atMarks[i].toString().trim());
        }
    }

    /**
     * The largest values served while nothing changes, read every 100 ms for {@code seconds}:
     * the measurement's own noise (scrape timing on a busy machine), against which the largest
     * values after a step are read.
     */
    private static void steadyState(Scaler service, Scaler pod, double each, double total, int seconds)
            throws Exception {
        double[][] most = new double[2][2];
        long start = System.nanoTime();
        while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(seconds)) {
            List<Scaler> both = List.of(service, pod);
            for (int i = 0; i < 2; i++) {
                Map<String, Double> served = served(both.get(i));
                most[i][0] = Math.max(most[i][0], served.values().stream().mapToDouble(Double::doubleValue).sum());
                most[i][1] = Math.max(most[i][1], served.values().stream().mapToDouble(Double::doubleValue).max()
                        .orElse(0));
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        System.out.printf("steady state: 3 pods at %.0f (%.0f in all) for %d s: largest total %.0f (service) and"
                + " %.0f (pod), largest pod %.0f and %.0f%n", each, total, seconds, most[0][0], most[1][0], most[0][1],
                most[1][1]);
    }

    private static Map<String, Double> served(Scaler scaler) throws Exception {
        Map<String, Double> served = new java.util.HashMap<>();
        try {
            for (Sample sample : scaler.fetch().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)) {
                served.put(sample.object().name(), sample.value());
            }
        } catch (java.util.concurrent.ExecutionException e) {
            // no value yet: an empty reading
        }
        return served;
    }
}
