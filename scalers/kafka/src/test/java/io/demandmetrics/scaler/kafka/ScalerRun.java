package io.demandmetrics.scaler.kafka;

import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.testkit.ScalerCalls;
import io.demandmetrics.scaler.testkit.TestScalerContext;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;

/** Drives kafka-lag scalers as the adapter does: create, fetch, combine, close. */
final class ScalerRun implements AutoCloseable {

    final KafkaLagScalerProvider provider = new KafkaLagScalerProvider();
    /** The meters the scalers register, as the adapter's /metrics shows them. */
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final Vertx vertx = Vertx.vertx();

    /** A metric's scaler and config. */
    record Metric(KafkaLagConfig config, Scaler scaler, KafkaLagScalerProvider provider) {

        List<Sample> fetch() throws Exception {
            return ScalerCalls.fetch(scaler);
        }

        /** What the HPA reads with no selector. */
        double value() throws Exception {
            return provider.combine(config, fetch(), false).get(0).value();
        }

        /** The failure message of a fetch that must fail. */
        String failure() throws Exception {
            return ScalerCalls.failureOf(scaler);
        }

        void close() {
            scaler.close();
        }
    }

    Metric metric(Map<String, Object> parameters) throws Exception {
        return metric(parameters, java.time.Duration.ofSeconds(6));
    }

    /** A metric whose poll timeout is {@code pollTimeout}: Kafka gets four fifths of it. */
    Metric metric(Map<String, Object> parameters, java.time.Duration pollTimeout) throws Exception {
        KafkaLagConfig config = provider.parseConfig(parameters);
        var context = new TestScalerContext(vertx, "kafka-lag", "test/" + config.consumerGroup(), pollTimeout)
                .metered(meters);
        return new Metric(config, provider.createScaler(config, context), provider);
    }

    /** Creates, fetches once and closes: the value the HPA would read. */
    double value(Map<String, Object> parameters) throws Exception {
        Metric metric = metric(parameters);
        try {
            return metric.value();
        } finally {
            metric.close();
        }
    }

    /** The value of the shared client's meter {@code name} for {@code cluster}; null once the client is gone. */
    Double meter(String name, String cluster) {
        Meter meter = meters.find(name).tag("cluster", cluster).meter();
        return meter == null ? null : meter.measure().iterator().next().getValue();
    }

    @Override
    public void close() {
        vertx.close();
    }
}
