package io.demandmetrics.scaler.requests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scraping over TLS on the wire: a pod's HTTPS metrics endpoint that requires a client
 * certificate it trusts. The rps scaler scrapes it with the tls block's caFile, certFile and
 * keyFile (the endpoint sees the client's certificate), or insecureSkipVerify instead of a CA;
 * without a client certificate every scrape fails and the poll says so.
 */
class ScrapeTlsTest {

    private static Vertx vertx;
    private static HttpServer pod;
    private static SelfSignedCertificate server;
    private static SelfSignedCertificate client;
    private static final List<String> seen = new CopyOnWriteArrayList<>();
    private static final AtomicLong requests = new AtomicLong();

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        server = SelfSignedCertificate.create("localhost");
        client = SelfSignedCertificate.create("demand-adapter");
        pod = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setClientAuth(ClientAuth.REQUIRED)
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
                    request.response().putHeader("Content-Type", "text/plain; version=0.0.4")
                            .end("http_requests_total{code=\"200\"} " + 10 * requests.incrementAndGet() + "\n");
                })
                .listen(0, "localhost").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static Scaler scaler(Map<String, Object> tls) throws Exception {
        RpsScalerProvider provider = new RpsScalerProvider();
        return new TestScalerContext(vertx, "rps", "shop/tls").describing("pods").createScaler(provider,
                provider.parseConfig(Map.of("counter", "http_requests_total",
                        // A scrape's timeout (four fifths of the interval) must allow a first TLS
                        // handshake with a client certificate in a cold JVM: 160 ms did not, on a slow machine.
                        "scrapeInterval", "1s", "shortWindow", "2s", "longWindow", "2s", "tls", tls,
                        "targets", List.of(Map.of("pod", "web-1",
                                "url", "https://localhost:" + pod.actualPort() + "/metrics")))));
    }

    private static List<Sample> fetch(Map<String, Object> tls) throws Exception {
        Scaler scaler = scaler(tls);
        try {
            return scaler.fetch().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        } finally {
            scaler.close();
        }
    }

    @Test
    void aClientCertificateAndTheEndpointsCaAreUsed() throws Exception {
        seen.clear();
        assertThat(fetch(Map.of("caFile", server.certificatePath(), "certFile", client.certificatePath(),
                "keyFile", client.privateKeyPath()))).singleElement()
                .satisfies(sample -> assertThat(sample.value()).isPositive());
        assertThat(seen).isNotEmpty().allMatch("CN=demand-adapter"::equals);
        assertThat(fetch(Map.of("insecureSkipVerify", true, "certFile", client.certificatePath(),
                "keyFile", client.privateKeyPath()))).hasSize(1);
    }

    @Test
    void withoutAClientCertificateTheScrapesFail() throws Exception {
        Scaler scaler = scaler(Map.of("caFile", server.certificatePath()));
        try {
            // Until the first scrape has ended (a first TLS handshake loads the engine), the poll only waits.
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThatThrownBy(() ->
                    scaler.fetch().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause()
                    .hasMessageNotContaining("waiting for a second scrape")
                    .hasMessageStartingWith("no target answered: web-1: "));
        } finally {
            scaler.close();
        }
        assertThat(seen).doesNotContain("none");
    }
}
