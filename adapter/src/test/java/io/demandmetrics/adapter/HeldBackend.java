package io.demandmetrics.adapter;

import io.demandmetrics.adapter.tls.SelfSignedCertificate;
import io.demandmetrics.scaler.support.ClientExchange;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * A backend the adapter forwards external metrics to (as to KEDA's metrics server) that holds
 * the answers to {@code held} until told to answer: a request forwarded to it is in flight at
 * the adapter for exactly as long as a test wants, over any protocol, with no dependence on
 * timing. {@code probe} is answered at once (to know the adapter forwards). Also a client
 * ({@link ClientExchange}) that, unlike JDK 17's, keeps an HTTP/2 stream the server's GOAWAY
 * says it will still answer.
 */
final class HeldBackend implements AutoCloseable {

    static final String HELD = "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/held";
    static final String PROBE = "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/probe";
    private static final String DISCOVERY = "{\"kind\":\"APIResourceList\",\"apiVersion\":\"v1\",\"groupVersion\":"
            + "\"external.metrics.k8s.io/v1beta1\",\"resources\":[{\"name\":\"externalmetrics\",\"singularName\":\"\","
            + "\"namespaced\":true,\"kind\":\"ExternalMetricValueList\",\"verbs\":[\"get\"]}]}";

    private final Vertx vertx = Vertx.vertx();
    private final Queue<HttpServerRequest> held = new ConcurrentLinkedQueue<>();
    private final Path cert;
    private final HttpServer server;
    /** Held: Vert.x closes a client that is no longer reachable, and with it its connections. */
    private final List<HttpClient> clients = new java.util.concurrent.CopyOnWriteArrayList<>();

    HeldBackend(Path dir) throws Exception {
        String[] pems = SelfSignedCertificate.generate(Set.of("127.0.0.1"), Duration.ofDays(1));
        cert = Files.writeString(dir.resolve("backend.crt"), pems[0]);
        Path key = Files.writeString(dir.resolve("backend.key"), pems[1]);
        server = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setUseAlpn(true)
                .setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert.toString()).setKeyPath(key.toString())))
                .requestHandler(request -> {
                    if (request.path().equals(HELD)) {
                        held.add(request);
                    } else if (request.path().equals(PROBE)) {
                        request.response().putHeader("Content-Type", "application/json").end(value("probe", "1"));
                    } else if (request.path().equals("/apis/external.metrics.k8s.io/v1beta1")) {
                        request.response().putHeader("Content-Type", "application/json").end(DISCOVERY);
                    } else {
                        request.response().setStatusCode(404).end();
                    }
                });
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** The adapter's config section that forwards external metrics here, with {@code timeout}. */
    String forwardConfig(Path tokenFile, String timeout) {
        return "forward:\n  - {name: held, groups: [external.metrics.k8s.io], url: \"https://127.0.0.1:"
                + server.actualPort() + "\", caFile: " + cert + ", tokenFile: " + tokenFile + ", timeout: " + timeout
                + ", discoveryInterval: 1s}\n";
    }

    /** Requests for {@code held} received and not yet answered. */
    int held() {
        return held.size();
    }

    /** Answers every held request. */
    void release() {
        HttpServerRequest request;
        while ((request = held.poll()) != null) {
            HttpServerRequest answered = request;
            answered.response().putHeader("Content-Type", "application/json").end(value("held", "7"));
        }
    }

    /** Asks the adapter at {@code port} for {@code path}: the answer's status and body. */
    Future<String[]> ask(int port, Path adapterCert, String path, HttpVersion version) {
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setUseAlpn(true)
                .setProtocolVersion(version).setTrustOptions(new PemTrustOptions().addCertPath(adapterCert.toString()))
                .setDefaultHost("127.0.0.1").setDefaultPort(port));
        clients.add(client);
        return ClientExchange.send(client, new RequestOptions().setMethod(HttpMethod.GET).setURI(path),
                response -> response.body().map(body -> new String[] {Integer.toString(response.statusCode()),
                        response.version().name(), body.toString()}));
    }

    private static String value(String metric, String value) {
        return "{\"kind\":\"ExternalMetricValueList\",\"apiVersion\":\"external.metrics.k8s.io/v1beta1\",\"metadata\":{},"
                + "\"items\":[{\"metricName\":\"" + metric + "\",\"metricLabels\":null,\"timestamp\":"
                + "\"2026-01-01T00:00:00Z\",\"value\":\"" + value + "\"}]}";
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
