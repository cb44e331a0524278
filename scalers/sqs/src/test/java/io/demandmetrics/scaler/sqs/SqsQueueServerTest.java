package io.demandmetrics.scaler.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.demandmetrics.scaler.sqs.testing.ElasticMq;
import io.demandmetrics.scaler.sqs.testing.ErrorFront;
import io.vertx.core.Future;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * aws-sqs-queue against ElasticMQ: queue "jobs" holds 3 visible messages, 2 in flight
 * (received, not deleted) and 4 delayed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SqsQueueServerTest {

    private static final String REQUESTS = "demand_adapter_sqs_requests";
    private static final String PEAK = "demand_adapter_sqs_calls_in_flight_peak";

    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    @TempDir
    static Path dir;
    private ElasticMq mq;
    private SqsScalerRun run;
    private String jobsUrl;
    /** Keeps the shared client open across tests, as a running adapter does (a new one takes ~2 s to start). */
    private SqsScalerRun.Metric anchor;

    @BeforeAll
    void start() throws Exception {
        mq = ElasticMq.start();
        jobsUrl = fill(mq);
        run = new SqsScalerRun();
        anchor = run.metric(params());
    }

    private static String fill(ElasticMq mq) {
        return mq.createQueue("jobs", 3, 2, 4);
    }

    @AfterAll
    void stop() {
        anchor.close();
        run.close();
        mq.close();
    }

    private Map<String, Object> params(Object... kv) {
        Map<String, Object> p = new HashMap<>(Map.of("queueURL", jobsUrl, "awsRegion", "us-east-1",
                "awsEndpoint", mq.endpoint(), "accessKeyIdFile", file("id", "AKIAEXAMPLE"), "secretAccessKeyFile",
                file("secret", SECRET)));
        for (int i = 0; i < kv.length; i += 2) {
            p.put((String) kv[i], kv[i + 1]);
        }
        return p;
    }

    private static String file(String name, String content) {
        try {
            Path file = dir.resolve(name);
            Files.writeString(file, content + "\n");
            return file.toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "scaleOnInFlight={0}, scaleOnDelayed={1}: {2}")
    @CsvSource({"true, false, 5", "false, false, 3", "true, true, 9", "false, true, 7"})
    void everyFlagCombination(boolean inFlight, boolean delayed, double expected) throws Exception {
        assertThat(run.value(params("scaleOnInFlight", inFlight, "scaleOnDelayed", delayed))).isEqualTo(expected);
    }

    @Test
    void byNameTheUrlIsLookedUpOnceAndTheSeriesIsLabelled() throws Exception {
        SqsScalerRun.Metric metric = run.metric(params("queueURL", "jobs"));
        assertThat(metric.fetch()).singleElement().satisfies(s -> {
            assertThat(s.value()).isEqualTo(5);
            assertThat(s.labels()).isEqualTo(Map.of("queue", "jobs"));
        });
        double calls = run.meter(REQUESTS, mq.endpoint());
        metric.fetch();
        metric.fetch();
        assertThat(run.meter(REQUESTS, mq.endpoint()) - calls).isEqualTo(2); // GetQueueAttributes only: the URL was kept
        metric.close();
    }

    @ParameterizedTest(name = "activationQueueLength {0} -> {1}")
    @CsvSource({"5, 0", "4, 5", "0, 5"})
    void activation(long activation, double served) throws Exception {
        assertThat(run.value(params("activationQueueLength", activation))).isEqualTo(served);
    }

    @Test
    void aMissingQueueIsAClearErrorOnItsMetricOnly() throws Exception {
        SqsScalerRun.Metric missingByName = run.metric(params("queueURL", "no-such-queue"));
        SqsScalerRun.Metric missingByUrl = run.metric(params("queueURL", mq.endpoint() + "/000000000000/gone"));
        SqsScalerRun.Metric fine = run.metric(params());
        String where = " (" + mq.endpoint() + " (region us-east-1)): the queue does not exist";
        assertThat(missingByName.failure()).isEqualTo("queue \"no-such-queue\"" + where);
        assertThat(missingByUrl.failure()).isEqualTo("queue \"gone\"" + where);
        assertThat(fine.value()).isEqualTo(5);
        List.of(missingByName, missingByUrl, fine).forEach(SqsScalerRun.Metric::close);
    }

    @Test
    void oneRequestPerQueuePerPollWithBoundedConcurrency() throws Exception {
        List<SqsScalerRun.Metric> metrics = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            metrics.add(run.metric(params()));
        }
        for (int round = 0; round < 3; round++) {
            double before = run.meter(REQUESTS, mq.endpoint());
            run.meter(PEAK, mq.endpoint()); // a scrape reads and resets the peak
            List<Future<?>> polls = new ArrayList<>();
            metrics.forEach(m -> polls.add(m.scaler().fetch()));
            Future.all(polls).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(run.meter(REQUESTS, mq.endpoint()) - before).isEqualTo(100);
            assertThat(run.meter(PEAK, mq.endpoint())).isBetween(1.0, (double) SharedClient.MAX_CONCURRENT_CALLS);
        }
        assertThat(run.clients()).isEqualTo(1); // 101 metrics, one client
        assertThat(run.meter("demand_adapter_sqs_metrics", mq.endpoint())).isEqualTo(101);
        metrics.forEach(SqsScalerRun.Metric::close);
    }

    @Test
    void anEndpointThatGoesDownFailsThePollAndRecoversWithoutRestart() throws Exception {
        try (ElasticMq other = ElasticMq.start()) {
            String url = fill(other);
            SqsScalerRun.Metric metric = run.metric(params("queueURL", url, "awsEndpoint", other.endpoint()));
            assertThat(metric.value()).isEqualTo(5);
            other.stop();
            assertThat(metric.failure()).startsWith("queue \"jobs\" (" + other.endpoint() + " (region us-east-1)):"
                    + " cannot connect (endpoint down or unreachable?)");
            other.restart();
            fill(other); // ElasticMQ keeps queues in memory: the restarted server has them again once refilled
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).untilAsserted(() ->
                    assertThat(metric.value()).isEqualTo(5));
            assertThat(run.meter("demand_adapter_sqs_metrics", other.endpoint())).isEqualTo(1);
            metric.close(); // its last user: the client is closed, its meters go
            assertThat(run.meter("demand_adapter_sqs_metrics", other.endpoint())).isNull();
        }
    }

    @Test
    void aThrottledQueueIsRetriedWithBackoffAndFailsNoOtherQueue() throws Exception {
        try (SqsClient sqs = mq.client()) {
            sqs.createQueue(r -> r.queueName("busy"));
            sqs.createQueue(r -> r.queueName("calm"));
        }
        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
        try (ErrorFront front = ErrorFront.throttling(vertx, mq, "busy", 2)) {
            SqsScalerRun.Metric busy = run.metric(params("queueURL", mq.endpoint() + "/000000000000/busy",
                    "awsEndpoint", front.endpoint()));
            SqsScalerRun.Metric calm = run.metric(params("queueURL", mq.endpoint() + "/000000000000/calm",
                    "awsEndpoint", front.endpoint()));
            Future<List<io.demandmetrics.scaler.spi.Sample>> busyPoll = busy.scaler().fetch();
            assertThat(calm.value()).isZero();              // polled while busy is being retried
            assertThat(busyPoll.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS).get(0).value()).isZero();
            assertThat(front.errorsAnswered()).isEqualTo(2);     // two throttles, then the SDK's third attempt succeeded
            busy.close();
            calm.close();
        } finally {
            vertx.close();
        }
    }

    @Test
    void deniedAccessIsAClearErrorOnItsMetricOnly() throws Exception {
        try (SqsClient sqs = mq.client()) {
            sqs.createQueue(r -> r.queueName("payroll"));
        }
        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
        try (ErrorFront front = ErrorFront.accessDenied(vertx, mq, "payroll")) {
            SqsScalerRun.Metric denied = run.metric(params("queueURL", mq.endpoint() + "/000000000000/payroll",
                    "awsEndpoint", front.endpoint()));
            SqsScalerRun.Metric allowed = run.metric(params("awsEndpoint", front.endpoint()));
            assertThat(denied.failure()).isEqualTo("queue \"payroll\" (" + front.endpoint() + " (region us-east-1)):"
                    + " access denied (AccessDenied): User: arn:aws:sts::123456789012:assumed-role/scaler/demand is not"
                    + " authorized to perform: sqs:getqueueattributes on resource: arn:aws:sqs:eu-west-1:123456789012:payroll");
            assertThat(front.errorsAnswered()).isEqualTo(1); // not retried: a refusal is not transient
            assertThat(allowed.value()).isEqualTo(5);
            denied.close();
            allowed.close();
        } finally {
            vertx.close();
        }
    }

    @Test
    void staticKeysComeFromFilesAndNeverShow() throws Exception {
        PrintStream originalErr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        String failure;
        try {
            SqsScalerRun.Metric metric = run.metric(params("queueURL", "missing-" + System.nanoTime()));
            failure = metric.failure();
            assertThat(metric.config().toString()).doesNotContain(SECRET);
            metric.close();
        } finally {
            System.setErr(originalErr);
        }
        assertThat(failure).contains("the queue does not exist").doesNotContain(SECRET).doesNotContain("AKIAEXAMPLE");
        assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain(SECRET);
    }

    /** A rotated Secret: the key files change under a running client, and the new keys sign the next calls. */
    @Test
    void rotatedKeyFilesAreUsedWithoutRestart(@org.junit.jupiter.api.io.TempDir java.nio.file.Path keys)
            throws Exception {
        java.nio.file.Path id = keys.resolve("id");
        java.nio.file.Path secret = keys.resolve("secret");
        java.nio.file.Files.writeString(id, "AKIAOLDKEY");
        java.nio.file.Files.writeString(secret, "old-secret");
        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
        try (ErrorFront front = ErrorFront.passThrough(vertx, mq)) {
            SqsScalerRun.Metric metric = run.metric(params("awsEndpoint", front.endpoint(),
                    "accessKeyIdFile", id.toString(), "secretAccessKeyFile", secret.toString()));
            metric.value();
            assertThat(front.accessKeys()).containsExactly("AKIAOLDKEY");
            java.nio.file.Files.writeString(id, "AKIANEWKEY");
            java.nio.file.Files.writeString(secret, "new-secret");
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> {
                metric.value();
                return front.accessKeys().contains("AKIANEWKEY");
            });
            metric.close();
        } finally {
            vertx.close();
        }
    }

    /** The SDK's call timeout follows the metric's, so its own error, not "the poll timed out", answers. */
    @Test
    void anEndpointThatNeverAnswersFailsWithinThePollTimeout() throws Exception {
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0)) {
            Thread acceptor = new Thread(() -> {
                java.util.List<java.net.Socket> held = new java.util.ArrayList<>();
                while (!silent.isClosed()) {
                    try {
                        held.add(silent.accept()); // accepted, never answered
                    } catch (java.io.IOException closed) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            SqsScalerRun.Metric metric = run.metric(params("queueURL", "jobs", "awsEndpoint",
                    "http://127.0.0.1:" + silent.getLocalPort()), java.time.Duration.ofSeconds(1));
            assertThat(metric.failure()).contains("no answer in time (endpoint down or unreachable?)")
                    .containsPattern("timeout configuration: [5-8]\\d\\d millis"); // what is left of 800 ms
            metric.close();
        }
    }

    @Test
    void missingCredentialsSayWhereTheyCanComeFrom() throws Exception {
        // No instance metadata here: without this the chain waits for its timeouts. Restored below.
        String metadataBefore = System.setProperty("aws.disableEc2Metadata", "true");
        try {
            Map<String, Object> p = params();
            p.remove("accessKeyIdFile");
            p.remove("secretAccessKeyFile");
            SqsScalerRun.Metric metric = run.metric(p);
            assertThat(metric.failure()).isEqualTo("cannot create the SQS client for " + mq.endpoint() + " (region us-east-1):"
                    + " no AWS credentials: set \"roleArn\" or \"accessKeyIdFile\"/\"secretAccessKeyFile\", or give the pod"
                    + " credentials the default chain finds (IRSA or EKS Pod Identity, environment, profile, container or"
                    + " instance metadata)");
            metric.close();
        } finally {
            if (metadataBefore == null) {
                System.clearProperty("aws.disableEc2Metadata");
            } else {
                System.setProperty("aws.disableEc2Metadata", metadataBefore);
            }
        }
    }

}
