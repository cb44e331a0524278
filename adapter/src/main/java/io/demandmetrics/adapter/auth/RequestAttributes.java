package io.demandmetrics.adapter.auth;

import io.demandmetrics.adapter.api.MetricsApi;
import io.demandmetrics.adapter.api.PathSegments;
import io.demandmetrics.adapter.failure.RequestFailure;
import java.util.ArrayList;
import java.util.List;

/**
 * What a request asks for, in SubjectAccessReview terms. Metric reads are resource requests
 * as metrics-api.md sets them out: verb {@code get} in the metrics group; for a custom metric
 * the resource is the described resource ({@code pods}), the subresource the metric and the
 * name the object ({@code *} for all); for an external metric the resource is the metric.
 * Discovery, {@code /metrics} and the OpenAPI documents are non-resource requests.
 *
 * @param path the request path, for non-resource requests
 */
public record RequestAttributes(boolean resourceRequest, String verb, String group, String namespace,
                                String resource, String subresource, String name, String path) {

    /**
     * @throws RequestFailure.BadRequest for a path with malformed percent-encoding or invalid UTF-8
     */
    public static RequestAttributes of(String rawPath) {
        List<String> parts = new ArrayList<>();
        for (String segment : rawPath.split("/")) {
            if (!segment.isEmpty()) {
                parts.add(PathSegments.decode(segment));
            }
        }
        if (parts.size() <= 3 || !parts.get(0).equals("apis") || MetricsApi.versions(parts.get(1)).isEmpty()) {
            return new RequestAttributes(false, "get", "", "", "", "", "", rawPath);
        }
        String group = parts.get(1);
        List<String> rest = parts.subList(3, parts.size());
        String namespace = "";
        if (rest.get(0).equals("namespaces") && rest.size() >= 2) {
            namespace = rest.get(1);
            if (rest.size() == 2) {
                return new RequestAttributes(true, "get", group, namespace, "namespaces", "", namespace, rawPath);
            }
            rest = rest.subList(2, rest.size());
        }
        if (group.equals(MetricsApi.EXTERNAL_GROUP)) {
            return new RequestAttributes(true, "get", group, namespace, rest.get(0), "", "", rawPath);
        }
        if (rest.get(0).equals("metrics") && rest.size() == 2 && !namespace.isEmpty()) {
            // the namespace object's metric
            return new RequestAttributes(true, "get", group, "", "namespaces", rest.get(1), namespace, rawPath);
        }
        return new RequestAttributes(true, "get", group, namespace, rest.get(0), rest.size() > 2 ? rest.get(2) : "",
                rest.size() > 1 ? rest.get(1) : "", rawPath);
    }

    /** {@code get pods.custom.metrics.k8s.io/http_requests in namespace shop}, for 403 messages. */
    public String describe() {
        if (!resourceRequest) {
            return verb + " path \"" + path + "\"";
        }
        return verb + " " + resource + "." + group + (subresource.isEmpty() ? "" : "/" + subresource)
                + (name.isEmpty() ? "" : " \"" + name + "\"")
                + (namespace.isEmpty() ? "" : " in namespace \"" + namespace + "\"");
    }
}
