package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.demandmetrics.scaler.spi.Sample;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ten thousand DemandMetrics in ten namespaces on the Kubernetes mock, there before the adapter
 * starts (as after a restart): each gets one status write when it starts serving, none while nothing changes (however many polls), and one when
 * its poll starts failing; the status writes are counted at the mock. Prints the figures
 * (time to serve them all, writes per minute at steady state, and the time from a DemandMetric's
 * creation to its first value served) for bench/RESULTS.md; asserts only the counts (of writes, and
 * of reads of single resources: none).
 */
class DemandMetricsScaleIT {

    private static final int NAMESPACES = 10;
    private static final int PER_NAMESPACE = 1_000;
    private static final int RESOURCES = NAMESPACES * PER_NAMESPACE;
    /** Sources the metrics read from, each shared by a hundred metrics (so failing one fails a hundred). */
    private static final int SOURCES = 100;
    private static final Pattern STATUS_WRITE = Pattern.compile("/apis/demandmetrics\\.io/v1alpha1/namespaces/[^/]+"
            + "/demandmetrics/[^/]+/status(\\?.*)?");
    private static final Predicate<RecordedRequest> IS_STATUS_WRITE = request ->
            (request.getMethod().equals("PATCH") || request.getMethod().equals("PUT"))
                    && STATUS_WRITE.matcher(request.getPath()).matches();

    private static final Pattern ONE_RESOURCE = Pattern.compile("/apis/demandmetrics\\.io/v1alpha1/namespaces/[^/]+"
            + "/demandmetrics/[^/?]+(\\?.*)?");
    private static final Predicate<RecordedRequest> IS_RESOURCE_READ = request ->
            request.getMethod().equals("GET") && ONE_RESOURCE.matcher(request.getPath()).matches();

