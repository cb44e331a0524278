package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.demandmetrics.adapter.tls.SelfSignedCertificate;
import io.demandmetrics.scaler.spi.DescribedObject;
import io.demandmetrics.scaler.spi.Sample;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The adapter installed in front of the adapters it displaced: a metric it does not serve goes to
 * the backend, over HTTP/2 and as this adapter (its token), and the answer comes back as the
 * backend gave it; discovery lists the backends' metrics beside ours (ours win a shared name); a
 * backend that is down, slow or answers too much is a 503 naming it while our metrics and
 * discovery carry on. The backends are a test server answering what KEDA's and
 * prometheus-adapter's metrics servers answered (src/test/resources/upstream-recorded: KEDA's
 * discovery lists only its placeholder, prometheus-adapter's lists each metric), configured as
 * two backends, one per group.
 */
class ForwardingIT {

    private static final String EXTERNAL = "/apis/external.metrics.k8s.io/v1beta1";
    private static final String HEADER_DEADLINE = "300ms";
    private static final String CUSTOM = "/apis/custom.metrics.k8s.io/v1beta1";
    private static final String PODS_ANSWER = "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/%2A"
            + "/http_requests_per_second";
    private static final Path RECORDED = Path.of("src/test/resources/upstream-recorded");

    @TempDir
    Path dir;
    private final Vertx vertx = Vertx.vertx();
    private final Map<String, String> answers = new ConcurrentHashMap<>();
    private final List<String> asked = new CopyOnWriteArrayList<>();
    private final List<String> protocols = new CopyOnWriteArrayList<>();
    private final Set<String> tokens = ConcurrentHashMap.newKeySet();
    private HttpServer backend;
    private int backendPort;
    private Path cert;
    private Path key;
    private Adapter adapter;
    private HttpClient client;

    @BeforeEach
    void start() throws Exception {
        String[] pems = SelfSignedCertificate.generate(Set.of("127.0.0.1"), Duration.ofDays(1));
        cert = Files.writeString(dir.resolve("backend.crt"), pems[0]);
        key = Files.writeString(dir.resolve("backend.key"), pems[1]);
        answers.put(EXTERNAL, Files.readString(RECORDED.resolve("keda-external-discovery.json")));
        answers.put(CUSTOM, Files.readString(RECORDED.resolve("prometheus-adapter-discovery.json")));
        answers.put(PODS_ANSWER, Files.readString(RECORDED.resolve("prometheus-adapter-v1beta2-pods.json")));
        answers.put(EXTERNAL + "/namespaces/shop/s0-rabbitmq-orders", externalValue("s0-rabbitmq-orders", "42"));
        answers.put(EXTERNAL + "/namespaces/shop/shared", externalValue("shared", "999"));
        backendPort = startBackend(0);
        Path token = Files.writeString(dir.resolve("token"), "adapter-token\n");
        TestValuesScalerProvider.set("ours", List.of(Sample.of(5)));
        TestValuesScalerProvider.set("our-pods", List.of(Sample.forObject(DescribedObject.named("web-1"), 8)));
        Path config = dir.resolve("config.yaml");
        String backend = "url: \"https://127.0.0.1:" + backendPort + "\", caFile: " + cert + ", tokenFile: " + token
                + ", timeout: 1s, discoveryInterval: 1s";
        Files.writeString(config, "metrics:\n"
                + "  - {name: mine, namespace: shop, type: test-values, parameters: {source: ours}, pollInterval: 200ms}\n"
                + "  - {name: shared, namespace: shop, type: test-values, parameters: {source: ours}, pollInterval: 200ms}\n"
                + "  - {name: httpserver_requests_qps, namespace: default, describes: pods, type: test-values,"
                + " parameters: {source: our-pods}, pollInterval: 200ms}\n"
                + "forward:\n"
                + "  - {name: keda, groups: [external.metrics.k8s.io], " + backend + "}\n"
                + "  - {name: prometheus-adapter, groups: [custom.metrics.k8s.io], " + backend + "}\n");
        // A header deadline shorter than the backend's timeout (1 s): a forwarded answer is the slowest one.
        adapter = TestAdapters.start(dir, config, Clock.systemUTC(), "--read-header-timeout", HEADER_DEADLINE);
        client = TestAdapters.client(TestAdapters.certFile(dir));
    }

