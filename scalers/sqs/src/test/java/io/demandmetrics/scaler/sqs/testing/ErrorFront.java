package io.demandmetrics.scaler.sqs.testing;

import io.demandmetrics.scaler.support.ClientExchange;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A front for ElasticMQ that answers an SQS error (throttling, access denied) to the first
 * {@code times} requests about one queue and passes everything else through. ElasticMQ never
 * throttles or denies, and SQS cannot be made to on demand: this is the one stand-in among
 * the tests, for the error only; the queues and their counts stay ElasticMQ's.
 */
public final class ErrorFront implements AutoCloseable {

    private final HttpServer server;
    private final HttpClient upstream;
    private final AtomicInteger errorsLeft;
    private final AtomicInteger answered = new AtomicInteger();
    private final java.util.Set<String> accessKeys = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** SQS's throttling error, {@code times} times. */
    public static ErrorFront throttling(Vertx vertx, ElasticMq target, String queueName, int times) throws Exception {
        return new ErrorFront(vertx, target, queueName, times, 400, "RequestThrottled", "Rate exceeded");
    }

    /** No errors: passes every request on, noting the access key id that signed it. */
    public static ErrorFront passThrough(Vertx vertx, ElasticMq target) throws Exception {
        return new ErrorFront(vertx, target, "", 0, 500, "", "");
    }

    /** IAM's refusal, every time. */
    public static ErrorFront accessDenied(Vertx vertx, ElasticMq target, String queueName) throws Exception {
        return new ErrorFront(vertx, target, queueName, Integer.MAX_VALUE, 403, "AccessDenied",
                "User: arn:aws:sts::123456789012:assumed-role/scaler/demand is not authorized to perform:"
                        + " sqs:getqueueattributes on resource: arn:aws:sqs:eu-west-1:123456789012:" + queueName);
    }

    private ErrorFront(Vertx vertx, ElasticMq target, String queueName, int times, int status, String code,
                       String message) throws Exception {
        errorsLeft = new AtomicInteger(times);
        int targetPort = Integer.parseInt(target.endpoint().substring(target.endpoint().lastIndexOf(':') + 1));
        upstream = vertx.createHttpClient();
        server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            String authorization = request.getHeader("Authorization");
            if (authorization != null && authorization.contains("Credential=")) { // SigV4: Credential=KEYID/date/...
                String credential = authorization.substring(authorization.indexOf("Credential=") + 11);
                accessKeys.add(credential.substring(0, credential.indexOf('/')));
            }
            if (body.toString().contains("/" + queueName + "\"") && errorsLeft.getAndDecrement() > 0) {
                answered.incrementAndGet();
                request.response().setStatusCode(status)
                        .putHeader("content-type", "application/x-amz-json-1.0")
                        .putHeader("x-amzn-query-error", code + ";Sender")
                        .end("{\"__type\":\"com.amazonaws.sqs#" + code + "\",\"message\":\"" + message + "\"}");
                return;
            }
            RequestOptions options = new RequestOptions().setMethod(HttpMethod.valueOf(request.method().name()))
                    .setHost("127.0.0.1").setPort(targetPort).setURI(request.uri()).setHeaders(request.headers());
            ClientExchange.send(upstream, options, body, answer -> answer.body().map(payload -> {
                request.response().setStatusCode(answer.statusCode());
                answer.headers().forEach(h -> {
                    if (!h.getKey().equalsIgnoreCase("content-length") && !h.getKey().equalsIgnoreCase("transfer-encoding")) {
                        request.response().putHeader(h.getKey(), h.getValue());
                    }
                });
                request.response().end(payload == null ? Buffer.buffer() : payload);
                return payload;
            })).onFailure(failed -> request.response().setStatusCode(502).end());
        })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    /** The access key ids that signed the requests so far. */
    public java.util.Set<String> accessKeys() {
        return java.util.Set.copyOf(accessKeys);
    }

    /** How many errors it answered. */
    public int errorsAnswered() {
        return answered.get();
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        upstream.close();
    }
}
