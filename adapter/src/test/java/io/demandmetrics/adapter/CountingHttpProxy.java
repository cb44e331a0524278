package io.demandmetrics.adapter;

import io.demandmetrics.scaler.support.ClientExchange;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * An HTTP proxy in front of a real server (ElasticMQ, say) that counts the requests passing
 * through it by a key the test derives from each request and its body (the SQS action and
 * queue), so a test counts a source's calls where they arrive.
 */
final class CountingHttpProxy implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

    /** @param key what a request counts as, or null for a request not counted */
    CountingHttpProxy(String target, BiFunction<HttpServerRequest, Buffer, String> key) throws Exception {
        URI upstream = URI.create(target);
        HttpClient client = vertx.createHttpClient();
        server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            String counted = key.apply(request, body);
            if (counted != null) {
                counts.computeIfAbsent(counted, k -> new AtomicInteger()).incrementAndGet();
            }
            RequestOptions options = new RequestOptions().setMethod(request.method()).setHost(upstream.getHost())
                    .setPort(upstream.getPort()).setURI(request.uri());
            request.headers().forEach((name, value) -> {
                if (!name.equalsIgnoreCase("Host") && !name.equalsIgnoreCase("Content-Length")) {
                    options.addHeader(name, value);
                }
            });
            ClientExchange.send(client, options, body, answer -> answer.body()
                    .map(bytes -> {
                        relay(request, answer, bytes);
                        return null;
                    })).onFailure(e -> request.response().setStatusCode(502).end(e.toString()));
        })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static void relay(HttpServerRequest request, HttpClientResponse answer, Buffer bytes) {
        request.response().setStatusCode(answer.statusCode());
        answer.headers().forEach((name, value) -> {
            if (!name.equalsIgnoreCase("Content-Length") && !name.equalsIgnoreCase("Transfer-Encoding")
                    && !name.equalsIgnoreCase("Connection")) {
                request.response().putHeader(name, value);
            }
        });
        request.response().end(bytes);
    }

    String url() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    /** Requests counted as {@code key} so far. */
    int count(String key) {
        AtomicInteger count = counts.get(key);
        return count == null ? 0 : count.get();
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
