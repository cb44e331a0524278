package io.demandmetrics.adapter.replicas;

import io.demandmetrics.adapter.failure.RequestFailure;
import io.demandmetrics.adapter.tls.ServingCertificate;
import io.demandmetrics.scaler.support.TlsEngine;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The port replicas push readings to ({@code POST /replicas/v1/readings}, a
 * {@link ReadingBatch}): TLS, the sender checked by {@link PeerAuthenticator} before its body
 * is read, the body bounded, each reading handed to the {@link Sink} (the store), which keeps
 * it or says why not. Answers 200 with the counts and the first reasons, 400 for a malformed
 * batch, 401/403 for a sender that is not a replica, 413 for a batch too large.
 */
public final class PeerServer {

    /** Where a replicated reading goes: null when kept, else why not. */
    @FunctionalInterface
    public interface Sink {
        /** @param from the sending replica, as its batch names itself */
        String accept(String from, ReplicatedReading reading);
    }

    public static final String PATH = "/replicas/v1/readings";
    private static final Logger LOG = LoggerFactory.getLogger(PeerServer.class);
    private static final int REASONS_SHOWN = 10;

    private final Vertx vertx;
    private final PeerAuthenticator authenticator;
    private final Sink sink;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong receivedBytes = new AtomicLong();
    private HttpServer server;

    public PeerServer(Vertx vertx, PeerAuthenticator authenticator, Sink sink) {
        this.vertx = vertx;
        this.authenticator = authenticator;
        this.sink = sink;
    }

    /** @return the bound port */
    public Future<Integer> listen(String host, int port, ServingCertificate certificate) {
        server = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setUseAlpn(true)
                .setSslEngineOptions(TlsEngine.preferred())
                .setKeyCertOptions(certificate.keyCertOptions())
                .setEnabledSecureTransportProtocols(Set.of("TLSv1.2", "TLSv1.3"))
                .setHost(host).setPort(port).setIdleTimeout(60))
                .requestHandler(this::handle);
        return server.listen().map(HttpServer::actualPort);
    }

    /** Readings kept since start. */
    public long received() {
        return received.get();
    }

    /** Bytes of the batches taken since start (from authenticated replicas). */
    public long receivedBytes() {
        return receivedBytes.get();
    }

    /** Readings refused since start (other settings, older, not configured, malformed batches not counted). */
    public long refused() {
        return refused.get();
    }

    public Future<Void> close() {
        return server == null ? Future.succeededFuture() : server.close();
    }

    private void handle(HttpServerRequest request) {
        if (!PATH.equals(request.path())) {
            answer(request, 404, new JsonObject().put("message", "no such path"));
            return;
        }
        if (request.method() != HttpMethod.POST) {
            answer(request, 405, new JsonObject().put("message", "readings are POSTed"));
            return;
        }
        String length = request.getHeader("Content-Length");
        if (length != null && parsedLength(length) > ReadingBatch.MAX_BYTES) {
            answer(request, 413, new JsonObject().put("message", "a batch is at most " + ReadingBatch.MAX_BYTES + " bytes"));
            return;
        }
        request.pause(); // nothing of a stranger's body is read before it is known
        authenticator.check(request.getHeader("Authorization")).onComplete(checked -> {
            if (checked.failed()) {
                int code = checked.cause() instanceof RequestFailure.Forbidden ? 403 : 401;
                LOG.debug("refused a peer: {}", checked.cause().getMessage());
                answer(request, code, new JsonObject().put("message", checked.cause().getMessage()));
                return;
            }
            readBounded(request);
        });
    }

    private void readBounded(HttpServerRequest request) {
        Buffer body = Buffer.buffer();
        request.handler(chunk -> {
            if (body.length() + chunk.length() > ReadingBatch.MAX_BYTES) {
                request.handler(null);
                answer(request, 413, new JsonObject().put("message", "a batch is at most " + ReadingBatch.MAX_BYTES + " bytes"));
                request.connection().close();
                return;
            }
            body.appendBuffer(chunk);
        });
        request.endHandler(end -> {
            if (!request.response().ended()) {
                apply(request, body);
            }
        });
        request.resume();
    }

    private void apply(HttpServerRequest request, Buffer body) {
        receivedBytes.addAndGet(body.length());
        ReadingBatch.Decoded batch;
        try {
            batch = ReadingBatch.decode(body);
        } catch (IllegalArgumentException e) {
            answer(request, 400, new JsonObject().put("message", e.getMessage()));
            return;
        }
        int kept = 0;
        JsonArray reasons = new JsonArray();
        for (ReplicatedReading reading : batch.readings()) {
            String refusal = sink.accept(batch.from(), reading);
            if (refusal == null) {
                kept++;
            } else if (reasons.size() < REASONS_SHOWN) {
                reasons.add(refusal);
            }
        }
        received.addAndGet(kept);
        refused.addAndGet(batch.readings().size() - kept);
        answer(request, 200, new JsonObject().put("kept", kept).put("refused", batch.readings().size() - kept)
                .put("reasons", reasons));
    }

    private static long parsedLength(String length) {
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    private static void answer(HttpServerRequest request, int code, JsonObject body) {
        if (!request.response().ended()) {
            request.response().setStatusCode(code).putHeader("Content-Type", "application/json").end(body.toBuffer());
        }
    }
}
