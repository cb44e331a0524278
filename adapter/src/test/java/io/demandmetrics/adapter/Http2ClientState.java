package io.demandmetrics.adapter;

import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Exception;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import java.lang.reflect.Field;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What a Vert.x 5.0 HTTP client holds for a connection and a response, read through its
 * internals: for {@link Http2ClientProbe}'s diagnosis of a stalled request only (the fields
 * named here are Vert.x 5.0.7's).
 */
final class Http2ClientState {

    private Http2ClientState() {
    }

    /** Whether Vert.x has handed the answer's end to {@code response} (its trailers are set then). */
    static boolean endDelivered(HttpClientResponse response) {
        try {
            return field(response, Class.forName("io.vertx.core.http.impl.HttpClientResponseImpl"), "trailers") != null;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("not Vert.x 5.0's client response", e);
        }
    }

    /** The HTTP/2 connection's active streams and windows as Netty sees them, read on its event loop. */
    static String streams(HttpConnection connection) throws Exception {
        Http2ConnectionHandler handler = (Http2ConnectionHandler) field(connection,
                Class.forName("io.vertx.core.http.impl.Http2ConnectionBase"), "handler");
        CompletableFuture<String> seen = new CompletableFuture<>();
        ((ConnectionBase) connection).channel().eventLoop().execute(() -> {
            Http2Connection http2 = handler.connection();
            StringBuilder out = new StringBuilder();
            try {
                out.append("active ").append(http2.numActiveStreams())
                        .append("; last created ").append(http2.local().lastStreamCreated())
                        .append("; receive window ").append(http2.local().flowController()
                                .windowSize(http2.connectionStream()))
                        .append("; send window ").append(http2.remote().flowController()
                                .windowSize(http2.connectionStream()));
                http2.forEachActiveStream(stream -> {
                    out.append("; stream ").append(stream.id()).append(' ').append(stream.state());
                    return true;
                });
            } catch (Http2Exception | RuntimeException e) {
                out.append(e);
            }
            seen.complete(out.toString());
        });
        return seen.get(5, TimeUnit.SECONDS);
    }

    private static Object field(Object target, Class<?> owner, String name) throws ReflectiveOperationException {
        Field field = owner.getDeclaredField(name);
        field.setAccessible(true);
        return field.get(target);
    }
}
