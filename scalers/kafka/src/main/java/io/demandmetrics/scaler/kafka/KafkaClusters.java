package io.demandmetrics.scaler.kafka;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The shared clients: one {@link ClusterPoller} (one Admin client) per cluster identity,
 * counted by the metrics that use it and closed when the last one goes. The identity is the
 * whole {@link ClusterSettings}: same servers with other credentials is another client.
 */
final class KafkaClusters {

    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final Map<ClusterSettings, ClusterPoller> pollers = new HashMap<>();
    private final ScheduledExecutorService loop;
    private final String clientIdPrefix;
    private int created;

    KafkaClusters() {
        int instance = INSTANCES.incrementAndGet();
        clientIdPrefix = "demand-adapter-" + instance + "-";
        loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "kafka-lag-poller-" + instance);
            thread.setDaemon(true);
            return thread;
        });
    }

    synchronized ClusterPoller acquire(ClusterSettings settings, MeterRegistry registry) {
        ClusterPoller poller = pollers.get(settings);
        if (poller == null) {
            poller = new ClusterPoller(settings, loop, clientIdPrefix + (++created));
            poller.meters = new ClusterMeters(registry, poller, poller.clientId(), settings.describe());
            pollers.put(settings, poller);
        }
        poller.users++;
        return poller;
    }

    synchronized void release(ClusterPoller poller) {
        if (--poller.users == 0) {
            pollers.values().remove(poller);
            poller.meters.remove();
            poller.close();
        }
    }

    synchronized List<ClusterStats> stats() {
        List<ClusterStats> stats = new ArrayList<>();
        pollers.values().forEach(p -> stats.add(p.stats()));
        return stats;
    }
}
