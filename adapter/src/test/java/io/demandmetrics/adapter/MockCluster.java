package io.demandmetrics.adapter;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Kubernetes API for in-cluster tests: fabric8's mock server, CRUD for objects (pods, the
 * authentication ConfigMap) with lookups by name indexed ({@link IndexedMockDispatcher}), plus
 * computed TokenReview and SubjectAccessReview answers.
 * Token {@code good-token} is the HPA's service account; users in {@link #ALLOWED_USERS} and
 * members of group {@code system:masters} are allowed by every SubjectAccessReview, everyone
 * else is denied.
 */
final class MockCluster implements AutoCloseable {

    static final List<String> ALLOWED_USERS = List.of("alice", "hpa-client",
            "system:serviceaccount:kube-system:horizontal-pod-autoscaler");

    final KubernetesMockServer api;
    final NamespacedKubernetesClient admin;
    final TestCertificates frontProxyCa;
    final TestCertificates clientCa;
    final AtomicInteger accessReviews = new AtomicInteger();
    final List<JsonObject> reviewedSpecs = new CopyOnWriteArrayList<>();
    private final List<Adapter> adapters = new CopyOnWriteArrayList<>();

    private final MockWebServer server = new MockWebServer();

    /**
     * The mock logs every request it answers at INFO: tens of thousands of lines in the scale
     * tests, each a synchronized write to the test JVM's stderr, which the build pipes on (and
     * which paced the mock's answers). Warnings only. Held here: a logger nothing references
     * may be collected, and its level with it.
     */
    private static final java.util.logging.Logger MOCK_LOG = quiet("io.fabric8.mockwebserver");

    private static java.util.logging.Logger quiet(String name) {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
        logger.setLevel(java.util.logging.Level.WARNING);
        return logger;
    }

    MockCluster() throws Exception {
        this(false);
    }

    /** @param https serve HTTPS with a self-signed certificate ({@link #certificatePath()}) */
    MockCluster(boolean https) throws Exception {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        api = new KubernetesMockServer(new Context(), server, responses,
                new IndexedMockDispatcher(responses), https);
        api.init(InetAddress.getByName("127.0.0.1"), 0);
        admin = api.createClient();
        frontProxyCa = new TestCertificates("front-proxy-ca");
        clientCa = new TestCertificates("client-ca");
        admin.configMaps().inNamespace("kube-system").resource(authenticationConfigMap(frontProxyCa)).create();
        api.expect().post().withPath("/apis/authentication.k8s.io/v1/tokenreviews")
                .andReply(201, request -> tokenReview(new JsonObject(request.getUtf8Body()))).always();
        api.expect().post().withPath("/apis/authorization.k8s.io/v1/subjectaccessreviews")
                .andReply(201, request -> accessReview(new JsonObject(request.getUtf8Body()))).always();
    }

    /** The DemandMetric resource (deploy/crd-demandmetric.yaml). */
    static final io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext DEMAND_METRICS =
            new io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext.Builder().withGroup("demandmetrics.io")
                    .withVersion("v1alpha1").withPlural("demandmetrics").withKind("DemandMetric").withNamespaced(true)
                    .build();

    /** Installs deploy/'s DemandMetric CRD: CRUD for its resources and their status subresource. */
    void installDemandMetricCrd() throws java.io.IOException {
        try (var crd = Files.newInputStream(Path.of("..", "deploy", "crd-demandmetric.yaml"))) {
            admin.apiextensions().v1().customResourceDefinitions().load(crd).create();
        }
    }

    /** The DemandMetrics of {@code namespace}, through the admin client. */
    io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<io.fabric8.kubernetes.api.model.GenericKubernetesResource,
            io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
            io.fabric8.kubernetes.client.dsl.Resource<io.fabric8.kubernetes.api.model.GenericKubernetesResource>>
            demandMetrics(String namespace) {
        return admin.genericKubernetesResources(DEMAND_METRICS).inNamespace(namespace);
    }

