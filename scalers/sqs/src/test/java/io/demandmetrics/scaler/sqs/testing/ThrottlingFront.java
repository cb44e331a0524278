package io.demandmetrics.scaler.sqs.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A front for ElasticMQ that answers SQS's throttling error (HTTP 400, RequestThrottled) to the
 * first {@code throttled} requests about one queue and passes everything else through.
 * ElasticMQ never throttles, and SQS's throttling cannot be provoked on demand: this is the one
 * stand-in among the tests, for the error only; the queues and their counts stay ElasticMQ's.
 */
public final class ThrottlingFront implements AutoCloseable {

    private final HttpServer server;
    private final HttpClient upstream;
    private final AtomicInteger throttlesLeft;
    private final AtomicInteger throttled = new AtomicInteger();

    public ThrottlingFront(Vertx vertx, ElasticMq target, String queueName, int throttles) throws Exception {
        throttlesLeft = new AtomicInteger(throttles);
        int targetPort = Integer.parseInt(target.endpoint().substring(target.endpoint().lastIndexOf(':') + 1));
        upstream = vertx.createHttpClient();
        server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            if (body.toString().contains("/" + queueName + "\"") && throttlesLeft.getAndDecrement() > 0) {
                throttled.incrementAndGet();
                request.response().setStatusCode(400)
                        .putHeader("content-type", "application/x-amz-json-1.0")
                        .putHeader("x-amzn-query-error", "RequestThrottled;Sender")
                        .end("{\"__type\":\"com.amazonaws.sqs#RequestThrottled\",\"message\":\"Rate exceeded\"}");
                return;
            }
            RequestOptions options = new RequestOptions().setMethod(HttpMethod.valueOf(request.method().name()))
                    .setHost("127.0.0.1").setPort(targetPort).setURI(request.uri()).setHeaders(request.headers());
            upstream.request(options).compose(out -> out.send(body)).onComplete(answer -> {
                if (answer.failed()) {
                    request.response().setStatusCode(502).end();
                    return;
                }
                answer.result().body().onSuccess(payload -> {
                    request.response().setStatusCode(answer.result().statusCode());
                    answer.result().headers().forEach(h -> {
                        if (!h.getKey().equalsIgnoreCase("content-length") && !h.getKey().equalsIgnoreCase("transfer-encoding")) {
                            request.response().putHeader(h.getKey(), h.getValue());
                        }
                    });
                    request.response().end(payload == null ? Buffer.buffer() : payload);
                });
            });
        })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    /** How many throttling errors it answered. */
    public int throttled() {
        return throttled.get();
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        upstream.close();
    }
}