    @AfterEach
    void stop() throws Exception {
        if (adapter != null) {
            adapter.stop();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void metricsWeDoNotServeAreAskedOfTheBackendAndDiscoveryListsBoth() throws Exception {
        HttpResponse<String> theirs = get(EXTERNAL + "/namespaces/shop/s0-rabbitmq-orders");
        assertThat(theirs.statusCode()).isEqualTo(200);
        assertThat(theirs.body()).isEqualTo(answers.get(EXTERNAL + "/namespaces/shop/s0-rabbitmq-orders"));
        assertThat(tokens).containsExactly("Bearer adapter-token");
        assertThat(protocols).contains("HTTP_2");
        HttpResponse<String> custom = get(PODS_ANSWER);
        assertThat(custom.statusCode()).isEqualTo(200);
        assertThat(custom.body()).as("passed on as prometheus-adapter answered it").isEqualTo(answers.get(PODS_ANSWER));

        // Ours: served here, the backend not asked, though it has one by the same name.
        asked.clear();
        assertThat(value(get(EXTERNAL + "/namespaces/shop/mine"))).isEqualTo("5");
        assertThat(value(get(EXTERNAL + "/namespaces/shop/shared"))).isEqualTo("5");
        assertThat(value(get("/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/pods/%2A/httpserver_requests_qps")))
                .isEqualTo("8");
        assertThat(asked).noneMatch(path -> path.contains("/namespaces/"));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(names(get(CUSTOM))).containsExactly("jobs.batch/httpserver_requests_qps",
                    "namespaces/httpserver_requests_qps", "pods/httpserver_requests_qps");
            assertThat(names(get(EXTERNAL))).containsExactly("mine", "shared"); // KEDA's placeholder is not a metric
        });
        // The name both serve is shown at /explain, beside the backend it conflicts with.
        JsonArray forwarding = new JsonObject(get("/explain.json").body()).getJsonArray("forwarding");
        JsonObject keda = forwarding.getJsonObject(0);
        assertThat(keda.getString("backend")).isEqualTo("keda");
        assertThat(keda.getString("trust")).isEqualTo("caFile " + cert);
        assertThat(keda.getInteger("metricsListed")).isZero(); // its placeholder only
        assertThat(keda.getJsonArray("conflicts")).isEmpty();
        JsonObject prometheusAdapter = forwarding.getJsonObject(1);
        assertThat(prometheusAdapter.getInteger("metricsListed")).isEqualTo(3);
        assertThat(prometheusAdapter.getJsonArray("conflicts"))
                .containsExactly("custom.metrics.k8s.io/v1beta1 pods/httpserver_requests_qps");
        assertThat(prometheusAdapter.getInteger("conflictsTotal")).isEqualTo(1);
        assertThat(prometheusAdapter.getJsonObject("discoveryFailing")).isEmpty();
        assertThat(get("/explain").body()).contains("<tr data-backend=\"prometheus-adapter\">",
                "<td class=\"conflicts\">custom.metrics.k8s.io/v1beta1 pods/httpserver_requests_qps</td>");
    }

