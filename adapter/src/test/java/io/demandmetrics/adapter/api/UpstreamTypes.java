package io.demandmetrics.adapter.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The JSON that upstream's Go types produce, transcribed by hand from their {@code json} tags,
 * so the adapter's answers are checked against upstream rather than against files it wrote.
 *
 * <p>Sources (read, not copied): {@code k8s.io/metrics} {@code pkg/apis/custom_metrics/v1beta1},
 * {@code custom_metrics/v1beta2} and {@code external_metrics/v1beta1} {@code types.go};
 * {@code k8s.io/apimachinery} {@code pkg/apis/meta/v1/types.go} (TypeMeta, ListMeta, Status,
 * APIGroup, APIResource, LabelSelector); {@code k8s.io/api} {@code core/v1} ObjectReference; and,
 * for which fields the schema requires, custom-metrics-apiserver's generated OpenAPI
 * definitions ({@code pkg/generated/openapi}).
 *
 * <p>Go's {@code encoding/json} decides presence: a field without {@code omitempty} is always
 * written (a nil pointer, map or slice as {@code null}); an {@code omitempty} field is left out
 * when empty ("" , 0, false, nil, empty map or slice), except a struct value, which is always
 * written. {@code metav1.Time} is RFC 3339 in UTC with whole seconds; {@code resource.Quantity}
 * a string in canonical form.
 */
public final class UpstreamTypes {

    /** How a field's value is shaped. */
    public sealed interface Shape {
    }

    public record Text() implements Shape {
    }

    public record Bool() implements Shape {
    }

    public record Int() implements Shape {
    }

    /** {@code resource.Quantity}. */
    public record Quantity() implements Shape {
    }

    /** {@code metav1.Time}. */
    public record Time() implements Shape {
    }

    /** Another type of this table, by name; {@code pointer} when Go holds it by pointer (may be null). */
    public record Struct(String type, boolean pointer) implements Shape {
    }

    /** A Go slice (nil writes as null). */
    public record ListOf(Shape element) implements Shape {
    }

    /** A Go {@code map[string]string} (nil writes as null). */
    public record StringMap() implements Shape {
    }

    /**
     * One field.
     *
     * @param written always on the wire (no omitempty, or a struct value)
     * @param required in upstream's OpenAPI schema (no omitempty and not {@code +optional})
     */
    public record Field(String name, Shape shape, boolean written, boolean required) {
    }

    public static final String CUSTOM_V1BETA1 = "custom_metrics.v1beta1.";
    public static final String CUSTOM_V1BETA2 = "custom_metrics.v1beta2.";
    public static final String EXTERNAL_V1BETA1 = "external_metrics.v1beta1.";
    public static final String META = "meta.v1.";

    /** Every type, by short name ({@code custom_metrics.v1beta2.MetricValue}, {@code meta.v1.Status}). */
    public static final Map<String, List<Field>> TYPES = types();

    private static final Pattern TIME = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    /** Canonical DecimalSI: an integer with at most one suffix, as Quantity.String() writes it. */
    private static final Pattern CANONICAL_QUANTITY = Pattern.compile("-?(0|[1-9][0-9]*)(n|u|m|k|M|G|T|P|E)?");

    private UpstreamTypes() {
    }

    private static Field always(String name, Shape shape) {
        return new Field(name, shape, true, true);
    }

    /** Written even when null, but optional in the schema ({@code +optional} without omitempty). */
    private static Field optionalWritten(String name, Shape shape) {
        return new Field(name, shape, true, false);
    }

    private static Field omitempty(String name, Shape shape) {
        boolean structValue = shape instanceof Struct s && !s.pointer();
        return new Field(name, shape, structValue, false);
    }

    private static Struct struct(String type) {
        return new Struct(type, false);
    }

    private static Struct pointer(String type) {
        return new Struct(type, true);
    }

    private static List<Field> typeMeta(Field... fields) {
        List<Field> all = new ArrayList<>(List.of(omitempty("kind", new Text()), omitempty("apiVersion", new Text())));
        all.addAll(List.of(fields));
        return all;
    }

