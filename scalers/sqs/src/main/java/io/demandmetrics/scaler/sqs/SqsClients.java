package io.demandmetrics.scaler.sqs;

import io.demandmetrics.scaler.support.SharedResources;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** The shared clients, one per {@link ClientSettings}, held by the metrics using them. */
final class SqsClients {

    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final SharedResources<ClientSettings, SharedClient> clients = new SharedResources<>(SharedClient::close);
    private final String prefix = "sqs-" + INSTANCES.incrementAndGet() + "-";
    private final AtomicInteger created = new AtomicInteger();
    private final ExecutorService callThread = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "sqs-calls-" + INSTANCES.get());
        thread.setDaemon(true);
        return thread;
    });

    /** A lease on the client for these settings; release it when the metric goes. */
    SharedResources<ClientSettings, SharedClient>.Lease acquire(ClientSettings settings, MeterRegistry registry) {
        return clients.acquire(settings, users -> {
            SharedClient client = new SharedClient(settings, callThread);
            client.registerMeters(registry, prefix + created.incrementAndGet(), users);
            return client;
        });
    }
}
