package io.demandmetrics.adapter.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Our wire format against upstream's: {@link UpstreamTypes} (upstream's Go types, by hand)
 * accepts what real adapters answered, finds what differs from upstream, and finds nothing
 * in any of our golden answers; and our answers carry the fields a real adapter's carry.
 */
class UpstreamWireTest {

    private static final Path RECORDED = Path.of("src/test/resources/upstream-recorded");
    private static final Path GOLDEN = Path.of("src/test/resources/golden");

    static Stream<Path> recorded() throws IOException {
        return jsonFiles(RECORDED);
    }

    static Stream<Path> golden() throws IOException {
        return jsonFiles(GOLDEN);
    }

    private static Stream<Path> jsonFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> json = files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
            assertThat(json).as("json files in %s", dir).isNotEmpty();
            return json.stream();
        }
    }

    private static JsonObject read(Path file) throws IOException {
        return new JsonObject(Files.readString(file));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recorded")
    void whatRealAdaptersAnsweredIsWhatUpstreamsTypesWrite(Path file) throws IOException {
        assertThat(UpstreamTypes.differences(read(file))).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("golden")
    void everyGoldenAnswerIsWhatUpstreamsTypesWrite(Path file) throws IOException {
        assertThat(UpstreamTypes.differences(read(file))).isEmpty();
    }

    static Stream<Arguments> sameQuestions() {
        return Stream.of(
                Arguments.of("prometheus-adapter-v1beta1-pods.json", "pods-star-v1beta1.json"),
                Arguments.of("prometheus-adapter-v1beta2-pods.json", "pods-star-v1beta2.json"),
                Arguments.of("circonus-adapter-external.json", "external-cron.json"),
                Arguments.of("prometheus-adapter-discovery.json", "custom-v1beta1-resources.json"),
                Arguments.of("keda-external-discovery.json", "external-v1beta1-resources.json"));
    }

    /**
     * Field for field, below the list's metadata (selfLink is gone from Kubernetes since 1.20):
     * the same names at the same places as a real adapter's answer to the same kind of question.
     */
    @ParameterizedTest(name = "{0} ~ {1}")
    @MethodSource("sameQuestions")
    void ourAnswersCarryTheFieldsARealAdaptersCarry(String theirs, String ours) throws IOException {
        JsonObject recorded = read(RECORDED.resolve(theirs));
        JsonObject answer = read(GOLDEN.resolve(ours));
        recorded.remove("metadata");
        answer.remove("metadata");
        assertThat(fieldPaths(answer, "")).isEqualTo(fieldPaths(recorded, ""));
    }

    /** Every field's path, list elements folded into one {@code []}, e.g. {@code items[].metric.name}. */
    private static Set<String> fieldPaths(Object node, String at) {
        Set<String> paths = new TreeSet<>();
        if (node instanceof JsonObject object) {
            object.forEach(e -> {
                String path = at.isEmpty() ? e.getKey() : at + "." + e.getKey();
                paths.add(path);
                paths.addAll(fieldPaths(e.getValue(), path));
            });
        } else if (node instanceof JsonArray array) {
            array.forEach(element -> paths.addAll(fieldPaths(element, at + "[]")));
        }
        return paths;
    }

    static Stream<Arguments> deviations() {
        return Stream.of(
                deviation("pods-star-v1beta1.json", "selector left out where Go writes null",
                        item(i -> { i.remove("selector"); return i; }), "$.items[0].selector: missing"),
                deviation("object-window-v1beta1.json", "v1beta2's window name in v1beta1",
                        item(i -> i.put("windowSeconds", i.remove("window"))),
                        "$.items[0].windowSeconds: custom_metrics.v1beta1.MetricValue has no such field"),
                deviation("pods-star-v1beta2.json", "a number where Go writes a Quantity string",
                        item(i -> i.put("value", 12)), "$.items[0].value: 12 is not a canonical Quantity"),
                deviation("pods-star-v1beta2.json", "a Quantity upstream would write as 1500m",
                        item(i -> i.put("value", "1.5")), "$.items[0].value: 1.5 is not a canonical Quantity"),
                deviation("external-labelled.json", "milliseconds upstream's Time drops",
                        item(i -> i.put("timestamp", "2026-11-26T11:59:30.125Z")),
                        "$.items[0].timestamp: 2026-11-26T11:59:30.125Z is not an RFC 3339 UTC time with whole seconds"),
                deviation("external-labelled.json", "a label value that is not a string",
                        item(i -> { i.getJsonObject("metricLabels").put("queue", 1); return i; }),
                        "$.items[0].metricLabels.queue: 1 is not a string"),
                deviation("object-window-v1beta2.json", "an empty omitempty field written",
                        item(i -> { i.getJsonObject("describedObject").put("uid", ""); return i; }),
                        "$.items[0].describedObject.uid:  present; upstream omits it when empty"),
                deviation("custom-v1beta2-resources.json", "an empty group on a resource",
                        answer -> { answer.getJsonArray("resources").getJsonObject(0).put("group", ""); return answer; },
                        "$.resources[0].group:  present; upstream omits it when empty"),
                deviation("external-labelled.json", "no metadata where Go always writes the struct",
                        answer -> { answer.remove("metadata"); return answer; }, "$.metadata: missing"));
    }

    private static Arguments deviation(String golden, String what, UnaryOperator<JsonObject> change, String found) {
        return Arguments.of(golden, what, change, found);
    }

    private static UnaryOperator<JsonObject> item(UnaryOperator<JsonObject> change) {
        return answer -> {
            change.apply(answer.getJsonArray("items").getJsonObject(0));
            return answer;
        };
    }

    /** The check can fail: each way of differing from upstream is found and named. */
    @ParameterizedTest(name = "{1}")
    @MethodSource("deviations")
    void whatDiffersFromUpstreamIsFound(String golden, String what, UnaryOperator<JsonObject> change, String found)
            throws IOException {
        JsonObject answer = change.apply(read(GOLDEN.resolve(golden)));
        assertThat(UpstreamTypes.differences(answer)).anySatisfy(difference -> assertThat(difference).startsWith(found));
    }
}
