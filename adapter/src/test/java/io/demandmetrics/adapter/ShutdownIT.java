package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM under load, on the real jar: readiness fails first, listening stops, requests in
 * flight are answered, one log line per step. {@link ShutdownLoad} says what counts as lost;
 * the server's own count settles the rest: the shutdown log says how many routed requests were
 * left unanswered, and it must be 0.
 */
class ShutdownIT {

    private static final String METRIC = "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/office";

    @TempDir
    Path dir;

    /**
     * SIGTERM under load: nothing lost, readiness fails first, and the requests in flight when
     * listening stops are answered. Two of them, one over HTTP/1.1 and one over HTTP/2, are
     * forwarded to a backend that holds their answers until the adapter says listening stopped:
     * in flight at that instant whatever the timing, and each must then be answered within the
     * grace period. (Slow {@code /metrics} readers in the load may be in flight too.)
     */
    @Test
    void sigtermUnderLoadLosesNoRequest() throws Exception {
        try (HeldBackend backend = new HeldBackend(dir)) {
            Path token = Files.writeString(dir.resolve("token"), "adapter-token\n");
            Path config = manyMetrics(backend.forwardConfig(token, "20s"));
            int port = TestAdapters.freePort();
            Path log = dir.resolve("adapter.log");
            Process adapter = startAdapter(config, port, log, "500ms");
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(log).contains("listening on https://"));
                Path cert = TestAdapters.certFile(dir);
                await().atMost(Duration.ofSeconds(30)).until(() -> "200".equals(backend.ask(port, cert, HeldBackend.PROBE,
                        HttpVersion.HTTP_2).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)[0]));
                ShutdownLoad load = new ShutdownLoad(port, METRIC, "/metrics", cert);
                await().atMost(Duration.ofSeconds(30)).until(() -> load.answered.get() > 500);
                var http1 = backend.ask(port, cert, HeldBackend.HELD, HttpVersion.HTTP_1_1);
                var http2 = backend.ask(port, cert, HeldBackend.HELD, HttpVersion.HTTP_2);
                await().atMost(Duration.ofSeconds(10)).until(() -> backend.held() == 2);
                adapter.destroy(); // SIGTERM
                await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(log).contains(
                        "shutting down: listening stopped"));
                assertThat(Files.readString(log)).containsPattern(
                        "shutting down: listening stopped; ([2-9]|\\d{2,}) requests in flight");
                backend.release();
                String[] answer1 = http1.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                String[] answer2 = http2.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                assertThat(answer1).as("held over HTTP/1.1").startsWith("200", "HTTP_1_1");
                assertThat(answer2).as("held over HTTP/2").startsWith("200", "HTTP_2");
                assertThat(answer1[2]).contains("\"value\":\"7\"");
                assertThat(adapter.waitFor(30, TimeUnit.SECONDS)).isTrue();
                await().atMost(Duration.ofSeconds(30)).until(() -> load.refused.get() > 20);
                load.close();
                assertThat(load.lost).as("requests lost at SIGTERM (answered " + load.answered + ")").isEmpty();
                assertThat(load.notReady.get()).as("readiness failed while still serving (shutdown delay)").isPositive();
                String output = Files.readString(log, StandardCharsets.UTF_8);
                assertThat(output).contains("shutting down: readiness fails; serving for 500ms more")
                        .contains("shutting down: requests finished (0 left unanswered); closing pollers and scalers")
                        .contains("shut down")
                        .doesNotContain("Failed to register an accepted channel")
                        .doesNotContain("Exception");
            } finally {
                adapter.destroyForcibly();
            }
        }
    }

    /**
     * Clients that never retry, over HTTP/1.1 and HTTP/2, some on a slow path: at SIGTERM each
     * has a request on its kept-alive connection or is about to send one. Every request is
     * answered or refused (at connect, or by the GOAWAY's last stream id); none is sent on a
     * connection that then closes without an answer, and the server counts none unanswered.
     */
    @Test
    void sigtermLosesNoRequestOfClientsThatNeverRetry() throws Exception {
        Path config = manyMetrics("");
        int port = TestAdapters.freePort();
        Path log = dir.resolve("adapter-raw.log");
        // No shutdown delay: listening stops as the connections are told to close, the race
        // in which a client told to reconnect could reach a connection closed in its handshake.
        Process adapter = startAdapter(config, port, log, "0s");
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(log).contains("listening on https://"));
            List<String> http1Paths = List.of(METRIC, METRIC, METRIC, METRIC, "/metrics", "/metrics");
            List<String> http2Paths = List.of(METRIC, METRIC, METRIC, "/metrics");
            NeverRetryingHttp1Clients http1 = new NeverRetryingHttp1Clients(port, http1Paths);
            NeverRetryingHttp2Clients http2 = new NeverRetryingHttp2Clients(port, http2Paths);
            await().atMost(Duration.ofSeconds(30)).until(() -> http1.answered.get() > 300 && http2.answered.get() > 300);
            adapter.destroy(); // SIGTERM
            assertThat(adapter.waitFor(30, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(30)).alias("every client refused at last: HTTP/1.1 " + http1.refused
                    + " of " + http1Paths.size() + ", HTTP/2 " + http2.refused + " of " + http2Paths.size()
                    + "; lost " + http1.lost + " " + http2.lost)
                    .until(() -> http1.refused.get() == http1Paths.size() && http2.refused.get() == http2Paths.size());
            http1.close();
            http2.close();
            assertThat(http1.lost).as("HTTP/1.1 requests lost at SIGTERM (answered " + http1.answered + " on "
                    + http1.connections + " connections)").isEmpty();
            assertThat(http2.lost).as("HTTP/2 requests lost at SIGTERM (answered " + http2.answered
                    + ", refused by GOAWAY " + http2.refusedStreams + ")").isEmpty();
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(output).contains("shutting down: requests finished (0 left unanswered)")
                    .doesNotContain("Exception");
        } finally {
            adapter.destroyForcibly();
        }
    }

    /** A metric to read, and three thousand more: a /metrics scrape then takes long enough to be in flight at SIGTERM. */
    private Path manyMetrics(String more) throws Exception {
        Path config = dir.resolve("config.yaml");
        StringBuilder yaml = new StringBuilder("""
                metrics:
                  - {name: office, namespace: shop, type: cron,
                     parameters: {timezone: UTC, start: "0 0 * * *", end: "59 23 * * *", desiredReplicas: 3}}
                """);
        // Three thousand more: a /metrics scrape then takes long enough to be in flight at SIGTERM.
        for (int i = 0; i < 3_000; i++) {
            yaml.append("  - {name: m").append(i).append(", namespace: shop, type: cron, parameters: {timezone: UTC,")
                    .append(" start: \"0 8 * * *\", end: \"0 9 * * *\", desiredReplicas: 2}}\n");
        }
        Files.writeString(config, yaml.append(more));
        return config;
    }

    private Process startAdapter(Path config, int port, Path log, String shutdownDelay) throws Exception {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + dir, "-jar", System.getProperty("adapter.jar"), "--standalone",
                "--config", config.toString(), "--cert-dir", dir.resolve("certs").toString(),
                "--secure-port", Integer.toString(port), "--event-loops", "2",
                "--shutdown-delay", shutdownDelay, "--shutdown-grace-period", "5s")
                .redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    }
}
