package io.demandmetrics.adapter;

import io.demandmetrics.scaler.support.TlsEngine;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * The benchmark's reference: a bare Vert.x HTTPS server that answers every request with one
 * fixed body and the adapter's response headers, with the adapter's TLS settings (BoringSSL
 * where it loads, TLS 1.2+, ALPN h2 and http/1.1) on one event loop. What the adapter serves
 * on the same machine in the same run, divided by what this serves, is the cost of everything
 * the adapter does per request: routing, authentication gate, meters, lookup and encoding.
 *
 * <p>Usage (bench/run runs it): {@code BareServer PORT BODY_FILE CERT_FILE KEY_FILE}
 */
public final class BareServer {

    private BareServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Buffer body = Buffer.buffer(Files.readAllBytes(Path.of(args[1])));
        Vertx vertx = Vertx.vertx();
        HttpServerOptions options = new HttpServerOptions().setSsl(true).setUseAlpn(true)
                .setKeyCertOptions(new PemKeyCertOptions().setCertPath(args[2]).setKeyPath(args[3]))
                .setEnabledSecureTransportProtocols(Set.of("TLSv1.2", "TLSv1.3"))
                .setSslEngineOptions(TlsEngine.preferred())
                // No WebSocket extension handler on HTTP/1.x connections, as in the adapter (which
                // serves no WebSocket): the limit is a server set up as well as the adapter.
                .setPerMessageWebSocketCompressionSupported(false)
                .setPerFrameWebSocketCompressionSupported(false)
                .setHost("127.0.0.1").setPort(port);
        vertx.createHttpServer(options).requestHandler(request -> request.response()
                        .putHeader("Content-Type", "application/json")
                        .putHeader("X-Content-Type-Options", "nosniff")
                        .end(body))
                .listen().toCompletionStage().toCompletableFuture().get();
        System.out.println("bare server listening on " + port);
    }
}
