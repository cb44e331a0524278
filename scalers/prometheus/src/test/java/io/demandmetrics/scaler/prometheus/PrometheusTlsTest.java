package io.demandmetrics.scaler.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.testkit.TestScalerContext;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SelfSignedCertificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TLS on the wire: an HTTPS front that answers as Prometheus does and requires a client
 * certificate it trusts. The scaler reaches it with caFile, certFile and keyFile (the front
 * sees the client's certificate), with unsafeSsl instead of a CA, and fails clearly without a
 * client certificate or with a server it cannot verify.
 */
class PrometheusTlsTest {

    private static Vertx vertx;
    private static HttpServer front;
    private static SelfSignedCertificate server;
    private static SelfSignedCertificate client;
    /** The subjects of the client certificates the front saw. */
    private static final List<String> seen = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        server = SelfSignedCertificate.create("localhost");
        client = SelfSignedCertificate.create("demand-adapter");
        front = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setClientAuth(ClientAuth.REQUIRED)
                        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(server.certificatePath())
                                .setKeyPath(server.privateKeyPath()))
                        .setTrustOptions(new PemTrustOptions().addCertPath(client.certificatePath())))
                .requestHandler(request -> {
                    try {
                        seen.add(((java.security.cert.X509Certificate) request.connection().peerCertificates().get(0))
                                .getSubjectX500Principal().getName(X500Principal.RFC2253));
                    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                        seen.add("none");
                    }
                    request.response().putHeader("Content-Type", "application/json").end("{\"status\":\"success\","
                            + "\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1,\"7\"]}]}}");
                })
                .listen(0, "localhost").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static List<Sample> fetch(Map<String, Object> tls) throws Exception {
        Map<String, Object> parameters = new HashMap<>(Map.of("serverAddress", "https://localhost:"
                + front.actualPort(), "query", "vector(7)"));
        parameters.putAll(tls);
        PrometheusScalerProvider provider = new PrometheusScalerProvider();
        Scaler scaler = new TestScalerContext(vertx, "prometheus", "shop/tls").createScaler(provider,
                provider.parseConfig(parameters));
        try {
            return scaler.fetch().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        } finally {
            scaler.close();
        }
    }

    private static String failure(Map<String, Object> tls) throws Exception {
        try {
            throw new AssertionError("expected the poll to fail, it served " + fetch(tls));
        } catch (ExecutionException e) {
            return e.getCause().getMessage();
        }
    }

    @Test
    void aClientCertificateAndTheServersCaAreUsed() throws Exception {
        seen.clear();
        assertThat(fetch(Map.of("caFile", server.certificatePath(), "certFile", client.certificatePath(),
                "keyFile", client.privateKeyPath()))).extracting(Sample::value).containsExactly(7.0);
        assertThat(seen).containsExactly("CN=demand-adapter");
        // unsafeSsl: the server's certificate is not checked, the client's is still sent.
        assertThat(fetch(Map.of("unsafeSsl", true, "certFile", client.certificatePath(),
                "keyFile", client.privateKeyPath()))).extracting(Sample::value).containsExactly(7.0);
    }

    @Test
    void withoutTheRightFilesThePollFailsSayingWhere() throws Exception {
        // No client certificate: the front refuses the handshake.
        assertThat(failure(Map.of("caFile", server.certificatePath())))
                .startsWith("cannot query https://localhost:" + front.actualPort() + ": ");
        // A server the default trust store does not know.
        assertThat(failure(Map.of("certFile", client.certificatePath(), "keyFile", client.privateKeyPath())))
                .startsWith("cannot query https://localhost:" + front.actualPort() + ": ");
    }
}
