package io.demandmetrics.adapter.http;

import io.demandmetrics.adapter.config.MetricDefinition;
import io.demandmetrics.adapter.store.Catalog;
import io.demandmetrics.adapter.store.Failure;
import io.demandmetrics.adapter.store.MetricState;
import io.demandmetrics.adapter.store.Reading;
import io.demandmetrics.adapter.store.ValueHistory;
import io.demandmetrics.scaler.spi.Durations;
import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.simulator.Charts;
import io.demandmetrics.adapter.explain.HpaProposals;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * {@code /explain} (a page) and {@code /explain.json}: per metric what it serves now, its poll
 * health, its lead and, for one metric ({@code ?metric=namespace/name}), its series and the
 * last hour of its total. Built from the catalog, on a worker: at ten thousand metrics the list
 * is megabytes.
 */
final class ExplainPages {

    /** Series listed for one metric; the rest are counted. */
    static final int MAX_SERIES = 100;
    /** Longest error text shown; the full one is in the log. */
    static final int MAX_ERROR = 300;

    private final Supplier<Catalog> catalog;
    private final Clock clock;
    private final Supplier<List<HorizontalPodAutoscaler>> hpas;
    private final HpaProposals.TargetPods targetPods;

    /**
     * @param hpas the HPAs whose proposals are shown beside the metrics they read
     * @param targetPods an HPA target's running pods, or null when the adapter knows no pods
     */
    ExplainPages(Supplier<Catalog> catalog, Clock clock, Supplier<List<HorizontalPodAutoscaler>> hpas,
                 HpaProposals.TargetPods targetPods) {
        this.catalog = catalog;
        this.clock = clock;
        this.hpas = hpas;
        this.targetPods = targetPods;
    }

    /** The metric named {@code ns/name} (or {@code name}) in {@code current}, or null when there is none. */
    private static MetricState find(Catalog current, String id) {
        for (var key : current.keys()) {
            if (key.id().equals(id)) {
                return current.state(key);
            }
        }
        return null;
    }

    /**
     * Every metric, or one with its series and history.
     *
     * @return null when {@code metricId} names no metric
     */
    JsonObject json(String metricId) {
        Instant now = clock.instant();
        Catalog current = catalog.get(); // one config version for the whole answer
        List<HorizontalPodAutoscaler> known = hpas.get(); // listed once, not once per metric
        JsonArray metrics = new JsonArray();
        if (metricId != null) {
            MetricState state = find(current, metricId);
            if (state == null) {
                return null;
            }
            metrics.add(entry(state, now, true, known));
        } else {
            for (var key : current.keys()) {
                metrics.add(entry(current.state(key), now, false, known));
            }
        }
        return new JsonObject().put("at", now.toString()).put("metrics", metrics);
    }

