package io.demandmetrics.adapter.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Closes a connection without {@link Http1Connections}' handlers (HTTP/2) whose client does
 * not send its first request's headers within the read-header deadline, as Go's
 * ReadHeaderTimeout does for kube-apiserver. An HTTP/2 connection leaves this clock at its
 * first stream and is bounded by the idle timeout from then on. (HTTP/1.x connections keep
 * the deadline for every request in their pipeline, where it costs no timer per request.)
 */
final class ReadHeaderDeadline {

    private final Vertx vertx;
    private final long deadlineMillis;
    /** Connections whose first request has not come yet: the timer that closes each. */
    private final Map<HttpConnection, Long> awaitingFirstRequest = new ConcurrentHashMap<>();

    ReadHeaderDeadline(Vertx vertx, Duration deadline) {
        this.vertx = vertx;
        this.deadlineMillis = Math.max(1, deadline.toMillis());
    }

    /** A connection without {@link Http1Connections}' handlers opened: its first request's headers are now awaited. */
    void connected(HttpConnection connection) {
        long timer = vertx.setTimer(deadlineMillis, id -> {
            if (awaitingFirstRequest.remove(connection) != null) {
                connection.close();
            }
        });
        awaitingFirstRequest.put(connection, timer);
    }

    /** A connection closed: its deadline, if any, is void. */
    void closed(HttpConnection connection) {
        Long timer = awaitingFirstRequest.remove(connection);
        if (timer != null) {
            vertx.cancelTimer(timer);
        }
    }

    /**
     * A request's headers arrived: its connection is no longer waiting for them (whatever its
     * protocol, so that no connection is ever closed in use by this clock).
     */
    void requestStarted(HttpServerRequest request) {
        // The usual case: HTTP/1.x connections keep their deadline in Http1Connections, HTTP/2 ones
        // are past their first stream.
        if (awaitingFirstRequest.isEmpty()) {
            return;
        }
        Long timer = awaitingFirstRequest.remove(request.connection());
        if (timer != null) {
            vertx.cancelTimer(timer);
        }
    }
}
