package io.demandmetrics.scaler.requests;

import io.demandmetrics.scaler.requests.scrape.ScrapePool;
import io.demandmetrics.scaler.spi.ScalerContext;
import io.demandmetrics.scaler.spi.SharedResources;
import io.vertx.core.Vertx;

/**
 * One {@link ScrapePool} per adapter (per Vert.x instance), shared by the {@code rps} and
 * {@code latency} providers so a pod both read is scraped once; closed with its last metric.
 */
final class ScrapePools {

    private static final SharedResources<Vertx, ScrapePool> POOLS = new SharedResources<>(ScrapePool::close);

    private ScrapePools() {
    }

    static SharedResources<Vertx, ScrapePool>.Lease acquire(ScalerContext context) {
        return POOLS.acquire(context.vertx(), users -> new ScrapePool(context.vertx(), context.meterRegistry()));
    }
}
