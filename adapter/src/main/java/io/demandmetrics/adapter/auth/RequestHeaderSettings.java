package io.demandmetrics.adapter.auth;

import io.vertx.core.json.JsonArray;
import java.util.List;
import java.util.Map;

/**
 * How the front proxy (kube-apiserver's aggregator) identifies itself and passes the user on:
 * the CA its client certificate chains to, the common names it may have (empty: any), and
 * the headers that carry user, groups and extras.
 */
public record RequestHeaderSettings(CertificateAuthority ca, List<String> allowedNames, List<String> usernameHeaders,
                                    List<String> groupHeaders, List<String> extraHeaderPrefixes) {

    public RequestHeaderSettings {
        allowedNames = List.copyOf(allowedNames);
        usernameHeaders = List.copyOf(usernameHeaders);
        groupHeaders = List.copyOf(groupHeaders);
        extraHeaderPrefixes = List.copyOf(extraHeaderPrefixes);
    }

    /**
     * Reads ConfigMap {@code kube-system/extension-apiserver-authentication}; null when it has
     * no {@code requestheader-client-ca-file}. List values are JSON arrays in strings.
     */
    static RequestHeaderSettings fromConfigMap(Map<String, String> data) {
        String ca = data.get("requestheader-client-ca-file");
        if (ca == null || ca.isBlank()) {
            return null;
        }
        return new RequestHeaderSettings(
                CertificateAuthority.fromPem(ca, "requestheader-client-ca-file in the ConfigMap"),
                jsonList(data.get("requestheader-allowed-names")),
                orDefault(jsonList(data.get("requestheader-username-headers")), List.of("X-Remote-User")),
                orDefault(jsonList(data.get("requestheader-group-headers")), List.of("X-Remote-Group")),
                orDefault(jsonList(data.get("requestheader-extra-headers-prefix")), List.of("X-Remote-Extra-")));
    }

    static List<String> jsonList(String json) {
        if (json == null || json.isBlank()) {
            return List.of();
        }
        return new JsonArray(json).stream().map(String::valueOf).toList();
    }

    private static List<String> orDefault(List<String> values, List<String> defaults) {
        return values.isEmpty() ? defaults : values;
    }
}
