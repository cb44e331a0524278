package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.demandmetrics.testfixtures.PrometheusServer;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A DemandMetric takes its credentials from a Secret of its namespace: a real Prometheus that
 * demands basic auth answers the prometheus scaler with the password from the Secret, a changed
 * Secret is used at once (a wrong password shows as the metric's error), and the files the
 * adapter writes for the scaler are the owner's only and go when no longer named. A Secret of
 * another namespace, one not labelled for DemandMetrics, a namespace that did not let the
 * adapter list its Secrets (403 at the mock), and a server the reach rule does not open are
 * refused in the status with the reason.
 */
class DemandMetricCredentialsIT {

    private static final String PASSWORD = "team-secret-7";
    /** bcrypt of {@link #PASSWORD}, cost 4 (Prometheus' web config takes bcrypt hashes only). */
    private static final String PASSWORD_HASH = "$2b$04$kVyhzk0XXJYg1uru1K896.t7DIe/p9nCTZPfu8mbZtZe6FMQ/60C6";
    private static final String EXTERNAL = "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/";

    @TempDir
    Path dir;
    private MockCluster cluster;
    private PrometheusServer prometheus;
    private Adapter adapter;
    private HttpClient frontProxy;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (prometheus != null) {
            prometheus.close();
        }
    }

    @Test
    void aDemandMetricReadsItsCredentialFromASecretOfItsNamespaceOnly() throws Exception {
        prometheus = PrometheusServer.startWithConfig(Files.createDirectories(dir.resolve("prometheus")),
                "global: {scrape_interval: 1m}\n", "basic_auth_users:\n  team: " + PASSWORD_HASH + "\n");
        HttpClient plain = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> plain.send(HttpRequest.newBuilder(
                URI.create(prometheus.url() + "/api/v1/query?query=vector(7)")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode() == 401);
        cluster = new MockCluster();
        cluster.installDemandMetricCrd();
        cluster.admin.secrets().inNamespace("shop").resource(secret("prometheus-auth", PASSWORD, true)).create();
        cluster.admin.secrets().inNamespace("shop").resource(secret("unlabelled-auth", PASSWORD, false)).create();
        cluster.admin.secrets().inNamespace("monitoring").resource(secret("monitoring-auth", PASSWORD, true)).create();
        cluster.api.expect().get().withPath("/api/v1/namespaces/locked/secrets?labelSelector="
                        + "demandmetrics.io%2Fcredentials%3Dtrue&limit=1")
                .andReply(403, request -> forbidden()).always();
        Path credentials = dir.resolve("credentials");
        // The test's Prometheus is not a Service of the namespace: opened to teams, as a shared one would be.
        adapter = cluster.startAdapter(dir, "metrics: []\n", "--credentials-dir", credentials.toString(),
                "--team-destinations", URI.create(prometheus.url()).getAuthority());
        frontProxy = TestAdapters.client(TestAdapters.certFile(dir), cluster.frontProxyCa.client("front-proxy-client"));

        cluster.createDemandMetric("shop", "queue", spec("prometheus-auth"));
        await().atMost(Duration.ofSeconds(20)).until(() -> "7".equals(value(get(EXTERNAL + "queue"))));
        List<Path> files = files(credentials);
        assertThat(files).hasSize(1);
        assertThat(Files.readString(files.get(0))).isEqualTo(PASSWORD);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(files.get(0)))).isEqualTo("rw-------");

        await().atMost(Duration.ofSeconds(10)).until(() -> "Serving".equals(condition(status("shop", "queue"),
                "Ready").getString("reason")));

        // Another namespace's Secret, an unlabelled one, a namespace that did not bind the role. (Their
        // turns also read "queue" after its status was written: from here on it is read again only
        // for a changed Secret.)
        cluster.createDemandMetric("shop", "elsewhere", spec("monitoring-auth"));
        cluster.createDemandMetric("shop", "unlabelled", spec("unlabelled-auth"));
        cluster.createDemandMetric("locked", "queue", spec("prometheus-auth"));
        // And the reach rule: a server neither of the namespace nor opened to teams.
        Map<String, Object> unopened = spec("prometheus-auth");
        @SuppressWarnings("unchecked")
        Map<String, Object> unopenedParameters = (Map<String, Object>) unopened.get("parameters");
        unopenedParameters.put("serverAddress", "http://localhost:" + URI.create(prometheus.url()).getPort());
        cluster.createDemandMetric("shop", "unopened", unopened);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(condition(status("shop", "elsewhere"), "Invalid").getString("message")).isEqualTo(
                    "spec.parameters.passwordFromSecret: Secret shop/monitoring-auth does not exist or is not"
                            + " labelled demandmetrics.io/credentials=true (the label lets DemandMetrics of its"
                            + " namespace use it)");
            assertThat(condition(status("shop", "unlabelled"), "Invalid").getString("message"))
                    .startsWith("spec.parameters.passwordFromSecret: Secret shop/unlabelled-auth does not exist or"
                            + " is not labelled");
            assertThat(condition(status("locked", "queue"), "Invalid").getString("message")).isEqualTo(
                    "spec.parameters.passwordFromSecret: the adapter may not read Secrets in namespace locked: to let"
                            + " its DemandMetrics take credentials from Secrets, bind the ClusterRole"
                            + " demandmetrics-read-credentials to the adapter's service account there (README: Define"
                            + " a metric in your namespace)");
            assertThat(condition(status("shop", "unopened"), "Invalid").getString("message")).isEqualTo(
                    "spec.parameters.serverAddress: http://localhost:" + URI.create(prometheus.url()).getPort()
                            + " is outside namespace shop (a Service there is <name>.shop.svc) and not among the"
                            + " destinations the platform opened to teams (" + URI.create(prometheus.url())
                            .getAuthority() + ")");
        });
        assertThat(get(EXTERNAL + "elsewhere").statusCode()).isEqualTo(404);
        assertThat(get(EXTERNAL + "queue").statusCode()).as("the valid one still served").isEqualTo(200);

        // A changed Secret is used: the wrong password is Prometheus' 401, the right one serves again.
        cluster.admin.secrets().inNamespace("shop").resource(secret("prometheus-auth", "wrong", true)).update();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(status("shop", "queue")
                .getString("lastError", "")).contains("401"));
        cluster.admin.secrets().inNamespace("shop").resource(secret("prometheus-auth", PASSWORD, true)).update();
        await().atMost(Duration.ofSeconds(20)).until(() -> "Serving".equals(condition(status("shop", "queue"),
                "Ready").getString("reason")));
        assertThat(value(get(EXTERNAL + "queue"))).isEqualTo("7");
        // The first version's file is gone (the last two turns' files are kept).
        await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(files.get(0)));

        // None outlives the adapter.
        assertThat(files(credentials)).isNotEmpty();
        adapter.stop();
        assertThat(files(credentials)).isEmpty();
    }

    private Map<String, Object> spec(String secret) {
        return spec(prometheus.url(), secret);
    }

    private static Map<String, Object> spec(String serverAddress, String secret) {
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("serverAddress", serverAddress);
        parameters.put("query", "vector(7)");
        parameters.put("username", "team");
        parameters.put("passwordFromSecret", Map.of("name", secret, "key", "password"));
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("type", "prometheus");
        spec.put("parameters", parameters);
        spec.put("pollInterval", "500ms");
        spec.put("maxAge", "1h");
        return spec;
    }

    private static Secret secret(String name, String password, boolean labelled) {
        SecretBuilder secret = new SecretBuilder().withNewMetadata().withName(name).endMetadata()
                .addToData("password", Base64.getEncoder().encodeToString(password.getBytes(StandardCharsets.UTF_8)));
        if (labelled) {
            secret.editMetadata().addToLabels("demandmetrics.io/credentials", "true").endMetadata();
        }
        return secret.build();
    }

    /**
     * DemandMetrics naming Secrets in six namespaces, there when the adapter starts, against an API
     * server that takes 2 s to answer each namespace's list: the six lists are asked at once (each
     * before any is answered), not one after another (12 s and more for a turn, and as many times
     * the request timeout against a server that does not answer); each DemandMetric's status then
     * says why its namespace's Secrets cannot be read.
     */
    @Test
    void theFirstListsOfManyNamespacesAreAskedAtOnce() throws Exception {
        cluster = new MockCluster();
        cluster.installDemandMetricCrd();
        Duration answerAfter = Duration.ofSeconds(2);
        List<Long> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<String> namespaces = List.of("slow-0", "slow-1", "slow-2", "slow-3", "slow-4", "slow-5");
        for (String namespace : namespaces) {
            cluster.api.expect().get().delay(answerAfter.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                    .withPath("/api/v1/namespaces/" + namespace + "/secrets?labelSelector="
                            + "demandmetrics.io%2Fcredentials%3Dtrue&limit=1")
                    .andReply(403, request -> {
                        asked.add(System.nanoTime());
                        return forbidden();
                    }).always();
            // A Prometheus Service of the namespace (never asked: its credential cannot be read).
            cluster.createDemandMetric(namespace, "queue", spec("http://prometheus." + namespace + ".svc:9090",
                    "prometheus-auth"));
        }
        adapter = cluster.startAdapter(dir, "metrics: []\n", "--credentials-dir", dir.resolve("credentials").toString());

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (String namespace : namespaces) {
                assertThat(condition(status(namespace, "queue"), "Invalid").getString("message"))
                        .as(namespace).contains("bind the ClusterRole demandmetrics-read-credentials");
            }
        });
        assertThat(asked).hasSize(namespaces.size());
        long first = java.util.Collections.min(asked);
        assertThat(asked).as("when each list was asked (ns after the first)").allMatch(at -> at - first
                < answerAfter.toNanos());
    }

    private static String forbidden() {
        return new JsonObject().put("kind", "Status").put("apiVersion", "v1").put("status", "Failure")
                .put("reason", "Forbidden").put("code", 403).put("message", "secrets is forbidden: User"
                        + " \"system:serviceaccount:demand-metrics:demand-metrics-adapter\" cannot list resource"
                        + " \"secrets\" in API group \"\" in the namespace \"locked\"").encode();
    }

    private static List<Path> files(Path credentials) throws Exception {
        try (Stream<Path> walk = Files.walk(credentials)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }

    private JsonObject status(String namespace, String name) {
        Object status = cluster.demandMetrics(namespace).withName(name).get().getAdditionalProperties().get("status");
        return status == null ? new JsonObject() : JsonObject.mapFrom(status);
    }

    private static JsonObject condition(JsonObject status, String type) {
        return status.getJsonArray("conditions", new JsonArray()).stream().map(JsonObject.class::cast)
                .filter(c -> type.equals(c.getString("type"))).findFirst().orElse(new JsonObject());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return frontProxy.send(HttpRequest.newBuilder(URI.create(adapter.url() + path))
                .header("X-Remote-User", "system:serviceaccount:kube-system:horizontal-pod-autoscaler")
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String value(HttpResponse<String> answer) {
        return answer.statusCode() != 200 ? null
                : new JsonObject(answer.body()).getJsonArray("items").getJsonObject(0).getString("value");
    }
}
