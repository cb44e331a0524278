package io.demandmetrics.testfixtures;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A real Prometheus server (the Debian package's binary, which bin/test installs) scraping
 * static targets every second, for checking the adapter's numbers against PromQL's on the same
 * app, and for the {@code prometheus} scaler to query. Stopped by {@link #close()}.
 */
public final class PrometheusServer implements AutoCloseable {

    private Process process;
    private final int port;
    private final Path dir;
    private final HttpClient client = HttpClient.newHttpClient();

    private PrometheusServer(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    /**
     * Starts Prometheus scraping each target (host:port, path /metrics) every second, each
     * labelled {@code pod} with its key.
     */
    public static PrometheusServer start(Path dir, Map<String, Integer> podPorts) throws Exception {
        return start(dir, podPorts, "1s");
    }

    /** The same, scraping every {@code interval} (e.g. "15s", what many installations use). */
    public static PrometheusServer start(Path dir, Map<String, Integer> podPorts, String interval) throws Exception {
        StringBuilder config = new StringBuilder("""
                global: {scrape_interval: %s, evaluation_interval: %s}
                scrape_configs:
                  - job_name: app
                    static_configs:
                """.formatted(interval, interval));
        podPorts.forEach((pod, appPort) -> config.append("      - targets: [\"127.0.0.1:").append(appPort)
                .append("\"]\n        labels: {pod: ").append(pod).append("}\n"));
        return startWithConfig(dir, config.toString());
    }

    /** The instant query's vector as label value of {@code by} -> value; empty while it has no data. */
    public Map<String, Double> query(String promql, String by) throws Exception {
        return query(promql, by, null);
    }

    /** The same, evaluated at {@code at} (null: now), for comparing with a scaler that asked at that instant. */
    public Map<String, Double> query(String promql, String by, java.time.Instant at) throws Exception {
        String time = at == null ? "" : "&time=" + at.getEpochSecond() + "." + String.format("%03d",
                at.getNano() / 1_000_000);
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8) + time))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        io.vertx.core.json.JsonObject answer = new io.vertx.core.json.JsonObject(response.body());
        if (!"success".equals(answer.getString("status"))) {
            throw new IllegalStateException(promql + ": " + response.body());
        }
        Map<String, Double> values = new java.util.TreeMap<>();
        for (Object item : answer.getJsonObject("data").getJsonArray("result")) {
            io.vertx.core.json.JsonObject series = (io.vertx.core.json.JsonObject) item;
            String key = by == null ? "" : series.getJsonObject("metric").getString(by, "");
            values.put(key, Double.parseDouble(series.getJsonArray("value").getString(1)));
        }
        return values;
    }

    /**
     * Starts Prometheus with a whole config of its own (scrape configs and all); the rest as
     * {@link #start(Path, Map)}.
     */
    public static PrometheusServer startWithConfig(Path dir, String config) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Files.writeString(dir.resolve("prometheus.yml"), config);
        return new PrometheusServer(launch(dir, port), port, dir);
    }

    /**
     * Starts Prometheus with a config and a web config ({@code --web.config.file}: basic auth
     * users, TLS), the rest as {@link #startWithConfig(Path, String)}; {@link #query} does not
     * authenticate, so the caller checks readiness itself.
     */
    public static PrometheusServer startWithConfig(Path dir, String config, String webConfig) throws Exception {
        Files.writeString(dir.resolve("web.yml"), webConfig);
        return startWithConfig(dir, config);
    }

    private static Process launch(Path dir, int port) {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("prometheus",
                "--config.file=" + dir.resolve("prometheus.yml"), "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port));
        if (Files.exists(dir.resolve("web.yml"))) {
            command.add("--web.config.file=" + dir.resolve("web.yml"));
        }
        try {
            return new ProcessBuilder(command)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(
                            dir.resolve("prometheus.log").toFile())).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start prometheus (bin/test installs the Debian package): "
                    + e.getMessage(), e);
        }
    }

    /** Kills the server and waits until it is gone: its address refuses connections. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** Starts it again after {@link #kill()}, on the same address with the same data. */
    public void restart() {
        process = launch(dir, port);
    }

    /** {@code http://127.0.0.1:port}, the address to query. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** The server's process id, for CPU and memory readings from /proc. */
    public long pid() {
        return process.pid();
    }

    public boolean running() {
        return process.isAlive();
    }

    @Override
    public void close() {
        process.destroy();
    }
}
