package io.demandmetrics.scaler.requests;

import io.demandmetrics.scaler.spi.InvalidConfigException;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.spi.ScalerContext;
import io.demandmetrics.scaler.spi.ScalerProvider;
import java.util.Map;

/**
 * The {@code rps} scaler: requests per second, per pod, straight from the pods' own counters,
 * scraped every second. For {@code describes: pods} a value per pod (the HPA's
 * {@code AverageValue} target averages them); for another resource or an external metric a
 * series per pod, labelled {@code pod}, which the HPA (or the object's value) sums.
 *
 * <p>Fast up, calm down: each pod's value is the larger of its short-window rate (3 s) and
 * its long-window rate (30 s), the idea of Knative's panic and stable windows.
 */
public final class RpsScalerProvider implements ScalerProvider<HttpMetricConfig> {

    @Override
    public String type() {
        return "rps";
    }

    @Override
    public HttpMetricConfig parseConfig(Map<String, Object> parameters) throws InvalidConfigException {
        return HttpMetricConfig.parseRps(parameters);
    }

    /** Metrics scraping the same pods are polled by one replica: see {@link HttpMetricConfig#sharedScraping}. */
    @Override
    public String sharedPolling(HttpMetricConfig config, String namespace) {
        return config.sharedScraping(namespace);
    }

    @Override
    public String source(HttpMetricConfig config, String namespace) {
        return config.source(namespace);
    }

    @Override
    public Scaler createScaler(HttpMetricConfig config, ScalerContext context) {
        return config.prometheus() != null ? new PromqlScaler(config, context) : new HttpScaler(config, context);
    }
}
