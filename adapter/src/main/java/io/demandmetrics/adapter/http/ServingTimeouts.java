package io.demandmetrics.adapter.http;

import java.time.Duration;

/**
 * What bounds a connection's life, with kube-apiserver's values as defaults (its secure
 * serving: ReadHeaderTimeout 32 s, IdleTimeout 90 s).
 *
 * @param readHeader the longest a client may take to send a request's headers (HTTP/1.x)
 * @param idle a connection with no traffic for this long is closed
 * @param shutdownDelay after SIGTERM, how long readiness fails while requests are still
 *     served, so endpoints drop the pod before it stops listening
 * @param shutdownGrace how long in-flight requests may take to finish once listening stops
 * @param readinessGrace after it starts listening, how long readiness waits for every metric
 *     to have a value before reporting ready anyway ({@code Readiness})
 */
public record ServingTimeouts(Duration readHeader, Duration idle, Duration shutdownDelay,
                              Duration shutdownGrace, Duration readinessGrace) {
}
