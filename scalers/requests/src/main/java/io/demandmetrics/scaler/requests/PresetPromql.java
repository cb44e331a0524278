package io.demandmetrics.scaler.requests;

import io.demandmetrics.scaler.requests.HttpMetricConfig.Kind;
import io.demandmetrics.scaler.requests.series.LabelMatcher;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The PromQL an {@code rps} or {@code latency} metric with {@code source: prometheus} asks: the
 * same values as scraping the pods directly, computed by Prometheus from the series it stores.
 * One query per metric and poll, with a series per pod; a pod's selection, and the HPA's, is
 * applied to the answer, never by rewriting the query.
 *
 * <ul>
 *   <li>rps: {@code sum by (pod) (rate(c{f}[short]))}, or, with two windows, that sum over each
 *       window, told apart by a label {@code window="short"} or {@code "long"}: the scaler
 *       combines them as it does scraped rates ({@link TwoWindows}), after the pods are picked;
 *   <li>latency per pod: {@code histogram_quantile(q, sum by (pod, le) (rate(b{f}[w])))};
 *   <li>latency for an object or external metric: {@code sum by (pod, le) (rate(b{f}[w]))},
 *       the bucket rates, which {@link LatencyScalerProvider#combine} merges over the picked
 *       pods before one quantile is taken, as for scraped buckets;
 *   <li>a summary (per pod only): {@code max by (pod) (s{f, quantile="q"})}.
 * </ul>
 *
 * <p>Every selector carries the preset's and the metric's filter and, unless the filter
 * matches that label itself, {@code namespace="<the metric's namespace>"}.
 */
final class PresetPromql {

    /** The label an rps query's answer tells its two windows' series apart by. */
    static final String WINDOW_LABEL = "window";

    private PresetPromql() {
    }

    /**
     * @param perPod whether the metric describes pods (a quantile per pod rather than bucket rates)
     * @param namespace the metric's namespace, or null (cluster-scoped: not matched)
     */
    static String query(HttpMetricConfig config, boolean perPod, String namespace) {
        HttpMetricConfig.PromqlSource source = config.prometheus();
        String pod = source.podLabel();
        String selector = config.sampleName() + selector(config, namespace);
        return switch (config.kind()) {
            case RPS -> {
                String shortRate = "sum by (" + pod + ") (rate(" + selector + "[" + range(config.shortWindow()) + "]))";
                if (config.shortWindow().equals(config.longWindow())) {
                    yield shortRate;
                }
                String longRate = "sum by (" + pod + ") (rate(" + selector + "[" + range(config.longWindow()) + "]))";
                yield "label_replace(" + shortRate + ", \"" + WINDOW_LABEL + "\", \"short\", \"\", \"\")"
                        + " or label_replace(" + longRate + ", \"" + WINDOW_LABEL + "\", \"long\", \"\", \"\")";
            }
            case LATENCY -> {
                String buckets = "sum by (" + pod + ", le) (rate(" + selector + "[" + range(config.longWindow())
                        + "]))";
                yield perPod ? "histogram_quantile(" + number(config.quantile()) + ", " + buckets + ")" : buckets;
            }
            case SUMMARY -> "max by (" + pod + ") (" + selector + ")";
        };
    }

    /** {@code {namespace="shop", reporter="destination"}}: the namespace, the filter, a summary's quantile. */
    private static String selector(HttpMetricConfig config, String namespace) {
        String namespaceLabel = config.prometheus().namespaceLabel();
        List<String> matchers = new ArrayList<>();
        if (namespace != null && config.filter().stream().noneMatch(m -> m.name().equals(namespaceLabel))) {
            matchers.add(LabelMatcher.of(namespaceLabel, LabelMatcher.Op.EQUAL, namespace).toString());
        }
        config.filter().forEach(matcher -> matchers.add(matcher.toString()));
        if (config.kind() == Kind.SUMMARY) {
            matchers.add("quantile=\"" + number(config.quantile()) + "\"");
        }
        return "{" + String.join(", ", matchers) + "}";
    }

    /**
     * A PromQL range in one unit, as people write them and every Prometheus-compatible server
     * reads them (compound ranges such as {@code 1m30s} came later): {@code 2m}, {@code 90s},
     * {@code 1500ms}.
     */
    static String range(Duration window) {
        long millis = window.toMillis();
        return millis % 60_000 == 0 ? millis / 60_000 + "m" : millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    /** 0.99 as {@code 0.99}, 1 as {@code 1}: how client libraries write a quantile. */
    private static String number(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
