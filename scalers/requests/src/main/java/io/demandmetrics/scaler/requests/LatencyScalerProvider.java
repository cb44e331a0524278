package io.demandmetrics.scaler.requests;

import io.demandmetrics.scaler.requests.series.TargetHistory;
import io.demandmetrics.scaler.spi.InvalidConfigException;
import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.spi.ScalerContext;
import io.demandmetrics.scaler.spi.ScalerProvider;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code latency} scaler: a quantile (P99 by default) of request duration, in seconds, from
 * the pods' histogram buckets with {@code histogram_quantile}'s semantics. Per pod for
 * {@code describes: pods}; for an object or external metric the picked pods' buckets are
 * summed first and one quantile taken (never an average of quantiles).
 *
 * <p>A pod (or selection) that served no request in the window has no quantile; it is served
 * as 0, no latency demand: an idle pod never reads as overloaded, an all-idle service may
 * scale down, and no malformed value is ever served.
 */
public final class LatencyScalerProvider implements ScalerProvider<HttpMetricConfig> {

    /** The label that carries a bucket's upper bound between fetch and combine. */
    static final String LE = "le";

    @Override
    public String type() {
        return "latency";
    }

    @Override
    public HttpMetricConfig parseConfig(Map<String, Object> parameters) throws InvalidConfigException {
        return HttpMetricConfig.parseLatency(parameters);
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

    /** The picked bucket rates (of one pod, or of every picked pod) into one quantile in seconds. */
    @Override
    public List<Sample> combine(HttpMetricConfig config, List<Sample> matched, boolean narrowed) {
        if (config.kind() == HttpMetricConfig.Kind.SUMMARY || !matched.isEmpty()
                && !matched.get(0).labels().containsKey(LE)) {
            // Already a quantile in seconds: a pod's summary, or the one Prometheus computed per pod
            // (source: prometheus, describes: pods). Bucket rates always carry their le.
            return matched;
        }
        if (matched.isEmpty()) {
            return List.of();
        }
        Map<Double, Double> byBound = new TreeMap<>();
        Instant oldest = null;
        for (Sample sample : matched) {
            Double bound = TargetHistory.upperBound(sample.labels().get(LE));
            if (bound == null) {
                continue;
            }
            byBound.merge(bound, sample.value(), Double::sum);
            if (sample.timestamp() != null && (oldest == null || sample.timestamp().isBefore(oldest))) {
                oldest = sample.timestamp();
            }
        }
        double quantile = TargetHistory.quantile(config.quantile(), byBound);
        double seconds = Double.isNaN(quantile) ? 0 : quantile * config.secondsPerUnit();
        Sample first = matched.get(0);
        return List.of(new Sample(first.object(), Map.of(), seconds, oldest, first.window()));
    }

    static String formatBound(double bound) {
        return bound == Double.POSITIVE_INFINITY ? "+Inf" : Double.toString(bound);
    }
}
