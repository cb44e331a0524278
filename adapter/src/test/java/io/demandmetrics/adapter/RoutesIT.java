package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.demandmetrics.adapter.http.AdapterServer.MetricRoute;
import io.demandmetrics.scaler.spi.Sample;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What each path answers, through the router: the same answers whichever way the metric route
 * is served (the fast path in front of the router, or the router; the benchmark compares the
 * two), unknown paths and methods as Status objects, compressed answers where the client
 * accepts them.
 */
class RoutesIT {

    private static final String METRIC = "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/m";

    @TempDir
    static Path dir;
    private static Adapter fastPath;
    private static Adapter routed;
    private static HttpClient fastPathClient;
    private static HttpClient routedClient;
    /** Where external metrics the adapter does not serve are forwarded: it holds {@link HeldBackend#HELD}'s answers. */
    private static HeldBackend backend;

    @BeforeAll
    static void start() throws Exception {
        TestValuesScalerProvider.set("routes", List.of(Sample.of(7)));
        Path config = dir.resolve("config.yaml");
        backend = new HeldBackend(dir);
        Path token = Files.writeString(dir.resolve("token"), "adapter-token\n");
        Files.writeString(config, "metrics:\n  - {name: m, namespace: shop, type: test-values, parameters: {source: routes}}\n"
                + backend.forwardConfig(token, "20s"));
        fastPath = start(MetricRoute.FAST_PATH, config);
        routed = start(MetricRoute.ROUTER, config);
        fastPathClient = TestAdapters.client(TestAdapters.certFile(dir.resolve(MetricRoute.FAST_PATH.name())));
        routedClient = TestAdapters.client(TestAdapters.certFile(dir.resolve(MetricRoute.ROUTER.name())));
    }

