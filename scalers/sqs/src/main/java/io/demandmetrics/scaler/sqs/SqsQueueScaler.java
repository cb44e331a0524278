package io.demandmetrics.scaler.sqs;

import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.spi.ScalerContext;
import io.demandmetrics.scaler.support.SharedResources;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.net.ConnectException;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesResponse;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * One {@code aws-sqs-queue} metric: one GetQueueAttributes per poll, asking for exactly the
 * counts it adds up (and a GetQueueUrl once, for a queue given by name).
 */
final class SqsQueueScaler implements Scaler {

    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(3);

    static final String QUEUE_LABEL = "queue";

    private final SqsQueueConfig config;
    private final SharedResources<ClientSettings, SharedClient>.Lease lease;
    private final SharedClient shared;
    private final ScalerContext context;
    private final List<QueueAttributeName> attributes = new ArrayList<>();
    private volatile String queueUrl; // written on the SDK's thread once resolved, read by the next poll

    SqsQueueScaler(SqsQueueConfig config, SharedResources<ClientSettings, SharedClient>.Lease lease,
                   ScalerContext context) {
        this.config = config;
        this.lease = lease;
        this.shared = lease.resource();
        this.context = context;
        this.queueUrl = config.queue().url();
        attributes.add(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES);
        if (config.scaleOnInFlight()) {
            attributes.add(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE);
        }
        if (config.scaleOnDelayed()) {
            attributes.add(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED);
        }
    }

    /** The call may take what is left until the deadline (waiting for a call slot used some); each try at most 3 s. */
    private static void timeouts(AwsRequestOverrideConfiguration.Builder call, long deadlineNanos) {
        Duration left = Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1), deadlineNanos - System.nanoTime()));
        call.apiCallTimeout(left).apiCallAttemptTimeout(left.compareTo(ATTEMPT_TIMEOUT) < 0 ? left : ATTEMPT_TIMEOUT);
    }

    @Override
    public Future<List<Sample>> fetch() {
        Context caller = context.vertx().getOrCreateContext();
        Promise<List<Sample>> result = Promise.promise();
        shared.client(context.blockingExecutor()).onComplete(built -> {
            if (built.failed()) {
                result.fail(new IllegalStateException("cannot create the SQS client for " + shared.settings.describe()
                        + ": " + describe(built.cause())));
                return;
            }
            SqsAsyncClient client = built.result();
            long deadlineNanos = System.nanoTime() + context.sourceTimeout().toNanos();
            CompletableFuture<String> url = queueUrl != null ? CompletableFuture.completedFuture(queueUrl)
                    : shared.limiter.submit(() -> client.getQueueUrl(r -> r.queueName(config.queue().name())
                                    .overrideConfiguration(o -> timeouts(o, deadlineNanos))))
                            .thenApply(r -> r.queueUrl());
            url.thenCompose(resolved -> shared.limiter.submit(() -> client.getQueueAttributes(r -> r.queueUrl(resolved)
                            .attributeNames(attributes).overrideConfiguration(o -> timeouts(o, deadlineNanos))))
                            .thenApply(response -> {
                                queueUrl = resolved; // resolved once, then kept
                                return samples(response);
                            }))
                    .whenComplete((samples, error) -> caller.runOnContext(v -> {
                        if (error != null) {
                            result.fail(new IllegalStateException(problem(error)));
                        } else {
                            result.complete(samples);
                        }
                    }));
        });
        return result.future();
    }

    private List<Sample> samples(GetQueueAttributesResponse response) {
        Map<QueueAttributeName, String> values = response.attributes();
        long depth = 0;
        for (QueueAttributeName attribute : attributes) {
            String value = values.get(attribute);
            if (value == null) {
                throw new IllegalStateException("SQS returned no " + attribute + " for queue \"" + config.queue().name() + "\"");
            }
            try {
                depth += Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw new IllegalStateException("SQS returned " + attribute + " \"" + value + "\", which is not a count");
            }
        }
        // KEDA's activation: at or below the threshold the queue is idle.
        double served = depth <= config.activationQueueLength() ? 0 : depth;
        return List.of(Sample.of(Map.of(QUEUE_LABEL, config.queue().name()), served));
    }

    /** One line naming the queue and the cause; AWS's messages carry no secrets, ours neither. */
    private String problem(Throwable error) {
        return "queue \"" + config.queue().name() + "\" (" + shared.settings.describe() + "): " + describe(error);
    }

    static String describe(Throwable error) {
        Throwable e = error;
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof QueueDoesNotExistException) {
            return "the queue does not exist";
        }
        if (e instanceof AwsServiceException aws && aws.awsErrorDetails() != null) {
            String code = aws.awsErrorDetails().errorCode();
            String message = aws.awsErrorDetails().errorMessage();
            if (aws.statusCode() == 403 || (code != null && code.contains("AccessDenied"))) {
                return "access denied (" + code + "): " + message;
            }
            if (aws.isThrottlingException()) {
                return "throttled by SQS (" + code + ") after the SDK's retries with backoff";
            }
            return code + ": " + message;
        }
        if (e instanceof ApiCallTimeoutException) {
            return "no answer in time (endpoint down or unreachable?): " + e.getMessage();
        }
        if (e instanceof SdkClientException) {
            String message = e.getMessage() == null ? "" : e.getMessage();
            if (message.startsWith("Unable to load credentials")) {
                return "no AWS credentials: set \"roleArn\" or \"accessKeyIdFile\"/\"secretAccessKeyFile\", or give"
                        + " the pod credentials the default chain finds (IRSA or EKS Pod Identity, environment,"
                        + " profile, container or instance metadata)";
            }
            for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                if (c instanceof ConnectException) {
                    return "cannot connect (endpoint down or unreachable?): " + c.getMessage();
                }
            }
            return message;
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    @Override
    public Future<Void> close() {
        lease.release();
        return Future.succeededFuture();
    }
}
