package io.demandmetrics.adapter.replicas;

import io.demandmetrics.adapter.api.KubernetesResource;
import io.demandmetrics.adapter.config.MetricKey;
import io.demandmetrics.adapter.store.Failure;
import io.demandmetrics.adapter.store.Reading;
import io.demandmetrics.scaler.spi.DescribedObject;
import io.demandmetrics.scaler.spi.Sample;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The wire form of the readings one replica sends another: a JSON object
 * {@code {"from": identity, "readings": [...]}}, each reading naming its metric
 * ({@code describes}, {@code namespace}, {@code name}), its owner's settings digest, the
 * reading's time and samples, and the owner's last failure. Decoding checks every field and
 * bound, so a malformed batch is refused whole with a message saying what is wrong.
 */
public final class ReadingBatch {

    /** Largest batch a replica accepts; a sender splits larger ones. */
    public static final int MAX_BYTES = 8 * 1024 * 1024;
    static final int MAX_TEXT = 4096;
    static final int MAX_LABELS = 64;

    private ReadingBatch() {
    }

    public static Buffer encode(String from, List<ReplicatedReading> readings) {
        JsonArray items = new JsonArray();
        for (ReplicatedReading replicated : readings) {
            MetricKey key = replicated.key();
            JsonObject item = new JsonObject().put("describes", key.describes()).put("namespace", key.namespace())
                    .put("name", key.name()).put("settings", replicated.settings());
            Reading reading = replicated.reading();
            if (reading != null) {
                JsonArray samples = new JsonArray();
                for (Sample sample : reading.samples()) {
                    samples.add(sample(sample));
                }
                item.put("fetchedAt", reading.fetchedAt().toString()).put("samples", samples);
            }
            Failure failure = replicated.failure();
            if (failure != null) {
                String message = failure.message().length() > MAX_TEXT
                        ? failure.message().substring(0, MAX_TEXT - 3) + "..." : failure.message();
                item.put("failure", new JsonObject().put("message", message).put("at", failure.at().toString()));
            }
            items.add(item);
        }
        return new JsonObject().put("from", from).put("readings", items).toBuffer();
    }

    private static JsonObject sample(Sample sample) {
        JsonObject json = new JsonObject().put("value", sample.value());
        if (sample.object() != null) {
            json.put("object", new JsonObject().put("name", sample.object().name())
                    .put("labels", new JsonObject(new LinkedHashMap<>(sample.object().labels()))));
        }
        if (!sample.labels().isEmpty()) {
            json.put("labels", new JsonObject(new LinkedHashMap<>(sample.labels())));
        }
        if (sample.timestamp() != null) {
            json.put("at", sample.timestamp().toString());
        }
        if (sample.window() != null) {
            json.put("windowMillis", sample.window().toMillis());
        }
        return json;
    }

    /** The sender's identity and its readings. */
    public record Decoded(String from, List<ReplicatedReading> readings) {
    }

    /** @throws IllegalArgumentException saying what is malformed */
    public static Decoded decode(Buffer body) {
        if (body.length() > MAX_BYTES) {
            throw new IllegalArgumentException("a batch of readings is at most " + MAX_BYTES + " bytes");
        }
        JsonObject batch;
        try {
            batch = new JsonObject(body);
        } catch (DecodeException | ClassCastException e) {
            throw new IllegalArgumentException("a batch of readings is a JSON object");
        }
        String from = text(batch, "from", "the batch");
        JsonArray items = array(batch, "readings", "the batch");
        List<ReplicatedReading> readings = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            readings.add(reading(object(items.getValue(i), "readings[" + i + "]"), "readings[" + i + "]"));
        }
        return new Decoded(from, readings);
    }

    private static ReplicatedReading reading(JsonObject item, String where) {
        String describes = text(item, "describes", where);
        String namespace = item.getValue("namespace") == null ? null : text(item, "namespace", where);
        String name = text(item, "name", where);
        KubernetesResource resource = null;
        if (!describes.equals("external")) {
            resource = KubernetesResource.byName(describes).orElseThrow(() -> new IllegalArgumentException(
                    where + ": unknown resource \"" + describes + "\""));
        }
        MetricKey key = new MetricKey(resource, namespace, name);
        Reading reading = null;
        if (item.getValue("fetchedAt") != null) {
            JsonArray samples = array(item, "samples", where);
            List<Sample> decoded = new ArrayList<>(samples.size());
            for (int i = 0; i < samples.size(); i++) {
                decoded.add(sample(object(samples.getValue(i), where + ".samples[" + i + "]"), where + ".samples[" + i + "]"));
            }
            reading = new Reading(decoded, instant(item, "fetchedAt", where));
        }
        Failure failure = null;
        if (item.getValue("failure") != null) {
            JsonObject json = object(item.getValue("failure"), where + ".failure");
            failure = new Failure(text(json, "message", where + ".failure"), instant(json, "at", where + ".failure"));
        }
        return new ReplicatedReading(key, text(item, "settings", where), reading, failure);
    }

    private static Sample sample(JsonObject json, String where) {
        if (!(json.getValue("value") instanceof Number number) || !Double.isFinite(number.doubleValue())) {
            throw new IllegalArgumentException(where + ".value must be a finite number");
        }
        DescribedObject object = null;
        if (json.getValue("object") != null) {
            JsonObject described = object(json.getValue("object"), where + ".object");
            object = new DescribedObject(text(described, "name", where + ".object"),
                    labels(described.getValue("labels"), where + ".object.labels"));
        }
        Instant at = json.getValue("at") == null ? null : instant(json, "at", where);
        Duration window = null;
        if (json.getValue("windowMillis") != null) {
            if (!(json.getValue("windowMillis") instanceof Number millis) || millis.longValue() < 0) {
                throw new IllegalArgumentException(where + ".windowMillis must be a non-negative number");
            }
            window = Duration.ofMillis(millis.longValue());
        }
        return new Sample(object, labels(json.getValue("labels"), where + ".labels"), number.doubleValue(), at, window);
    }

    private static Map<String, String> labels(Object value, String where) {
        if (value == null) {
            return Map.of();
        }
        JsonObject json = object(value, where);
        if (json.size() > MAX_LABELS) {
            throw new IllegalArgumentException(where + " has more than " + MAX_LABELS + " labels");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        for (String name : json.fieldNames()) {
            labels.put(bounded(name, where), text(json, name, where));
        }
        return labels;
    }

    private static JsonObject object(Object value, String where) {
        if (!(value instanceof JsonObject json)) {
            throw new IllegalArgumentException(where + " must be an object");
        }
        return json;
    }

    private static JsonArray array(JsonObject json, String field, String where) {
        if (!(json.getValue(field) instanceof JsonArray array)) {
            throw new IllegalArgumentException(where + "." + field + " must be an array");
        }
        return array;
    }

    private static String text(JsonObject json, String field, String where) {
        if (!(json.getValue(field) instanceof String text)) {
            throw new IllegalArgumentException(where + "." + field + " must be a string");
        }
        return bounded(text, where + "." + field);
    }

    private static String bounded(String text, String where) {
        if (text.length() > MAX_TEXT) {
            throw new IllegalArgumentException(where + " is longer than " + MAX_TEXT + " characters");
        }
        return text;
    }

    private static Instant instant(JsonObject json, String field, String where) {
        try {
            return Instant.parse(text(json, field, where));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(where + "." + field + " must be an RFC 3339 time");
        }
    }
}
