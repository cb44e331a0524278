package io.demandmetrics.scaler.requests;

import io.demandmetrics.prometheus.client.PrometheusQuery;
import io.demandmetrics.prometheus.client.QueryAnswer;
import io.demandmetrics.scaler.requests.HttpMetricConfig.Kind;
import io.demandmetrics.scaler.requests.HttpMetricConfig.PodSelection;
import io.demandmetrics.scaler.requests.series.TargetHistory;
import io.demandmetrics.scaler.spi.DescribedObject;
import io.demandmetrics.scaler.spi.Pods;
import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.spi.ScalerContext;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One {@code rps} or {@code latency} metric with {@code source: prometheus}: each poll asks
 * the preset's PromQL ({@link PresetPromql}) once and serves its series per pod, in the shapes
 * the scraping scaler serves, so that {@code combine}, the HPA's selector and the values'
 * meaning are the same whichever source the numbers come from.
 *
 * <p>With a {@code pods} block only the selected pods' series are served (the adapter's pod
 * informer, read at each poll); without one, every pod the query finds.
 */
final class PromqlScaler implements Scaler {

    private final HttpMetricConfig config;
    private final ScalerContext context;
    private final boolean perPod;
    private final String query;
    private final PrometheusQuery prometheus;
    private final Optional<Pods> pods;
    /** For rps over the service: what pods that left still hold of the windows (nothing for the rest). */
    private final DepartedPods departed;

    PromqlScaler(HttpMetricConfig config, ScalerContext context) {
        this.config = config;
        this.departed = DepartedPods.of(config);
        this.context = context;
        this.perPod = "pods".equals(context.describes());
        this.query = PresetPromql.query(config, perPod, context.namespace());
        this.prometheus = new PrometheusQuery(config.prometheus().endpoint(), context);
        this.pods = context.pods();
    }

    @Override
    public Future<List<Sample>> fetch() {
        if (config.kind() == Kind.SUMMARY && !perPod) {
            return Future.failedFuture(new IllegalStateException(HttpScaler.SUMMARY_NOT_MERGED));
        }
        Instant now = context.clock().instant();
        return selectedPods().compose(selected -> prometheus.run(query, now)
                .map(answer -> samples(answer, selected, now)));
    }

    /** The names of the pods the {@code pods} block selects now; null without one (every pod). */
    private Future<Set<String>> selectedPods() {
        PodSelection selection = config.pods();
        if (selection == null) {
            return Future.succeededFuture(null);
        }
        if (pods.isEmpty()) {
            return Future.failedFuture(new IllegalStateException("parameter \"pods\" needs the adapter in a cluster"
                    + " (its pod informer); standalone, leave it out and select the series with \"filter\""));
        }
        String namespace = context.namespace();
        Future<String> selector = selection.selector() != null ? Future.succeededFuture(selection.selector())
                : pods.get().selectorOf(namespace, selection.ownerResource(), selection.ownerName());
        return selector.compose(labels -> pods.get().running(namespace, labels)).map(running -> {
            Set<String> names = new HashSet<>();
            running.forEach(pod -> names.add(pod.name()));
            return names;
        }).recover(error -> Future.failedFuture(new IllegalStateException("cannot read the pods: "
                + error.getMessage())));
    }

    /** The answer's series as the scraping scaler's samples: per pod, buckets labelled {@code le}. */
    private List<Sample> samples(QueryAnswer answer, Set<String> selected, Instant now) {
        String podLabel = config.prometheus().podLabel();
        Duration window = config.kind() == Kind.SUMMARY ? null : config.longWindow();
        List<Sample> samples = new ArrayList<>(answer.series().size());
        Map<String, Double> shortRates = new LinkedHashMap<>();
        Map<String, Double> longRates = new LinkedHashMap<>();
        int unnamed = 0;
        int unselected = 0;
        for (QueryAnswer.Series series : answer.series()) {
            String pod = series.labels().get(podLabel);
            if (pod == null || pod.isEmpty()) {
                unnamed++;
                continue;
            }
            if (selected != null && !selected.contains(pod)) {
                unselected++;
                continue;
            }
            DescribedObject object = DescribedObject.named(pod);
            double value = series.value();
            switch (config.kind()) {
                case RPS -> {
                    if (Double.isFinite(value)) {
                        String of = series.labels().get(PresetPromql.WINDOW_LABEL);
                        if (!"long".equals(of)) { // "short", or the one window of a query that has one
                            shortRates.put(pod, value);
                        }
                        if (!"short".equals(of)) {
                            longRates.put(pod, value);
                        }
                    }
                }
                case LATENCY -> {
                    if (perPod) {
                        // NaN: no request in the window, served as no latency demand (as scraped)
                        samples.add(HttpScaler.sample(true, object, pod, Map.of(),
                                Double.isNaN(value) ? 0 : value * config.secondsPerUnit(), now, window));
                        continue;
                    }
                    Double bound = TargetHistory.upperBound(series.labels().get(LatencyScalerProvider.LE));
                    if (bound != null && Double.isFinite(value)) {
                        samples.add(HttpScaler.sample(false, object, pod, Map.of(LatencyScalerProvider.LE,
                                LatencyScalerProvider.formatBound(bound)), value, now, window));
                    }
                }
                case SUMMARY -> samples.add(HttpScaler.sample(true, object, pod, Map.of(),
                        Double.isNaN(value) ? 0 : value * config.secondsPerUnit(), now, window));
            }
        }
        // The same rule as for scraped rates, over the pods picked: scraping and PromQL agree.
        double[] departedHeld = departed.heldNow(shortRates, longRates, Map.of()); // Prometheus' rates are of now
        TwoWindows.served(shortRates, longRates, config.windowsOver(), departedHeld).forEach((pod, rate) -> samples.add(
                HttpScaler.sample(perPod, DescribedObject.named(pod), pod, Map.of(), rate, now, window)));
        if (samples.isEmpty()) {
            throw new IllegalStateException(nothingServed(answer.series().size(), unnamed, unselected));
        }
        return samples;
    }

    /** Why a poll serves nothing, in the terms a user can act on. */
    private String nothingServed(int series, int unnamed, int unselected) {
        if (series == 0) {
            return "Prometheus has no series for " + query + ": the pods have served no request in the window yet,"
                    + " or the preset, filter or namespace match none of its series";
        }
        if (unnamed == series) {
            return "none of the " + series + " series of " + query + " has the label \""
                    + config.prometheus().podLabel() + "\" that names the pod: set \"podLabel\" to the label"
                    + " Prometheus' scrape config gives the pod's name";
        }
        if (unselected > 0) {
            return "none of the " + series + " series of " + query + " is for a pod selected by "
                    + config.pods().describe() + " in namespace " + context.namespace();
        }
        return "none of the " + series + " series of " + query + " has a number";
    }

    @Override
    public Future<Void> close() {
        prometheus.close();
        return Future.succeededFuture();
    }

}
