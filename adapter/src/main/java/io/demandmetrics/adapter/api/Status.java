package io.demandmetrics.adapter.api;

import io.vertx.core.json.JsonObject;

/**
 * A {@code metav1.Status} failure: the one way errors leave the adapter. Thrown by request
 * handling and written centrally with its HTTP code.
 */
public final class Status extends RuntimeException {

    private final int code;
    private final String reason;

    private Status(int code, String reason, String message) {
        super(message, null, false, false);
        this.code = code;
        this.reason = reason;
    }

    public static Status notFound(String message) {
        return new Status(404, "NotFound", message);
    }

    public static Status badRequest(String message) {
        return new Status(400, "BadRequest", message);
    }

    public static Status unauthorized(String message) {
        return new Status(401, "Unauthorized", message);
    }

    public static Status forbidden(String message) {
        return new Status(403, "Forbidden", message);
    }

    public static Status methodNotAllowed(String message) {
        return new Status(405, "MethodNotAllowed", message);
    }

    public static Status serviceUnavailable(String message) {
        return new Status(503, "ServiceUnavailable", message);
    }

    public static Status internalError(String message) {
        return new Status(500, "InternalError", message);
    }

    public int code() {
        return code;
    }

    public String reason() {
        return reason;
    }

    public JsonObject toJson() {
        return new JsonObject()
                .put("kind", "Status")
                .put("apiVersion", "v1")
                .put("metadata", new JsonObject())
                .put("status", "Failure")
                .put("message", getMessage())
                .put("reason", reason)
                .put("code", code);
    }
}
