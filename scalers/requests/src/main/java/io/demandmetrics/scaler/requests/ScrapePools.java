package io.demandmetrics.scaler.requests;

import io.demandmetrics.scaler.requests.scrape.ScrapePool;
import io.demandmetrics.scaler.spi.ScalerContext;
import io.demandmetrics.scaler.support.SharedResources;
import io.vertx.core.Vertx;

/**
 * One {@link ScrapePool} per adapter, shared by the {@code rps} and {@code latency} providers so
 * a pod both read is scraped once; opened with the first metric, closed with its last. The
 * registry is the adapter's ({@link ScalerContext#shared}), which both providers reach, not a
 * static.
 */
final class ScrapePools {

    private final SharedResources<Vertx, ScrapePool> pools = new SharedResources<>(ScrapePool::close);

    private ScrapePools() {
    }

    static SharedResources<Vertx, ScrapePool>.Lease acquire(ScalerContext context) {
        return context.shared(ScrapePools.class, ScrapePools::new).pools
                .acquire(context.vertx(), users -> new ScrapePool(context.vertx(), context.meterRegistry()));
    }
}
