package io.demandmetrics.adapter.http;

import io.demandmetrics.adapter.api.KubernetesResource;
import io.demandmetrics.adapter.api.MetricPoint;
import io.demandmetrics.adapter.api.MetricsApi;
import io.demandmetrics.adapter.api.PathSegments;
import io.demandmetrics.adapter.api.Status;
import io.demandmetrics.adapter.api.WireFormat;
import io.demandmetrics.adapter.config.MetricKey;
import io.demandmetrics.adapter.objects.ObjectResolver;
import io.demandmetrics.adapter.selector.LabelSelector;
import io.demandmetrics.adapter.selector.SelectorSyntaxException;
import io.demandmetrics.adapter.store.Catalog;
import io.demandmetrics.adapter.store.MetricState;
import io.demandmetrics.adapter.store.Served;
import io.demandmetrics.scaler.spi.Sample;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Answers {@code /apis/...}: discovery and every metrics route of metrics-api.md, from the
 * current catalog in memory. Errors become metav1.Status answers here and nowhere else.
 *
 * <p>Routes, after {@code /apis/custom.metrics.k8s.io/{v}}:
 * <pre>
 * /namespaces/{ns}/{resource}/{name|*}/{metric}   objects in a namespace
 * /namespaces/{ns}/metrics/{metric}               the namespace object itself
 * /{resource}/{name|*}/{metric}                   cluster-scoped objects (nodes, namespaces)
 * </pre>
 * and {@code /apis/external.metrics.k8s.io/v1beta1/namespaces/{ns}/{metric}}.
 */
public final class MetricsApiHandler {

    private final Supplier<Catalog> catalog;
    private final Clock clock;
    private final ObjectResolver objects;

    /**
     * @param objects which Kubernetes objects exist and match a selector: informers in-cluster,
     *     the scalers' own reports standalone
     */
    public MetricsApiHandler(Supplier<Catalog> catalog, Clock clock, ObjectResolver objects) {
        this.catalog = catalog;
        this.clock = clock;
        this.objects = objects;
    }

    /**
     * @param rawPath the path as sent, still percent-encoded (the HPA sends {@code %2A})
     * @param labelSelector the {@code labelSelector} query parameter, or null
     * @param metricLabelSelector the {@code metricLabelSelector} query parameter, or null
     */
    public Future<ApiResponse> answer(String method, String rawPath, String labelSelector, String metricLabelSelector) {
        String route = "unknown";
        try {
            List<String> segments = segments(rawPath);
            route = route(segments);
            if (!method.equals("GET")) {
                throw Status.methodNotAllowed("the server does not allow this method on the requested resource");
            }
            Catalog current = catalog.get();
            if (segments.size() <= 3) {
                String path = "/" + String.join("/", segments);
                Buffer document = current.discovery().document(path);
                if (document == null) {
                    throw Status.notFound("the server could not find the requested resource");
                }
                return Future.succeededFuture(new ApiResponse(200, document,
                        current.discovery().gzippedDocument(path), route));
            }
            String group = segments.get(1);
            String version = segments.get(2);
            if (!MetricsApi.versions(group).contains(version)) {
                throw Status.notFound("the server could not find the requested resource");
            }
            if (group.equals(MetricsApi.EXTERNAL_GROUP)) {
                return Future.succeededFuture(ApiResponse.ok(external(current, segments, labelSelector), route));
            }
            String answered = route;
            return custom(current, version, segments, labelSelector, metricLabelSelector)
                    .map(body -> ApiResponse.ok(body, answered))
                    .recover(e -> Future.succeededFuture(ApiResponse.of(e instanceof Status status ? status
                            : Bugs.answer("answering " + answered, e), answered)));
        } catch (Status status) {
            return Future.succeededFuture(ApiResponse.of(status, route));
        }
    }

    private Buffer external(Catalog current, List<String> s, String labelSelector) {
        if (s.size() != 6 || !s.get(3).equals("namespaces")) {
            throw Status.notFound("the server could not find the requested resource");
        }
        String namespace = s.get(4);
        String metric = s.get(5);
        LabelSelector selector = selector("labelSelector", labelSelector);
        MetricState state = current.state(MetricKey.external(namespace, metric));
        if (state == null) {
            throw Status.notFound("the server could not find the metric " + metric + " for namespace " + namespace);
        }
        Served served = state.serve(clock.instant());
        List<Sample> samples = served.samples();
        String request = "external " + labelSelector;
        Buffer encoded = state.encodedAnswer(samples, request);
        if (encoded != null) {
            return encoded;
        }
        List<Sample> matched = new ArrayList<>();
        for (Sample sample : samples) {
            if (selector.matches(sample.labels())) {
                matched.add(sample);
            }
        }
        if (served.fallback() == null) {
            matched = state.definition().combine(matched, !selector.isEmpty());
        }
        List<MetricPoint> points = new ArrayList<>(matched.size());
        for (Sample sample : matched) {
            points.add(new MetricPoint(null, sample.labels(), sample.value(), sample.timestamp(), sample.window()));
        }
        encoded = WireFormat.externalMetricValueList(metric, points).toBuffer();
        state.rememberAnswer(samples, request, encoded);
        return encoded;
    }

