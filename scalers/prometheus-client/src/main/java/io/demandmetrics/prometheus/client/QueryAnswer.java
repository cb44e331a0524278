package io.demandmetrics.prometheus.client;

import io.demandmetrics.scaler.support.BoundedQuote;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What Prometheus' {@code /api/v1/query} answered: the series of an instant vector (or one
 * scalar) with their values, and any warnings; or the error Prometheus gave, in its own words.
 *
 * @param series the vector's series in Prometheus' order; a scalar is one series without labels
 * @param warnings what Prometheus warned about the query (already logged by {@link PrometheusQuery})
 */
public record QueryAnswer(List<Series> series, List<String> warnings) {

    /** Longest error or warning text of Prometheus' shown in a message. */
    static final int MAX_TEXT = 300;

    /**
     * One series.
     *
     * @param labels its labels, without {@code __name__}
     * @param value its value, NaN and ±Inf as they came
     */
    public record Series(Map<String, String> labels, double value) {
    }

    /**
     * Reads an answer body.
     *
     * @throws IllegalStateException with Prometheus' own error ({@code bad_data: ...}), or
     *     saying what is wrong with a body that is not a query answer
     */
    static QueryAnswer parse(String body, int status) {
        JsonObject answer;
        try {
            answer = new JsonObject(body);
        } catch (DecodeException | ClassCastException e) {
            throw new IllegalStateException((status == 200 ? "" : "HTTP " + status + ", ")
                    + "not a Prometheus query answer (not a JSON object): " + BoundedQuote.quote(body));
        }
        if ("error".equals(answer.getValue("status"))) {
            throw new IllegalStateException("Prometheus answered " + text(answer.getValue("errorType"))
                    + ": " + text(answer.getValue("error")));
        }
        if (status != 200 || !"success".equals(answer.getValue("status"))) {
            throw new IllegalStateException("HTTP " + status + ", not a successful Prometheus query answer: "
                    + BoundedQuote.quote(body));
        }
        List<String> warnings = new ArrayList<>();
        if (answer.getValue("warnings") instanceof JsonArray list) {
            list.forEach(warning -> warnings.add(text(warning)));
        }
        Object data = answer.getValue("data");
        if (!(data instanceof JsonObject result)) {
            throw new IllegalStateException("Prometheus' answer has no \"data\" object");
        }
        Object type = result.getValue("resultType");
        List<Series> series = new ArrayList<>();
        if ("scalar".equals(type)) {
            series.add(new Series(Map.of(), value(result.getValue("result"))));
        } else if ("vector".equals(type)) {
            if (!(result.getValue("result") instanceof JsonArray items)) {
                throw new IllegalStateException("Prometheus' vector has no \"result\" list");
            }
            for (Object item : items) {
                if (!(item instanceof JsonObject sample) || !(sample.getValue("metric") instanceof JsonObject metric)) {
                    throw new IllegalStateException("a series of Prometheus' vector is not {metric, value}");
                }
                Map<String, String> labels = new LinkedHashMap<>();
                metric.forEach(label -> {
                    if (!label.getKey().equals("__name__") && label.getValue() instanceof String value) {
                        labels.put(label.getKey(), value);
                    }
                });
                series.add(new Series(Map.copyOf(labels), value(sample.getValue("value"))));
            }
        } else {
            throw new IllegalStateException("the query must give an instant vector or a scalar, not "
                    + (type instanceof String name ? "a " + name : BoundedQuote.quote(type))
                    + " (a range selector such as [5m] needs a function around it, e.g. rate)");
        }
        return new QueryAnswer(series, warnings);
    }

    /** {@code [time, "value"]}: the value, with Prometheus' spellings of NaN and infinities. */
    private static double value(Object pair) {
        if (!(pair instanceof JsonArray array) || array.size() != 2 || !(array.getValue(1) instanceof String text)) {
            throw new IllegalStateException("a value in Prometheus' answer is not [time, \"number\"]: "
                    + BoundedQuote.quote(pair));
        }
        switch (text) {
            case "NaN":
                return Double.NaN;
            case "+Inf", "Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            default:
                try {
                    return Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    throw new IllegalStateException("a value in Prometheus' answer is not a number: " + BoundedQuote.quote(text));
                }
        }
    }

    /** Prometheus' own text, bounded and without control characters: it goes into messages and logs. */
    static String text(Object value) {
        String text = String.valueOf(value);
        if (text.length() > MAX_TEXT) {
            text = text.substring(0, MAX_TEXT) + "...";
        }
        return BoundedQuote.printable(text);
    }
}
