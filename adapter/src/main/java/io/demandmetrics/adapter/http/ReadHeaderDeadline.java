package io.demandmetrics.adapter.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.VertxHttpObject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Closes an HTTP/1.x connection whose client takes longer than the deadline to send a
 * request's headers, as Go's ReadHeaderTimeout does for kube-apiserver. The idle timeout alone
 * cannot: a client that trickles one header byte at a time is never idle.
 *
 * <p>The clock runs while a connection waits for headers: from the connection's start, and
 * again from the end of each response until the next request arrives (the HTTP/1 decoder hands
 * a request on once its headers are complete). Between requests the connection may first be
 * idle, as Go allows (it starts the header clock at the next request's first byte, which
 * Vert.x does not show), so that wait is bounded by the idle timeout plus the header deadline.
 * An HTTP/2 connection leaves this clock at its first stream and is bounded by the idle
 * timeout from then on.
 *
 * <p>An HTTP/1.x connection carries its clock in its pipeline ({@link Http1Clock}): a request
 * costs it a counter and a clock read, and its one pending check re-arms itself only when it
 * finds the connection still within time. (A Vert.x timer set and cancelled per request, found
 * through a map of connections, cost an HTTP/1.1 request about 1.5 us: bench/RESULTS.md.)
 */
final class ReadHeaderDeadline {

    private static final String NAME = "demand-adapter-read-header-deadline";

    private final Vertx vertx;
    private final long firstRequestNanos;
    private final long nextRequestNanos;
    /**
     * Connections without a clock in their pipeline (HTTP/2) whose first request has not come
     * yet: the timer that closes each.
     */
    private final Map<HttpConnection, Long> awaitingFirstRequest = new ConcurrentHashMap<>();

    ReadHeaderDeadline(Vertx vertx, Duration deadline, Duration idleTimeout) {
        this.vertx = vertx;
        this.firstRequestNanos = Math.max(1, deadline.toMillis()) * 1_000_000L;
        this.nextRequestNanos = firstRequestNanos + idleTimeout.toNanos();
    }

    /**
     * A connection opened: its first request's headers are now awaited.
     *
     * @param http1 the connection's pipeline when it speaks HTTP/1.x (the clock goes in it,
     *        between the decoder and Vert.x's handler); null for HTTP/2
     */
    void connected(HttpConnection connection, ChannelPipeline http1) {
        if (http1 != null) {
            http1.addBefore("handler", NAME, new Http1Clock());
            return;
        }
        long timer = vertx.setTimer(firstRequestNanos / 1_000_000L, id -> {
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

    /** A request's headers arrived: a connection without a pipeline clock is no longer waiting for them. */
    void requestStarted(HttpServerRequest request) {
        if (awaitingFirstRequest.isEmpty()) {
            return; // the usual case: HTTP/1.x connections have their clock, HTTP/2 ones are past their first stream
        }
        Long timer = awaitingFirstRequest.remove(request.connection());
        if (timer != null) {
            vertx.cancelTimer(timer);
        }
    }

    /**
     * One HTTP/1.x connection's clock. Requests are counted as the decoder hands them on and
     * answered as their last part is written, so a request answered slowly is never cut off,
     * and pipelined requests wait for the last answer. Touched only on the connection's event loop.
     */
    private final class Http1Clock extends ChannelDuplexHandler {

        private int inProgress;
        /** When the current wait for headers began (nanoTime); meaningful while none is in progress. */
        private long waitingSince = System.nanoTime();
        /** How long the current wait may last. */
        private long allowed = firstRequestNanos;
        private ScheduledFuture<?> check;

        @Override
        public void handlerAdded(ChannelHandlerContext context) {
            checkIn(context, allowed);
        }

        @Override
        public void channelRead(ChannelHandlerContext context, Object message) {
            if (message instanceof HttpRequest) {
                inProgress++;
            }
            context.fireChannelRead(message);
        }

        @Override
        public void write(ChannelHandlerContext context, Object message, ChannelPromise promise) {
            if (message instanceof VertxHttpObject part && part.isEnded() && inProgress > 0 && --inProgress == 0) {
                waitingSince = System.nanoTime();
                allowed = nextRequestNanos;
                if (check == null) {
                    checkIn(context, allowed);
                }
            }
            context.write(message, promise);
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext context) {
            if (check != null) {
                check.cancel(false);
                check = null;
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext context) {
            handlerRemoved(context);
            context.fireChannelInactive();
        }

        private void checkIn(ChannelHandlerContext context, long nanos) {
            check = context.executor().schedule(() -> check(context), nanos, TimeUnit.NANOSECONDS);
        }

        private void check(ChannelHandlerContext context) {
            check = null;
            if (inProgress > 0 || !context.channel().isActive()) {
                return; // the answer's end starts the next wait
            }
            long waited = System.nanoTime() - waitingSince;
            if (waited >= allowed) {
                context.channel().close(); // through the whole pipeline, as Vert.x's own close goes
            } else {
                checkIn(context, allowed - waited);
            }
        }
    }
}
