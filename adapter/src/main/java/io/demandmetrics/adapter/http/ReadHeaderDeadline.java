package io.demandmetrics.adapter.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Closes an HTTP/1.x connection whose client takes longer than the deadline to send a
 * request's headers, as Go's ReadHeaderTimeout does for kube-apiserver. The idle timeout alone
 * cannot: a client that trickles one header byte at a time is never idle.
 *
 * <p>The clock runs while a connection waits for headers: from the connection's start, and
 * again from the end of each response until the next request arrives (Vert.x hands a request
 * over once its headers are complete). Between requests the connection may first be idle, as
 * Go allows (it starts the header clock at the next request's first byte, which Vert.x does
 * not show), so that wait is bounded by the idle timeout plus the header deadline. An HTTP/2
 * connection leaves this clock at its first stream and is bounded by the idle timeout from
 * then on.
 */
final class ReadHeaderDeadline {

    /** Per open HTTP/1.x connection: the pending deadline's timer, or -1, and requests in progress. */
    private static final class Waiting {
        long timer = -1;
        int inProgress;
    }

    private final Vertx vertx;
    private final long firstRequestMillis;
    private final long nextRequestMillis;
    private final Map<HttpConnection, Waiting> connections = new ConcurrentHashMap<>();

    ReadHeaderDeadline(Vertx vertx, Duration deadline, Duration idleTimeout) {
        this.vertx = vertx;
        this.firstRequestMillis = Math.max(1, deadline.toMillis());
        this.nextRequestMillis = firstRequestMillis + idleTimeout.toMillis();
    }

    /** A connection opened: its first request's headers are now awaited. */
    void connected(HttpConnection connection) {
        Waiting waiting = new Waiting();
        connections.put(connection, waiting);
        arm(connection, waiting, firstRequestMillis);
    }

    /** A connection closed: its deadline, if any, is void. */
    void closed(HttpConnection connection) {
        Waiting gone = connections.remove(connection);
        if (gone != null && gone.timer >= 0) {
            vertx.cancelTimer(gone.timer);
        }
    }

    /** A request's headers arrived: its connection is no longer waiting for them. */
    void requestStarted(HttpServerRequest request) {
        if (request.version() == HttpVersion.HTTP_2) { // from its first stream on, bounded by the idle timeout
            Waiting waiting = connections.isEmpty() ? null : connections.remove(request.connection());
            if (waiting != null && waiting.timer >= 0) {
                vertx.cancelTimer(waiting.timer);
            }
            return;
        }
        Waiting waiting = connections.get(request.connection());
        if (waiting == null) {
            return;
        }
        waiting.inProgress++;
        if (waiting.timer >= 0) {
            vertx.cancelTimer(waiting.timer);
            waiting.timer = -1;
        }
        request.response().bodyEndHandler(ended -> { // not endHandler: Exchange owns that one
            waiting.inProgress--;
            if (waiting.inProgress == 0 && connections.containsKey(request.connection())) {
                arm(request.connection(), waiting, nextRequestMillis);
            }
        });
    }

    private void arm(HttpConnection connection, Waiting waiting, long millis) {
        waiting.timer = vertx.setTimer(millis, id -> {
            waiting.timer = -1;
            if (waiting.inProgress == 0) {
                connection.close();
            }
        });
    }
}
