package io.demandmetrics.adapter.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.http.impl.VertxHttpObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the server keeps on each HTTP/1.x connection, in the connection's Netty pipeline:
 * <ul>
 * <li><b>the read-header deadline</b>: a client that takes longer than it to send a request's
 *     headers is closed, as Go's ReadHeaderTimeout does for kube-apiserver (the idle timeout
 *     alone cannot: a client that trickles one header byte at a time is never idle). The clock
 *     runs from the connection's start, and again from the end of each answer until the next
 *     request's headers are whole. Between requests the connection may first be idle, as Go
 *     allows (it starts the clock at the next request's first byte, which the pipeline does not
 *     tell apart), so that wait is bounded by the idle timeout plus the deadline;</li>
 * <li><b>the idle timeout</b>: nothing read for that long closes the connection (what Vert.x's
 *     read-idle handler did, which this replaces on HTTP/1.x: one handler less per message);</li>
 * <li><b>the request line's version</b>, judged before Vert.x sees it ({@link RequestVersions});</li>
 * <li><b>the shutdown drain</b>: left to itself, Vert.x closes an idle HTTP/1.1 connection
 *     the moment the server shuts down, and drops any request that arrives on it after that
 *     moment: a client that had just written its next request on the kept-alive connection
 *     gets the connection closed without an answer. HTTP/2 has GOAWAY for this; HTTP/1.1 has
 *     only {@code Connection: close} and waiting. So, as Go's server does at {@code Shutdown},
 *     once {@link #startDraining draining}, each HTTP/1.1 connection the shutdown closes (after
 *     the server has stopped listening) answers every request it has read or reads from then
 *     on, with {@code Connection: close}, and is closed only when no request is unanswered and
 *     it has neither received nor answered anything for {@link #QUIET} (so a request whose
 *     bytes are arriving, or that its client sends on getting the last answer, is read and
 *     answered, not cut off), or when the server's grace period ends. What a connection had
 *     received without answering when it closed is counted ({@link #unanswered()}).</li>
 * </ul>
 * All four read one count of the connection's requests in progress (an {@code HttpRequest}
 * read starts one, the last part of its answer written ends it, so a request answered slowly
 * is never cut off by the header deadline and pipelined requests wait for the last answer) and
 * one pair of times (the last bytes read, the last answer's end). Mechanically, three handlers
 * per connection: {@code bytes} where Vert.x's idle handler was, after TLS and before the HTTP
 * decoder (request bytes arrived); {@code messages} between the decoder and Vert.x's handler
 * (requests read, answers written); and a {@code gate} at the tail, which holds the shutdown's
 * close (it travels the pipeline from the tail) until the connection is quiet. One check per
 * connection is pending at a time, scheduled for the earliest moment a deadline could pass,
 * re-arming itself when it finds the connection within time: a request costs a counter and two
 * clock reads, no timer (bench/RESULTS.md, #23's eighth and ninth looks).
 *
 * <p>No server can close a kept-alive HTTP/1.1 connection with certainty that no request is
 * on the wire towards it (RFC 9112, section 9.6); waiting for {@link #QUIET} covers a client
 * that sends its next request as soon as it has the last answer, and every client that reads
 * {@code Connection: close}.
 */
final class Http1Connections {

    /** How long a connection must have been silent both ways before it is closed at shutdown. */
    static final Duration QUIET = Duration.ofMillis(250);

    /** Vert.x's read-idle handler, which {@code bytes} replaces. */
    private static final String VERTX_IDLE = "idle";
    private static final String BYTES = "demand-adapter-http1-bytes";
    private static final String MESSAGES = "demand-adapter-http1-messages";
    private static final String GATE = "demand-adapter-http1-gate";

    private final long firstRequestNanos;
    private final long nextRequestNanos;
    private final long idleNanos;
    private volatile boolean draining;
    /** When the server's grace period ends (nanoTime): held closes go through then, whatever is pending. */
    private volatile long graceEndsNanos;
    private final AtomicInteger unanswered = new AtomicInteger();

    /** Both durations as the flags allow them: 1 ms or more ({@code AdapterOptions}). */
    Http1Connections(Duration readHeaderDeadline, Duration idleTimeout) {
        this.firstRequestNanos = readHeaderDeadline.toNanos();
        this.idleNanos = idleTimeout.toNanos();
        this.nextRequestNanos = firstRequestNanos + idleNanos;
    }

    /**
     * Puts the handlers on an HTTP/1 connection's pipeline (Vert.x's decoder and handler in
     * it), in place of Vert.x's read-idle handler; the deadlines run from now. Called on the
     * connection's event loop, before its first request is decoded.
     */
    void install(ChannelPipeline http1) {
        Connection connection = new Connection(http1.channel());
        if (http1.get(VERTX_IDLE) != null) {
            http1.replace(VERTX_IDLE, BYTES, connection.bytes);
        } else {
            http1.addBefore("httpDecoder", BYTES, connection.bytes);
        }
        http1.addBefore("handler", MESSAGES, connection.messages);
        http1.addLast(GATE, connection.gate);
        connection.checkIn(Math.min(firstRequestNanos, idleNanos));
    }

    /**
     * From now on, closes of HTTP/1.1 connections wait until each is quiet, for at most
     * {@code grace}. Call before the server's shutdown.
     */
    void startDraining(Duration grace) {
        graceEndsNanos = System.nanoTime() + grace.toNanos();
        draining = true;
    }

    /**
     * Requests HTTP/1.1 connections had received but Vert.x never dispatched when they closed
     * during the drain (queued behind the one being answered, or still arriving): 0 unless
     * the grace period ended first or a client stalled mid-request. Requests dispatched and
     * not answered are counted by their exchange.
     */
    int unanswered() {
        return unanswered.get();
    }

    /** One connection's requests, times, deadlines and held close. Touched only on its event loop. */
    private final class Connection {

        private final Channel channel;
        private int inProgress;
        /**
         * Bytes arrived that the decoder has not yet made into a whole request. (A read holding
         * the end of one request and the start of the next, pipelined, looks whole: such a
         * client is answered the first and must resend the second after Connection: close.)
         */
        private boolean partialRequest;
        private long lastReadNanos;
        /** When the last answer ended, or the connection started: the current wait for headers began then. */
        private long lastAnswerNanos;
        /** How long the current wait for headers may last. */
        private long headerAllowance = firstRequestNanos;
        private ScheduledFuture<?> check;
        private ChannelHandlerContext heldContext;
        /** The closes asked for while draining (the shutdown's, and any other), done together when quiet. */
        private final List<ChannelPromise> heldCloses = new ArrayList<>();

        /** After TLS, before the decoder: request bytes have arrived. */
        final ChannelHandler bytes = new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext context, Object message) {
                if (message instanceof ByteBuf received && received.isReadable()) {
                    lastReadNanos = System.nanoTime();
                    partialRequest = true; // until the decoder has made a whole request of them
                }
                context.fireChannelRead(message);
            }
        };

        /** After the decoder, before Vert.x: requests read, answers written. */
        final ChannelHandler messages = new ChannelDuplexHandler() {
            @Override
            public void channelRead(ChannelHandlerContext context, Object message) {
                if (message instanceof HttpRequest request) {
                    inProgress++;
                    message = RequestVersions.judged(request);
                }
                if (message instanceof LastHttpContent) {
                    partialRequest = false;
                }
                context.fireChannelRead(message);
            }

            @Override
            public void write(ChannelHandlerContext context, Object message, ChannelPromise promise) {
                // Only once the shutdown's close has reached this connection, which is after the
                // server stopped listening: a client told to reconnect earlier could reach a
                // connection the shutdown then closes in its TLS handshake.
                if (!heldCloses.isEmpty() && message instanceof HttpResponse response) {
                    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                }
                if (message instanceof VertxHttpObject part && part.isEnded() && inProgress > 0) {
                    // Quiet and the next wait for headers count from the last answer: its client
                    // may be sending the next request right now, however long this one took.
                    lastAnswerNanos = System.nanoTime();
                    if (--inProgress == 0) {
                        headerAllowance = nextRequestNanos;
                        if (!heldCloses.isEmpty()) {
                            promise = promise.unvoid();
                            promise.addListener(written -> releaseWhenQuiet());
                        }
                    }
                }
                context.write(message, promise);
            }

            @Override
            public void channelInactive(ChannelHandlerContext context) {
                if (draining) {
                    // Counted once: the request Vert.x is answering by its exchange, here the
                    // ones queued behind it and the one whose bytes were still arriving.
                    unanswered.addAndGet(Math.max(0, inProgress - 1) + (partialRequest ? 1 : 0));
                }
                if (check != null) {
                    check.cancel(false);
                    check = null;
                }
                release();
                context.fireChannelInactive();
            }
        };

        final ChannelHandler gate = new ChannelOutboundHandlerAdapter() {
            @Override
            public void close(ChannelHandlerContext context, ChannelPromise promise) {
                heldContext = context;
                heldCloses.add(promise);
                if (!draining || !channel.isActive() || System.nanoTime() - graceEndsNanos >= 0) {
                    release(); // the grace period's end takes any held ones along
                } else if (heldCloses.size() == 1) {
                    channel.eventLoop().schedule(Connection.this::release, graceEndsNanos - System.nanoTime(),
                            TimeUnit.NANOSECONDS);
                    releaseWhenQuiet();
                }
            }
        };

        Connection(Channel channel) {
            this.channel = channel;
            this.lastReadNanos = System.nanoTime();
            this.lastAnswerNanos = lastReadNanos;
        }

        void checkIn(long nanos) {
            check = channel.eventLoop().schedule(this::check, nanos, TimeUnit.NANOSECONDS);
        }

        /** Closes the connection if a deadline has passed; else looks again when the next one could. */
        private void check() {
            check = null;
            if (!channel.isActive()) {
                return;
            }
            long closeAt = lastReadNanos + idleNanos;
            if (inProgress == 0 && lastAnswerNanos + headerAllowance - closeAt < 0) {
                closeAt = lastAnswerNanos + headerAllowance;
            }
            long left = closeAt - System.nanoTime();
            if (left <= 0) {
                channel.close(); // through the whole pipeline, as a shutdown's close goes
            } else {
                checkIn(left);
            }
        }

        private void releaseWhenQuiet() {
            if (heldCloses.isEmpty() || inProgress > 0) {
                return; // the end of the answer in flight calls again
            }
            long lastActivity = lastReadNanos - lastAnswerNanos > 0 ? lastReadNanos : lastAnswerNanos;
            long wait = QUIET.toNanos() - (System.nanoTime() - lastActivity);
            if (wait <= 0 && !partialRequest) {
                release();
            } else {
                channel.eventLoop().schedule(this::releaseWhenQuiet, Math.max(wait, QUIET.toNanos() / 5),
                        TimeUnit.NANOSECONDS);
            }
        }

        private void release() {
            if (heldCloses.isEmpty()) {
                return;
            }
            List<ChannelPromise> closes = new ArrayList<>(heldCloses);
            heldCloses.clear();
            closes.forEach(heldContext::close);
        }
    }
}