    private JsonObject entry(MetricState state, Instant now, boolean detail, List<HorizontalPodAutoscaler> known) {
        MetricDefinition definition = state.definition();
        Reading reading = state.reading();
        Failure failure = state.failure();
        JsonObject entry = new JsonObject().put("metric", definition.key().id()).put("type", definition.type())
                .put("describes", definition.key().describes())
                .put("pollInterval", Durations.format(definition.pollInterval()))
                .put("maxAge", Durations.format(definition.maxAge()));
        JsonObject health = new JsonObject();
        String status;
        if (reading == null) {
            status = failure == null ? "waiting for the first poll" : "failing, nothing served yet";
        } else if (Duration.between(reading.fetchedAt(), now).compareTo(definition.maxAge()) > 0) {
            status = definition.fallback() != null ? "stale: serving the fallback" : "stale: answering 503";
        } else {
            status = failure == null ? "ok" : "serving the last good value; the last poll failed";
        }
        health.put("status", status);
        if (reading != null) {
            health.put("fetchedAt", reading.fetchedAt().toString())
                    .put("ageSeconds", Duration.between(reading.fetchedAt(), now).toMillis() / 1000.0);
            double total = 0;
            for (Sample sample : reading.samples()) {
                total += sample.value();
            }
            entry.put("value", new JsonObject().put("total", total).put("series", reading.samples().size()));
            if (detail) {
                JsonArray items = new JsonArray();
                for (Sample sample : reading.samples().subList(0, Math.min(MAX_SERIES, reading.samples().size()))) {
                    JsonObject item = new JsonObject().put("value", sample.value());
                    if (sample.object() != null) {
                        item.put("object", sample.object().name());
                    }
                    if (!sample.labels().isEmpty()) {
                        item.put("labels", new JsonObject(new java.util.TreeMap<>(sample.labels())));
                    }
                    items.add(item);
                }
                entry.getJsonObject("value").put("items", items);
            }
        }
        if (failure != null) {
            String message = failure.message();
            health.put("lastError", message.length() > MAX_ERROR ? message.substring(0, MAX_ERROR) + "..." : message)
                    .put("lastErrorAt", failure.at().toString());
        }
        entry.put("health", health);
        if (definition.lead() != null) {
            entry.put("lead", new JsonObject().put("lead", Durations.format(definition.lead()))
                    .put("observedTotal", finite(state.leadObservedTotal()))
                    .put("servedTotal", finite(state.leadServedTotal())));
        }
        if (!known.isEmpty()) {
            List<Sample> served;
            try {
                served = state.serve(now).samples();
            } catch (RuntimeException stale) {
                served = null;
            }
            entry.put("hpas", new JsonArray(new java.util.ArrayList<>(HpaProposals.of(definition.key(), served,
                    known, targetPods))));
        }
        if (detail) {
            JsonArray history = new JsonArray();
            for (ValueHistory.Point point : state.history().points(now)) {
                history.add(new JsonObject().put("at", point.at().toString()).put("total", point.total()));
            }
            entry.put("history", history);
        }
        return entry;
    }

    private static Double finite(double value) {
        return Double.isFinite(value) ? value : null;
    }

