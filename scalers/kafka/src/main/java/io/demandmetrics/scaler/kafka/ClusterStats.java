package io.demandmetrics.scaler.kafka;

/**
 * What one shared Admin client has done, for the benchmark and for operators.
 *
 * @param cluster the bootstrap servers
 * @param metrics how many metrics use the client
 * @param cycles poll cycles completed (each one batched over all its metrics)
 * @param lastCycleMillis how long the last cycle took
 * @param lastCycleRequests Kafka requests the last cycle sent
 * @param requestsTotal Kafka requests sent since the client was created
 * @param connections connections the client holds now
 * @param clientsCreated how many times an Admin client was created for this cluster
 */
public record ClusterStats(String cluster, int metrics, long cycles, double lastCycleMillis,
                           long lastCycleRequests, long requestsTotal, long connections, long clientsCreated) {
}
