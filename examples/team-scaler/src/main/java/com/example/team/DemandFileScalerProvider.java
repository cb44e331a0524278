package com.example.team;

import io.demandmetrics.scaler.spi.DescribedObject;
import io.demandmetrics.scaler.spi.InvalidConfigException;
import io.demandmetrics.scaler.spi.ParameterReader;
import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.spi.ScalerContext;
import io.demandmetrics.scaler.spi.ScalerProvider;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

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
        ParameterReader p = new ParameterReader(parameters, "path");
        String path = p.string("path");
        p.throwIfInvalid();
        return new Config(Path.of(path));
    }

    @Override
    public Scaler createScaler(Config config, ScalerContext context) {
        // File reads block: run them on the worker pool the adapter gives each scaler type.
        return () -> context.blockingExecutor().executeBlocking(() -> samples(Files.readString(config.path())));
    }

    static List<Sample> samples(String json) {
        return new JsonArray(json).stream().map(JsonObject.class::cast).map(entry -> {
            Sample sample = Sample.of(strings(entry.getJsonObject("labels")), entry.getDouble("value"));
            String object = entry.getString("object");
            return object == null ? sample : new Sample(new DescribedObject(object,
                    strings(entry.getJsonObject("objectLabels"))), sample.labels(), sample.value(), null, null);
        }).toList();
    }

    private static Map<String, String> strings(JsonObject json) {
        return json == null ? Map.of() : json.getMap().entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> String.valueOf(e.getValue())));
    }
}