    private static Map<String, List<Field>> types() {
        Map<String, List<Field>> types = new LinkedHashMap<>();
        Field window = omitempty("window", new Int());
        types.put(CUSTOM_V1BETA1 + "MetricValueList", typeMeta(
                omitempty("metadata", struct(META + "ListMeta")),
                always("items", new ListOf(struct(CUSTOM_V1BETA1 + "MetricValue")))));
        types.put(CUSTOM_V1BETA1 + "MetricValue", typeMeta(
                always("describedObject", struct("core.v1.ObjectReference")),
                always("metricName", new Text()),
                always("timestamp", new Time()),
                window,
                always("value", new Quantity()),
                optionalWritten("selector", pointer(META + "LabelSelector"))));
        types.put(CUSTOM_V1BETA2 + "MetricValueList", typeMeta(
                omitempty("metadata", struct(META + "ListMeta")),
                always("items", new ListOf(struct(CUSTOM_V1BETA2 + "MetricValue")))));
        types.put(CUSTOM_V1BETA2 + "MetricValue", typeMeta(
                always("describedObject", struct("core.v1.ObjectReference")),
                always("metric", struct(CUSTOM_V1BETA2 + "MetricIdentifier")),
                always("timestamp", new Time()),
                omitempty("windowSeconds", new Int()),
                always("value", new Quantity())));
        types.put(CUSTOM_V1BETA2 + "MetricIdentifier", List.of(
                always("name", new Text()),
                optionalWritten("selector", pointer(META + "LabelSelector"))));
        types.put(EXTERNAL_V1BETA1 + "ExternalMetricValueList", typeMeta(
                omitempty("metadata", struct(META + "ListMeta")),
                always("items", new ListOf(struct(EXTERNAL_V1BETA1 + "ExternalMetricValue")))));
        types.put(EXTERNAL_V1BETA1 + "ExternalMetricValue", typeMeta(
                always("metricName", new Text()),
                always("metricLabels", new StringMap()),
                always("timestamp", new Time()),
                window,
                always("value", new Quantity())));
        types.put("core.v1.ObjectReference", List.of(
                omitempty("kind", new Text()), omitempty("namespace", new Text()), omitempty("name", new Text()),
                omitempty("uid", new Text()), omitempty("apiVersion", new Text()),
                omitempty("resourceVersion", new Text()), omitempty("fieldPath", new Text())));
        types.put(META + "ListMeta", List.of(
                omitempty("selfLink", new Text()), omitempty("resourceVersion", new Text()),
                omitempty("continue", new Text()), omitempty("remainingItemCount", new Int())));
        types.put(META + "LabelSelector", List.of(
                omitempty("matchLabels", new StringMap()),
                omitempty("matchExpressions", new ListOf(struct(META + "LabelSelectorRequirement")))));
        types.put(META + "LabelSelectorRequirement", List.of(
                always("key", new Text()), always("operator", new Text()), omitempty("values", new ListOf(new Text()))));
        types.put(META + "APIGroupList", typeMeta(always("groups", new ListOf(struct(META + "APIGroup")))));
        types.put(META + "APIGroup", typeMeta(
                always("name", new Text()),
                always("versions", new ListOf(struct(META + "GroupVersionForDiscovery"))),
                omitempty("preferredVersion", struct(META + "GroupVersionForDiscovery")),
                omitempty("serverAddressByClientCIDRs", new ListOf(new Text()))));
        types.put(META + "GroupVersionForDiscovery", List.of(always("groupVersion", new Text()), always("version", new Text())));
        types.put(META + "APIResourceList", typeMeta(
                always("groupVersion", new Text()),
                always("resources", new ListOf(struct(META + "APIResource")))));
        types.put(META + "APIResource", List.of(
                always("name", new Text()), always("singularName", new Text()), always("namespaced", new Bool()),
                omitempty("group", new Text()), omitempty("version", new Text()), always("kind", new Text()),
                always("verbs", new ListOf(new Text())), omitempty("shortNames", new ListOf(new Text())),
                omitempty("categories", new ListOf(new Text())), omitempty("storageVersionHash", new Text())));
        types.put(META + "Status", typeMeta(
                omitempty("metadata", struct(META + "ListMeta")),
                omitempty("status", new Text()), omitempty("message", new Text()), omitempty("reason", new Text()),
                omitempty("details", pointer(META + "StatusDetails")), omitempty("code", new Int())));
        types.put(META + "StatusDetails", List.of(
                omitempty("name", new Text()), omitempty("group", new Text()), omitempty("kind", new Text()),
                omitempty("uid", new Text()), omitempty("causes", new ListOf(struct(META + "StatusCause"))),
                omitempty("retryAfterSeconds", new Int())));
        types.put(META + "StatusCause", List.of(
                omitempty("reason", new Text()), omitempty("message", new Text()), omitempty("field", new Text())));
        return Map.copyOf(types);
    }

