package io.demandmetrics.scaler.sqs;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * One {@code SqsAsyncClient} for one {@link ClientSettings}, shared by every metric with those
 * settings and closed with the last of them. Built on a worker thread on first use (the SDK
 * reads profile files and may resolve credentials), never on the event loop.
 */
final class SharedClient {

    /** Calls in flight per client; the rest wait in {@link CallLimiter}. */
    static final int MAX_CONCURRENT_CALLS = 32;
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(8);
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(3);

    final ClientSettings settings;
    final CallLimiter limiter;
    private Future<SqsAsyncClient> client;
    private StsClient sts;
    private List<Meter> meters = List.of();
    private MeterRegistry registry;

    SharedClient(ClientSettings settings, java.util.concurrent.Executor callThread) {
        this.settings = settings;
        this.limiter = new CallLimiter(MAX_CONCURRENT_CALLS, callThread);
    }

    synchronized Future<SqsAsyncClient> client(WorkerExecutor worker) {
        if (client == null || client.failed()) {
            client = worker.executeBlocking(this::build, false);
        }
        return client;
    }

    private SqsAsyncClient build() {
        AwsCredentialsProvider credentials = credentials();
        // Resolved here, on a worker: the first resolution may call STS or instance metadata and
        // block. Afterwards the providers serve cached credentials and refresh them ahead of expiry.
        credentials.resolveCredentials();
        var builder = SqsAsyncClient.builder()
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials)
                .httpClientBuilder(NettyNioAsyncHttpClient.builder()
                        .maxConcurrency(MAX_CONCURRENT_CALLS)
                        .connectionTimeout(Duration.ofSeconds(2)))
                // Standard retries: throttling (RequestThrottled, ThrottlingException) and 5xx are
                // retried with exponential backoff and full jitter, within the call timeout.
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryStrategy(RetryMode.STANDARD)
                        .apiCallTimeout(CALL_TIMEOUT)
                        .apiCallAttemptTimeout(ATTEMPT_TIMEOUT)
                        .build());
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint());
        }
        return builder.build();
    }

    private AwsCredentialsProvider credentials() {
        AwsCredentialsProvider base;
        if (settings.accessKeyIdFile() != null) {
            base = new KeyFileCredentials(settings.accessKeyIdFile(), settings.secretAccessKeyFile(),
                    settings.sessionTokenFile());
        } else {
            // Environment, profile, web identity token (IRSA), EKS Pod Identity and container
            // credentials, instance metadata: the SDK's chain.
            base = DefaultCredentialsProvider.builder().build();
        }
        if (settings.roleArn() == null) {
            return base;
        }
        sts = StsClient.builder().region(Region.of(settings.region())).credentialsProvider(base)
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        // Refreshes before the session expires, in the background.
        return StsAssumeRoleCredentialsProvider.builder().stsClient(sts).asyncCredentialUpdateEnabled(true)
                .refreshRequest(r -> r.roleArn(settings.roleArn()).roleSessionName("demand-metrics-adapter"))
                .build();
    }

    /** @param users how many metrics use this client */
    void registerMeters(MeterRegistry meterRegistry, String clientId, java.util.function.IntSupplier users) {
        registry = meterRegistry;
        Tags tags = Tags.of("client", clientId, "region", settings.region(),
                "endpoint", settings.endpoint() == null ? "" : settings.endpoint().toString());
        meters = List.of(
                FunctionCounter.builder("demand_adapter_sqs_requests", limiter, CallLimiter::calls)
                        .description("SQS calls made by the shared client (GetQueueAttributes, GetQueueUrl)")
                        .tags(tags).register(registry),
                Gauge.builder("demand_adapter_sqs_calls_in_flight", limiter, CallLimiter::running)
                        .description("SQS calls in flight (at most " + MAX_CONCURRENT_CALLS + ")").tags(tags).register(registry),
                Gauge.builder("demand_adapter_sqs_last_burst_seconds", limiter, CallLimiter::lastBurstSeconds)
                        .description("Duration of the last burst of calls (polls fall on the same instants: one round"
                                + " of every queue of the client)").tags(tags).register(registry),
                Gauge.builder("demand_adapter_sqs_calls_in_flight_peak", limiter, CallLimiter::takePeak)
                        .description("Most SQS calls in flight at once since the previous scrape").tags(tags)
                        .register(registry),
                Gauge.builder("demand_adapter_sqs_calls_waiting", limiter, CallLimiter::waiting)
                        .description("SQS calls waiting for a slot").tags(tags).register(registry),
                Gauge.builder("demand_adapter_sqs_metrics", users, java.util.function.IntSupplier::getAsInt)
                        .strongReference(true) // Micrometer holds a gauge's object weakly; nothing else holds this one
                        .description("Metrics using the shared client").tags(tags).register(registry));
    }

    /** Closes in the background: the SDK's Netty shutdown waits out a quiet period of seconds. */
    synchronized void close() {
        meters.forEach(registry::remove);
        Future<SqsAsyncClient> closing = client;
        StsClient closingSts = sts;
        Thread closer = new Thread(() -> {
            if (closing != null) {
                closing.onSuccess(SqsAsyncClient::close);
            }
            if (closingSts != null) {
                closingSts.close();
            }
        }, "sqs-client-close");
        closer.setDaemon(true);
        closer.start();
    }
}
