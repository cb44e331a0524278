package io.demandmetrics.adapter;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * HTTP/2 clients that never retry a request, as the aggregator's connections are used: each
 * opens its next stream as soon as the last is answered, opens no stream on a connection after
 * its GOAWAY (it connects anew), and stops once a connection is refused.
 *
 * <p>Each request ends as one of: answered; refused (a connect or handshake that failed, or a
 * stream the server did not process by RFC 9113's rules: above the GOAWAY's last stream id,
 * which a client may retry elsewhere); or lost: a stream the server accepted and never answered.
 */
final class NeverRetryingHttp2Clients extends NeverRetryingClients {

    /** Streams the server did not process, by the GOAWAY's rules. */
    final AtomicInteger refusedStreams = new AtomicInteger();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    /** One client (one connection at a time) per path, each on its own thread. */
    NeverRetryingHttp2Clients(int port, List<String> paths) {
        start(port, paths);
    }

    @Override
    void run(int port, String path) {
        Channel connection = null;
        CompletableFuture<Integer> goAway = null;
        while (running()) {
            if (connection == null || goAway.isDone() || !connection.isActive()) {
                if (connection != null) {
                    connection.close();
                }
                goAway = new CompletableFuture<>();
                try {
                    connection = RawHttp2.connect(group, port, goAway);
                } catch (Exception e) { // refused, reset or ended during the handshake: nothing was sent
                    refused.incrementAndGet();
                    return;
                }
            }
            try {
                RawHttp2.Response response = RawHttp2.answer(connection, new DefaultHttp2Headers().method("GET")
                        .scheme("https").authority("127.0.0.1:" + port).path(path));
                if (response.code() == 0) {
                    lost("an answer without a status");
                } else {
                    answered.incrementAndGet();
                }
            } catch (RawHttp2.RefusedStream e) {
                refusedStreams.incrementAndGet();
            } catch (Exception e) {
                lost(e.getClass().getSimpleName() + ": " + e.getMessage());
                connection.close();
                connection = null;
            }
        }
        if (connection != null) {
            connection.close();
        }
    }

    @Override
    public void close() throws Exception {
        super.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
}
