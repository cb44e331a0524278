package io.demandmetrics.adapter.auth;

import java.util.List;
import java.util.Map;

/**
 * An authenticated caller, as Kubernetes describes one.
 *
 * @param extra extra attributes (requestheader {@code X-Remote-Extra-*}, TokenReview extra)
 */
public record UserInfo(String name, List<String> groups, Map<String, List<String>> extra) {

    public UserInfo {
        groups = List.copyOf(groups);
        extra = Map.copyOf(extra);
    }
}
