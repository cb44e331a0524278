package io.demandmetrics.adapter.http;

import io.demandmetrics.adapter.api.MetricsApi;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The OpenAPI documents the aggregator downloads and merges into the cluster's
 * ({@code /openapi/v2}, {@code /openapi/v3}, {@code /openapi/v3/apis/<group>/<version>}), so
 * that {@code kubectl explain} and generated clients know the metric types.
 *
 * <p>The schemas are those of upstream's types ({@code k8s.io/metrics} and the meta types they
 * use), under the names kube-apiserver gives them, written once in
 * {@code openapi/definitions.json}. The v2 document holds every route and schema; each v3
 * document holds its group version's routes and only the schemas they reach, as upstream
 * servers split them.
 */
final class OpenApiDocuments {

    private static final String VERSION = "0.1.0";
    private static final String V2_REFS = "#/definitions/";
    private static final String V3_REFS = "#/components/schemas/";
    private static final String META = "io.k8s.apimachinery.pkg.apis.meta.v1.";
    private static final String STATUS = META + "Status";
    private static final String RESOURCE_LIST = META + "APIResourceList";

    private final Buffer v2;
    private final Buffer v3Index;
    private final Map<String, Buffer> v3ByPath = new HashMap<>();

    OpenApiDocuments() {
        JsonObject definitions = definitions();
        JsonObject v2Paths = new JsonObject();
        JsonObject v3Index = new JsonObject();
        for (String group : MetricsApi.groups()) {
            for (String version : MetricsApi.versions(group)) {
                Map<String, Route> routes = routes(group, version);
                routes.forEach((path, route) -> v2Paths.put(path, route.v2()));
                String groupVersion = "apis/" + group + "/" + version;
                String v3Path = "/openapi/v3/" + groupVersion;
                v3Index.put(groupVersion, new JsonObject().put("serverRelativeURL", v3Path));
                v3ByPath.put(v3Path, v3(routes, definitions).toBuffer());
            }
        }
        this.v2 = new JsonObject()
                .put("swagger", "2.0")
                .put("info", info())
                .put("paths", v2Paths)
                .put("definitions", definitions)
                .toBuffer();
        this.v3Index = new JsonObject().put("paths", v3Index).toBuffer();
    }

    Buffer v2() {
        return v2;
    }

    Buffer v3Index() {
        return v3Index;
    }

    /** The v3 document at {@code /openapi/v3/apis/{group}/{version}}, or null. */
    Buffer v3(String path) {
        return v3ByPath.get(path);
    }