    private Future<Buffer> custom(Catalog current, String version, List<String> s, String labelSelector,
                                  String metricLabelSelector) {
        String namespace;
        String resourceName;
        String objectName;
        String metric;
        if (s.size() == 8 && s.get(3).equals("namespaces")) {
            namespace = s.get(4);
            resourceName = s.get(5);
            objectName = s.get(6);
            metric = s.get(7);
        } else if (s.size() == 7 && s.get(3).equals("namespaces") && s.get(5).equals("metrics")) {
            namespace = null;
            resourceName = "namespaces";
            objectName = s.get(4);
            metric = s.get(6);
        } else if (s.size() == 6) {
            namespace = null;
            resourceName = s.get(3);
            objectName = s.get(4);
            metric = s.get(5);
        } else {
            throw Status.notFound("the server could not find the requested resource");
        }
        LabelSelector objectSelector = selector("labelSelector", labelSelector);
        LabelSelector series = selector("metricLabelSelector", metricLabelSelector);
        KubernetesResource resource = KubernetesResource.byName(resourceName)
                .filter(r -> r.namespaced() == (namespace != null))
                .orElseThrow(() -> metricNotFound(metric, resourceName, objectName));
        MetricState state = current.state(new MetricKey(resource, namespace, metric));
        if (state == null) {
            throw metricNotFound(metric, resourceName, objectName);
        }
        Served served = state.serve(clock.instant());
        String request = version + " " + String.join("/", s) + " " + labelSelector + " " + metricLabelSelector + " "
                + objects.generation(resource);
        Buffer encoded = state.encodedAnswer(served.samples(), request);
        if (encoded != null) {
            return Future.succeededFuture(encoded);
        }
        boolean all = objectName.equals("*");
        return objects.matching(resource, namespace, all ? objectSelector : LabelSelector.EVERYTHING, served.samples())
                .map(names -> {
                    if (!all && !names.contains(objectName)) {
                        throw metricNotFound(metric, resourceName, objectName);
                    }
                    List<MetricPoint> points = perObject(served.samples(), all ? names : Set.of(objectName), series);
                    if (!all && points.isEmpty()) {
                        if (served.fallback() == null) {
                            throw metricNotFound(metric, resourceName, objectName);
                        }
                        points = List.of(new MetricPoint(objectName, Map.of(), served.fallback(), clock.instant(), null));
                    }
                    Buffer body = WireFormat.metricValueList(version, resource, namespace, metric, series, points)
                            .toBuffer();
                    state.rememberAnswer(served.samples(), request, body);
                    return body;
                });
    }

    /**
     * One point per described object among {@code objectNames}: the sum of its series that match
     * {@code series}, stamped with the oldest of their timestamps. Sorted by name.
     */
    private static List<MetricPoint> perObject(List<Sample> samples, Set<String> objectNames, LabelSelector series) {
        Map<String, MetricPoint> byObject = new TreeMap<>();
        for (Sample sample : samples) {
            if (!objectNames.contains(sample.object().name()) || !series.matches(sample.labels())) {
                continue;
            }
            String name = sample.object().name();
            MetricPoint seen = byObject.get(name);
            if (seen == null) {
                byObject.put(name, new MetricPoint(name, Map.of(), sample.value(), sample.timestamp(), sample.window()));
            } else {
                Instant oldest = seen.timestamp().isBefore(sample.timestamp()) ? seen.timestamp() : sample.timestamp();
                byObject.put(name, new MetricPoint(name, Map.of(), seen.value() + sample.value(), oldest, seen.window()));
            }
        }
        return new ArrayList<>(byObject.values());
    }

    private static Status metricNotFound(String metric, String resource, String name) {
        return Status.notFound("the server could not find the metric " + metric + " for " + resource
                + (name.equals("*") ? "" : " " + name));
    }

    private static LabelSelector selector(String parameter, String text) {
        try {
            return LabelSelector.parse(text);
        } catch (SelectorSyntaxException e) {
            throw Status.badRequest("invalid " + parameter + ": " + e.getMessage());
        }
    }

    /** The route template of a request, for metrics: never the raw path, which is unbounded. */
    private static String route(List<String> s) {
        if (s.size() <= 3) {
            return "discovery";
        }
        if (s.get(1).equals(MetricsApi.EXTERNAL_GROUP)) {
            return "external";
        }
        if (s.size() == 8) {
            return s.get(6).equals("*") ? "custom-all-objects" : "custom-object";
        }
        if (s.size() == 7) {
            return "custom-namespace";
        }
        return s.size() == 6 && s.get(4).equals("*") ? "custom-all-objects" : "custom-object";
    }

    /** Splits {@code /apis/a/b} into decoded segments, rejecting malformed escapes. */
    static List<String> segments(String rawPath) {
        String path = rawPath.endsWith("/") && rawPath.length() > 1 ? rawPath.substring(0, rawPath.length() - 1)
                : rawPath;
        if (!path.startsWith("/apis")) {
            throw Status.notFound("the server could not find the requested resource");
        }
        List<String> segments = new ArrayList<>(8);
        int start = 1;
        while (start <= path.length()) { // split on '/' by hand: String.split showed in HTTP/2 profiles
            int end = path.indexOf('/', start);
            if (end < 0) {
                end = path.length();
            }
            String decoded = PathSegments.decode(path.substring(start, end));
            if (decoded.isEmpty()) {
                throw Status.notFound("the server could not find the requested resource");
            }
            segments.add(decoded);
            start = end + 1;
        }
        if (!segments.get(0).equals("apis") || segments.size() > 8) {
            throw Status.notFound("the server could not find the requested resource");
        }
        return segments;
    }
}
