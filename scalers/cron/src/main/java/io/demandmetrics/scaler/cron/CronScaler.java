package io.demandmetrics.scaler.cron;

import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.List;

/** Serves the cron schedule's value at the current instant; never touches the network. */
final class CronScaler implements Scaler {

    private final CronConfig config;
    private final Clock clock;

    CronScaler(CronConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    @Override
    public Future<List<Sample>> fetch() {
        var now = clock.instant();
        return Future.succeededFuture(List.of(Sample.of(config.valueAt(now)).at(now)));
    }
}
