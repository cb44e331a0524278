package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.support.ClientExchange;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * In-cluster mode against fabric8's mock API server: the front-proxy path the aggregator
 * uses, spoofing attempts, client certificates, bearer tokens (TokenReview), authorization
 * (SubjectAccessReview, cached), a rotated front-proxy CA, and the real kubectl.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DelegatedAuthIT {

    private static final String METRIC = "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/queue-depth";

    @TempDir
    static Path dir;
    private MockCluster cluster;
    private TestCertificates frontProxyCa;
    private TestCertificates clientCa;
    private List<JsonObject> reviewedSpecs;
    private Adapter adapter;

    @BeforeAll
    void start() throws Exception {
        cluster = new MockCluster();
        frontProxyCa = cluster.frontProxyCa;
        clientCa = cluster.clientCa;
        reviewedSpecs = cluster.reviewedSpecs;
        TestValuesScalerProvider.set("auth-queue", List.of(Sample.of(Map.of("queue", "orders"), 40)));
        adapter = cluster.startAdapter(dir, "metrics:\n  - {name: queue-depth, namespace: shop, type: test-values,"
                + " parameters: {source: auth-queue}}\n");
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    @Test
    void theFrontProxyPathAuthenticatesFromHeadersAndAuthorizesWithASubjectAccessReview() throws Exception {
        HttpResponse<String> response = send(client(frontProxyCa.client("front-proxy-client")), METRIC,
                "X-Remote-User", "alice", "X-Remote-Group", "team-a", "X-Remote-Group", "system:authenticated",
                "X-Remote-Extra-Scopes%2FReason", "autoscaling");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(new JsonObject(response.body()).getJsonArray("items").getJsonObject(0).getString("value"))
                .isEqualTo("40");
        JsonObject spec = reviewedSpecs.stream().filter(s -> s.getString("user").equals("alice")).findFirst()
                .orElseThrow();
        assertThat(spec.getJsonArray("groups")).containsExactly("team-a", "system:authenticated");
        assertThat(spec.getJsonObject("extra").getJsonArray("scopes/reason")).containsExactly("autoscaling");
        assertThat(spec.getJsonObject("resourceAttributes")).isEqualTo(new JsonObject()
                .put("group", "external.metrics.k8s.io").put("name", "").put("namespace", "shop")
                .put("resource", "queue-depth").put("subresource", "").put("verb", "get"));
    }

    @Test
    void identityHeadersWithoutAVerifiedFrontProxyCertificateAreSpoofingAndRefused() throws Exception {
        String[] alice = {"X-Remote-User", "alice", "X-Remote-Group", "system:masters"};
        HttpResponse<String> noCertificate = send(client(null), METRIC, alice);
        assertThat(noCertificate.statusCode()).isEqualTo(401);
        assertThat(status(noCertificate)).isEqualTo("Unauthorized: no client certificate or bearer token");

        TestCertificates rogueCa = new TestCertificates("front-proxy-ca"); // same name, other key
        HttpResponse<String> otherCa = send(client(rogueCa.client("front-proxy-client")), METRIC, alice);
        assertThat(otherCa.statusCode()).isEqualTo(401);
        assertThat(status(otherCa)).isEqualTo("Unauthorized: the client certificate is not signed by a trusted CA");

        HttpResponse<String> wrongName = send(client(frontProxyCa.client("not-the-aggregator")), METRIC, alice);
        assertThat(wrongName.statusCode()).isEqualTo(401);
        assertThat(status(wrongName)).isEqualTo("the front-proxy certificate's common name \"not-the-aggregator\""
                + " is not among the requestheader allowed names");

        // a client certificate from the client CA is a user, but its headers are still not read
        HttpResponse<String> clientWithHeaders = send(client(clientCa.issue("hpa-client", "ops").keyManager()),
                METRIC, alice);
        assertThat(clientWithHeaders.statusCode()).isEqualTo(200);
        assertThat(reviewedSpecs).filteredOn(s -> s.getString("user").equals("hpa-client"))
                .isNotEmpty().noneSatisfy(s -> assertThat(s.getJsonArray("groups")).contains("system:masters"));
    }

    @Test
    void clientCertificatesAndBearerTokensAuthenticate() throws Exception {
        assertThat(send(client(clientCa.issue("hpa-client", "ops").keyManager()), METRIC).statusCode()).isEqualTo(200);
        assertThat(reviewedSpecs).anySatisfy(s -> {
            assertThat(s.getString("user")).isEqualTo("hpa-client");
            assertThat(s.getJsonArray("groups")).containsExactly("ops", "system:authenticated");
        });
        assertThat(send(client(null), METRIC, "Authorization", "Bearer good-token").statusCode()).isEqualTo(200);
        HttpResponse<String> badToken = send(client(null), METRIC, "Authorization", "Bearer forged-token");
        assertThat(badToken.statusCode()).isEqualTo(401);
        assertThat(status(badToken)).isEqualTo("the bearer token was not accepted");
    }

    /** The decision cache is keyed by the whole review, unambiguously: no request gets another's decision. */
    @Test
    void twoGroupsAndOneCommaJoinedGroupAreDifferentReviews() throws Exception {
        HttpClient frontProxy = client(frontProxyCa.client("front-proxy-client"));
        HttpResponse<String> twoGroups = send(frontProxy, METRIC, "X-Remote-User", "carol",
                "X-Remote-Group", "system:masters", "X-Remote-Group", "x");
        assertThat(twoGroups.statusCode()).isEqualTo(200);
        int reviews = cluster.accessReviews.get();
        HttpResponse<String> oneGroup = send(frontProxy, METRIC, "X-Remote-User", "carol",
                "X-Remote-Group", "system:masters, x");
        assertThat(cluster.accessReviews.get()).as("a review of its own").isEqualTo(reviews + 1);
        assertThat(oneGroup.statusCode()).isEqualTo(403);
        HttpResponse<String> extras = send(frontProxy, METRIC, "X-Remote-User", "carol",
                "X-Remote-Group", "system:masters", "X-Remote-Extra-a", "b, c");
        HttpResponse<String> otherExtras = send(frontProxy, METRIC, "X-Remote-User", "carol",
                "X-Remote-Group", "system:masters", "X-Remote-Extra-a", "b", "X-Remote-Extra-a", "c");
        assertThat(List.of(extras.statusCode(), otherExtras.statusCode())).containsOnly(200);
        assertThat(cluster.accessReviews.get()).isEqualTo(reviews + 3);
    }

    /** Extra keys are path-unescaped as upstream does it, and kept as sent when they do not unescape. */
    @Test
    void extraHeaderKeysAreUnescapedAsUpstreamDoes() throws Exception {
        HttpResponse<String> response = send(client(frontProxyCa.client("front-proxy-client")), METRIC,
                "X-Remote-User", "alice", "X-Remote-Extra-%zz", "1", "X-Remote-Extra-a+b", "2",
                "X-Remote-Extra-C%2fD", "3");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonObject extra = reviewedSpecs.stream().filter(s -> s.getJsonObject("extra") != null
                && s.getJsonObject("extra").containsKey("%zz")).findFirst().orElseThrow().getJsonObject("extra");
        assertThat(extra.fieldNames()).containsExactlyInAnyOrder("%zz", "a+b", "c/d");
    }

    @Test
    void aDeniedSubjectAccessReviewIsForbiddenNamingUserVerbAndResource() throws Exception {
        HttpResponse<String> denied = send(client(frontProxyCa.client("front-proxy-client")),
                "/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/%2A/http_requests?labelSelector=app%3Dweb",
                "X-Remote-User", "mallory");
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(new JsonObject(denied.body()).getString("reason")).isEqualTo("Forbidden");
        assertThat(status(denied)).isEqualTo("user \"mallory\" cannot get pods.custom.metrics.k8s.io/http_requests"
                + " \"*\" in namespace \"shop\": no RBAC rule allows it");
    }

    @Test
    void decisionsAreCachedAndProbesNeedNoAuthentication() throws Exception {
        HttpClient frontProxy = client(frontProxyCa.client("front-proxy-client"));
        String path = "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/queue-depth?labelSelector=queue%3Dorders";
        send(frontProxy, path, "X-Remote-User", "alice", "X-Remote-Group", "cache-test");
        int after = cluster.accessReviews.get();
        for (int i = 0; i < 5; i++) {
            assertThat(send(frontProxy, path, "X-Remote-User", "alice", "X-Remote-Group", "cache-test").statusCode())
                    .isEqualTo(200);
        }
        assertThat(cluster.accessReviews.get()).isEqualTo(after);

        for (String probe : List.of("/healthz", "/livez", "/readyz")) {
            assertThat(send(client(null), probe).statusCode()).as(probe).isEqualTo(200);
        }
        assertThat(send(client(null), "/metrics").statusCode()).isEqualTo(401);
        assertThat(send(client(null), "/apis/custom.metrics.k8s.io/v1beta2").statusCode()).isEqualTo(401);
    }

    @Test
    void aRotatedFrontProxyCaAppliesWithoutRestart() throws Exception {
        TestCertificates rotated = new TestCertificates("front-proxy-ca-2");
        KeyManagerFactory oldProxy = frontProxyCa.client("front-proxy-client");
        KeyManagerFactory newProxy = rotated.client("front-proxy-client");
        assertThat(send(client(newProxy), METRIC, "X-Remote-User", "alice").statusCode()).isEqualTo(401);

        cluster.admin.configMaps().inNamespace("kube-system").resource(cluster.authenticationConfigMap(rotated)).update();
        await().atMost(Duration.ofSeconds(15)).until(() ->
                send(client(newProxy), METRIC, "X-Remote-User", "alice").statusCode() == 200);
        assertThat(send(client(oldProxy), METRIC, "X-Remote-User", "alice").statusCode()).isEqualTo(401);

        cluster.admin.configMaps().inNamespace("kube-system").resource(cluster.authenticationConfigMap(frontProxyCa))
                .update();
        await().atMost(Duration.ofSeconds(15)).until(() ->
                send(client(oldProxy), METRIC, "X-Remote-User", "alice").statusCode() == 200);
    }

    @Test
    void kubectlWithAClientCertificateGetsTheMetric() throws Exception {
        Path kubeconfig = TestAdapters.clientCertificateKubeconfig(dir, adapter, clientCa.issue("hpa-client", "ops"));
        Process kubectl = new ProcessBuilder("kubectl", "--kubeconfig", kubeconfig.toString(), "--cache-dir",
                dir.resolve("kubectl-cache").toString(), "get", "--raw", METRIC)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(kubectl.getInputStream().readAllBytes());
        String err = new String(kubectl.getErrorStream().readAllBytes());
        assertThat(kubectl.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(kubectl.exitValue()).as(err).isZero();
        assertThat(new JsonObject(out).getString("kind")).isEqualTo("ExternalMetricValueList");
    }

    /** A path java.net.URI refuses to build: sent raw with a Vert.x client, as a hostile caller would. */
    @Test
    void aMalformedPathIsABadRequestForTheAuthenticatedAndUnauthorizedForOthers() throws Exception {
        String hostile = "/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/%ZZ/http_requests";
        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
        try {
            TestCertificates.Issued proxy = frontProxyCa.issue("front-proxy-client", null);
            var trust = new io.vertx.core.net.PemTrustOptions().addCertValue(io.vertx.core.buffer.Buffer.buffer(
                    java.nio.file.Files.readAllBytes(TestAdapters.certFile(dir))));
            for (boolean authenticated : List.of(true, false)) {
                var options = new io.vertx.core.http.HttpClientOptions().setSsl(true).setVerifyHost(false)
                        .setTrustOptions(trust);
                if (authenticated) {
                    options.setKeyCertOptions(new io.vertx.core.net.PemKeyCertOptions()
                            .addCertValue(io.vertx.core.buffer.Buffer.buffer(proxy.certificatePem()))
                            .addKeyValue(io.vertx.core.buffer.Buffer.buffer(proxy.keyPem())));
                }
                // Held in a variable and closed: Vert.x 5 closes a client nothing references.
                io.vertx.core.http.HttpClient raw = vertx.createHttpClient(options);
                var response = raw.request(io.vertx.core.http.HttpMethod.GET, adapter.port(), "127.0.0.1", hostile)
                        .compose(request -> ClientExchange.send(request.putHeader("X-Remote-User", "alice"),
                                r -> r.body().map(body -> Map.entry(r.statusCode(), new JsonObject(body)))))
                        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                raw.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                if (authenticated) {
                    assertThat(response.getKey()).isEqualTo(400);
                    assertThat(response.getValue().getString("message"))
                            .isEqualTo("malformed percent-encoding in path segment \"%ZZ\"");
                } else {
                    assertThat(response.getKey()).isEqualTo(401);
                }
            }
        } finally {
            vertx.close();
        }
    }

    @Test
    void flagsOverrideTheConfigMap() throws Exception {
        TestCertificates flagProxyCa = new TestCertificates("flag-front-proxy-ca");
        TestCertificates flagClientCa = new TestCertificates("flag-client-ca");
        Path flagsDir = java.nio.file.Files.createDirectories(dir.resolve("flags"));
        flagProxyCa.writeCa(flagsDir.resolve("front-proxy-ca.crt"));
        flagClientCa.writeCa(flagsDir.resolve("client-ca.crt"));
        Adapter flagged = cluster.startAdapter(flagsDir, "metrics:\n  - {name: queue-depth, namespace: shop,"
                        + " type: test-values, parameters: {source: auth-queue}}\n",
                "--requestheader-client-ca-file", flagsDir.resolve("front-proxy-ca.crt").toString(),
                "--requestheader-allowed-names", "aggregator",
                "--requestheader-username-headers", "X-Forwarded-User",
                "--client-ca-file", flagsDir.resolve("client-ca.crt").toString());
        HttpClient viaFlags = TestAdapters.client(TestAdapters.certFile(flagsDir), flagProxyCa.client("aggregator"));
        HttpClient viaConfigMap = TestAdapters.client(TestAdapters.certFile(flagsDir),
                frontProxyCa.client("front-proxy-client"));
        HttpClient clientCert = TestAdapters.client(TestAdapters.certFile(flagsDir),
                flagClientCa.issue("hpa-client", null).keyManager());
        String url = flagged.url() + METRIC;
        assertThat(sendTo(viaFlags, url, "X-Forwarded-User", "alice").statusCode()).isEqualTo(200);
        assertThat(sendTo(viaFlags, url, "X-Remote-User", "alice").statusCode()).isEqualTo(401);
        assertThat(sendTo(viaConfigMap, url, "X-Remote-User", "alice").statusCode()).isEqualTo(401);
        assertThat(sendTo(clientCert, url).statusCode()).isEqualTo(200);
    }

    private static HttpResponse<String> sendTo(HttpClient client, String url, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Authentication keeps what it verified per connection; the server's one close handler
     * must release it, and count the connection closed. (Authentication once set a close
     * handler of its own, which replaced the server's: Vert.x keeps one per connection.)
     */
    @Test
    void authenticatedConnectionsAreReleasedWhenTheyClose() throws Exception {
        HttpClient reader = client(frontProxyCa.client("front-proxy-client"));
        double before = connectionsOpen(reader);
        for (int i = 0; i < 5; i++) {
            try (RawTls connection = RawTls.connect(java.net.URI.create(adapter.url()).getPort(),
                    clientCa.client("hpa-client"))) {
                connection.write("GET /apis/external.metrics.k8s.io/v1beta1 HTTP/1.1\r\nHost: adapter\r\n\r\n");
                assertThat(connection.readResponse().code()).isEqualTo(200);
            }
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> connectionsOpen(reader) <= before);
    }

    private double connectionsOpen(HttpClient reader) throws Exception {
        return TestAdapters.meter(send(reader, "/metrics", "X-Remote-User", "alice").body(),
                "demand_adapter_http_connections_open");
    }

    private static HttpClient client(KeyManagerFactory keys) throws Exception {
        return TestAdapters.client(TestAdapters.certFile(dir), keys);
    }

    private HttpResponse<String> send(HttpClient client, String path, String... headers) throws Exception {
        return sendTo(client, adapter.url() + path, headers);
    }

    private static String status(HttpResponse<String> response) {
        return new JsonObject(response.body()).getString("message");
    }
}
