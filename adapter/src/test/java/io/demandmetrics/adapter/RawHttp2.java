package io.demandmetrics.adapter;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/2 stream with exactly the headers a test gives, for requests client libraries
 * refuse to send (no {@code :authority}).
 */
final class RawHttp2 {

    record Response(int code, String body) {
    }

    private RawHttp2() {
    }

    static Response send(int port, Http2Headers headers) throws Exception {
        return sendInTurn(port, List.of(headers)).get(0);
    }

    /**
     * Each header block on its own stream of one connection, the next opened once the last is
     * answered: a stream the server refuses must leave the connection to the streams after it.
     */
    static List<Response> sendInTurn(int port, List<Http2Headers> requests) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel connection = connect(group, port, new CompletableFuture<>());
            try {
                List<Response> responses = new ArrayList<>();
                for (Http2Headers headers : requests) {
                    responses.add(answer(connection, headers));
                }
                return responses;
            } finally {
                connection.close();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** A stream the server did not process: opened after its GOAWAY, or above the GOAWAY's last stream id (RFC 9113, 6.8). */
    private static final AttributeKey<CompletableFuture<Integer>> GO_AWAY = AttributeKey.valueOf("goAway");

    static final class RefusedStream extends Exception {
        RefusedStream(String message) {
            super(message);
        }
    }

    /**
     * An HTTP/2 connection (TLS, ALPN h2); {@code goAway} completes with the last stream id of
     * the first GOAWAY the server sends on it.
     */
    static Channel connect(EventLoopGroup group, int port, CompletableFuture<Integer> goAway) throws Exception {
        Channel connection = open(group, port, goAway);
        connection.attr(GO_AWAY).set(goAway);
        return connection;
    }

    private static Channel open(EventLoopGroup group, int port, CompletableFuture<Integer> goAway) throws Exception {
        SslContext ssl = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2))
                .build();
        return new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast(ssl.newHandler(channel.alloc(), "127.0.0.1", port),
                                Http2FrameCodecBuilder.forClient().build(),
                                new Http2MultiplexHandler(new SimpleChannelInboundHandler<Object>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
                                        if (msg instanceof Http2GoAwayFrame frame) {
                                            goAway.complete(frame.lastStreamId());
                                        }
                                    }
                                }));
                    }
                })
                .connect("127.0.0.1", port).sync().channel();
    }

    /**
     * Sends {@code headers} on a new stream of {@code connection} and returns the stream without
     * reading its answer: closing it resets the stream (RST_STREAM CANCEL), as a client that
     * leaves before its answer does.
     */
    static Http2StreamChannel request(Channel connection, Http2Headers headers) throws Exception {
        return openAndSend(connection, headers, new SimpleChannelInboundHandler<Http2StreamFrame>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame frame) {
            }
        });
    }

    /**
     * Sends {@code headers} on a new stream of {@code connection} and waits for the whole answer.
     *
     * @throws RefusedStream when the server did not process the stream (a GOAWAY said so, or
     *     the stream could not be opened after one); any other failure is an unanswered request
     */
    static Response answer(Channel connection, Http2Headers headers) throws Exception {
        CompletableFuture<Integer> goAway = connection.attr(GO_AWAY).get();
        CompletableFuture<Response> answer = new CompletableFuture<>();
        StringBuilder body = new StringBuilder();
        int[] code = {0};
        openAndSend(connection, headers, new SimpleChannelInboundHandler<Http2StreamFrame>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame frame) {
                boolean end = false;
                if (frame instanceof Http2HeadersFrame head) {
                    if (head.headers().status() != null) {
                        code[0] = head.headers().getInt(":status");
                    }
                    end = head.isEndStream();
                } else if (frame instanceof Http2DataFrame data) {
                    ByteBuf content = data.content();
                    body.append(content.toString(StandardCharsets.UTF_8));
                    end = data.isEndStream();
                }
                if (end) {
                    answer.complete(new Response(code[0], body.toString()));
                }
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                if (event instanceof Http2GoAwayFrame frame) { // sent to the streams above its last id
                    frame.release();
                    answer.completeExceptionally(new RefusedStream("above the GOAWAY's last stream id"));
                }
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                Integer lastStreamId = goAway == null ? null : goAway.getNow(null);
                int id = ((Http2StreamChannel) ctx.channel()).stream().id();
                answer.completeExceptionally(lastStreamId != null && id > lastStreamId
                        ? new RefusedStream("stream " + id + " is above the GOAWAY's last stream id " + lastStreamId)
                        : new IllegalStateException("stream " + id + " closed without an answer (status "
                                + code[0] + ", GOAWAY's last stream id " + lastStreamId + ")"));
            }
        });
        try {
            return answer.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /**
     * Opens a stream on {@code connection} with {@code handler} reading its frames and sends
     * {@code headers} on it, ending the stream.
     *
     * @throws RefusedStream when no stream could be opened or sent (e.g. a GOAWAY arrived first)
     */
    private static Http2StreamChannel openAndSend(Channel connection, Http2Headers headers,
            io.netty.channel.ChannelHandler handler) throws Exception {
        io.netty.util.concurrent.Future<Http2StreamChannel> opened =
                new Http2StreamChannelBootstrap(connection).handler(handler).open().await();
        if (!opened.isSuccess()) {
            throw new RefusedStream("no stream opened: " + opened.cause());
        }
        Http2StreamChannel stream = opened.getNow();
        io.netty.channel.ChannelFuture sent = stream.writeAndFlush(new DefaultHttp2HeadersFrame(headers, true)).await();
        if (!sent.isSuccess()) {
            throw new RefusedStream("not sent: " + sent.cause());
        }
        return stream;
    }
}