    private static JsonObject definitions() {
        try (InputStream in = OpenApiDocuments.class.getResourceAsStream("/openapi/definitions.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi/definitions.json is missing from the jar");
            }
            return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonObject info() {
        return new JsonObject().put("title", "Demand Metrics Adapter").put("version", VERSION);
    }

    /** One GET route: what it answers with and which of its path segments are parameters. */
    private record Route(String description, String answer, List<String> pathParameters) {

        JsonObject v2() {
            JsonArray parameters = new JsonArray();
            pathParameters.forEach(name -> parameters.add(new JsonObject()
                    .put("name", name).put("in", "path").put("required", true).put("type", "string")));
            selectors().forEach(name -> parameters.add(new JsonObject()
                    .put("name", name).put("in", "query").put("type", "string").put("uniqueItems", true)));
            return new JsonObject().put("get", new JsonObject()
                    .put("description", description)
                    .put("produces", new JsonArray().add("application/json"))
                    .put("parameters", parameters)
                    .put("responses", new JsonObject()
                            .put("200", v2Response("OK", answer))
                            .put("default", v2Response("a failure, as a Status", STATUS))));
        }

        JsonObject v3() {
            JsonArray parameters = new JsonArray();
            pathParameters.forEach(name -> parameters.add(new JsonObject()
                    .put("name", name).put("in", "path").put("required", true).put("schema", string())));
            selectors().forEach(name -> parameters.add(new JsonObject()
                    .put("name", name).put("in", "query").put("schema", string())));
            return new JsonObject().put("get", new JsonObject()
                    .put("description", description)
                    .put("parameters", parameters)
                    .put("responses", new JsonObject()
                            .put("200", v3Response("OK", answer))
                            .put("default", v3Response("a failure, as a Status", STATUS))));
        }

        /** The discovery route takes no selectors. */
        private List<String> selectors() {
            return answer.equals(RESOURCE_LIST) ? List.of() : List.of("labelSelector", "metricLabelSelector");
        }

        private static JsonObject string() {
            return new JsonObject().put("type", "string");
        }

        private static JsonObject v2Response(String description, String schema) {
            return new JsonObject().put("description", description)
                    .put("schema", new JsonObject().put("$ref", V2_REFS + schema));
        }

        private static JsonObject v3Response(String description, String schema) {
            return new JsonObject().put("description", description)
                    .put("content", new JsonObject().put("application/json", new JsonObject()
                            .put("schema", new JsonObject().put("$ref", V3_REFS + schema))));
        }
    }

    /** The routes of one group version, by path, as {@code MetricsApiHandler} serves them. */
    private static Map<String, Route> routes(String group, String version) {
        String base = "/apis/" + group + "/" + version;
        Map<String, Route> routes = new LinkedHashMap<>();
        routes.put(base + "/", new Route("discovery: the metrics served", RESOURCE_LIST, List.of()));
        if (group.equals(MetricsApi.EXTERNAL_GROUP)) {
            routes.put(base + "/namespaces/{namespace}/{metric}", new Route(
                    "an external metric's series matching labelSelector",
                    "io.k8s.metrics.pkg.apis.external_metrics." + version + ".ExternalMetricValueList",
                    List.of("namespace", "metric")));
            return routes;
        }
        String list = "io.k8s.metrics.pkg.apis.custom_metrics." + version + ".MetricValueList";
        routes.put(base + "/namespaces/{namespace}/{resource}/{name}/{metric}", new Route(
                "a metric about one object, or every object matching labelSelector when name is *", list,
                List.of("namespace", "resource", "name", "metric")));
        routes.put(base + "/namespaces/{namespace}/metrics/{metric}", new Route(
                "a metric about the namespace object", list, List.of("namespace", "metric")));
        routes.put(base + "/{resource}/{name}/{metric}", new Route(
                "a metric about cluster-scoped objects", list, List.of("resource", "name", "metric")));
        return routes;
    }

    private static JsonObject v3(Map<String, Route> routes, JsonObject definitions) {
        JsonObject paths = new JsonObject();
        routes.forEach((path, route) -> paths.put(path, route.v3()));
        JsonObject schemas = new JsonObject();
        Deque<String> pending = new ArrayDeque<>();
        routes.values().forEach(route -> pending.add(route.answer()));
        pending.add(STATUS);
        while (!pending.isEmpty()) {
            String name = pending.poll();
            if (schemas.containsKey(name)) {
                continue;
            }
            JsonObject schema = definitions.getJsonObject(name);
            schemas.put(name, schema);
            references(schema, pending);
        }
        // The same schemas, with their references moved to where OpenAPI 3 keeps schemas.
        String v3Schemas = schemas.encode().replace("\"" + V2_REFS, "\"" + V3_REFS);
        return new JsonObject()
                .put("openapi", "3.0.0")
                .put("info", info())
                .put("paths", paths)
                .put("components", new JsonObject().put("schemas", new JsonObject(v3Schemas)));
    }

    /** Adds the names of every definition {@code node} refers to. */
    private static void references(Object node, Deque<String> names) {
        if (node instanceof JsonObject object) {
            String ref = object.getValue("$ref") instanceof String text ? text : null;
            if (ref != null && ref.startsWith(V2_REFS)) {
                names.add(ref.substring(V2_REFS.length()));
            }
            object.forEach(entry -> references(entry.getValue(), names));
        } else if (node instanceof JsonArray array) {
            array.forEach(element -> references(element, names));
        }
    }
}
