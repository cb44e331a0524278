package io.demandmetrics.scaler.prometheus;

import io.demandmetrics.prometheus.client.PrometheusQuery;
import io.demandmetrics.prometheus.client.QueryAnswer;
import io.demandmetrics.scaler.spi.DescribedObject;
import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.spi.ScalerContext;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One {@code prometheus} metric: each poll is one instant query; its series are served with
 * their labels, read as KEDA reads them (empty, NaN, activation), or per object by a label.
 */
final class PrometheusScaler implements Scaler {

    private final PrometheusConfig config;
    private final ScalerContext context;
    private final PrometheusQuery query;
    /** The label naming each series' object, for a custom metric about pods or per object; else null. */
    private final String objectLabel;

    PrometheusScaler(PrometheusConfig config, ScalerContext context) {
        this.config = config;
        this.context = context;
        this.query = new PrometheusQuery(config.endpoint(), context);
        String describes = context.describes();
        this.objectLabel = "external".equals(describes) ? null : config.objectLabel() != null ? config.objectLabel()
                : "pods".equals(describes) ? "pod" : null;
    }

    @Override
    public Future<List<Sample>> fetch() {
        Instant now = context.clock().instant();
        return query.run(config.query(), now).map(answer -> samples(answer, now));
    }

    /** KEDA's reading of the answer, several series kept as series. */
    private List<Sample> samples(QueryAnswer answer, Instant now) {
        if (answer.series().isEmpty()) {
            if (config.ignoreNullValues()) {
                return List.of(Sample.of(0).at(now));
            }
            throw new IllegalStateException("the query returned no series (ignoreNullValues is false): its target"
                    + " may be lost");
        }
        List<Sample> samples = new ArrayList<>(answer.series().size());
        int unplaced = 0;
        for (QueryAnswer.Series series : answer.series()) {
            double value = series.value();
            if (!Double.isFinite(value)) {
                if (!config.ignoreNullValues()) {
                    throw new IllegalStateException("the query returned " + value
                            + (series.labels().isEmpty() ? "" : " for series " + series.labels())
                            + " (ignoreNullValues is false)");
                }
                value = 0;
            }
            if (objectLabel == null) {
                samples.add(Sample.of(series.labels(), value).at(now));
                continue;
            }
            String object = series.labels().get(objectLabel);
            if (object == null || object.isEmpty()) {
                unplaced++;
                continue; // a series that names no object cannot be served for one
            }
            samples.add(new Sample(DescribedObject.named(object), withoutLabel(series.labels()), value, now, null));
        }
        if (samples.isEmpty()) {
            throw new IllegalStateException("none of the query's " + unplaced + " series has the label \""
                    + objectLabel + "\" that names the object (parameter \"objectLabel\"): add it to the query's"
                    + " \"by (...)\"");
        }
        return samples;
    }

    private Map<String, String> withoutLabel(Map<String, String> labels) {
        Map<String, String> rest = new java.util.LinkedHashMap<>(labels);
        rest.remove(objectLabel);
        return rest;
    }

    @Override
    public Future<Void> close() {
        query.close();
        return Future.succeededFuture();
    }
}
