package io.demandmetrics.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandmetrics.adapter.api.MetricsApi;
import io.demandmetrics.adapter.api.UpstreamTypes;
import io.demandmetrics.adapter.api.UpstreamTypes.Field;
import io.demandmetrics.adapter.api.UpstreamTypes.Shape;
import io.swagger.models.Swagger;
import io.swagger.parser.SwaggerParser;
import io.swagger.parser.util.SwaggerDeserializationResult;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The served OpenAPI documents, read by swagger-parser (what OpenAPI generators use) as a
 * client would read them, and their schemas held against upstream's types.
 */
class OpenApiDocumentsTest {

    private static final OpenApiDocuments DOCUMENTS = new OpenApiDocuments();
    private static final String SERVED_PREFIX = "io.k8s.";

    @Test
    void theV2DocumentParsesWithoutAMessageAndEveryRouteAnswersAnUpstreamType() {
        SwaggerDeserializationResult result = new SwaggerParser().readWithInfo(DOCUMENTS.v2().toString());
        assertThat(result.getMessages()).isEmpty();
        Swagger swagger = result.getSwagger();
        assertThat(swagger.getPaths()).containsKeys(
                "/apis/custom.metrics.k8s.io/v1beta2/namespaces/{namespace}/{resource}/{name}/{metric}",
                "/apis/custom.metrics.k8s.io/v1beta1/{resource}/{name}/{metric}",
                "/apis/external.metrics.k8s.io/v1beta1/namespaces/{namespace}/{metric}");
        swagger.getPaths().forEach((path, item) -> {
            String answer = ((io.swagger.models.RefModel) item.getGet().getResponses().get("200").getResponseSchema())
                    .getSimpleRef();
            assertThat(swagger.getDefinitions()).as(path).containsKey(answer);
            assertThat(answer).as(path).isEqualTo(expectedAnswer(path));
        });
    }