    @Test
    void aBackendDownSlowOrTooLargeIsA503NamingItAndOursCarryOn() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> names(get(CUSTOM)).contains("jobs.batch/httpserver_requests_qps"));
        backend.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        HttpResponse<String> down = get(EXTERNAL + "/namespaces/shop/s0-rabbitmq-orders");
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(new JsonObject(down.body()).getString("message"))
                .startsWith("backend \"keda\" (https://127.0.0.1:" + backendPort + ") did not answer: ");
        assertThat(value(get(EXTERNAL + "/namespaces/shop/mine"))).isEqualTo("5");
        // Through discovery intervals with the backend down, its last list is kept.
        await().during(Duration.ofMillis(2_500)).atMost(Duration.ofSeconds(5)).until(() ->
                names(get(CUSTOM)).contains("jobs.batch/httpserver_requests_qps"));
        assertThat(new JsonObject(get("/explain.json").body()).getJsonArray("forwarding").getJsonObject(1)
                .getJsonObject("discoveryFailing").getString("custom.metrics.k8s.io/v1beta1"))
                .as("why its discovery is not read, at /explain").contains("did not answer");

        startBackend(backendPort);
        await().atMost(Duration.ofSeconds(10)).until(() ->
                get(EXTERNAL + "/namespaces/shop/s0-rabbitmq-orders").statusCode() == 200);

        answers.put(EXTERNAL + "/namespaces/shop/huge", "x".repeat(10 * 1024 * 1024));
        HttpResponse<String> huge = get(EXTERNAL + "/namespaces/shop/huge");
        assertThat(huge.statusCode()).isEqualTo(503);
        assertThat(huge.body()).contains("answered more than 4 MiB");

        answers.put(EXTERNAL + "/namespaces/shop/login", "<html>sign in</html>"); // a proxy's page
        HttpResponse<String> page = get(EXTERNAL + "/namespaces/shop/login");
        assertThat(page.statusCode()).isEqualTo(503);
        assertThat(new JsonObject(page.body()).getString("message")).isEqualTo("backend \"keda\" (https://127.0.0.1:"
                + backendPort + ") answered 200 with \"text/html\", not a metric value list or a Status");
        answers.put(EXTERNAL + "/namespaces/shop/odd", "{\"hello\": 1}");
        assertThat(get(EXTERNAL + "/namespaces/shop/odd").statusCode()).isEqualTo(503);
        HttpResponse<String> escaped = get(EXTERNAL + "/namespaces/shop/..%2F..%2Fsecrets");
        assertThat(escaped.statusCode()).as("never forwarded: an escaped '/' names another path there").isEqualTo(404);
        assertThat(asked).noneMatch(path -> path.contains("secrets"));

        answers.put(EXTERNAL + "/namespaces/shop/never", "never");
        long started = System.nanoTime();
        HttpResponse<String> never = get(EXTERNAL + "/namespaces/shop/never");
        assertThat(never.statusCode()).isEqualTo(503);
        assertThat(never.body()).contains("did not answer: no answer within 1000 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(value(get(EXTERNAL + "/namespaces/shop/mine"))).isEqualTo("5");

        String metrics = get("/metrics").body();
        assertThat(TestAdapters.meter(metrics, "demand_adapter_forwarded_requests_total", "backend=\"keda\"",
                "result=\"failed\"")).as("down, too large, never, the page, the odd JSON").isGreaterThanOrEqualTo(5);
        assertThat(TestAdapters.meter(metrics, "demand_adapter_forwarded_requests_total", "backend=\"keda\"",
                "result=\"answered\"")).isGreaterThanOrEqualTo(1);
        assertThat(TestAdapters.meter(metrics, "demand_adapter_forward_backend_metrics", "backend=\"keda\""))
                .isZero(); // its placeholder only
        assertThat(TestAdapters.meter(metrics, "demand_adapter_forward_backend_metrics",
                "backend=\"prometheus-adapter\"")).isEqualTo(3);
    }

    /**
     * The read-header deadline bounds the wait for a request's headers, not its answer: an
     * HTTP/1.1 request whose backend takes longer than the deadline (here until the 1 s
     * timeout) gets its answer on its connection, not a close.
     */
    @Test
    void anAnswerSlowerThanTheHeaderDeadlineReachesAnHttp1Client() throws Exception {
        answers.put(EXTERNAL + "/namespaces/shop/never", "never");
        try (RawTls raw = RawTls.connect(adapter.port())) {
            raw.write("GET " + EXTERNAL + "/namespaces/shop/never HTTP/1.1\r\nHost: x\r\n\r\n");
            RawTls.Response slow = raw.readResponse();
            assertThat(slow.code()).as(slow.body()).isEqualTo(503);
            assertThat(slow.body()).contains("no answer within 1000 ms");
            raw.write("GET " + EXTERNAL + "/namespaces/shop/mine HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(raw.readResponse().code()).as("the connection serves on").isEqualTo(200);
        }
    }

    private int startBackend(int port) throws Exception {
        backend = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setUseAlpn(true)
                .setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert.toString()).setKeyPath(key.toString())))
                .requestHandler(request -> {
                    asked.add(request.uri());
                    protocols.add(request.version().name());
                    if (request.getHeader("Authorization") != null) {
                        tokens.add(request.getHeader("Authorization"));
                    }
                    String answer = answers.get(request.uri());
                    if ("never".equals(answer)) {
                        return; // no answer, ever
                    }
                    if (answer == null) {
                        request.response().setStatusCode(404).putHeader("Content-Type", "application/json")
                                .end("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":404}");
                        return;
                    }
                    request.response().putHeader("Content-Type", answer.startsWith("<html>") ? "text/html"
                            : "application/json").end(answer);
                });
        backend.listen(port, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return backend.actualPort();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return TestAdapters.get(client, adapter, path);
    }

    private static String value(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return MetricClients.firstValue(response);
    }

    private static List<String> names(HttpResponse<String> discovery) {
        JsonArray resources = new JsonObject(discovery.body()).getJsonArray("resources");
        return resources.stream().map(r -> ((JsonObject) r).getString("name")).sorted().toList();
    }

    private static String externalValue(String metric, String value) {
        return "{\"kind\":\"ExternalMetricValueList\",\"apiVersion\":\"external.metrics.k8s.io/v1beta1\","
                + "\"metadata\":{},\"items\":[{\"metricName\":\"" + metric + "\",\"metricLabels\":{},"
                + "\"timestamp\":\"2026-12-04T00:00:00Z\",\"value\":\"" + value + "\"}]}";
    }
}
