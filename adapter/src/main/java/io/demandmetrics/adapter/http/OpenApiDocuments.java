package io.demandmetrics.adapter.http;

import io.demandmetrics.adapter.api.MetricsApi;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * The OpenAPI documents the aggregator downloads ({@code /openapi/v2}, {@code /openapi/v3}).
 * They describe the routes, not the schemas in depth: their job is to let the aggregator
 * merge them without errors, which a 404 would also do but less usefully for clients.
 */
final class OpenApiDocuments {

    private static final String VERSION = "0.1.0";

    private final Buffer v2;
    private final Buffer v3Index;
    private final Map<String, Buffer> v3ByGroupVersion = new HashMap<>();

    OpenApiDocuments() {
        JsonObject v2Paths = new JsonObject();
        JsonObject v3Index = new JsonObject();
        for (String group : MetricsApi.groups()) {
            for (String version : MetricsApi.versions(group)) {
                JsonObject paths = paths(group, version);
                v2Paths.mergeIn(paths);
                String groupVersion = "apis/" + group + "/" + version;
                v3Index.put(groupVersion, new JsonObject().put("serverRelativeURL", "/openapi/v3/" + groupVersion));
                v3ByGroupVersion.put("/openapi/v3/" + groupVersion, new JsonObject()
                        .put("openapi", "3.0.0")
                        .put("info", info())
                        .put("paths", paths)
                        .put("components", new JsonObject())
                        .toBuffer());
            }
        }
        this.v2 = new JsonObject().put("swagger", "2.0").put("info", info()).put("paths", v2Paths)
                .put("definitions", new JsonObject()).toBuffer();
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
        return v3ByGroupVersion.get(path);
    }

    private static JsonObject info() {
        return new JsonObject().put("title", "Demand Metrics Adapter").put("version", VERSION);
    }

    private static JsonObject paths(String group, String version) {
        String base = "/apis/" + group + "/" + version;
        JsonObject paths = new JsonObject().put(base + "/", get("discovery: the metrics served", "APIResourceList"));
        if (group.equals(MetricsApi.EXTERNAL_GROUP)) {
            paths.put(base + "/namespaces/{namespace}/{metric}",
                    get("an external metric's series matching labelSelector", "ExternalMetricValueList"));
        } else {
            paths.put(base + "/namespaces/{namespace}/{resource}/{name}/{metric}",
                    get("a metric about one object, or every object matching labelSelector when name is *",
                            "MetricValueList"));
            paths.put(base + "/namespaces/{namespace}/metrics/{metric}",
                    get("a metric about the namespace object", "MetricValueList"));
            paths.put(base + "/{resource}/{name}/{metric}",
                    get("a metric about cluster-scoped objects", "MetricValueList"));
        }
        return paths;
    }

    private static JsonObject get(String description, String kind) {
        return new JsonObject().put("get", new JsonObject()
                .put("description", description)
                .put("produces", new JsonArray().add("application/json"))
                .put("parameters", new JsonArray()
                        .add(query("labelSelector"))
                        .add(query("metricLabelSelector")))
                .put("responses", new JsonObject().put("200", new JsonObject().put("description", kind))));
    }

    private static JsonObject query(String name) {
        return new JsonObject().put("name", name).put("in", "query").put("type", "string").put("uniqueItems", true);
    }
}