    private static Adapter start(MetricRoute route, Path config) throws Exception {
        System.setProperty("demand.adapter.metricRoute", route.name());
        try {
            return TestAdapters.start(dir.resolve(route.name()), config, Clock.systemUTC());
        } finally {
            System.clearProperty("demand.adapter.metricRoute");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        fastPath.stop();
        routed.stop();
        backend.close();
    }

    private static Adapter adapter(MetricRoute route) {
        return route == MetricRoute.FAST_PATH ? fastPath : routed;
    }

    private static HttpClient clientFor(MetricRoute route) {
        return route == MetricRoute.FAST_PATH ? fastPathClient : routedClient;
    }

    private static HttpResponse<byte[]> send(MetricRoute route, String method, String path, String acceptEncoding)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(adapter(route).url() + path))
                .timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody());
        if (acceptEncoding != null) {
            request.header("Accept-Encoding", acceptEncoding);
        }
        return clientFor(route).send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static JsonObject json(HttpResponse<byte[]> response) throws Exception {
        return new JsonObject(text(response));
    }

    @ParameterizedTest
    @EnumSource(MetricRoute.class)
    void theMetricRouteAnswersTheSameEitherWay(MetricRoute route) throws Exception {
        HttpResponse<byte[]> answer = send(route, "GET", METRIC, null);
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(json(answer).getJsonArray("items").getJsonObject(0).getString("value")).isEqualTo("7");
        HttpResponse<byte[]> post = send(route, "POST", METRIC, null);
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(json(post).getString("reason")).isEqualTo("MethodNotAllowed");
        HttpResponse<byte[]> discovery = send(route, "GET", "/apis/external.metrics.k8s.io/v1beta1", "gzip");
        assertThat(discovery.headers().firstValue("content-encoding")).hasValue("gzip");
        assertThat(json(discovery).getString("kind")).isEqualTo("APIResourceList");
    }

    @ParameterizedTest
    @EnumSource(MetricRoute.class)
    void pathsNoRouteKnowsAndMethodsARouteRefusesAreStatusObjects(MetricRoute route) throws Exception {
        HttpResponse<byte[]> unknown = send(route, "GET", "/nothing-here", null);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).getString("kind")).isEqualTo("Status");
        assertThat(json(unknown).getString("reason")).isEqualTo("NotFound");
        HttpResponse<byte[]> post = send(route, "POST", "/healthz", null);
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(json(post).getString("reason")).isEqualTo("MethodNotAllowed");
        assertThat(json(post).getString("message")).isEqualTo("the server does not allow this method");
        HttpResponse<byte[]> explainUnknown = send(route, "GET", "/explain.json?metric=shop/nope", null);
        assertThat(explainUnknown.statusCode()).isEqualTo(404);
        assertThat(json(explainUnknown).getString("reason")).isEqualTo("NotFound");
    }

    @Test
    void theExplainPageAndItsJsonAreGzippedForClientsThatAcceptIt() throws Exception {
        for (String path : List.of("/explain.json", "/explain")) {
            HttpResponse<byte[]> plain = send(MetricRoute.FAST_PATH, "GET", path, null);
            HttpResponse<byte[]> zipped = send(MetricRoute.FAST_PATH, "GET", path, "gzip, deflate");
            assertThat(plain.statusCode()).as(path).isEqualTo(200);
            assertThat(plain.headers().firstValue("content-encoding")).as(path).isEmpty();
            assertThat(zipped.headers().firstValue("content-encoding")).as(path).hasValue("gzip");
            assertThat(zipped.headers().firstValue("vary")).as(path).hasValue("Accept-Encoding");
            assertThat(zipped.headers().firstValue("content-type")).as(path)
                    .isEqualTo(plain.headers().firstValue("content-type"));
            assertThat(text(zipped)).as(path).contains("shop/m");
            if (path.endsWith(".json")) {
                // the same document (its times may differ by the moment between the two requests)
                assertThat(json(zipped).fieldNames()).isEqualTo(json(plain).fieldNames());
            }
        }
    }

    /**
     * Every answered request leaves the in-flight count, whichever route answered it (the
     * router takes a response's end handler for itself once a route asks it to report the end:
     * counted through the response's own handler, explain's requests stayed in flight and
     * shutdown waited its whole grace period for them).
     */
    @ParameterizedTest
    @EnumSource(MetricRoute.class)
    void everyAnsweredRequestLeavesTheInFlightCount(MetricRoute route) throws Exception {
        for (String path : List.of(METRIC, "/healthz", "/readyz", "/explain", "/explain.json",
                "/explain.json?metric=shop/nope", "/openapi/v2", "/openapi/v3/nope", "/nothing-here", "/metrics")) {
            assertThat(send(route, "GET", path, null).statusCode()).as(path).isLessThan(500);
        }
        assertThat(send(route, "POST", "/healthz", null).statusCode()).isEqualTo(405);
        // The scrape that reads the gauge is itself in flight.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(text(send(route, "GET", "/metrics", null)))
                .contains("demand_adapter_http_requests_in_flight 1.0"));
    }

    /**
     * A client that leaves before its answer, over HTTP/1.1 (closes its connection) and HTTP/2
     * (resets its stream), leaves the in-flight count and is counted unanswered: the request
     * is held by the backend it is forwarded to until the client has gone.
     */
    @ParameterizedTest
    @EnumSource(MetricRoute.class)
    void aClientThatLeavesBeforeItsAnswerIsCountedUnanswered(MetricRoute route) throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> send(route, "GET", HeldBackend.PROBE, null).statusCode() == 200);
        String unanswered = "demand_adapter_http_requests_unanswered_total";
        double before = TestAdapters.meter(text(send(route, "GET", "/metrics", null)), unanswered);
        int heldBefore = backend.held();
        try (RawTls http1 = RawTls.connect(adapter(route).port())) {
            http1.write("GET " + HeldBackend.HELD + " HTTP/1.1\r\nHost: x\r\n\r\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> backend.held() == heldBefore + 1);
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel connection = RawHttp2.connect(group, adapter(route).port(), new CompletableFuture<>());
            Http2StreamChannel stream = RawHttp2.request(connection, new DefaultHttp2Headers().method("GET")
                    .scheme("https").authority("x").path(HeldBackend.HELD));
            await().atMost(Duration.ofSeconds(10)).until(() -> backend.held() == heldBefore + 2);
            stream.close().sync(); // RST_STREAM; the connection stays
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                String exposition = text(send(route, "GET", "/metrics", null));
                assertThat(TestAdapters.meter(exposition, unanswered)).isEqualTo(before + 2);
                assertThat(TestAdapters.meter(exposition, "demand_adapter_http_requests_in_flight"))
                        .as("only the scrape itself in flight").isEqualTo(1.0);
            });
            connection.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            backend.release();
        }
    }

    /** The body as text, gunzipped when the answer says it is gzipped. */
    private static String text(HttpResponse<byte[]> response) throws Exception {
        boolean gzipped = response.headers().firstValue("content-encoding").filter("gzip"::equals).isPresent();
        byte[] body = gzipped ? new GZIPInputStream(new ByteArrayInputStream(response.body())).readAllBytes()
                : response.body();
        return new String(body, StandardCharsets.UTF_8);
    }
}
