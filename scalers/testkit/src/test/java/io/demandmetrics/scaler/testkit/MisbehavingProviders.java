package io.demandmetrics.scaler.testkit;

import io.demandmetrics.scaler.spi.InvalidConfigException;
import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.spi.ScalerContext;
import io.demandmetrics.scaler.spi.ScalerProvider;
import io.demandmetrics.scaler.support.ParameterReader;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;
import java.util.Map;

/**
 * Plugins that each break the fetch contract one way, and one that keeps it, registered in
 * this module's test META-INF/services, for {@link ScalerContractTestTest}.
 */
final class MisbehavingProviders {

    private MisbehavingProviders() {
    }

    /** Parses {@code {value: <text>}}; the scaler is whatever {@link #scaler} makes. */
    abstract static class Base implements ScalerProvider<String> {

        @Override
        public String parseConfig(Map<String, Object> parameters) throws InvalidConfigException {
            ParameterReader reader = new ParameterReader(parameters, "value");
            String value = reader.string("value");
            reader.throwIfInvalid();
            return value;
        }

        @Override
        public Scaler createScaler(String config, ScalerContext context) {
            return () -> fetch(context);
        }

        abstract Future<List<Sample>> fetch(ScalerContext context);
    }

    public static final class Keeps extends Base {
        @Override
        public String type() {
            return "keeps-contract";
        }

        @Override
        Future<List<Sample>> fetch(ScalerContext context) {
            return Future.succeededFuture(List.of(Sample.of(3)));
        }
    }

    public static final class Throws extends Base {
        @Override
        public String type() {
            return "fetch-throws";
        }

        @Override
        Future<List<Sample>> fetch(ScalerContext context) {
            throw new IllegalStateException("not connected");
        }
    }

    public static final class ReturnsNull extends Base {
        @Override
        public String type() {
            return "fetch-returns-null";
        }

        @Override
        Future<List<Sample>> fetch(ScalerContext context) {
            return null;
        }
    }

    public static final class Blocks extends Base {
        @Override
        public String type() {
            return "fetch-blocks";
        }

        @Override
        Future<List<Sample>> fetch(ScalerContext context) {
            try {
                Thread.sleep(400); // the misbehaviour under test: a blocking call on the event loop
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Future.succeededFuture(List.of(Sample.of(1)));
        }
    }

    public static final class NeverCompletes extends Base {
        @Override
        public String type() {
            return "fetch-never-completes";
        }

        @Override
        Future<List<Sample>> fetch(ScalerContext context) {
            return Promise.<List<Sample>>promise().future();
        }
    }

    public static final class ReturnsNaN extends Base {
        @Override
        public String type() {
            return "fetch-returns-nan";
        }

        @Override
        Future<List<Sample>> fetch(ScalerContext context) {
            return Future.succeededFuture(List.of(Sample.of(Double.NaN)));
        }
    }

    public static final class FailsSilently extends Base {
        @Override
        public String type() {
            return "fetch-fails-without-message";
        }

        @Override
        Future<List<Sample>> fetch(ScalerContext context) {
            return Future.failedFuture(new RuntimeException());
        }
    }

    /** Starts a thread of its own for each scaler and never stops it. */
    public static final class LeavesAThread extends Base {
        @Override
        public String type() {
            return "close-leaves-a-thread";
        }

        @Override
        public Scaler createScaler(String config, ScalerContext context) {
            Thread thread = new Thread(() -> {
                try {
                    Thread.sleep(30_000); // long past the test; gone before the JVM's next test class
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "leaky-poller");
            thread.setDaemon(true);
            thread.start();
            return super.createScaler(config, context);
        }

        @Override
        Future<List<Sample>> fetch(ScalerContext context) {
            return Future.succeededFuture(List.of(Sample.of(1)));
        }
    }

    /** Registers a meter for each scaler and never removes it. */
    public static final class KeepsAMeter extends Base {
        @Override
        public String type() {
            return "close-keeps-a-meter";
        }

        @Override
        public Scaler createScaler(String config, ScalerContext context) {
            context.meterRegistry().gauge("demand_adapter_leaky_metrics", 1);
            return super.createScaler(config, context);
        }

        @Override
        Future<List<Sample>> fetch(ScalerContext context) {
            return Future.succeededFuture(List.of(Sample.of(1)));
        }
    }
}
