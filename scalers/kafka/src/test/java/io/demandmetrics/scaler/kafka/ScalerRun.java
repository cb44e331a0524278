package io.demandmetrics.scaler.kafka;

import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.spi.ScalerContext;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Drives kafka-lag scalers as the adapter does: create, fetch, combine, close. */
final class ScalerRun implements AutoCloseable {

    final KafkaLagScalerProvider provider = new KafkaLagScalerProvider();
    private final Vertx vertx = Vertx.vertx();

    ScalerContext context(String metricId) {
        return new ScalerContext() {
            public Vertx vertx() {
                return vertx;
            }

            public Clock clock() {
                return Clock.systemUTC();
            }

            public String metricId() {
                return metricId;
            }

            public WorkerExecutor blockingExecutor() {
                throw new UnsupportedOperationException("kafka-lag never blocks");
            }
        };
    }

    /** A metric's scaler and config. */
    record Metric(KafkaLagConfig config, Scaler scaler, KafkaLagScalerProvider provider) {

        List<Sample> fetch() throws Exception {
            return scaler.fetch().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }

        /** What the HPA reads with no selector. */
        double value() throws Exception {
            return provider.combine(config, fetch(), false).get(0).value();
        }

        /** The failure message of a fetch that must fail. */
        String failure() throws Exception {
            try {
                fetch();
            } catch (ExecutionException e) {
                return PollCycle.unwrap(e.getCause()).getMessage();
            }
            throw new AssertionError("the fetch succeeded");
        }

        void close() {
            scaler.close();
        }
    }

    Metric metric(Map<String, Object> parameters) throws Exception {
        KafkaLagConfig config = provider.parseConfig(parameters);
        return new Metric(config, provider.createScaler(config, context("test/" + config.consumerGroup())), provider);
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

    @Override
    public void close() {
        vertx.close();
    }
}
