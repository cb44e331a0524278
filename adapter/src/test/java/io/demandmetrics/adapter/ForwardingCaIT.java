package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.demandmetrics.scaler.spi.Sample;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backend's CA read from the cluster ({@code caFromAPIService}): the front adapter (the jar,
 * reaching the backend by its Service's DNS name, which a hosts file resolves to the backend
 * adapter) trusts the caBundle of the backend's APIService, saves it, and keeps trusting the saved
 * copy after its own APIService has replaced the backend's and it restarts. Without a saved copy
 * the backend's metrics are a 503 that says why; the front adapter's own are unaffected.
 */
class ForwardingCaIT {

    private static final String EXTERNAL = "/apis/external.metrics.k8s.io/v1beta1";
    private static final String API_SERVICE = "v1beta1.external.metrics.k8s.io";
    private static final String BACKEND_HOST = "keda-metrics.keda.svc";
    private static final ResourceDefinitionContext API_SERVICES = new ResourceDefinitionContext.Builder()
            .withGroup("apiregistration.k8s.io").withVersion("v1").withPlural("apiservices").withKind("APIService")
            .withNamespaced(false).build();

    @TempDir
    Path shared;
    @TempDir
    Path backDir;
    private MockCluster cluster;
    private TestCertificates kedaCa;
    private ReplicaProcess front;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        kedaCa = new TestCertificates("keda-ca");
        TestCertificates.Issued serving = kedaCa.server(BACKEND_HOST);
        Path cert = Files.writeString(backDir.resolve("serving.crt"), serving.certificatePem());
        Path key = Files.writeString(backDir.resolve("serving.key"), serving.keyPem());
        TestValuesScalerProvider.set("ca-theirs", List.of(Sample.of(11)));
        Adapter backend = cluster.startAdapter(backDir, "metrics:\n"
                + "  - {name: theirs, namespace: shop, type: test-values, parameters: {source: ca-theirs}}\n",
                "--tls-cert-file", cert.toString(), "--tls-private-key-file", key.toString());
        Files.writeString(shared.resolve("hosts"), "127.0.0.1 localhost\n127.0.0.1 " + BACKEND_HOST + "\n");
        Path token = Files.writeString(shared.resolve("token"), "good-token\n"); // the mock's service account
        Files.writeString(shared.resolve("config.yaml"), "metrics:\n"
                + "  - {name: mine, namespace: shop, type: cron, parameters: {timezone: UTC, start: \"0 0 * * *\","
                + " end: \"59 23 * * *\", desiredReplicas: 3}}\n"
                + "forward:\n"
                + "  - {name: keda, service: {namespace: keda, name: keda-metrics, port: " + backend.port() + "},"
                + " groups: [external.metrics.k8s.io], caFromAPIService: " + API_SERVICE + ", tokenFile: " + token
                + ", timeout: 2s, discoveryInterval: 1s}\n");
        ReplicaProcess.prepare(cluster, shared);
        cluster.admin.configMaps().inNamespace("adapters").resource(new ConfigMapBuilder().withNewMetadata()
                .withName("demand-metrics-adapter-forward-ca").withNamespace("adapters").endMetadata().build()).create();
    }

    @AfterEach
    void stop() throws Exception {
        if (front != null) {
            front.kill();
        }
        cluster.close();
    }

    @Test
    void theCaOfTheBackendsApiServiceIsTrustedAndItsSavedCopyAfterOursReplacesIt() throws Exception {
        registerApiService("keda", "keda-metrics", kedaCa.caPem());
        front = startFront();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(value(front.get(EXTERNAL
                + "/namespaces/shop/theirs"))).isEqualTo("11"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(savedCas())
                .containsEntry("keda.crt", kedaCa.caPem()));

        // Ours replaces the backend's APIService: its caBundle is now our CA, not the backend's.
        registerApiService("adapters", "demand-metrics-adapter", new TestCertificates("our-ca").caPem());
        front.kill();
        front = startFront();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(value(front.get(EXTERNAL
                + "/namespaces/shop/theirs"))).isEqualTo("11"));
    }

    @Test
    void withoutTheBackendsApiServiceOrASavedCopyItsMetricsAre503SayingWhy() throws Exception {
        registerApiService("adapters", "demand-metrics-adapter", new TestCertificates("our-ca").caPem());
        front = startFront();
        HttpResponse<String> theirs = front.get(EXTERNAL + "/namespaces/shop/theirs");
        assertThat(theirs.statusCode()).as(theirs.body()).isEqualTo(503);
        assertThat(new JsonObject(theirs.body()).getString("message")).contains("backend \"keda\"",
                "APIService " + API_SERVICE + " names Service adapters/demand-metrics-adapter, not the backend's"
                        + " keda/keda-metrics", "give caFile");
        assertThat(front.get(EXTERNAL + "/namespaces/shop/mine").statusCode()).as("ours").isEqualTo(200);
        assertThat(savedCas()).isEmpty();
    }

    private ReplicaProcess startFront() throws Exception {
        return ReplicaProcess.start(cluster, shared, "front", System.getProperty("adapter.jar"), List.of("-Xmx128m",
                "-XX:TieredStopAtLevel=1", // as ReplicaProcess.TEST_JVM
                // The backend's Service name resolves as the cluster's DNS would: the JDK's resolver, this hosts file.
                "-Dvertx.disableDnsResolver=true", "-Djdk.net.hosts.file=" + shared.resolve("hosts")), List.of());
    }

    private void registerApiService(String namespace, String service, String caPem) {
        GenericKubernetesResource apiService = new GenericKubernetesResource();
        apiService.setApiVersion("apiregistration.k8s.io/v1");
        apiService.setKind("APIService");
        apiService.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(API_SERVICE).build());
        apiService.setAdditionalProperty("spec", Map.of("group", "external.metrics.k8s.io", "version", "v1beta1",
                "groupPriorityMinimum", 100, "versionPriority", 100,
                "service", Map.of("namespace", namespace, "name", service, "port", 443),
                "caBundle", Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.UTF_8))));
        cluster.admin.genericKubernetesResources(API_SERVICES).resource(apiService).createOr(existing -> existing.update());
    }

    private Map<String, String> savedCas() {
        Map<String, String> data = cluster.admin.configMaps().inNamespace("adapters")
                .withName("demand-metrics-adapter-forward-ca").get().getData();
        return data == null ? Map.of() : data;
    }

    private static String value(HttpResponse<String> answer) {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return new JsonObject(answer.body()).getJsonArray("items").getJsonObject(0).getString("value");
    }
}
