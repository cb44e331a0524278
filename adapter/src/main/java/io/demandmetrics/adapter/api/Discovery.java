package io.demandmetrics.adapter.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The discovery documents, encoded (and gzip-compressed) once per config version, off the
 * event loop, so that discovery costs a map lookup however many metrics are configured (the aggregator gives it 6 s, and an
 * unavailable APIService breaks {@code kubectl api-resources} cluster-wide).
 */
public final class Discovery {

    /** A metric as discovery lists it: a custom metric about {@code resource}, or external (null). */
    public record Entry(KubernetesResource resource, String metricName) {
    }

    private final Map<String, Buffer> documents;
    private final Map<String, Buffer> gzipped;
    /** By group-version path ({@code /apis/g/v}): the names its document lists, placeholder excluded. */
    private final Map<String, Set<String>> names;

    private Discovery(Map<String, Buffer> documents, Map<String, Set<String>> names) {
        this.documents = documents;
        this.names = names;
        Map<String, Buffer> compressed = new HashMap<>();
        documents.forEach((path, document) -> compressed.put(path, gzip(document)));
        this.gzipped = Map.copyOf(compressed);
    }

    public static Discovery of(Collection<Entry> entries) {
        Map<String, JsonObject> custom = new TreeMap<>();
        Map<String, JsonObject> external = new TreeMap<>();
        for (Entry entry : entries) {
            if (entry.resource() == null) {
                external.put(entry.metricName(), resource(entry.metricName(), true, "ExternalMetricValueList"));
            } else {
                String name = entry.resource().resource() + "/" + entry.metricName();
                custom.put(name, resource(name, entry.resource().namespaced(), "MetricValueList"));
            }
        }
        Set<String> customNames = Set.copyOf(custom.keySet());
        Set<String> externalNames = Set.copyOf(external.keySet());
        // client-go refuses to cache an empty resource list and every kubectl call then pays a
        // slow rediscovery (kubernetes#98801); KEDA keeps one fixed entry for the same reason.
        if (custom.isEmpty()) {
            custom.put("", resource("custommetrics", true, "MetricValueList"));
        }
        if (external.isEmpty()) {
            external.put("", resource("externalmetrics", true, "ExternalMetricValueList"));
        }
        Map<String, Buffer> documents = new HashMap<>();
        Map<String, Set<String>> names = new HashMap<>();
        documents.put("/apis", groupList().toBuffer());
        for (String group : MetricsApi.groups()) {
            documents.put("/apis/" + group, new JsonObject().put("kind", "APIGroup").put("apiVersion", "v1")
                    .mergeIn(group(group)).toBuffer());
            for (String version : MetricsApi.versions(group)) {
                Collection<JsonObject> resources = group.equals(MetricsApi.CUSTOM_GROUP) ? custom.values() : external.values();
                names.put("/apis/" + group + "/" + version,
                        group.equals(MetricsApi.CUSTOM_GROUP) ? customNames : externalNames);
                documents.put("/apis/" + group + "/" + version, new JsonObject()
                        .put("kind", "APIResourceList")
                        .put("apiVersion", "v1")
                        .put("groupVersion", group + "/" + version)
                        .put("resources", new JsonArray(new ArrayList<>(resources)))
                        .toBuffer());
            }
        }
        return new Discovery(Map.copyOf(documents), Map.copyOf(names));
    }

    /** The document at a discovery path ({@code /apis}, {@code /apis/g}, {@code /apis/g/v}), or null. */
    public Buffer document(String path) {
        return documents.get(path);
    }

    /**
     * The metric names the group-version document at {@code path} lists (its placeholder
     * excluded), or null when {@code path} is not a group-version's.
     */
    public Set<String> names(String path) {
        return names.get(path);
    }

    /**
     * The same document gzip-compressed, or null. With thousands of metrics a resource list
     * is megabytes of repetitive JSON; Go clients (kubectl, the aggregator) accept gzip.
     */
    public Buffer gzippedDocument(String path) {
        return gzipped.get(path);
    }

    private static Buffer gzip(Buffer document) {
        return Buffer.buffer(Compression.gzip(document.getBytes()));
    }

    private static JsonObject groupList() {
        JsonArray groups = new JsonArray();
        for (String group : MetricsApi.groups()) {
            groups.add(group(group));
        }
        return new JsonObject().put("kind", "APIGroupList").put("apiVersion", "v1").put("groups", groups);
    }

    private static JsonObject group(String group) {
        JsonArray versions = new JsonArray();
        for (String version : MetricsApi.versions(group)) {
            versions.add(groupVersion(group, version));
        }
        return new JsonObject()
                .put("name", group)
                .put("versions", versions)
                .put("preferredVersion", groupVersion(group, MetricsApi.versions(group).get(0)));
    }

    private static JsonObject groupVersion(String group, String version) {
        return new JsonObject().put("groupVersion", group + "/" + version).put("version", version);
    }

    private static JsonObject resource(String name, boolean namespaced, String kind) {
        return new JsonObject()
                .put("name", name)
                .put("singularName", "")
                .put("namespaced", namespaced)
                .put("kind", kind)
                .put("verbs", new JsonArray().add("get"));
    }
}
