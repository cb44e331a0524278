package io.demandmetrics.scaler.kafka;

import io.demandmetrics.scaler.support.SharedResources;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The shared clients: one {@link ClusterPoller} (one Admin client) per cluster identity, with
 * its meters, held by the metrics that use it and closed when the last one goes. The identity
 * is the whole {@link ClusterSettings}: same servers with other credentials is another client.
 */
final class KafkaClusters {

    private static final AtomicInteger INSTANCES = new AtomicInteger();

    /** A cluster's poller and the meters that show it. */
    record SharedCluster(ClusterPoller poller, ClusterMeters meters) {
    }

    private final SharedResources<ClusterSettings, SharedCluster> clusters = new SharedResources<>(cluster -> {
        cluster.meters().remove();
        cluster.poller().close();
    });
    private final ScheduledExecutorService loop;
    private final String clientIdPrefix;
    private final AtomicInteger created = new AtomicInteger();

    KafkaClusters() {
        int instance = INSTANCES.incrementAndGet();
        clientIdPrefix = "demand-adapter-" + instance + "-";
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "kafka-lag-poller-" + instance);
            thread.setDaemon(true);
            return thread;
        });
        // The thread ends once idle, so a provider whose last metric is gone (a config change, a
        // reloaded plugin: providers are not closed) keeps none; the next cycle starts another.
        // A thread waiting for a scheduled flush is not idle: the executor keeps one while its
        // queue holds a task.
        executor.setKeepAliveTime(IDLE_SECONDS, TimeUnit.SECONDS);
        executor.allowCoreThreadTimeOut(true);
        executor.setRemoveOnCancelPolicy(true);
        loop = executor;
    }

    /** How long the poller thread outlives its last task. */
    private static final int IDLE_SECONDS = 2;

    /** A lease on the cluster's poller; release it when the metric goes. */
    SharedResources<ClusterSettings, SharedCluster>.Lease acquire(ClusterSettings settings, MeterRegistry registry) {
        return clusters.acquire(settings, users -> {
            ClusterPoller poller = new ClusterPoller(settings, loop, clientIdPrefix + created.incrementAndGet());
            return new SharedCluster(poller, new ClusterMeters(registry, poller, users, settings.describe()));
        });
    }
}
