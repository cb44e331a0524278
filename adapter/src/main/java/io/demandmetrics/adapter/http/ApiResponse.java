package io.demandmetrics.adapter.http;

import io.demandmetrics.adapter.api.Status;
import io.vertx.core.buffer.Buffer;

/**
 * An answer to a metrics API request.
 *
 * @param gzippedBody the same body gzip-compressed, when one was prepared, or null
 * @param route the route template, for the request metrics ({@code external}, {@code custom-object}, ...)
 */
public record ApiResponse(int code, Buffer body, Buffer gzippedBody, String route) {

    static ApiResponse ok(Buffer body, String route) {
        return new ApiResponse(200, body, null, route);
    }

    static ApiResponse of(Status status, String route) {
        return new ApiResponse(status.code(), status.toJson().toBuffer(), null, route);
    }
}