    /** The upstream type of a top-level answer, by its kind and apiVersion. */
    public static String typeOf(JsonObject answer) {
        String kind = answer.getString("kind");
        String apiVersion = answer.getString("apiVersion");
        return switch (kind + " " + apiVersion) {
            case "MetricValueList custom.metrics.k8s.io/v1beta1" -> CUSTOM_V1BETA1 + kind;
            case "MetricValueList custom.metrics.k8s.io/v1beta2" -> CUSTOM_V1BETA2 + kind;
            case "ExternalMetricValueList external.metrics.k8s.io/v1beta1" -> EXTERNAL_V1BETA1 + kind;
            case "APIGroupList v1", "APIGroup v1", "APIResourceList v1", "Status v1" -> META + kind;
            default -> throw new IllegalArgumentException("no upstream type for kind " + kind + ", apiVersion " + apiVersion);
        };
    }

    /** Where {@code answer} differs from what upstream's types would write; empty when it does not. */
    public static List<String> differences(JsonObject answer) {
        List<String> differences = new ArrayList<>();
        check(typeOf(answer), answer, "$", differences);
        return differences;
    }

    private static void check(String type, JsonObject object, String path, List<String> differences) {
        List<Field> fields = TYPES.get(type);
        Map<String, Field> byName = new LinkedHashMap<>();
        fields.forEach(field -> byName.put(field.name(), field));
        for (String key : object.fieldNames()) {
            if (!byName.containsKey(key)) {
                differences.add(path + "." + key + ": " + type + " has no such field");
            }
        }
        for (Field field : fields) {
            String at = path + "." + field.name();
            if (!object.containsKey(field.name())) {
                if (field.written()) {
                    differences.add(at + ": missing; upstream always writes it");
                }
                continue;
            }
            Object value = object.getValue(field.name());
            if (!field.written() && isEmpty(value)) {
                differences.add(at + ": " + value + " present; upstream omits it when empty (omitempty)");
                continue;
            }
            checkValue(field.shape(), value, at, differences);
        }
    }

    private static void checkValue(Shape shape, Object value, String at, List<String> differences) {
        if (value == null) {
            boolean nullable = shape instanceof ListOf || shape instanceof StringMap || shape instanceof Time
                    || shape instanceof Struct s && s.pointer();
            if (!nullable) {
                differences.add(at + ": null, which upstream never writes for a " + shape);
            }
            return;
        }
        if (shape instanceof Text) {
            expect(value instanceof String, at, "a string", value, differences);
        } else if (shape instanceof Bool) {
            expect(value instanceof Boolean, at, "a boolean", value, differences);
        } else if (shape instanceof Int) {
            expect(value instanceof Integer || value instanceof Long, at, "an integer", value, differences);
        } else if (shape instanceof Quantity) {
            expect(value instanceof String text && CANONICAL_QUANTITY.matcher(text).matches(), at,
                    "a canonical Quantity string (e.g. \"250m\", \"12\")", value, differences);
        } else if (shape instanceof Time) {
            expect(value instanceof String text && TIME.matcher(text).matches(), at,
                    "an RFC 3339 UTC time with whole seconds", value, differences);
        } else if (shape instanceof StringMap) {
            if (value instanceof JsonObject map) {
                map.forEach(e -> expect(e.getValue() instanceof String, at + "." + e.getKey(), "a string",
                        e.getValue(), differences));
            } else {
                expect(false, at, "a map of strings", value, differences);
            }
        } else if (shape instanceof ListOf list) {
            if (value instanceof JsonArray array) {
                for (int i = 0; i < array.size(); i++) {
                    checkValue(list.element(), array.getValue(i), at + "[" + i + "]", differences);
                }
            } else {
                expect(false, at, "a list", value, differences);
            }
        } else if (shape instanceof Struct struct) {
            if (value instanceof JsonObject object) {
                check(struct.type(), object, at, differences);
            } else {
                expect(false, at, "an object (" + struct.type() + ")", value, differences);
            }
        }
    }

    private static void expect(boolean ok, String at, String what, Object value, List<String> differences) {
        if (!ok) {
            differences.add(at + ": " + value + " is not " + what);
        }
    }

    private static boolean isEmpty(Object value) {
        return value == null || "".equals(value) || Boolean.FALSE.equals(value)
                || value instanceof Number n && n.doubleValue() == 0
                || value instanceof JsonObject o && o.isEmpty() || value instanceof JsonArray a && a.isEmpty();
    }
}
