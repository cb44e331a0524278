package io.demandmetrics.adapter.api;

import io.vertx.core.json.JsonObject;

/**
 * A {@code metav1.Status} failure answer, as kube-apiserver writes it. Built only by
 * {@code http.FailureStatus} from the failure a layer reported.
 *
 * @param code the HTTP status code, repeated in the body
 * @param reason the {@code StatusReason} ({@code NotFound}, {@code ServiceUnavailable}, ...)
 */
public record Status(int code, String reason, String message) {

    public JsonObject toJson() {
        return new JsonObject()
                .put("kind", "Status")
                .put("apiVersion", "v1")
                .put("metadata", new JsonObject())
                .put("status", "Failure")
                .put("message", message)
                .put("reason", reason)
                .put("code", code);
    }
}
