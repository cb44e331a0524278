package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM under load, on the real jar: readiness fails first, listening stops, requests in
 * flight are answered, one log line per step.
 *
 * <p>What counts as never in flight, from the client's side: a connection refused (nothing
 * listens any more), a TLS handshake the server ended (a connection still in the kernel's
 * accept queue when listening stopped: no request was sent on it), and an HTTP/2 request
 * failed by the GOAWAY that starts the graceful shutdown. RFC 9113 says streams above the
 * GOAWAY's last stream id were not processed and may be retried, which Go's client (the
 * aggregator's) does; JDK 17's client fails every open stream instead (JDK-8335181). The
 * server's own count settles it: the shutdown log says how many routed requests were left
 * unanswered, and it must be 0. Any other client failure is a lost request.
 */
class ShutdownIT {

    private static final String METRIC = "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/office";

    @TempDir
    Path dir;

    @Test
    void sigtermUnderLoadLosesNoRequest() throws Exception {
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, """
                metrics:
                  - {name: office, namespace: shop, type: cron,
                     parameters: {timezone: UTC, start: "0 0 * * *", end: "59 23 * * *", desiredReplicas: 3}}
                """);
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
        ExecutorService load = Executors.newFixedThreadPool(8);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger notReady = new AtomicInteger();
        AtomicInteger goaway = new AtomicInteger();
        Map<String, Integer> lost = new ConcurrentHashMap<>();
        try {
            Path cert = TestAdapters.certFile(dir);
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(log).contains("listening on https://"));
            List<Future<?>> clients = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                HttpClient client = HttpClient.newBuilder().sslContext(TestAdapters.sslContext(cert, null))
                        .version(i % 2 == 0 ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1).build();
                String path = i == 7 ? "/readyz" : METRIC; // one client watches readiness, as the kubelet does
                clients.add(load.submit(() -> {
                    while (running.get()) {
                        try {
                            HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                                    URI.create("https://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
                                    .build(), HttpResponse.BodyHandlers.ofString());
                            if (response.statusCode() == 200) {
                                answered.incrementAndGet();
                            } else if (path.equals("/readyz") && response.statusCode() == 503) {
                                notReady.incrementAndGet();
                            } else {
                                lost.merge(response.statusCode() + " " + response.body(), 1, Integer::sum);
                            }
                        } catch (ConnectException | javax.net.ssl.SSLHandshakeException e) {
                            refused.incrementAndGet(); // not listening any more: never in flight
                        } catch (IOException e) {
                            if (String.valueOf(e.getMessage()).endsWith("GOAWAY received")) {
                                goaway.incrementAndGet();
                            } else {
                                lost.merge(e.toString(), 1, Integer::sum);
                            }
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> answered.get() > 500);
            adapter.destroy(); // SIGTERM
            assertThat(adapter.waitFor(30, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> refused.get() > 20);
            running.set(false);
            for (Future<?> client : clients) {
                client.get(30, TimeUnit.SECONDS);
            }
            assertThat(lost).as("requests lost at SIGTERM (answered " + answered + ")").isEmpty();
            assertThat(notReady.get()).as("readiness failed while still serving (shutdown delay)").isPositive();
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(output).contains("shutting down: readiness fails; serving for 500ms more")
                    .contains("shutting down: listening stopped;")
                    .contains("shutting down: requests finished (0 left unanswered); closing pollers and scalers")
                    .contains("shut down")
                    .doesNotContain("Failed to register an accepted channel")
                    .doesNotContain("Exception");
        } finally {
            running.set(false);
            load.shutdownNow();
            adapter.destroyForcibly();
        }
    }
}
