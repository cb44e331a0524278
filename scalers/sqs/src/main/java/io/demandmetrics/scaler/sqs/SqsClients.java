package io.demandmetrics.scaler.sqs;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** The shared clients, one per {@link ClientSettings}, counted by the metrics using them. */
final class SqsClients {

    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final Map<ClientSettings, SharedClient> clients = new HashMap<>();
    private final String prefix = "sqs-" + INSTANCES.incrementAndGet() + "-";
    private int created;
    private final java.util.concurrent.ExecutorService callThread = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "sqs-calls-" + INSTANCES.get());
        thread.setDaemon(true);
        return thread;
    });

    synchronized SharedClient acquire(ClientSettings settings, MeterRegistry registry) {
        SharedClient client = clients.get(settings);
        if (client == null) {
            client = new SharedClient(settings, callThread);
            client.registerMeters(registry, prefix + (++created));
            clients.put(settings, client);
        }
        client.users++;
        return client;
    }

    synchronized void release(SharedClient client) {
        if (--client.users == 0) {
            clients.values().remove(client);
            client.close();
        }
    }

    synchronized SharedClient get(ClientSettings settings) {
        return clients.get(settings);
    }

    synchronized int size() {
        return clients.size();
    }
}