    /**
     * The page for what {@link #json} answered: every metric in a table, or one metric with its
     * series and a chart of its last hour.
     */
    Buffer html(JsonObject data, String metricId) {
        StringBuilder html = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                + "<title>demand-adapter: explain</title>\n<style>body{font-family:sans-serif;margin:2em;color:#222}"
                + "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:4px 10px;"
                + "text-align:left}th{background:#eee}td.num{text-align:right}img{max-width:100%;display:block}"
                + "</style></head><body>\n<h1>What the adapter serves</h1>\n");
        html.append("<p>At ").append(escape(data.getString("at"))).append(". <a href=\"explain.json").append(
                metricId == null ? "" : "?metric=" + escape(metricId)).append("\">JSON</a></p>\n");
        html.append("<table id=\"metrics\">\n<tr><th>metric</th><th>type</th><th>describes</th><th>total</th>"
                + "<th>series</th><th>age (s)</th><th>health</th><th>last error</th></tr>\n");
        for (Object item : data.getJsonArray("metrics")) {
            JsonObject metric = (JsonObject) item;
            JsonObject value = metric.getJsonObject("value");
            JsonObject health = metric.getJsonObject("health");
            String id = metric.getString("metric");
            html.append("<tr data-metric=\"").append(escape(id)).append("\"><td><a href=\"explain?metric=")
                    .append(escape(id)).append("\">").append(escape(id)).append("</a></td><td>")
                    .append(escape(metric.getString("type"))).append("</td><td>")
                    .append(escape(metric.getString("describes"))).append("</td><td class=\"num total\">")
                    .append(value == null ? "" : number(value.getDouble("total"))).append("</td><td class=\"num\">")
                    .append(value == null ? "" : value.getInteger("series")).append("</td><td class=\"num\">")
                    .append(health.containsKey("ageSeconds") ? number(health.getDouble("ageSeconds")) : "")
                    .append("</td><td class=\"health\">").append(escape(health.getString("status")))
                    .append("</td><td>").append(escape(health.getString("lastError", ""))).append("</td></tr>\n");
        }
        html.append("</table>\n");
        if (metricId != null) {
            JsonObject metric = data.getJsonArray("metrics").getJsonObject(0);
            detail(html, metric);
        }
        return Buffer.buffer(html.append("</body></html>\n").toString());
    }

    private void detail(StringBuilder html, JsonObject metric) {
        JsonObject lead = metric.getJsonObject("lead");
        if (lead != null) {
            html.append("<p id=\"lead\">Lead ").append(escape(lead.getString("lead"))).append(": observed total ")
                    .append(lead.getValue("observedTotal") == null ? "-" : number(lead.getDouble("observedTotal")))
                    .append(", served ").append(lead.getValue("servedTotal") == null ? "-"
                            : number(lead.getDouble("servedTotal"))).append("</p>\n");
        }
        JsonArray history = metric.getJsonArray("history");
        if (history.size() >= 2) {
            double[] x = new double[history.size()];
            double[] y = new double[history.size()];
            Instant last = Instant.parse(history.getJsonObject(history.size() - 1).getString("at"));
            for (int i = 0; i < history.size(); i++) {
                JsonObject point = history.getJsonObject(i);
                x[i] = -Duration.between(Instant.parse(point.getString("at")), last).toSeconds() / 60.0;
                y[i] = point.getDouble("total");
            }
            byte[] png = Charts.linePng(metric.getString("metric") + ": the last hour", "minutes before the last"
                    + " poll", "total served", "total", x, y, 1000, 300);
            html.append("<img alt=\"the last hour\" src=\"data:image/png;base64,")
                    .append(Base64.getEncoder().encodeToString(png)).append("\">\n");
        } else {
            html.append("<p id=\"history\">The history has ").append(history.size())
                    .append(" point so far: one a minute.</p>\n");
        }
        JsonArray readers = metric.getJsonArray("hpas");
        if (readers != null && !readers.isEmpty()) {
            html.append("<table id=\"hpas\">\n<tr><th>HPA</th><th>target</th><th>current replicas</th>"
                    + "<th>proposed</th><th>usage</th><th>note</th></tr>\n");
            for (Object item : readers) {
                JsonObject hpa = (JsonObject) item;
                html.append("<tr data-hpa=\"").append(escape(hpa.getString("hpa"))).append("\"><td>")
                        .append(escape(hpa.getString("hpa"))).append("</td><td>")
                        .append(escape(hpa.getString("target", ""))).append("</td><td class=\"num current\">")
                        .append(hpa.getValue("currentReplicas", "")).append("</td><td class=\"num proposed\">")
                        .append(hpa.getValue("proposedReplicas", "")).append("</td><td class=\"num\">")
                        .append(hpa.getValue("usage") == null ? "" : number(hpa.getDouble("usage")))
                        .append("</td><td>").append(escape(hpa.getString("note", ""))).append("</td></tr>\n");
            }
            html.append("</table>\n<p>What the controller would propose from this metric alone and the values"
                    + " served now (with several metrics it takes the largest; stabilization and policies apply"
                    + " after).</p>\n");
        }
        JsonObject value = metric.getJsonObject("value");
        if (value != null) {
            html.append("<table id=\"series\">\n<tr><th>object</th><th>labels</th><th>value</th></tr>\n");
            for (Object item : value.getJsonArray("items")) {
                JsonObject series = (JsonObject) item;
                html.append("<tr><td>").append(escape(series.getString("object", ""))).append("</td><td>")
                        .append(escape(series.getJsonObject("labels", new JsonObject()).encode())).append("</td><td"
                                + " class=\"num\">").append(number(series.getDouble("value"))).append("</td></tr>\n");
            }
            html.append("</table>\n");
        }
    }

    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
                : String.format(Locale.ROOT, "%.3f", value);
    }

    private static String escape(String text) {
        return text == null ? "" : text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
