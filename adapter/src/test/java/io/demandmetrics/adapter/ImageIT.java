package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.demandmetrics.adapter.deploy.Manifests;
import io.demandmetrics.adapter.tls.SelfSignedCertificate;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image users deploy: built from the Dockerfile (by bin/test, or here with
 * {@code bin/build-image --local-bases}), started as deploy/'s Deployment starts it
 * ({@link DeploymentContainer}) against a Kubernetes API (fabric8's mock over HTTPS, reached
 * through the service account the kubelet would mount), and checked from outside.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImageIT {

    private static final String VERSION = System.getProperty("project.version");
    private static final String EXAMPLE_METRIC = "/apis/external.metrics.k8s.io/v1beta1/namespaces/default/business-hours";

    /** Libraries a dependency carries inside its own jar: netty-common (jctools), kafka-clients (commons-net). */
    private static final List<String> EMBEDDED_BY_DEPENDENCIES = List.of("org.jctools:jctools-core",
            "commons-net:commons-net");

    @TempDir
    static Path dir;
    private String image;
    private List<HasMetadata> manifests;
    private Deployment deployment;
    private MockCluster cluster;
    private Path tls;
    private Path serviceAccount;
    private HttpClient https;

    @BeforeAll
    void start() throws Exception {
        assertThat(VERSION).as("-Dproject.version (failsafe sets it)").isNotBlank();
        image = Podman.adapterImage();
        manifests = Manifests.render(Podman.REPO.resolve("deploy"));
        deployment = Manifests.find(manifests, Deployment.class, "demand-metrics-adapter");
        cluster = new MockCluster(true);
        // Secret demand-metrics-adapter-tls, as the README makes it (here for the test's address).
        String[] pem = SelfSignedCertificate.generate(Set.of("127.0.0.1", "localhost"), Duration.ofDays(1));
        tls = dir.resolve("tls");
        Podman.writeReadable(tls.resolve("tls.crt"), pem[0]);
        Podman.writeReadable(tls.resolve("tls.key"), pem[1]);
        serviceAccount = dir.resolve("serviceaccount");
        Podman.writeReadable(serviceAccount.resolve("token"), "adapter-service-account-token");
        Podman.writeReadable(serviceAccount.resolve("ca.crt"), Files.readString(cluster.certificatePath()));
        Podman.writeReadable(serviceAccount.resolve("namespace"), "demand-metrics");
        https = TestAdapters.client(tls.resolve("tls.crt"));
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    @Test
    void theImageIsTheOneTheManifestsNameAndRunsAsTheirSecurityContextSays() throws Exception {
        assertThat(image).isEqualTo("demand-metrics-adapter:" + VERSION);
        var container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getImage()).as("deploy/kustomization.yaml's images: tag").isEqualTo(image);

        JsonObject config = inspect(image).getJsonObject("Config");
        var podSecurity = deployment.getSpec().getTemplate().getSpec().getSecurityContext();
        assertThat(config.getString("User")).isEqualTo(podSecurity.getRunAsUser() + ":" + podSecurity.getRunAsGroup())
                .isEqualTo("65532:65532");
        ContainerPort httpsPort = container.getPorts().stream().filter(p -> "https".equals(p.getName())).findFirst()
                .orElseThrow();
        assertThat(httpsPort.getContainerPort()).as("--secure-port").isEqualTo(DeploymentContainer.securePort(container));
        assertThat(config.getJsonObject("ExposedPorts").fieldNames()).as("the image exposes the container's ports")
                .containsExactlyInAnyOrderElementsOf(container.getPorts().stream().map(p -> p.getContainerPort() + "/tcp")
                        .toList());
        for (Probe probe : List.of(container.getStartupProbe(), container.getLivenessProbe(),
                container.getReadinessProbe())) {
            assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("https");
            assertThat(probe.getHttpGet().getScheme()).isEqualTo("HTTPS");
        }
        assertThat(config.getJsonArray("Entrypoint").getList()).endsWith("-jar", "/app/demand-adapter.jar",
                "--plugin-dir=/plugins").contains("@/app/jvm.options");

        JsonObject labels = config.getJsonObject("Labels");
        assertThat(labels.getString("org.opencontainers.image.version")).isEqualTo(VERSION);
        assertThat(labels.getString("org.opencontainers.image.licenses")).isEqualTo("Apache-2.0");
        assertThat(labels.getString("org.opencontainers.image.revision")).matches("[0-9a-f]{40}(-dirty)?");
        assertThat(labels.getString("org.opencontainers.image.source")).isNotBlank();
    }

    @Test
    void theImageHoldsTheJarItsSbomAndNoBuildTools() throws Exception {
        Path root = Path.of(Podman.run("image", "mount", image).ok().stdout().strip());
        try {
            try (Stream<Path> files = Files.walk(root)) {
                assertThat(files.filter(f -> Set.of("javac", "mvn", "jshell", "jar").contains(
                        f.getFileName().toString()) && Files.isExecutable(f)).map(root::relativize))
                        .as("build tools in the image").isEmpty();
            }
            assertThat(root.resolve("plugins")).isEmptyDirectory();
            assertThat(root.resolve("app/LICENSE")).content().contains("Apache License", "Version 2.0");
            // The collector and heap bounds the benchmarks and bin/run-standalone run with.
            assertThat(root.resolve("app/jvm.options")).hasSameTextualContentAs(Podman.REPO.resolve("adapter/jvm.options"));

            Set<String> bundled = new HashSet<>();
            try (JarFile jar = new JarFile(root.resolve("app/demand-adapter.jar").toFile())) {
                assertThat(jar.getManifest().getMainAttributes().getValue("Implementation-Version")).isEqualTo(VERSION);
                for (var entry : jar.stream().filter(e -> e.getName().matches("META-INF/maven/.*/pom\\.properties"))
                        .toList()) {
                    var properties = new java.util.Properties();
                    properties.load(jar.getInputStream(entry));
                    bundled.add(properties.getProperty("groupId") + ":" + properties.getProperty("artifactId") + ":"
                            + properties.getProperty("version"));
                }
            }
            JsonObject sbom = new JsonObject(Files.readString(root.resolve("app/demand-adapter.cdx.json")));
            assertThat(sbom.getString("bomFormat")).isEqualTo("CycloneDX");
            assertThat(sbom.getJsonObject("metadata").getJsonObject("component").getString("version"))
                    .isEqualTo(VERSION);
            Set<String> listed = Stream.concat(Stream.of(sbom.getJsonObject("metadata").getJsonObject("component")),
                            sbom.getJsonArray("components").stream().map(JsonObject.class::cast))
                    .map(c -> c.getString("group") + ":" + c.getString("name") + ":" + c.getString("version"))
                    .collect(Collectors.toSet());
            // Each library whose Maven coordinates the jar carries is in the SBOM, at that version,
            // except copies that a dependency embeds in its own jar: the SBOM is made from POMs.
            assertThat(bundled).hasSizeGreaterThan(50).anyMatch(c -> c.startsWith("io.vertx:vertx-core:"));
            assertThat(bundled.stream().filter(c -> !listed.contains(c)).map(c -> c.substring(0, c.lastIndexOf(':'))))
                    .containsExactlyInAnyOrderElementsOf(EMBEDDED_BY_DEPENDENCIES);
        } finally {
            Podman.run("image", "unmount", image);
        }
    }

    @Test
    void theExampleIsServedAsTheDeploymentRunsItAndSigtermEndsItWithinTheGracePeriod() throws Exception {
        Map<String, ConfigMap> configMaps = manifests.stream().filter(ConfigMap.class::isInstance)
                .map(ConfigMap.class::cast).collect(Collectors.toMap(c -> c.getMetadata().getName(), c -> c));
        try (DeploymentContainer adapter = new DeploymentContainer(deployment, null, configMaps,
                Map.of("demand-metrics-adapter-tls", tls), serviceAccount, "localhost", cluster.api.getPort(),
                dir.resolve("example"), TestAdapters.freePort()).start()) {
            awaitProbes(adapter);

            TestAdapters.KubectlResult answer = kubectl(adapter, EXAMPLE_METRIC);
            assertThat(answer.exitCode()).as(answer.stderr()).isZero();
            JsonObject item = new JsonObject(answer.stdout()).getJsonArray("items").getJsonObject(0);
            assertThat(item.getString("metricName")).isEqualTo("business-hours");
            assertThat(item.getString("value")).matches("\\d+(m|k)?");

            String status = Files.readString(Path.of("/proc", Long.toString(adapter.pid()), "status"));
            assertThat(status).containsPattern("(?m)^Uid:\\s+65532\\s+65532\\s+65532\\s+65532$")
                    .containsPattern("(?m)^Gid:\\s+65532\\s+65532\\s+65532\\s+65532$");
            // The C allocator is the image's (jemalloc, preloaded: the Dockerfile says why), with
            // its background threads, which give freed pages back: MALLOC_CONF took effect.
            assertThat(Files.readAllLines(Path.of("/proc", Long.toString(adapter.pid()), "maps")))
                    .as("the JVM's mapped libraries").anyMatch(line -> line.endsWith("/libjemalloc.so.2"));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(threadNames(adapter.pid()))
                    .contains("jemalloc_bg_thd"));
            Podman.Result asRoot = Podman.run("exec", "--user", "0", adapter.name, "touch", "/written-by-a-test");
            assertThat(asRoot.exitCode()).isNotZero();
            assertThat(asRoot.stderr()).contains("Read-only file system");
            Podman.run("exec", adapter.name, "touch", "/tmp/written-by-a-test").ok();

            // One replica holds every bucket's Lease in its own namespace (and polls every metric).
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(cluster.admin.leases()
                    .inNamespace(deployment.getMetadata().getNamespace())
                    .withLabel(io.demandmetrics.adapter.replicas.BucketLeases.ROLE_LABEL, "bucket").list().getItems())
                    .hasSize(32).allSatisfy(lease -> assertThat(lease.getSpec().getHolderIdentity())
                            .startsWith(adapter.name + "-")));

            // The heap is the image's share of the manifest's memory limit, with the serial
            // collector's pools (adapter/jvm.options asks for it; the JVM would also choose it in
            // a container this small, so this says what runs, not that the file was read).
            Quantity limit = adapter.container.getResources().getLimits().get("memory");
            String exposition = get(adapter, "/metrics", "good-token").body();
            assertThat(exposition).contains("jvm_memory_max_bytes{area=\"heap\",id=\"Tenured Gen\"}");
            double heap = heapMaxBytes(exposition);
            assertThat(heap / Quantity.getAmountInBytes(limit).doubleValue()).isBetween(0.36, 0.40);

            // SIGTERM: readiness fails while requests are still served, then the process ends.
            long grace = deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
            long stopStarted = System.nanoTime();
            CompletableFuture<Integer> stopped = CompletableFuture.supplyAsync(() -> {
                try {
                    return adapter.stop(Duration.ofSeconds(grace));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, task -> new Thread(task, "podman-stop").start());
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
                    assertThat(get(adapter, "/readyz", null).statusCode()).isNotEqualTo(200));
            assertThat(get(adapter, "/livez", null).statusCode()).isEqualTo(200);
            assertThat(kubectl(adapter, EXAMPLE_METRIC).exitCode()).as("served during the shutdown delay").isZero();
            int exitCode = stopped.get(grace + 60, TimeUnit.SECONDS);
            Duration took = Duration.ofNanos(System.nanoTime() - stopStarted);
            assertThat(took).as("SIGTERM to exit").isLessThan(Duration.ofSeconds(grace));
            assertThat(exitCode).as("143: ended by SIGTERM, not killed (137)").isEqualTo(143);
            assertThat(adapter.logs()).contains("shutting down: readiness fails", "0 left unanswered", "shut down")
                    .doesNotContain("ERROR");
        }
    }

    @Test
    void aTeamPluginAddedToTheImageAsTheReadmeShowsIsLoadedAndServed() throws Exception {
        Path context = Files.createDirectories(dir.resolve("team-image"));
        Files.copy(Path.of(System.getProperty("team.scaler.jar")), context.resolve("team-scaler.jar"));
        Files.writeString(context.resolve("Dockerfile"), readmeBlock("dockerfile", "/plugins/"));
        String teamImage = "demand-metrics-adapter-team-it:" + VERSION;
        Podman.run("build", "-t", teamImage, context.toString()).ok();
        ConfigMap teamConfig = new ConfigMapBuilder().withNewMetadata().withName("demand-metrics-adapter-config")
                .endMetadata()
                .addToData("config.yaml", """
                        metrics:
                          - name: team-backlog
                            namespace: shop
                            type: demand-file
                            parameters: {path: /etc/demand-adapter/config/backlog.json}
                        """)
                .addToData("backlog.json", "[{\"labels\": {\"queue\": \"orders\"}, \"value\": 120}]").build();
        try (DeploymentContainer adapter = new DeploymentContainer(deployment, teamImage,
                Map.of("demand-metrics-adapter-config", teamConfig), Map.of("demand-metrics-adapter-tls", tls),
                serviceAccount, "localhost", cluster.api.getPort(), dir.resolve("team"), TestAdapters.freePort()).start()) {
            awaitProbes(adapter);
            TestAdapters.KubectlResult answer = kubectl(adapter,
                    "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/team-backlog");
            assertThat(answer.exitCode()).as(answer.stderr()).isZero();
            JsonObject item = new JsonObject(answer.stdout()).getJsonArray("items").getJsonObject(0);
            assertThat(item.getJsonObject("metricLabels")).isEqualTo(new JsonObject().put("queue", "orders"));
            assertThat(item.getString("value")).isEqualTo("120");
            assertThat(adapter.logs()).contains("scaler types: [aws-sqs-queue, cron, demand-file,");
        } finally {
            Podman.run("rmi", "-f", teamImage);
        }
    }

    /** The probes as the kubelet sends them: HTTPS, no credentials, until the startup probe and readiness pass. */
    private void awaitProbes(DeploymentContainer adapter) {
        var container = adapter.container;
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .failFast("the container stopped", adapter::assertRunning).untilAsserted(() -> {
            for (Probe probe : List.of(container.getStartupProbe(), container.getLivenessProbe(),
                    container.getReadinessProbe())) {
                HttpResponse<String> answer = get(adapter, probe.getHttpGet().getPath(), null);
                assertThat(answer.statusCode()).as(probe.getHttpGet().getPath() + ": " + answer.body()).isEqualTo(200);
            }
        });
    }

    private HttpResponse<String> get(DeploymentContainer adapter, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(adapter.url(path)))
                .timeout(Duration.ofSeconds(5));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return https.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("GET " + path + ": " + e, e);
        }
    }

    /** The real kubectl as the HPA's service account (token {@code good-token} in {@link MockCluster}). */
    private TestAdapters.KubectlResult kubectl(DeploymentContainer adapter, String path) throws Exception {
        Path kubeconfig = Files.writeString(dir.resolve(adapter.name + ".kubeconfig"), """
                apiVersion: v1
                kind: Config
                clusters: [{name: adapter, cluster: {server: "%s", certificate-authority: "%s"}}]
                users: [{name: hpa, user: {token: good-token}}]
                contexts: [{name: adapter, context: {cluster: adapter, user: hpa}}]
                current-context: adapter
                """.formatted(adapter.url(""), tls.resolve("tls.crt")));
        return TestAdapters.kubectl(kubeconfig, dir.resolve("kubectl-cache"), path);
    }

    /** The sum of the heap pools' maximum sizes at /metrics. */
    private static double heapMaxBytes(String exposition) {
        double sum = exposition.lines().filter(l -> l.startsWith("jvm_memory_max_bytes{") && l.contains("area=\"heap\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        assertThat(sum).as("jvm_memory_max_bytes{area=\"heap\"} at /metrics").isPositive();
        return sum;
    }

    /** The README's fenced block of this language that contains {@code marker}. */
    private static String readmeBlock(String language, String marker) throws IOException {
        Matcher blocks = Pattern.compile("(?ms)^```" + language + "\\n(.*?)^```").matcher(
                Files.readString(Podman.REPO.resolve("README.md")));
        while (blocks.find()) {
            if (blocks.group(1).contains(marker)) {
                return blocks.group(1);
            }
        }
        throw new AssertionError("README.md has no ```" + language + " block with " + marker);
    }

    private static JsonObject inspect(String image) throws Exception {
        return new JsonArray(Podman.run("image", "inspect", image).ok().stdout()).getJsonObject(0);
    }


    /** The names of a process's threads, as the kernel has them. */
    private static List<String> threadNames(long pid) throws Exception {
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            return tasks.map(task -> {
                try {
                    return Files.readString(task.resolve("comm")).strip();
                } catch (IOException e) {
                    return ""; // a thread that ended while listed
                }
            }).toList();
        }
    }
}
