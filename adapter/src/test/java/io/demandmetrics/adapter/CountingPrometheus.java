package io.demandmetrics.adapter;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Prometheus query API that counts every instant query, by query: the source for tests and
 * benchmarks of who polls what. Each query is answered with a scalar, how often it has been
 * asked, so a replica serving an old reading shows it. From {@link #measureGaps()} on, it
 * records for each query the longest time between two asks.
 */
final class CountingPrometheus implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final Map<String, AtomicInteger> asked = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> lastAsked = new ConcurrentHashMap<>();
    private final AtomicLong total = new AtomicLong();
    private final AtomicBoolean measuringGaps = new AtomicBoolean();
    private final Map<String, Long> longestGap = new ConcurrentHashMap<>();
    private final Map<String, List<Long>> asks = new ConcurrentHashMap<>();

    CountingPrometheus() throws Exception {
        server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            String query = request.getParam("query") != null ? request.getParam("query") : formValue(body.toString());
            long now = System.nanoTime();
            int count = asked.computeIfAbsent(query, q -> new AtomicInteger()).incrementAndGet();
            total.incrementAndGet();
            long previous = lastAsked.computeIfAbsent(query, q -> new AtomicLong()).getAndSet(now);
            if (measuringGaps.get()) {
                asks.computeIfAbsent(query, q -> new CopyOnWriteArrayList<>()).add(now);
                if (previous > 0) {
                    longestGap.merge(query, now - previous, Math::max);
                }
            }
            request.response().putHeader("Content-Type", "application/json").end(new JsonObject()
                    .put("status", "success").put("data", new JsonObject().put("resultType", "scalar")
                            .put("result", new JsonArray().add(System.currentTimeMillis() / 1000.0)
                                    .add(Integer.toString(count)))).encode());
        })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static String formValue(String form) {
        for (String pair : form.split("&")) {
            if (pair.startsWith("query=")) {
                return URLDecoder.decode(pair.substring("query=".length()), StandardCharsets.UTF_8);
            }
        }
        return "?";
    }

    String url() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    /** How often {@code query} was asked. */
    int asked(String query) {
        AtomicInteger count = asked.get(query);
        return count == null ? 0 : count.get();
    }

    /** Every query asked, all together. */
    long total() {
        return total.get();
    }

    /** When {@code query} was last asked (nanoTime), or 0. */
    long lastAsked(String query) {
        AtomicLong last = lastAsked.get(query);
        return last == null ? 0 : last.get();
    }

    /** Every query asked so far, by query. */
    Iterable<String> queries() {
        return lastAsked.keySet();
    }

    void measureGaps() {
        measuringGaps.set(true);
    }

    /** Since {@link #measureGaps()}: when {@code query} was asked (nanoTime), in order. */
    List<Long> asks(String query) {
        return asks.getOrDefault(query, List.of());
    }

    /** Since {@link #measureGaps()}: the longest time any query went unasked, in nanoseconds. */
    long longestGap() {
        return longestGap.values().stream().mapToLong(Long::longValue).max().orElse(0);
    }

    @Override
    public void close() {
        server.close();
        vertx.close();
    }
}
