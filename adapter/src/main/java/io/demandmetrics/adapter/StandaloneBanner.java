package io.demandmetrics.adapter;

import io.demandmetrics.adapter.api.MetricsApi;
import io.demandmetrics.adapter.config.MetricKey;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a standalone adapter prints once it serves: commands that query it, for the first
 * metrics of its own config, so the first thing a user copies answers.
 */
final class StandaloneBanner {

    /** Enough to show the forms a config uses; the rest are in discovery. */
    static final int METRICS_SHOWN = 3;

    private StandaloneBanner() {
    }

    /**
     * @param metrics the served metrics, in config order
     * @param kubeconfig a kubeconfig that trusts {@code ca} and points at {@code url}
     */
    static String text(String url, Path kubeconfig, Path ca, List<MetricKey> metrics) {
        String kubectl = "kubectl --kubeconfig " + kubeconfig + " get --raw";
        List<String> lines = new ArrayList<>();
        lines.add("");
        lines.add("Demand Metrics Adapter is serving at " + url + " (standalone). Query it with:");
        boolean anyExternal = metrics.stream().anyMatch(MetricKey::isExternal);
        boolean anyCustom = metrics.stream().anyMatch(k -> !k.isExternal());
        if (anyExternal || metrics.isEmpty()) {
            lines.add("  " + kubectl + " /apis/" + MetricsApi.EXTERNAL_GROUP + "/" + MetricsApi.V1BETA1);
        }
        if (anyCustom) {
            lines.add("  " + kubectl + " /apis/" + MetricsApi.CUSTOM_GROUP + "/" + MetricsApi.V1BETA2);
        }
        metrics.stream().limit(METRICS_SHOWN).forEach(key -> lines.add("  " + kubectl + " '" + path(key) + "'"));
        if (metrics.size() > METRICS_SHOWN) {
            lines.add("  (" + (metrics.size() - METRICS_SHOWN) + " more metrics: see the discovery documents)");
        }
        lines.add("  curl --cacert " + ca + " " + url + "/metrics");
        lines.add("");
        return String.join("\n", lines);
    }

    /** The path that reads the metric: its value for every object it describes, for custom ones. */
    static String path(MetricKey key) {
        if (key.isExternal()) {
            return "/apis/" + MetricsApi.EXTERNAL_GROUP + "/" + MetricsApi.V1BETA1 + "/namespaces/" + key.namespace()
                    + "/" + key.name();
        }
        String base = "/apis/" + MetricsApi.CUSTOM_GROUP + "/" + MetricsApi.V1BETA2;
        String objects = "/" + key.resource().resource() + "/*/" + key.name();
        return key.namespace() == null ? base + objects : base + "/namespaces/" + key.namespace() + objects;
    }
}
