package io.demandmetrics.scaler.sqs;

import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.spi.ScalerContext;
import io.demandmetrics.scaler.testkit.TestScalerContext;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Drives aws-sqs-queue scalers as the adapter does: create, fetch, close. */
final class SqsScalerRun implements AutoCloseable {

    final SqsQueueScalerProvider provider = new SqsQueueScalerProvider();
    private final Vertx vertx = Vertx.vertx();

    record Metric(SqsQueueConfig config, Scaler scaler) {

        List<Sample> fetch() throws Exception {
            return scaler.fetch().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }

        double value() throws Exception {
            return fetch().get(0).value();
        }

        String failure() throws Exception {
            try {
                fetch();
            } catch (ExecutionException e) {
                return e.getCause().getMessage();
            }
            throw new AssertionError("the fetch succeeded");
        }

        void close() {
            scaler.close();
        }
    }

    Metric metric(Map<String, Object> parameters) throws Exception {
        SqsQueueConfig config = provider.parseConfig(parameters);
        ScalerContext context = new TestScalerContext(vertx, "aws-sqs-queue", "test/" + config.queue().name());
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

    @Override
    public void close() {
        vertx.close();
    }
}
