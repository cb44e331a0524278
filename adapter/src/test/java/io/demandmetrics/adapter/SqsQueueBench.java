package io.demandmetrics.adapter;

import io.demandmetrics.scaler.sqs.testing.ElasticMq;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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
                    (System.nanoTime() - started) / 1e9, String.join(" ", BenchAdapter.JAVA_OPTS), POLL_SECONDS, observeSeconds);
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
        try (BenchAdapter adapter = BenchAdapter.start(jar, dir, config.toString())) {
            Thread.sleep(2 * POLL_SECONDS * 1000L); // warm-up
            Map<String, Double> before = adapter.scrape();
            double slowestRound = 0;
            double sumRounds = 0;
            int samples = 0;
            double peak = 0;
            for (int s = 0; s < observeSeconds; s += POLL_SECONDS) {
                Thread.sleep(POLL_SECONDS * 1000L);
                Map<String, Double> now = adapter.scrape();
                double round = now.getOrDefault("demand_adapter_sqs_last_burst_seconds", 0.0);
                slowestRound = Math.max(slowestRound, round);
                sumRounds += round;
                samples++;
                peak = Math.max(peak, now.getOrDefault("demand_adapter_sqs_calls_in_flight_peak", 0.0));
            }
            Map<String, Double> after = adapter.scrape();
            double polls = after.get("demand_adapter_poll_seconds_count") - before.get("demand_adapter_poll_seconds_count");
            double errors = after.getOrDefault("demand_adapter_poll_errors_total", 0.0)
                    - before.getOrDefault("demand_adapter_poll_errors_total", 0.0);
            double requests = after.get("demand_adapter_sqs_requests_total") - before.get("demand_adapter_sqs_requests_total");
            double rounds = polls / queues;
            String value = adapter.get("/apis/external.metrics.k8s.io/v1beta1/namespaces/bench/depth-" + (queues - 2));
            Matcher m = Pattern.compile("\"value\":\"([^\"]+)\"").matcher(value);
            System.out.printf("   %d metrics: one round of all queues: mean %.0f ms, max %.0f ms (bar: < 2000 ms); %.1f rounds,"
                    + " %.0f polls (%.0f failed); SQS requests per round %.0f = %.2f per queue (bar: exactly 1)%n", queues,
                    1000 * sumRounds / samples, 1000 * slowestRound, rounds, polls, errors, requests / rounds,
                    requests / rounds / queues);
            System.out.printf("   peak concurrent SQS calls %.0f (limit 32); heap used %.0f MiB; RSS %d MiB, peak %d MiB"
                    + " (bar: < 400 MiB); depth-%d = %s (expected %d)%n", peak,
                    after.get("jvm_memory_used_bytes_heap") / (1 << 20), adapter.procStatusMib("VmRSS"),
                    adapter.procStatusMib("VmHWM"), queues - 2, m.find() ? m.group(1) : value, (queues - 2) % 5);
        }
    }

    private static String queue(int i) {
        return String.format("queue-%04d", i);
    }
}
