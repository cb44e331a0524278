package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.demandmetrics.adapter.tls.SelfSignedCertificate;
import io.demandmetrics.scaler.spi.Sample;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** Config reload, staleness and fallback, poll timeouts, certificate rotation: the adapter over time. */
class LifecycleIT {

    private static final String EXTERNAL = "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/";

    @TempDir
    Path dir;

    @Test
    void configReloadUnderConcurrentRequestsFailsNoRequest() throws Exception {
        TestValuesScalerProvider.set("reload-a", List.of(Sample.of(1)));
        TestValuesScalerProvider.set("reload-b", List.of(Sample.of(2)));
        TestValuesScalerProvider.set("reload-c", List.of(Sample.of(3)));
        TestValuesScalerProvider.set("reload-removed", List.of(Sample.of(4)));
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, metrics(Map.of("kept", "reload-a", "changed", "reload-a", "removed", "reload-removed")));
        Adapter adapter = TestAdapters.start(dir, config, Clock.systemUTC(), "--config-check-interval", "100ms");
        HttpClient client = TestAdapters.client(TestAdapters.certFile(dir));
        MetricClients load = new MetricClients(client, adapter, 4, List.of(EXTERNAL + "kept", EXTERNAL + "changed"));
        Set<String> changedValues = load.values(EXTERNAL + "changed");
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> load.answered() > 200);

            // a valid change: one metric changes source, one is added, one is removed
            write(config, metrics(Map.of("kept", "reload-a", "changed", "reload-b", "added", "reload-c")));
            await().atMost(Duration.ofSeconds(10)).until(() -> changedValues.contains("2"));
            assertThat(TestAdapters.get(client, adapter, EXTERNAL + "added").statusCode()).isEqualTo(200);
            assertThat(TestAdapters.get(client, adapter, EXTERNAL + "removed").statusCode()).isEqualTo(404);
            // the removed metric's scaler is closed and polled no more
            assertThat(TestValuesScalerProvider.closes("reload-removed")).isEqualTo(1);
            int removedFetches = TestValuesScalerProvider.fetches("reload-removed");
            int keptFetches = TestValuesScalerProvider.fetches("reload-a"); // polled on the same 200ms grid
            await().atMost(Duration.ofSeconds(10)).until(() -> TestValuesScalerProvider.fetches("reload-a")
                    >= keptFetches + 3);
            assertThat(TestValuesScalerProvider.fetches("reload-removed")).isEqualTo(removedFetches);

            // an invalid change: the running config stays
            int before = load.answered();
            write(config, "metrics:\n  - name: kept\n    namespace: shop\n    type: no-such-scaler\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> TestAdapters.get(client, adapter, "/metrics").body()
                    .contains("demand_adapter_config_reloads_total{result=\"rejected\"} 1.0"));
            await().atMost(Duration.ofSeconds(10)).until(() -> load.answered() > before + 200);
            assertThat(TestAdapters.get(client, adapter, EXTERNAL + "added").statusCode()).isEqualTo(200);

            assertThat(load.stop()).as("failed requests during reloads").isEmpty();
            assertThat(changedValues).containsExactlyInAnyOrder("1", "2");
        } finally {
            load.close();
            adapter.stop();
        }
    }

    /**
     * O -> A -> B, with B written while A's first poll is still running: B must win, whether it
     * differs from O or equals it (then B could apply at once, before A, and A would be left
     * serving while the file says O).
     */
    @ParameterizedTest(name = "B {0}")
    @ValueSource(strings = {"differs from O", "equals O"})
    void overlappingReloadsApplyInFileOrder(String form) throws Exception {
        String prefix = "order-" + (form.startsWith("equals") ? "same" : "other") + "-";
        String original = prefix + "o";
        String slow = prefix + "a";
        String last = form.startsWith("equals") ? original : prefix + "b";
        TestValuesScalerProvider.set(original, List.of(Sample.of(1)));
        TestValuesScalerProvider.set(prefix + "b", List.of(Sample.of(3)));
        Path config = dir.resolve(prefix + "config.yaml");
        Files.writeString(config, metrics(Map.of("m", original)));
        Adapter adapter = TestAdapters.start(dir, config, Clock.systemUTC(), "--config-check-interval", "50ms");
        HttpClient client = TestAdapters.client(TestAdapters.certFile(dir));
        try {
            io.vertx.core.Promise<List<Sample>> slowFirstPoll = TestValuesScalerProvider.later(slow);
            write(config, metrics(Map.of("m", slow)));
            await().atMost(Duration.ofSeconds(10)).until(() -> TestValuesScalerProvider.fetches(slow) == 1);
            int parsed = TestValuesScalerProvider.parses(last);
            write(config, metrics(Map.of("m", last)));
            await().atMost(Duration.ofSeconds(10)).until(() -> TestValuesScalerProvider.parses(last) > parsed);

            slowFirstPoll.complete(List.of(Sample.of(2)));
            await().atMost(Duration.ofSeconds(10)).until(() -> TestAdapters.get(client, adapter, "/metrics").body()
                    .contains("demand_adapter_config_reloads_total{result=\"applied\"} 2.0"));
            assertThat(value(TestAdapters.get(client, adapter, EXTERNAL + "m"))).isEqualTo(last.equals(original) ? "1" : "3");
            assertThat(TestValuesScalerProvider.closes(slow)).as("A's scaler is closed, not left polling").isEqualTo(1);
        } finally {
            adapter.stop();
        }
    }

    /**
     * A reload that changes a metric's settings but not its name keeps its meters at /metrics,
     * counting on, fed by the new poller (dashboards and alerts must not go blind on an edit).
     */
    @Test
    void aSettingsChangeKeepsTheMetricsOwnMetersCountingOn() throws Exception {
        TestValuesScalerProvider.set("tuned", List.of(Sample.of(5)));
        Path config = dir.resolve("tuned.yaml");
        String metric = "  - {name: tuned, namespace: shop, type: test-values, parameters: {source: tuned},"
                + " pollInterval: %s}\n";
        Files.writeString(config, "metrics:\n" + metric.formatted("200ms"));
        Adapter adapter = TestAdapters.start(dir, config, Clock.systemUTC(), "--config-check-interval", "50ms");
        HttpClient client = TestAdapters.client(TestAdapters.certFile(dir));
        String tuned = "metric=\"shop/tuned\"";
        try {
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    meter(client, adapter, "demand_adapter_poll_seconds_count", tuned) >= 2);
            write(config, "metrics:\n" + metric.formatted("300ms"));
            await().atMost(Duration.ofSeconds(10)).until(() -> TestAdapters.get(client, adapter, "/metrics").body()
                    .contains("demand_adapter_config_reloads_total{result=\"applied\"} 1.0"));
            double pollsAtReload = meter(client, adapter, "demand_adapter_poll_seconds_count", tuned);
            assertThat(meter(client, adapter, "demand_adapter_poll_errors_total", tuned)).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    meter(client, adapter, "demand_adapter_poll_seconds_count", tuned) >= pollsAtReload + 3);
            // The age is the new poller's value's: the retired one's would only grow.
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() ->
                    meter(client, adapter, "demand_adapter_value_age_seconds", tuned) < 1.0);
        } finally {
            adapter.stop();
        }
    }

    /** Scaler's contract: fetch() is never called while the previous call is unfinished, even after a timeout. */
    @Test
    void aScalerThatNeverAnswersIsNotCalledAgain() throws Exception {
        TestValuesScalerProvider.hang("never");
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, """
                metrics:
                  - {name: never, namespace: shop, type: test-values, parameters: {source: never}, pollInterval: 100ms, timeout: 50ms}
                """);
        Adapter adapter = TestAdapters.start(dir, config, Clock.systemUTC());
        HttpClient client = TestAdapters.client(TestAdapters.certFile(dir));
        try {
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    meter(client, adapter, "demand_adapter_poll_errors_total", "metric=\"shop/never\"") >= 5);
            assertThat(TestValuesScalerProvider.fetches("never")).isEqualTo(1);
            assertThat(new JsonObject(TestAdapters.get(client, adapter, EXTERNAL + "never").body()).getString("message"))
                    .endsWith("the poll timed out after 50ms and the test-values scaler has not finished it; it is"
                            + " not called again until it does");
        } finally {
            adapter.stop();
        }
    }

    @Test
    void staleValuesAreNotServedAndFallbackIsServedInstead() throws Exception {
        TestValuesScalerProvider.set("flaky", List.of(Sample.of(42)));
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, """
                metrics:
                  - {name: strict, namespace: shop, type: test-values, parameters: {source: flaky}, pollInterval: 200ms, maxAge: 1s}
                  - {name: lenient, namespace: shop, type: test-values, parameters: {source: flaky}, pollInterval: 200ms, maxAge: 1s, fallback: 7}
                """);
        MutableClock clock = new MutableClock(Instant.parse("2026-11-26T12:00:00Z"));
        Adapter adapter = TestAdapters.start(dir, config, clock);
        HttpClient client = TestAdapters.client(TestAdapters.certFile(dir));
        try {
            assertThat(value(TestAdapters.get(client, adapter, EXTERNAL + "strict"))).isEqualTo("42");

            TestValuesScalerProvider.fail("flaky", "broker 10.0.0.7:9092 unreachable");
            int fetched = TestValuesScalerProvider.fetches("flaky");
            await().atMost(Duration.ofSeconds(5)).until(() -> TestValuesScalerProvider.fetches("flaky") > fetched + 2);
            clock.advance(Duration.ofMillis(900)); // within maxAge: the last good value is still served
            assertThat(value(TestAdapters.get(client, adapter, EXTERNAL + "strict"))).isEqualTo("42");

            clock.advance(Duration.ofMillis(200)); // now older than maxAge
            HttpResponse<String> stale = TestAdapters.get(client, adapter, EXTERNAL + "strict");
            assertThat(stale.statusCode()).isEqualTo(503);
            assertThat(new JsonObject(stale.body()).getString("message")).isEqualTo("metric \"shop/strict\" has no"
                    + " value newer than its maxAge of 1s (last value 1s ago); last error 1s ago: broker 10.0.0.7:9092"
                    + " unreachable");
            assertThat(value(TestAdapters.get(client, adapter, EXTERNAL + "lenient"))).isEqualTo("7");

            TestValuesScalerProvider.set("flaky", List.of(Sample.of(43)));
            // Each metric polls at its own phase of the interval: wait until both have polled
            // since the source recovered (six fetches of the two span more than an interval).
            int recovered = TestValuesScalerProvider.fetches("flaky");
            await().atMost(Duration.ofSeconds(5)).until(() -> TestValuesScalerProvider.fetches("flaky") >= recovered + 6
                    && TestAdapters.get(client, adapter, EXTERNAL + "strict").statusCode() == 200);
            assertThat(value(TestAdapters.get(client, adapter, EXTERNAL + "strict"))).isEqualTo("43");
            assertThat(value(TestAdapters.get(client, adapter, EXTERNAL + "lenient"))).isEqualTo("43");
        } finally {
            adapter.stop();
        }
    }

    /**
     * A new replica takes traffic once it can answer what the old one answers: readiness waits
     * for every metric's first value (README, "Readiness"), then holds through later outages.
     */
    @Test
    void readinessWaitsForEveryMetricsFirstValueThenHolds() throws Exception {
        TestValuesScalerProvider.fail("late", "connection refused");
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, """
                metrics:
                  - {name: late, namespace: shop, type: test-values, parameters: {source: late}, pollInterval: 200ms}
                  - {name: on-time, namespace: shop, type: cron, parameters: {timezone: UTC, start: "0 0 * * *", end: "59 23 * * *", desiredReplicas: 2}}
                """);
        Adapter adapter = TestAdapters.start(dir, config, Clock.systemUTC());
        HttpClient client = TestAdapters.client(TestAdapters.certFile(dir));
        try {
            HttpResponse<String> starting = TestAdapters.get(client, adapter, "/readyz");
            assertThat(starting.statusCode()).isEqualTo(503);
            assertThat(starting.body()).contains("1 of 2 metrics have no value yet (shop/late)");
            TestValuesScalerProvider.set("late", List.of(Sample.of(3)));
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    TestAdapters.get(client, adapter, "/readyz").statusCode() == 200);
            TestValuesScalerProvider.fail("late", "connection refused");
            int fetched = TestValuesScalerProvider.fetches("late");
            await().atMost(Duration.ofSeconds(5)).until(() -> TestValuesScalerProvider.fetches("late") > fetched + 1);
            assertThat(TestAdapters.get(client, adapter, "/readyz").statusCode()).isEqualTo(200);
        } finally {
            adapter.stop();
        }
        Adapter impatient = TestAdapters.start(dir, config, Clock.systemUTC(), "--readiness-grace", "300ms");
        try {
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    TestAdapters.get(client, impatient, "/readyz").statusCode() == 200);
            assertThat(TestAdapters.get(client, impatient, EXTERNAL + "late").statusCode()).isEqualTo(503);
        } finally {
            impatient.stop();
        }
    }

    @Test
    void aSourceThatNeverAnswersTimesOutAndOthersKeepPolling() throws Exception {
        TestValuesScalerProvider.hang("silent");
        TestValuesScalerProvider.set("healthy", List.of(Sample.of(5)));
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, """
                metrics:
                  - {name: silent, namespace: shop, type: test-values, parameters: {source: silent}, pollInterval: 300ms, timeout: 200ms}
                  - {name: healthy, namespace: shop, type: test-values, parameters: {source: healthy}, pollInterval: 300ms}
                """);
        Adapter adapter = TestAdapters.start(dir, config, Clock.systemUTC());
        HttpClient client = TestAdapters.client(TestAdapters.certFile(dir));
        try {
            HttpResponse<String> silent = TestAdapters.get(client, adapter, EXTERNAL + "silent");
            assertThat(silent.statusCode()).isEqualTo(503);
            assertThat(new JsonObject(silent.body()).getString("message"))
                    .startsWith("metric \"shop/silent\" has no value yet; last error")
                    .contains("the poll timed out after 200ms");
            TestValuesScalerProvider.set("healthy", List.of(Sample.of(6)));
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    value(TestAdapters.get(client, adapter, EXTERNAL + "healthy")).equals("6"));
            assertThat(TestAdapters.get(client, adapter, "/apis/external.metrics.k8s.io/v1beta1").statusCode())
                    .isEqualTo(200);
            HttpResponse<String> readyz = TestAdapters.get(client, adapter, "/readyz"); // answers, and says why not
            assertThat(readyz.statusCode()).isEqualTo(503);
            assertThat(readyz.body()).isEqualTo("not ready: starting: 1 of 2 metrics have no value yet (shop/silent);"
                    + " ready anyway 30s after start");
        } finally {
            adapter.stop();
        }
    }

    @Test
    void aRotatedCertificateIsServedWithoutRestart() throws Exception {
        TestValuesScalerProvider.set("cert", List.of(Sample.of(1)));
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, metrics(Map.of("m", "cert")));
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        writeCertificate(cert, key);
        Adapter adapter = TestAdapters.start(dir, config, Clock.systemUTC(), "--tls-cert-file", cert.toString(),
                "--tls-private-key-file", key.toString(), "--cert-check-interval", "100ms");
        try {
            X509Certificate first = servedCertificate(adapter);
            assertThat(first.getEncoded()).isEqualTo(certificate(cert).getEncoded());

            writeCertificate(cert, key);
            X509Certificate rotated = certificate(cert);
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    java.util.Arrays.equals(servedCertificate(adapter).getEncoded(), rotated.getEncoded()));

            HttpClient client = TestAdapters.client(cert); // trusts the rotated certificate
            String reloads = "demand_adapter_certificate_reloads_total";
            // A check can meet a half-written file during the rotation above: count from here.
            double rejectedBefore = meter(client, adapter, reloads, "result=\"rejected\"");
            Files.writeString(cert, "not a certificate"); // a broken rotation keeps the served one
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    meter(client, adapter, reloads, "result=\"rejected\"") > rejectedBefore);
            assertThat(meter(client, adapter, reloads, "result=\"applied\"")).isGreaterThanOrEqualTo(1);
            assertThat(servedCertificate(adapter).getEncoded()).isEqualTo(rotated.getEncoded());
        } finally {
            adapter.stop();
        }
    }

    /**
     * The aggregator keeps connections open between HPA syncs and reuses them: an idle
     * kept-alive connection outlives the header deadline (500ms here) and its next request is
     * served on it. Counted on the server, since a client would silently reconnect.
     */
    @Test
    void anIdleKeepAliveConnectionIsServedWhenReused() throws Exception {
        TestValuesScalerProvider.set("idle", List.of(Sample.of(9)));
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, metrics(Map.of("idle", "idle")));
        Adapter adapter = TestAdapters.start(dir, config, Clock.systemUTC(), "--read-header-timeout", "500ms");
        HttpClient reader = TestAdapters.client(TestAdapters.certFile(dir));
        try {
            for (HttpClient.Version version : List.of(HttpClient.Version.HTTP_1_1, HttpClient.Version.HTTP_2)) {
                double openedBefore = meter(reader, adapter, "demand_adapter_http_connections_opened_total");
                double openBefore = meter(reader, adapter, "demand_adapter_http_connections_open");
                HttpClient client = HttpClient.newBuilder().version(version)
                        .sslContext(TestAdapters.sslContext(TestAdapters.certFile(dir), null)).build();
                HttpResponse<String> first = TestAdapters.get(client, adapter, EXTERNAL + "idle");
                assertThat(first.version()).isEqualTo(version);
                // Held for three header deadlines: a server closing idle kept-alive connections fails here.
                await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() ->
                        meter(reader, adapter, "demand_adapter_http_connections_open") == openBefore + 1);
                HttpResponse<String> reused = TestAdapters.get(client, adapter, EXTERNAL + "idle");
                assertThat(reused.statusCode()).as(version.toString()).isEqualTo(200);
                assertThat(value(reused)).isEqualTo("9");
                assertThat(meter(reader, adapter, "demand_adapter_http_connections_opened_total"))
                        .as("%s: served on the connection it opened", version).isEqualTo(openedBefore + 1);
            }
        } finally {
            adapter.stop();
        }
    }

    /** A series' value at the adapter's /metrics ({@link TestAdapters#meter}). */
    private static double meter(HttpClient reader, Adapter adapter, String name, String... labels) throws Exception {
        return TestAdapters.meter(TestAdapters.get(reader, adapter, "/metrics").body(), name, labels);
    }

    private static String metrics(Map<String, String> nameToSource) {
        StringBuilder yaml = new StringBuilder("metrics:\n");
        new java.util.TreeMap<>(nameToSource).forEach((name, source) -> yaml.append("  - {name: ").append(name)
                .append(", namespace: shop, type: test-values, parameters: {source: ").append(source)
                .append("}, pollInterval: 200ms}\n"));
        return yaml.toString();
    }

    /** Replaces the file in one step, as a ConfigMap update does. */
    private static void write(Path file, String text) throws Exception {
        Path next = file.resolveSibling(file.getFileName() + ".next");
        Files.writeString(next, text);
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String value(HttpResponse<String> response) {
        return new JsonObject(response.body()).getJsonArray("items").getJsonObject(0).getString("value");
    }

    private static void writeCertificate(Path cert, Path key) throws Exception {
        String[] pems = SelfSignedCertificate.generate(Set.of("127.0.0.1", "localhost"), Duration.ofDays(1));
        write(key, pems[1]);
        write(cert, pems[0]);
    }

    private static X509Certificate certificate(Path file) throws Exception {
        return (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(Files.newInputStream(file));
    }

    /** The certificate a new connection is served (a fresh client: no connection reuse). */
    private static X509Certificate servedCertificate(Adapter adapter) throws Exception {
        SSLContext trustAll = SSLContext.getInstance("TLS");
        trustAll.init(null, new TrustManager[] {new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, new SecureRandom());
        HttpClient client = HttpClient.newBuilder().sslContext(trustAll).build();
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(adapter.url() + "/healthz"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        return (X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0];
    }
}
