package com.example.team;

import io.demandmetrics.scaler.spi.DescribedObject;
import io.demandmetrics.scaler.spi.InvalidConfigException;
import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.spi.ScalerContext;
import io.demandmetrics.scaler.spi.ScalerProvider;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code demand-file}: serves demand that a team's own job writes to a JSON file, e.g.
 * {@code [{"object": "web-1", "objectLabels": {"app": "web"}, "value": 5.9}]} for per-pod
 * values or {@code [{"labels": {"queue": "orders"}, "value": 120}]} for an external metric.
 */
public final class DemandFileScalerProvider implements ScalerProvider<DemandFileScalerProvider.Config> {

    /** The parsed parameters: the file to read. */
    public record Config(Path path) {
    }

    @Override
    public String type() {
        return "demand-file";
    }

    @Override
    public Config parseConfig(Map<String, Object> parameters) throws InvalidConfigException {
        // Every problem at once, in the adapter's message forms. (The support artifact's
        // ParameterReader does this for many parameters; one is as short by hand.)
        List<String> problems = new ArrayList<>();
        Object path = parameters.get("path");
        if (path == null) {
            problems.add("missing required parameter \"path\"");
        } else if (!(path instanceof String) || ((String) path).isBlank()) {
            problems.add("parameter \"path\" is not a file path");
        }
        parameters.keySet().stream().filter(name -> !name.equals("path")).sorted()
                .forEach(name -> problems.add("unknown parameter \"" + name + "\"; known: [path]"));
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
        return new Config(Path.of((String) path));
    }

    @Override
    public Scaler createScaler(Config config, ScalerContext context) {
        // File reads block: run them on the worker pool the adapter gives each scaler type.
        return () -> context.blockingExecutor().executeBlocking(() -> samples(Files.readString(config.path())));
    }

    /**
     * The samples the file's JSON holds: an array of entries, each with a numeric
     * {@code value}. Anything else fails the poll with a message saying what and where (the
     * adapter keeps serving the last good value, and shows the message in the 503 and at
     * {@code /explain}).
     */
    static List<Sample> samples(String json) {
        JsonArray entries;
        try {
            entries = new JsonArray(json);
        } catch (DecodeException e) {
            throw new IllegalArgumentException("the file is not a JSON array of entries: " + e.getMessage());
        }
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            if (!(entries.getValue(i) instanceof JsonObject entry)) {
                throw new IllegalArgumentException("entry " + (i + 1) + " is not a JSON object");
            }
            if (!(entry.getValue("value") instanceof Number value)) {
                throw new IllegalArgumentException("entry " + (i + 1) + " has no numeric \"value\"");
            }
            Sample sample = Sample.of(strings(entry.getJsonObject("labels")), value.doubleValue());
            String object = entry.getString("object");
            samples.add(object == null ? sample : new Sample(new DescribedObject(object,
                    strings(entry.getJsonObject("objectLabels"))), sample.labels(), sample.value(), null, null));
        }
        return samples;
    }

    private static Map<String, String> strings(JsonObject json) {
        return json == null ? Map.of() : json.getMap().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> String.valueOf(e.getValue())));
    }
}
