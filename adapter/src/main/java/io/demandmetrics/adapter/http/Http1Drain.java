package io.demandmetrics.adapter.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
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
import io.vertx.core.http.impl.VertxHttpObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * HTTP/1.1 keep-alive connections closed at shutdown without losing a request.
 *
 * <p>Left to itself, Vert.x closes an idle HTTP/1.1 connection the moment the server shuts
 * down, and drops any request that arrives on it after that moment: a client that had just
 * written its next request on the kept-alive connection gets the connection closed without an
 * answer. HTTP/2 has GOAWAY for this; HTTP/1.1 has only {@code Connection: close} and waiting.
 * So, as Go's server does at {@code Shutdown}, once {@link #start draining}, each HTTP/1.1
 * connection the shutdown closes (after the server has stopped listening):
 * <ul>
 * <li>answers every request it has read or reads from then on, with {@code Connection: close};</li>
 * <li>is closed only when no request is unanswered and it has neither received nor answered
 *     anything for {@link #QUIET} (so a request whose bytes are arriving, or that its client
 *     sends on getting the last answer, is read and answered, not cut off), or when the
 *     server's grace period ends.</li>
 * </ul>
 * Mechanically: the shutdown's close of each connection travels the Netty pipeline from its
 * tail; a gate after Vert.x's handler holds it until the connection is quiet, and only then
 * does Vert.x learn of it. An observer before Vert.x's handler counts requests read and
 * responses ended, marks the responses, and notes when it last read or answered. What a connection
 * had received without answering when it closed is counted ({@link #unanswered()}).
 *
 * <p>No server can close a kept-alive HTTP/1.1 connection with certainty that no request is
 * on the wire towards it (RFC 9112, section 9.6); waiting for {@link #QUIET} covers a client
 * that sends its next request as soon as it has the last answer, and every client that reads
 * {@code Connection: close}.
 */
final class Http1Drain {

    /** How long a connection must have been silent both ways before it is closed at shutdown. */
    static final Duration QUIET = Duration.ofMillis(250);

    private static final String ARRIVALS = "demand-adapter-drain-arrivals";
    private static final String OBSERVER = "demand-adapter-drain-observer";
    private static final String GATE = "demand-adapter-drain-gate";

    private volatile boolean draining;
    /** When the server's grace period ends (nanoTime): held closes go through then, whatever is pending. */
    private volatile long graceEndsNanos;
    private final AtomicInteger unanswered = new AtomicInteger();

    /** Puts the observers and the gate on an HTTP/1 connection's pipeline. */
    void install(ChannelPipeline http1) {
        Connection state = new Connection(http1.channel());
        http1.addBefore("httpDecoder", ARRIVALS, state.arrivals);
        http1.addBefore("handler", OBSERVER, state.observer);
        http1.addLast(GATE, state.gate);
    }

    /**
     * From now on, closes of HTTP/1.1 connections wait until each is quiet, for at most
     * {@code grace}. Call before the server's shutdown.
     */
    void start(Duration grace) {
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

    /** One connection's requests and its held close. Touched only on its event loop. */
    private final class Connection {

        private final Channel channel;
        private int inFlight;
        /**
         * Bytes arrived that the decoder has not yet made into a whole request. (A read holding
         * the end of one request and the start of the next, pipelined, looks whole: such a
         * client is answered the first and must resend the second after Connection: close.)
         */
        private boolean partialRequest;
        private long lastActivityNanos = System.nanoTime();
        private ChannelHandlerContext heldContext;
        /** The closes asked for while draining (the shutdown's, and any other), done together when quiet. */
        private final List<ChannelPromise> heldCloses = new ArrayList<>();

        /** Before the decoder: request bytes (TLS records already opened) have arrived. */
        final ChannelInboundHandlerAdapter arrivals = new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext context, Object message) {
                if (message instanceof ByteBuf bytes && bytes.isReadable()) {
                    lastActivityNanos = System.nanoTime();
                    partialRequest = true; // until the decoder has made a whole request of them
                }
                context.fireChannelRead(message);
            }
        };

        /** After the decoder: requests read, responses written. */
        final ChannelDuplexHandler observer = new ChannelDuplexHandler() {
            @Override
            public void channelRead(ChannelHandlerContext context, Object message) {
                if (message instanceof HttpRequest) {
                    inFlight++;
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
                if (message instanceof VertxHttpObject part && part.isEnded()) {
                    // Quiet counts from the last answer too: its client may be sending the next
                    // request right now, however long this one took to answer.
                    lastActivityNanos = System.nanoTime();
                    inFlight = Math.max(0, inFlight - 1);
                    if (!heldCloses.isEmpty() && inFlight == 0) {
                        promise = promise.unvoid();
                        promise.addListener(written -> releaseWhenQuiet());
                    }
                }
                context.write(message, promise);
            }

            @Override
            public void channelInactive(ChannelHandlerContext context) {
                if (draining) {
                    // Counted once: the request Vert.x is answering by its exchange, here the
                    // ones queued behind it and the one whose bytes were still arriving.
                    unanswered.addAndGet(Math.max(0, inFlight - 1) + (partialRequest ? 1 : 0));
                }
                release();
                context.fireChannelInactive();
            }
        };

        final ChannelOutboundHandlerAdapter gate = new ChannelOutboundHandlerAdapter() {
            @Override
            public void close(ChannelHandlerContext context, ChannelPromise promise) {
                if (!draining || !channel.isActive() || System.nanoTime() - graceEndsNanos >= 0) {
                    heldCloses.add(promise); // the grace period's end takes the held ones along
                    heldContext = context;
                    release();
                    return;
                }
                boolean first = heldCloses.isEmpty();
                heldContext = context;
                heldCloses.add(promise);
                if (first) {
                    channel.eventLoop().schedule(this::release, graceEndsNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
                    releaseWhenQuiet();
                }
            }

            private void release() {
                Connection.this.release();
            }
        };

        Connection(Channel channel) {
            this.channel = channel;
        }

        private void releaseWhenQuiet() {
            if (heldCloses.isEmpty() || inFlight > 0) {
                return; // the end of the answer in flight calls again
            }
            long quietFor = System.nanoTime() - lastActivityNanos;
            long wait = QUIET.toNanos() - quietFor;
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
