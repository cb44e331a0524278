package io.demandmetrics.adapter.forward;

import io.vertx.core.buffer.Buffer;

/**
 * A backend's answer, passed on as it came.
 *
 * @param backend the backend's name, for the request metrics and the log
 * @param contentType its {@code Content-Type}, or null
 */
public record Forwarded(String backend, int status, String contentType, Buffer body) {
}
