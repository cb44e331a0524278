package io.demandmetrics.scaler.kafka;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * A shared client's figures at the adapter's {@code /metrics}, tagged with the cluster's
 * bootstrap servers and the client id: cycles, their duration and requests, connections held.
 */
final class ClusterMeters {

    private final MeterRegistry registry;
    private final List<Meter> meters;

    /** @param users how many metrics use the client */
    ClusterMeters(MeterRegistry registry, ClusterPoller poller, java.util.function.IntSupplier users, String cluster) {
        this.registry = registry;
        Tags tags = Tags.of("cluster", cluster, "client", poller.clientId());
        meters = List.of(
                FunctionCounter.builder("demand_adapter_kafka_poll_cycles", poller, ClusterPoller::cycles)
                        .description("Batched poll cycles of the shared Kafka client (all metrics of the cluster in each)")
                        .tags(tags).register(registry),
                Gauge.builder("demand_adapter_kafka_last_cycle_seconds", poller, p -> p.lastCycleMillis() / 1000)
                        .description("Duration of the last poll cycle").tags(tags).register(registry),
                Gauge.builder("demand_adapter_kafka_last_cycle_requests", poller, ClusterPoller::lastCycleRequests)
                        .description("Kafka requests the last poll cycle sent").tags(tags).register(registry),
                FunctionCounter.builder("demand_adapter_kafka_requests", poller, ClusterPoller::requestsTotal)
                        .description("Kafka requests sent by the shared client").tags(tags).register(registry),
                Gauge.builder("demand_adapter_kafka_connections", poller, ClusterPoller::connections)
                        .description("Connections the shared client holds to the brokers").tags(tags).register(registry),
                Gauge.builder("demand_adapter_kafka_metrics", users, IntSupplier::getAsInt)
                        .strongReference(true) // Micrometer holds a gauge's object weakly; nothing else holds this one
                        .description("Metrics using the shared client").tags(tags).register(registry),
                FunctionCounter.builder("demand_adapter_kafka_clients_created", poller, ClusterPoller::clientsCreated)
                        .description("Admin clients created (again after refused credentials)").tags(tags)
                        .register(registry));
    }

    void remove() {
        meters.forEach(registry::remove);
    }
}