    /** Creates DemandMetric {@code namespace/name} (generation 1) with {@code spec}. */
    void createDemandMetric(String namespace, String name, Map<String, Object> spec) {
        io.fabric8.kubernetes.api.model.GenericKubernetesResource resource =
                new io.fabric8.kubernetes.api.model.GenericKubernetesResource();
        resource.setApiVersion("demandmetrics.io/v1alpha1");
        resource.setKind("DemandMetric");
        resource.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withNamespace(namespace)
                .withName(name).withGeneration(1L).build());
        resource.setAdditionalProperty("spec", spec);
        demandMetrics(namespace).resource(resource).create();
    }

    /**
     * The status of DemandMetric {@code namespace/name} is written slowly from now on: each PATCH is
     * answered after {@code delay} (as by an overloaded API server), and not stored.
     */
    void slowStatusWrites(String namespace, String name, Duration delay) {
        String path = "/apis/demandmetrics.io/v1alpha1/namespaces/" + namespace + "/demandmetrics/" + name + "/status";
        JsonObject answer = new JsonObject().put("apiVersion", "demandmetrics.io/v1alpha1").put("kind", "DemandMetric")
                .put("metadata", new JsonObject().put("namespace", namespace).put("name", name));
        api.expect().patch().delay(delay.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS).withPath(path)
                .andReply(200, request -> answer.encode()).always();
    }

    /** Starts an in-cluster adapter against this API, serving {@code configYaml}; stopped by {@link #close()}. */
    Adapter startAdapter(Path dir, String configYaml, String... extraFlags) throws Exception {
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, configYaml);
        Path kubeconfig = kubeconfig(dir.resolve("adapter.kubeconfig"));
        List<String> args = new java.util.ArrayList<>(List.of("--config", config.toString(), "--kubeconfig",
                kubeconfig.toString(), "--bind-address", "127.0.0.1", "--secure-port", "0", "--event-loops", "1",
                "--cert-dir", dir.resolve("certs").toString(),
                // The tests' own scaler, which calls nowhere: open to their DemandMetrics.
                "--team-plugin-types", "test-values"));
        args.addAll(List.of(extraFlags));
        Adapter adapter = Adapter.start(AdapterOptions.parse(args.toArray(String[]::new)), Clock.systemUTC());
        adapters.add(adapter);
        return adapter;
    }

    /** Writes a kubeconfig for the adapter's service account against this API to {@code file}. */
    Path kubeconfig(Path file) throws java.io.IOException {
        return kubeconfig(file, api.getPort());
    }

    /**
     * Takes every request the API has received since the last call (the mock records them all)
     * and counts those {@code counted} matches.
     */
    int drainRequests(java.util.function.Predicate<io.fabric8.mockwebserver.http.RecordedRequest> counted)
            throws InterruptedException {
        int matched = 0;
        for (var request = server.takeRequest(0, java.util.concurrent.TimeUnit.MILLISECONDS); request != null;
                request = server.takeRequest(0, java.util.concurrent.TimeUnit.MILLISECONDS)) {
            if (counted.test(request)) {
                matched++;
            }
        }
        return matched;
    }

    /** The port the API listens on (plain HTTP on 127.0.0.1). */
    int apiPort() {
        return api.getPort();
    }

    /** The same, reaching the API at {@code port} on 127.0.0.1 (a proxy in front of {@link #apiPort()}). */
    Path kubeconfig(Path file, int port) throws java.io.IOException {
        return Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters: [{name: mock, cluster: {server: "http://127.0.0.1:%d"}}]
                users: [{name: adapter, user: {token: adapter-service-account-token}}]
                contexts: [{name: mock, context: {cluster: mock, user: adapter}}]
                current-context: mock
                """.formatted(port));
    }

    /** The HTTPS API's self-signed certificate (PEM), its own CA; issued for localhost. */
    Path certificatePath() {
        return Path.of(server.getSelfSignedCertificate().certificatePath());
    }

    ConfigMap authenticationConfigMap(TestCertificates frontProxy) throws Exception {
        return new ConfigMapBuilder().withNewMetadata().withNamespace("kube-system")
                .withName("extension-apiserver-authentication").endMetadata()
                .addToData("requestheader-client-ca-file", frontProxy.caPem())
                .addToData("requestheader-allowed-names", "[\"front-proxy-client\"]")
                .addToData("requestheader-username-headers", "[\"X-Remote-User\"]")
                .addToData("requestheader-group-headers", "[\"X-Remote-Group\"]")
                .addToData("requestheader-extra-headers-prefix", "[\"X-Remote-Extra-\"]")
                .addToData("client-ca-file", clientCa.caPem())
                .build();
    }

    @Override
    public void close() {
        adapters.forEach(Adapter::stop);
        admin.close();
        api.destroy();
    }

    /**
     * The token a replica of the adapter presents to its peers: a JWT naming the adapter's
     * service account, which this API authenticates for the peer audience only.
     */
    static final String PEER_SUBJECT = "system:serviceaccount:adapters:demand-metrics-adapter";
    static final String PEER_TOKEN = "eyJhbGciOiJSUzI1NiJ9."
            + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                    ("{\"sub\":\"" + PEER_SUBJECT + "\",\"aud\":[\"demand-metrics-adapter-peers\"]}")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8)) + ".c2lnbmF0dXJl";

    private static String tokenReview(JsonObject review) {
        JsonObject spec = review.getJsonObject("spec");
        if (PEER_TOKEN.equals(spec.getString("token"))) {
            JsonArray audiences = spec.getJsonArray("audiences", new JsonArray());
            boolean forPeers = audiences.contains("demand-metrics-adapter-peers");
            return review.put("status", new JsonObject().put("authenticated", forPeers)
                    .put("user", new JsonObject().put("username", PEER_SUBJECT))
                    .put("audiences", audiences)).encode();
        }
        boolean good = "good-token".equals(spec.getString("token"));
        JsonObject status = new JsonObject().put("authenticated", good);
        if (good) {
            status.put("user", new JsonObject().put("username",
                    "system:serviceaccount:kube-system:horizontal-pod-autoscaler")
                    .put("groups", new JsonArray().add("system:serviceaccounts")));
        }
        return review.put("status", status).encode();
    }

    private String accessReview(JsonObject review) {
        accessReviews.incrementAndGet();
        JsonObject spec = review.getJsonObject("spec");
        reviewedSpecs.add(spec);
        JsonArray groups = spec.getJsonArray("groups", new JsonArray());
        boolean allowed = ALLOWED_USERS.contains(spec.getString("user")) || groups.contains("system:masters");
        return review.put("status", new JsonObject().put("allowed", allowed)
                .put("reason", allowed ? "RBAC: allowed" : "no RBAC rule allows it")).encode();
    }
}
