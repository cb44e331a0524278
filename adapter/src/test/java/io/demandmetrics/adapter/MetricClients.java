package io.demandmetrics.adapter;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Clients that ask for metrics again as soon as they are answered, as an HPA controller with many
 * HPAs does, while a test changes the adapter under them: every answer that is not a 200 (or
 * not an answer) is kept as a failure, and every value served is kept per path.
 */
final class MetricClients implements AutoCloseable {

    private final ExecutorService threads;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger answered = new AtomicInteger();
    private final Set<String> failures = ConcurrentHashMap.newKeySet();
    private final Map<String, Set<String>> values = new ConcurrentHashMap<>();
    private final List<Future<?>> clients = new ArrayList<>();

    /** Starts {@code count} clients, each asking for every path in turn. */
    MetricClients(HttpClient client, Adapter adapter, int count, List<String> paths) {
        threads = Executors.newFixedThreadPool(count);
        paths.forEach(path -> values.put(path, ConcurrentHashMap.newKeySet()));
        for (int i = 0; i < count; i++) {
            clients.add(threads.submit(() -> {
                while (running.get()) {
                    for (String path : paths) {
                        try {
                            HttpResponse<String> response = TestAdapters.get(client, adapter, path);
                            if (response.statusCode() != 200) {
                                failures.add(path + " " + response.statusCode() + " " + response.body());
                            } else {
                                values.get(path).add(firstValue(response));
                            }
                            answered.incrementAndGet();
                        } catch (Exception e) {
                            failures.add(path + " " + e);
                        }
                    }
                }
            }));
        }
    }

    /** Requests answered so far, failed or not. */
    int answered() {
        return answered.get();
    }

    /** The values {@code path} was served with so far (its first item's). */
    Set<String> values(String path) {
        return values.get(path);
    }

    /** Stops the clients, waits for their last requests, and returns every failure seen. */
    Set<String> stop() throws Exception {
        running.set(false);
        for (Future<?> client : clients) {
            client.get(10, TimeUnit.SECONDS);
        }
        return failures;
    }

    @Override
    public void close() {
        running.set(false);
        threads.shutdownNow();
    }

    static String firstValue(HttpResponse<String> response) {
        return new JsonObject(response.body()).getJsonArray("items").getJsonObject(0).getString("value");
    }
}
