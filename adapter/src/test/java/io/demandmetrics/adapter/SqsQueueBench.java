package io.demandmetrics.adapter;

import io.demandmetrics.scaler.sqs.testing.ElasticMq;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Benchmark (prints figures, asserts nothing): aws-sqs-queue at 1,000 queues. ElasticMQ runs in
 * this JVM; the adapter jar runs as its own process with one metric per queue, as in
 * production. Read from its /metrics and /proc: how long one poll round of all queues takes
 * (polls start on the same interval instant: the client's burst of calls), SQS requests per round, peak
 * concurrent calls, heap and RSS.
 *
 * <p>Run by {@code bench/run}; alone: {@code bench/sqs-queue}.
 */
public final class SqsQueueBench {

    private static final int POLL_SECONDS = 5;
    private static final String[] JAVA_OPTS = {"-XX:+UseSerialGC", "-Xms64m", "-Xmx160m",
        "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=40"};

    private SqsQueueBench() {
    }

    public static void main(String[] args) throws Exception {
        int queues = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int observeSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        Path jar = Path.of(System.getProperty("adapter.jar", "adapter/target/demand-adapter.jar"));
        Path work = Files.createTempDirectory("sqs-bench");
        try (ElasticMq mq = ElasticMq.start(); SqsClient sqs = mq.client()) {
            long started = System.nanoTime();
            for (int i = 0; i < queues; i++) {
                String name = queue(i);
                String url = sqs.createQueue(r -> r.queueName(name)).queueUrl();
                for (int m = 0; m < i % 5; m++) {
                    sqs.sendMessage(r -> r.queueUrl(url).messageBody("job"));
                }
            }
            System.out.printf("5. aws-sqs-queue: ElasticMQ (in the benchmark's JVM) with %d queues, filled in %.0f s;"
                    + " adapter jar as its own process (%s), pollInterval %ds, %d s observed%n", queues,
                    (System.nanoTime() - started) / 1e9, String.join(" ", JAVA_OPTS), POLL_SECONDS, observeSeconds);
            run(jar, work, mq, queues, observeSeconds);
        }
    }

    private static void run(Path jar, Path work, ElasticMq mq, int queues, int observeSeconds) throws Exception {
        Path dir = Files.createTempDirectory(work, "adapter");
        Files.writeString(dir.resolve("id"), "bench-key-id\n");
        Files.writeString(dir.resolve("secret"), "bench-secret\n");
        StringBuilder config = new StringBuilder("metrics:\n");
        for (int i = 0; i < queues; i++) {
            config.append("  - name: depth-").append(i).append("\n    namespace: bench\n    type: aws-sqs-queue\n")
                    .append("    pollInterval: ").append(POLL_SECONDS).append("s\n    parameters: {queueURL: \"")
                    .append(mq.endpoint()).append("/000000000000/").append(queue(i)).append("\", awsRegion: eu-west-1,")
                    .append(" awsEndpoint: \"").append(mq.endpoint()).append("\", accessKeyIdFile: \"").append(dir.resolve("id"))
                    .append("\", secretAccessKeyFile: \"").append(dir.resolve("secret")).append("\"}\n");
        }
        Path configFile = dir.resolve("config.yaml");
        Files.writeString(configFile, config);
        int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of(JAVA_OPTS));
        command.addAll(List.of("-Djava.io.tmpdir=" + dir, "-jar", jar.toString(), "--standalone", "--config",
                configFile.toString(), "--cert-dir", dir.resolve("certs").toString(), "--secure-port",
                Integer.toString(port), "--event-loops", "1"));
        Process adapter = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("adapter.log").toFile()).start();
        try {
            String base = "https://127.0.0.1:" + port;
            HttpClient client = awaitReady(adapter, dir, base);
            Thread.sleep(2 * POLL_SECONDS * 1000L); // warm-up
            Map<String, Double> before = scrape(client, base);
            double slowestRound = 0;
            double sumRounds = 0;
            int samples = 0;
            double peak = 0;
            for (int s = 0; s < observeSeconds; s += POLL_SECONDS) {
                Thread.sleep(POLL_SECONDS * 1000L);
                Map<String, Double> now = scrape(client, base);
                double round = now.getOrDefault("demand_adapter_sqs_last_burst_seconds", 0.0);
                slowestRound = Math.max(slowestRound, round);
                sumRounds += round;
                samples++;
                peak = Math.max(peak, now.getOrDefault("demand_adapter_sqs_calls_in_flight_peak", 0.0));
            }
            Map<String, Double> after = scrape(client, base);
            double polls = after.get("demand_adapter_poll_seconds_count") - before.get("demand_adapter_poll_seconds_count");
            double errors = after.getOrDefault("demand_adapter_poll_errors_total", 0.0)
                    - before.getOrDefault("demand_adapter_poll_errors_total", 0.0);
            double requests = after.get("demand_adapter_sqs_requests_total") - before.get("demand_adapter_sqs_requests_total");
            double rounds = polls / queues;
            String value = get(client, base + "/apis/external.metrics.k8s.io/v1beta1/namespaces/bench/depth-" + (queues - 2)).body();
            Matcher m = Pattern.compile("\"value\":\"([^\"]+)\"").matcher(value);
            long pid = adapter.pid();
            System.out.printf("   %d metrics: one round of all queues: mean %.0f ms, max %.0f ms (bar: < 2000 ms); %.1f rounds,"
                    + " %.0f polls (%.0f failed); SQS requests per round %.0f = %.2f per queue (bar: exactly 1)%n", queues,
                    1000 * sumRounds / samples, 1000 * slowestRound, rounds, polls, errors, requests / rounds, requests / rounds / queues);
            System.out.printf("   peak concurrent SQS calls %.0f (limit 32); heap used %.0f MiB; RSS %d MiB, peak %d MiB"
                    + " (bar: < 400 MiB); depth-%d = %s (expected %d)%n", peak,
                    after.get("jvm_memory_used_bytes_heap") / (1 << 20), status(pid, "VmRSS"), status(pid, "VmHWM"),
                    queues - 2, m.find() ? m.group(1) : value, (queues - 2) % 5);
        } finally {
            adapter.destroy();
            adapter.waitFor(20, TimeUnit.SECONDS);
        }
    }

    private static HttpClient awaitReady(Process adapter, Path dir, String base) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        Path cert = dir.resolve("certs").resolve(io.demandmetrics.adapter.tls.SelfSignedCertificate.CERT_FILE);
        while (true) {
            if (!adapter.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("the adapter did not start:\n" + Files.readString(dir.resolve("adapter.log")));
            }
            if (Files.exists(cert)) {
                HttpClient candidate = HttpClient.newBuilder().sslContext(TestAdapters.sslContext(cert, null))
                        .connectTimeout(Duration.ofSeconds(5)).build();
                try {
                    if (get(candidate, base + "/readyz").statusCode() == 200) {
                        return candidate;
                    }
                } catch (java.io.IOException notYet) {
                    // still starting
                }
            }
            Thread.sleep(200);
        }
    }

    private static HttpResponse<String> get(HttpClient client, String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Sums each family over its label sets; a _max family takes the maximum; heap: area="heap" only. */
    private static Map<String, Double> scrape(HttpClient client, String base) throws Exception {
        Map<String, Double> values = new HashMap<>();
        for (String line : get(client, base + "/metrics").body().split("\n")) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            int brace = line.indexOf('{');
            String name = line.substring(0, brace > 0 ? brace : line.indexOf(' '));
            if (name.equals("jvm_memory_used_bytes")) {
                if (!line.contains("area=\"heap\"")) {
                    continue;
                }
                name = "jvm_memory_used_bytes_heap";
            }
            double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            values.merge(name, value, name.endsWith("_max") || name.endsWith("_peak") ? Math::max : Double::sum);
        }
        return values;
    }

    private static long status(long pid, String field) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }

    private static String queue(int i) {
        return String.format("queue-%04d", i);
    }
}
