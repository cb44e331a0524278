package io.demandmetrics.adapter.explain;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /explain}: what {@link Explanations#json} answered, as a page: every metric in a
 * table, or one metric with its series, the HPAs that read it, and a chart of its last hour
 * (inline SVG, drawn as text: nothing graphical is loaded on the serving path).
 */
public final class ExplainPage {

    private ExplainPage() {
    }

    /** The query of a list page: where it continues and its size when not the default; escaped for an attribute. */
    private static String query(String after, int limit) {
        List<String> parameters = new ArrayList<>();
        if (after != null) {
            parameters.add("continue=" + URLEncoder.encode(after, StandardCharsets.UTF_8));
        }
        if (limit != Explanations.Page.DEFAULT_LIMIT) {
            parameters.add("limit=" + limit);
        }
        return parameters.isEmpty() ? "" : Html.escape("?" + String.join("&", parameters));
    }

    /**
     * The page for what {@link #json} answered: every metric in a table, or one metric with its
     * series and a chart of its last hour.
     */
    public static Buffer html(JsonObject data, String metricId, Explanations.Page page) {
        StringBuilder html = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                + "<title>demand-adapter: explain</title>\n<style>body{font-family:sans-serif;margin:2em;color:#222}"
                + "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:4px 10px;"
                + "text-align:left}th{background:#eee}td.num{text-align:right}img{max-width:100%;display:block}"
                + "</style></head><body>\n<h1>What the adapter serves</h1>\n");
        html.append("<p>At ").append(Html.escape(data.getString("at"))).append(". <a href=\"explain.json").append(
                metricId == null ? query(page.after(), page.limit()) : "?metric=" + Html.escape(metricId))
                .append("\">JSON</a></p>\n");
        html.append("<table id=\"metrics\">\n<tr><th>metric</th><th>type</th><th>describes</th><th>total</th>"
                + "<th>series</th><th>age (s)</th><th>health</th><th>last error</th></tr>\n");
        for (Object item : data.getJsonArray("metrics")) {
            JsonObject metric = (JsonObject) item;
            JsonObject value = metric.getJsonObject("value");
            JsonObject health = metric.getJsonObject("health");
            String id = metric.getString("metric");
            html.append("<tr data-metric=\"").append(Html.escape(id)).append("\"><td><a href=\"explain?metric=")
                    .append(Html.escape(id)).append("\">").append(Html.escape(id)).append("</a></td><td>")
                    .append(Html.escape(metric.getString("type"))).append("</td><td>")
                    .append(Html.escape(metric.getString("describes"))).append("</td><td class=\"num total\">")
                    .append(value == null ? "" : Html.number(value.getDouble("total"))).append("</td><td class=\"num\">")
                    .append(value == null ? "" : value.getInteger("series")).append("</td><td class=\"num\">")
                    .append(health.containsKey("ageSeconds") ? Html.number(health.getDouble("ageSeconds")) : "")
                    .append("</td><td class=\"health\">").append(Html.escape(health.getString("status")))
                    .append(health.containsKey("polledBy")
                            ? " (polled by " + Html.escape(health.getString("polledBy")) + ")" : "")
                    .append("</td><td>").append(Html.escape(health.getString("lastError", ""))).append("</td></tr>\n");
        }
        html.append("</table>\n");
        if (data.containsKey("forwarding")) {
            forwarding(html, data.getJsonArray("forwarding"));
        }
        if (data.containsKey("continue")) {
            html.append("<p id=\"more\">").append(data.getInteger("remaining")).append(" more metrics: <a href=\"explain")
                    .append(query(data.getString("continue"), page.limit())).append("\">next page</a></p>\n");
        }
        if (metricId != null) {
            JsonObject metric = data.getJsonArray("metrics").getJsonObject(0);
            detail(html, metric);
        }
        return Buffer.buffer(html.append("</body></html>\n").toString());
    }

    /** The backends the other metrics go to, and the names both serve (served here). */
    private static void forwarding(StringBuilder html, JsonArray backends) {
        html.append("<h2>Forwarded to</h2>\n<table id=\"forwarding\">\n<tr><th>backend</th><th>groups</th><th>CA</th>"
                + "<th>metrics listed</th><th>problems</th><th>also served here (ours served)</th></tr>\n");
        for (Object item : backends) {
            JsonObject backend = (JsonObject) item;
            List<String> problems = new ArrayList<>();
            if (backend.containsKey("caProblem")) {
                problems.add("CA: " + backend.getString("caProblem"));
            }
            backend.getJsonObject("discoveryFailing").forEach(failing -> problems.add("discovery of "
                    + failing.getKey() + ": " + failing.getValue()));
            List<String> conflicts = new ArrayList<>();
            backend.getJsonArray("conflicts").forEach(conflict -> conflicts.add(String.valueOf(conflict)));
            int more = backend.getInteger("conflictsTotal") - conflicts.size();
            html.append("<tr data-backend=\"").append(Html.escape(backend.getString("backend"))).append("\"><td>")
                    .append(Html.escape(backend.getString("backend"))).append(" (")
                    .append(Html.escape(backend.getString("url"))).append(")</td><td>")
                    .append(Html.escape(String.join(", ", backend.getJsonArray("groups").stream()
                            .map(String::valueOf).toList()))).append("</td><td>")
                    .append(Html.escape(backend.getString("trust"))).append("</td><td class=\"num\">")
                    .append(backend.getInteger("metricsListed")).append("</td><td class=\"problems\">")
                    .append(Html.escape(String.join("; ", problems))).append("</td><td class=\"conflicts\">")
                    .append(Html.escape(String.join(", ", conflicts))).append(more > 0 ? " and " + more + " more" : "")
                    .append("</td></tr>\n");
        }
        html.append("</table>\n");
    }

    private static void detail(StringBuilder html, JsonObject metric) {
        JsonObject lead = metric.getJsonObject("lead");
        if (lead != null) {
            html.append("<p id=\"lead\">Lead ").append(Html.escape(lead.getString("lead"))).append(": observed total ")
                    .append(lead.getValue("observedTotal") == null ? "-" : Html.number(lead.getDouble("observedTotal")))
                    .append(", served ").append(lead.getValue("servedTotal") == null ? "-"
                            : Html.number(lead.getDouble("servedTotal"))).append("</p>\n");
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
            html.append(LineChart.svg(metric.getString("metric") + ": the last hour",
                    "minutes before the last poll", "total served", x, y)).append('\n');
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
                html.append("<tr data-hpa=\"").append(Html.escape(hpa.getString("hpa"))).append("\"><td>")
                        .append(Html.escape(hpa.getString("hpa"))).append("</td><td>")
                        .append(Html.escape(hpa.getString("target", ""))).append("</td><td class=\"num current\">")
                        .append(hpa.getValue("currentReplicas", "")).append("</td><td class=\"num proposed\">")
                        .append(hpa.getValue("proposedReplicas", "")).append("</td><td class=\"num\">")
                        .append(hpa.getValue("usage") == null ? "" : Html.number(hpa.getDouble("usage")))
                        .append("</td><td>").append(Html.escape(hpa.getString("note", ""))).append("</td></tr>\n");
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
                html.append("<tr><td>").append(Html.escape(series.getString("object", ""))).append("</td><td>")
                        .append(Html.escape(series.getJsonObject("labels", new JsonObject()).encode())).append("</td><td"
                                + " class=\"num\">").append(Html.number(series.getDouble("value"))).append("</td></tr>\n");
            }
            html.append("</table>\n");
        }
    }
}
