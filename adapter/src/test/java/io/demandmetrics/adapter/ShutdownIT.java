package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

    @Test
    void sigtermUnderLoadLosesNoRequest() throws Exception {
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
        Files.writeString(config, yaml);
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Path log = dir.resolve("adapter.log");
        Process adapter = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + dir, "-jar", System.getProperty("adapter.jar"), "--standalone",
                "--config", config.toString(), "--cert-dir", dir.resolve("certs").toString(),
                "--secure-port", Integer.toString(port), "--event-loops", "2",
                "--shutdown-delay", "500ms", "--shutdown-grace-period", "5s")
                .redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(log).contains("listening on https://"));
            ShutdownLoad load = new ShutdownLoad(port, METRIC, "/metrics", TestAdapters.certFile(dir));
            await().atMost(Duration.ofSeconds(30)).until(() -> load.answered.get() > 500);
            adapter.destroy(); // SIGTERM
            assertThat(adapter.waitFor(30, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> load.refused.get() > 20);
            load.close();
            assertThat(load.lost).as("requests lost at SIGTERM (answered " + load.answered + ")").isEmpty();
            assertThat(load.notReady.get()).as("readiness failed while still serving (shutdown delay)").isPositive();
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(output).contains("shutting down: readiness fails; serving for 500ms more")
                    .containsPattern("shutting down: listening stopped; [1-9]\\d* requests in flight") // slow scrapes
                    .contains("shutting down: requests finished (0 left unanswered); closing pollers and scalers")
                    .contains("shut down")
                    .doesNotContain("Failed to register an accepted channel")
                    .doesNotContain("Exception");
        } finally {
            adapter.destroyForcibly();
        }
    }
}