    private MockCluster cluster;
    private Adapter adapter;
    private HttpClient frontProxy;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void tenThousandDemandMetricsWriteTheirStatusOnChangesOnly(@TempDir Path dir) throws Exception {
        cluster = new MockCluster();
        cluster.installDemandMetricCrd();
        for (int s = 0; s < SOURCES; s++) {
            TestValuesScalerProvider.set(source(s), List.of(Sample.of(s)));
        }
        long creating = System.nanoTime();
        createAll();
        double createSeconds = (System.nanoTime() - creating) / 1e9;
        cluster.drainRequests(request -> false);
        // The adapter starts on a cluster that has them all (one list), as after an upgrade or a restart.
        long starting = System.nanoTime();
        // Unpaced: the default pace, 50 a second, would spend 200 s on the first pass (PacedWritesTest
        // checks the pace); this counts the writes.
        adapter = cluster.startAdapter(dir, "metrics: []\n", "--status-writes-per-second", "10000");
        frontProxy = TestAdapters.client(TestAdapters.certFile(dir), cluster.frontProxyCa.client("front-proxy-client"));
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> {
            HttpResponse<String> discovery = get("/apis/external.metrics.k8s.io/v1beta1");
            return discovery.statusCode() == 200
                    && new JsonObject(discovery.body()).getJsonArray("resources").size() >= RESOURCES;
        });
        double servedSeconds = (System.nanoTime() - starting) / 1e9;
        // Each is written once when it starts serving (Ready, its value), and only once.
        // A write is one request: the informer has the resource, a JSON patch needs nothing else
        // (fabric8 GETs a resource it patches by name only: twice the API server's load).
        int[] initial = {0};
        int[] reads = {0};
        Predicate<RecordedRequest> countingReads = request -> {
            reads[0] += IS_RESOURCE_READ.test(request) ? 1 : 0;
            return IS_STATUS_WRITE.test(request);
        };
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            initial[0] += cluster.drainRequests(countingReads);
            return initial[0] >= RESOURCES;
        });
        assertThat(reads[0]).as("DemandMetrics read one by one while their statuses were written").isZero();
        double servingSeconds = (System.nanoTime() - starting) / 1e9;
        assertThat(value(get("/apis/external.metrics.k8s.io/v1beta1/namespaces/team-3/m-3-421"))).isEqualTo("21");

        // Steady: every metric polled three more times, and not one status write.
        int polled = TestValuesScalerProvider.fetches(source(0));
        long steadyFrom = System.nanoTime();
        await().atMost(Duration.ofMinutes(2)).until(() -> TestValuesScalerProvider.fetches(source(0))
                >= polled + 3 * RESOURCES / SOURCES);
        int steadyWrites = cluster.drainRequests(IS_STATUS_WRITE);
        double steadySeconds = (System.nanoTime() - steadyFrom) / 1e9;
        int writesAfterServing = initial[0] - RESOURCES;
        assertThat(writesAfterServing).as("writes beyond one per resource while they came to serve").isZero();
        assertThat(steadyWrites).as("status writes while nothing changed").isZero();

        // One source fails: its hundred metrics are written once each (LastGood, the error), then no more.
        TestValuesScalerProvider.fail(source(7), "connection refused");
        int failed = TestValuesScalerProvider.fetches(source(7));
        int[] failureWrites = {0};
        await().atMost(Duration.ofMinutes(1)).until(() -> {
            failureWrites[0] += cluster.drainRequests(IS_STATUS_WRITE);
            return failureWrites[0] >= RESOURCES / SOURCES;
        });
        await().atMost(Duration.ofMinutes(1)).until(() -> TestValuesScalerProvider.fetches(source(7))
                >= failed + 3 * RESOURCES / SOURCES);
        failureWrites[0] += cluster.drainRequests(IS_STATUS_WRITE);
        assertThat(failureWrites[0]).as("one write per metric whose poll began failing").isEqualTo(RESOURCES / SOURCES);

        // One more, created at steady state: how long until its value is served.
        TestValuesScalerProvider.set("late", List.of(Sample.of(5)));
        long applied = System.nanoTime();
        create("team-0", "late", "late");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5))
                .until(() -> get("/apis/external.metrics.k8s.io/v1beta1/namespaces/team-0/late").statusCode() == 200);
        double firstValueMillis = (System.nanoTime() - applied) / 1e6;

        System.out.printf("DemandMetrics at scale: %d resources in %d namespaces created in %.1f s; the adapter"
                        + " started then listed them all in discovery within %.1f s and had written their statuses"
                        + " (%d writes) within %.1f s%n",
                RESOURCES, NAMESPACES, createSeconds, servedSeconds, initial[0], servingSeconds);
        System.out.printf("DemandMetrics at scale: steady state %d status writes in %.1f s (%.1f per minute) while"
                        + " every metric was polled 3 times; %d writes when 100 metrics' source failed%n",
                steadyWrites, steadySeconds, steadyWrites * 60 / steadySeconds, failureWrites[0]);
        System.out.printf("DemandMetrics at scale: created at steady state, first value served after %.0f ms%n",
                firstValueMillis);
    }

    private static String source(int s) {
        return "scale-" + s;
    }

    /** Ten namespaces of a thousand, created by eight clients at once; each reads source (index % 100). */
    private void createAll() throws Exception {
        ExecutorService creators = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> created = new ArrayList<>();
            for (int n = 0; n < NAMESPACES; n++) {
                int namespace = n;
                created.add(creators.submit(() -> {
                    for (int i = 0; i < PER_NAMESPACE; i++) {
                        create("team-" + namespace, "m-" + namespace + "-" + i, source(i % SOURCES));
                    }
                    return null;
                }));
            }
            for (Future<?> each : created) {
                each.get();
            }
        } finally {
            creators.shutdown();
        }
    }

    private void create(String namespace, String name, String source) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("type", "test-values");
        spec.put("parameters", Map.of("source", source));
        spec.put("pollInterval", "2s");
        spec.put("maxAge", "1h");
        cluster.createDemandMetric(namespace, name, spec);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return frontProxy.send(HttpRequest.newBuilder(URI.create(adapter.url() + path))
                .header("X-Remote-User", "system:serviceaccount:kube-system:horizontal-pod-autoscaler")
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String value(HttpResponse<String> answer) {
        return answer.statusCode() != 200 ? answer.statusCode() + " " + answer.body()
                : new JsonObject(answer.body()).getJsonArray("items").getJsonObject(0).getString("value");
    }
}
