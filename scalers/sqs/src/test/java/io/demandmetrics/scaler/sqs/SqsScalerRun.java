package io.demandmetrics.scaler.sqs;

import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.spi.ScalerContext;
import io.demandmetrics.scaler.testkit.ScalerCalls;
import io.demandmetrics.scaler.testkit.TestScalerContext;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;

/** Drives aws-sqs-queue scalers as the adapter does: create, fetch, close. */
final class SqsScalerRun implements AutoCloseable {

    final SqsQueueScalerProvider provider = new SqsQueueScalerProvider();
    /** The meters the scalers register, as the adapter's /metrics shows them. */
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final Vertx vertx = Vertx.vertx();

    record Metric(SqsQueueConfig config, Scaler scaler) {

        List<Sample> fetch() throws Exception {
            return ScalerCalls.fetch(scaler);
        }

        double value() throws Exception {
            return fetch().get(0).value();
        }

        String failure() throws Exception {
            return ScalerCalls.failureOf(scaler);
        }

        void close() {
            scaler.close();
        }
    }

    Metric metric(Map<String, Object> parameters) throws Exception {
        return metric(parameters, java.time.Duration.ofSeconds(10));
    }

    /** A metric whose poll timeout is {@code pollTimeout}: the SDK gets four fifths of it. */
    Metric metric(Map<String, Object> parameters, java.time.Duration pollTimeout) throws Exception {
        SqsQueueConfig config = provider.parseConfig(parameters);
        ScalerContext context = new TestScalerContext(vertx, "aws-sqs-queue", "test/" + config.queue().name(),
                pollTimeout).metered(meters);
        return new Metric(config, provider.createScaler(config, context));
    }

    double value(Map<String, Object> parameters) throws Exception {
        Metric metric = metric(parameters);
        try {
            return metric.value();
        } finally {
            metric.close();
        }
    }

    /** The value of the meter {@code name} of the shared client for {@code endpoint}; null once it is gone. */
    Double meter(String name, String endpoint) {
        Meter meter = meters.find(name).tag("endpoint", endpoint).meter();
        return meter == null ? null : meter.measure().iterator().next().getValue();
    }

    /** How many shared clients are open: one {@code demand_adapter_sqs_metrics} gauge each. */
    int clients() {
        return meters.find("demand_adapter_sqs_metrics").meters().size();
    }

    @Override
    public void close() {
        vertx.close();
    }
}