    static Stream<String> groupVersions() {
        return MetricsApi.groups().stream().flatMap(group -> MetricsApi.versions(group).stream()
                .map(version -> "apis/" + group + "/" + version));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("groupVersions")
    void eachV3DocumentIsListedParsesWithoutAMessageAndHoldsWhatItsRoutesReach(String groupVersion) {
        String url = new JsonObject(DOCUMENTS.v3Index().toString()).getJsonObject("paths")
                .getJsonObject(groupVersion).getString("serverRelativeURL");
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(DOCUMENTS.v3(url).toString(), null, options);
        assertThat(result.getMessages()).isEmpty();
        OpenAPI openApi = result.getOpenAPI();
        assertThat(openApi.getPaths()).isNotEmpty().allSatisfy((path, item) -> {
            assertThat(path).startsWith("/" + groupVersion + "/");
            Operation get = item.getGet();
            String answer = get.getResponses().get("200").getContent().get("application/json").getSchema().get$ref();
            assertThat(answer).isEqualTo("#/components/schemas/" + expectedAnswer(path));
            assertThat(get.getParameters()).allSatisfy(parameter -> assertThat(parameter.getSchema().getType())
                    .as("%s %s", path, parameter.getName()).isEqualTo("string"));
        });
        // Only what this version's routes reach: no other version's types.
        String version = groupVersion.substring(groupVersion.lastIndexOf('/') + 1);
        assertThat(openApi.getComponents().getSchemas().keySet())
                .filteredOn(name -> name.startsWith("io.k8s.metrics."))
                .allSatisfy(name -> assertThat(name).contains("." + version + "."));
    }

    private static String expectedAnswer(String path) {
        String version = path.split("/")[3];
        if (path.endsWith("/" + version + "/")) {
            return "io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList";
        }
        return path.contains("/external.metrics.k8s.io/")
                ? "io.k8s.metrics.pkg.apis.external_metrics." + version + ".ExternalMetricValueList"
                : "io.k8s.metrics.pkg.apis.custom_metrics." + version + ".MetricValueList";
    }

    /**
     * Each served schema of an upstream type has that type's fields, no others, the same required
     * ones (those upstream's generated definitions require), and the same shapes.
     */
    @Test
    void theServedSchemasAreUpstreamsTypes() {
        JsonObject definitions = new JsonObject(DOCUMENTS.v2().toString()).getJsonObject("definitions");
        List<String> checked = new ArrayList<>();
        for (String served : definitions.fieldNames()) {
            String upstream = upstreamName(served);
            List<Field> fields = UpstreamTypes.TYPES.get(upstream);
            if (fields == null) {
                assertThat(served).as("served but not an upstream type")
                        .isIn("io.k8s.apimachinery.pkg.api.resource.Quantity", "io.k8s.apimachinery.pkg.apis.meta.v1.Time");
                continue;
            }
            JsonObject schema = definitions.getJsonObject(served);
            JsonObject properties = schema.getJsonObject("properties");
            assertThat(properties.fieldNames()).as(served)
                    .containsExactlyInAnyOrderElementsOf(fields.stream().map(Field::name).toList());
            Set<String> required = fields.stream().filter(Field::required).map(Field::name)
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(new TreeSet<>(schema.getJsonArray("required", new io.vertx.core.json.JsonArray()).getList()))
                    .as("%s required", served).isEqualTo(required);
            for (Field field : fields) {
                assertThat(describe(properties.getJsonObject(field.name())))
                        .as("%s.%s", served, field.name()).isEqualTo(describe(field.shape()));
            }
            checked.add(upstream);
        }
        assertThat(checked).contains("custom_metrics.v1beta1.MetricValue", "custom_metrics.v1beta2.MetricValue",
                "custom_metrics.v1beta2.MetricIdentifier", "external_metrics.v1beta1.ExternalMetricValue",
                "meta.v1.Status", "meta.v1.APIResourceList");
    }

    /** {@code io.k8s.metrics.pkg.apis.custom_metrics.v1beta2.MetricValue} is upstream's {@code custom_metrics.v1beta2.MetricValue}. */
    private static String upstreamName(String served) {
        String name = served.substring(SERVED_PREFIX.length());
        for (String prefix : List.of("metrics.pkg.apis.", "apimachinery.pkg.apis.", "api.")) {
            if (name.startsWith(prefix)) {
                return name.substring(prefix.length());
            }
        }
        return name;
    }

    /** A shape as one comparable string, from the served schema... */
    private static String describe(JsonObject property) {
        if (property.containsKey("$ref")) {
            String served = property.getString("$ref").substring("#/definitions/".length());
            return switch (served) {
                case "io.k8s.apimachinery.pkg.api.resource.Quantity" -> "quantity";
                case "io.k8s.apimachinery.pkg.apis.meta.v1.Time" -> "time";
                default -> "struct " + upstreamName(served);
            };
        }
        return switch (property.getString("type")) {
            case "array" -> "list of " + describe(property.getJsonObject("items"));
            case "object" -> property.getJsonObject("additionalProperties", new JsonObject()).getString("type", "?")
                    .equals("string") ? "string map" : "object";
            case "integer" -> "int";
            case "boolean" -> "bool";
            default -> property.getString("type");
        };
    }

    /** ...and from upstream's. */
    private static String describe(Shape shape) {
        if (shape instanceof UpstreamTypes.ListOf list) {
            return "list of " + describe(list.element());
        }
        if (shape instanceof UpstreamTypes.Struct struct) {
            return "struct " + struct.type();
        }
        return Map.of(UpstreamTypes.Text.class, "string", UpstreamTypes.Bool.class, "bool",
                UpstreamTypes.Int.class, "int", UpstreamTypes.Quantity.class, "quantity",
                UpstreamTypes.Time.class, "time", UpstreamTypes.StringMap.class, "string map").get(shape.getClass());
    }
}
