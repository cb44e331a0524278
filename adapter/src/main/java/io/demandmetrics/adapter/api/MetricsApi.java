package io.demandmetrics.adapter.api;

import java.util.List;

/** The API groups and versions the adapter serves, and which version each group prefers. */
public final class MetricsApi {

    public static final String CUSTOM_GROUP = "custom.metrics.k8s.io";
    public static final String EXTERNAL_GROUP = "external.metrics.k8s.io";
    public static final String V1BETA1 = "v1beta1";
    public static final String V1BETA2 = "v1beta2";

    private MetricsApi() {
    }

    /** Versions of a group, preferred first; empty for a group we do not serve. */
    public static List<String> versions(String group) {
        return switch (group) {
            case CUSTOM_GROUP -> List.of(V1BETA2, V1BETA1);
            case EXTERNAL_GROUP -> List.of(V1BETA1);
            default -> List.of();
        };
    }

    public static List<String> groups() {
        return List.of(CUSTOM_GROUP, EXTERNAL_GROUP);
    }
}
