package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Startup: the real jar's exit codes and messages, plugin jars, client certificates. */
class StartupIT {

    @TempDir
    Path dir;

    @Test
    void anInvalidConfigExitsWithStatus2AndEveryProblem() throws Exception {
        Path config = dir.resolve("bad.yaml");
        Files.writeString(config, """
                metrics:
                  - name: office
                    namespace: shop
                    type: cron
                    parameters: {timezone: Europe/Berlin, start: "0 8 * * *"}
                  - name: lag
                    namespace: shop
                    type: kafka
                    pollInterval: often
                  - name: orders-lag
                    namespace: shop
                    type: kafka-lag
                    parameters: {consumerGroup: orders, lagThreshold: 0, sasl: {mechanism: PLAIN, username: u, password: hunter2}}
                """);
        Result result = runJar("--standalone", "--config", config.toString(), "--secure-port", "0");
        assertThat(result.exitCode).isEqualTo(2);
        assertThat(result.stderr).contains("demand-adapter: invalid config " + config + ":")
                .contains("metric \"shop/office\" (type \"cron\"): missing required parameter \"end\"")
                .contains("metric \"shop/office\" (type \"cron\"): missing required parameter \"desiredReplicas\"")
                .contains("metric \"shop/lag\" (type \"kafka\"): field \"pollInterval\" value \"often\" is not a duration")
                .contains("metric \"shop/lag\" (type \"kafka\"): unknown scaler type \"kafka\"; known: [aws-sqs-queue, cron, kafka-lag, latency, prometheus, rps]")
                .contains("metric \"shop/orders-lag\" (type \"kafka-lag\"): missing required parameter \"bootstrapServers\"")
                .contains("metric \"shop/orders-lag\" (type \"kafka-lag\"): parameter \"lagThreshold\" value \"0\" must be >= 1")
                .contains("metric \"shop/orders-lag\" (type \"kafka-lag\"): secrets are not written in the config")
                .doesNotContain("hunter2");
    }

    @Test
    void usageErrorsExitWithStatus2() throws Exception {
        Path config = dir.resolve("ok.yaml");
        Files.writeString(config, "metrics: []\n");
        Result unknownFlag = runJar("--standalone", "--config", config.toString(), "--secure-prot", "1");
        assertThat(unknownFlag.exitCode).isEqualTo(2);
        assertThat(unknownFlag.stderr).startsWith("unknown flag --secure-prot").contains("Usage: demand-adapter");

        Path unreachable = dir.resolve("unreachable.kubeconfig");
        Files.writeString(unreachable, "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server:"
                + " \"http://127.0.0.1:9\"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: c, context:"
                + " {cluster: c, user: u}}]\ncurrent-context: c\n");
        Result inClusterWithoutApi = runJar("--config", config.toString(), "--kubeconfig", unreachable.toString());
        assertThat(inClusterWithoutApi.exitCode).isEqualTo(1);
        assertThat(inClusterWithoutApi.stderr).contains("cannot read ConfigMap kube-system/extension-apiserver-authentication")
                .contains("cannot reach the Kubernetes API server at http://127.0.0.1:9/")
                .contains("ConnectException")
                .doesNotContain("RoleBinding"); // it was never asked: no permission is missing

        Result anonymousOnNetwork = runJar("--standalone", "--config", config.toString(), "--bind-address", "0.0.0.0");
        assertThat(anonymousOnNetwork.exitCode).isEqualTo(2);
        assertThat(anonymousOnNetwork.stderr).contains("refusing to serve anonymous requests on non-loopback address"
                + " 0.0.0.0: give --client-ca-file to require client certificates, or bind 127.0.0.1");

        Result missingFile = runJar("--standalone", "--config", dir.resolve("absent.yaml").toString());
        assertThat(missingFile.exitCode).isEqualTo(2);
        assertThat(missingFile.stderr).contains("cannot read --config");

        Path oversized = dir.resolve("oversized.yaml");
        Files.writeString(oversized, "metrics: []\n#" + "x".repeat(4 * 1024 * 1024) + "\n");
        Result tooLarge = runJar("--standalone", "--config", oversized.toString(), "--secure-port", "0");
        assertThat(tooLarge.exitCode).isEqualTo(2);
        assertThat(tooLarge.stderr).contains("cannot read --config " + oversized + ": the file is 4194318 bytes;"
                + " a config may be at most 4194304 bytes (4 MiB)");

        // 0.5ms: below the 1 ms a timer can honour (it hung startup for 60 s, then exited 1).
        Path tinyTimeout = dir.resolve("tiny-timeout.yaml");
        Files.writeString(tinyTimeout, """
                metrics:
                  - {name: office, namespace: shop, type: cron, timeout: 0.5ms,
                     parameters: {timezone: UTC, start: "0 8 * * *", end: "0 9 * * *", desiredReplicas: 2}}
                """);
        Result tiny = runJar("--standalone", "--config", tinyTimeout.toString(), "--secure-port", "0");
        assertThat(tiny.exitCode).isEqualTo(2);
        assertThat(tiny.stderr).contains("field \"timeout\" value \"0.5ms\" must be from 1ms to pollInterval (15s)");
        Result tinyFlag = runJar("--standalone", "--config", config.toString(), "--config-check-interval", "0.5ms");
        assertThat(tinyFlag.exitCode).isEqualTo(2);
        assertThat(tinyFlag.stderr).contains("flag --config-check-interval value \"0.5ms\" must be a duration from 1ms to 24h");

        Result help = runJar("--help");
        assertThat(help.exitCode).isZero();
        assertThat(help.stdout).contains("--plugin-dir DIR");
    }

    @Test
    void aTeamPluginJarIsLoadedFromThePluginDirAndServed() throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Files.copy(teamScalerJar(), plugins.resolve("team-scaler.jar"));
        Files.writeString(plugins.resolve("broken.jar"), "this is not a zip file");
        writeJar(plugins.resolve("missing-class.jar"), "com.example.DoesNotExist");
        Path values = dir.resolve("values.json");
        Files.writeString(values, """
                [{"object": "web-1", "objectLabels": {"app": "web"}, "value": 4.5},
                 {"object": "web-2", "objectLabels": {"app": "web"}, "value": 1.25},
                 {"object": "db-1", "objectLabels": {"app": "db"}, "value": 99}]
                """);
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, """
                metrics:
                  - name: team_backlog
                    namespace: shop
                    describes: pods
                    type: demand-file
                    parameters: {path: %s}
                """.formatted(values));
        Adapter adapter = TestAdapters.start(dir, config, Clock.systemUTC(), "--plugin-dir", plugins.toString());
        try {
            HttpClient client = TestAdapters.client(TestAdapters.certFile(dir));
            HttpResponse<String> response = TestAdapters.get(client, adapter, "/apis/custom.metrics.k8s.io/v1beta2"
                    + "/namespaces/shop/pods/%2A/team_backlog?labelSelector=app%3Dweb");
            assertThat(response.statusCode()).isEqualTo(200);
            var items = new JsonObject(response.body()).getJsonArray("items");
            assertThat(items.stream().map(JsonObject.class::cast)
                    .map(i -> i.getJsonObject("describedObject").getString("name") + "=" + i.getString("value")))
                    .containsExactly("web-1=4500m", "web-2=1250m");
            String exposition = TestAdapters.get(client, adapter, "/metrics").body();
            assertThat(exposition).contains("demand_adapter_plugins{state=\"loaded\"} 1.0",
                    "demand_adapter_plugins{state=\"refused\"} 2.0");
        } finally {
            adapter.stop();
        }
    }

    /** The second example: a plugin directory, its jar beside the library it carries (Commons CSV, not in the adapter). */
    @Test
    void aPluginDirectoryWithItsOwnLibraryIsLoadedAndServed() throws Exception {
        Path built = Path.of(System.getProperty("csv.scaler.dir", ""));
        assertThat(built).as("the csv plugin: build it with bin/test, or mvn -f examples/csv-scaler/pom.xml package")
                .isDirectory();
        Path plugin = Files.createDirectories(dir.resolve("plugins/csv-scaler"));
        try (var jars = Files.list(built)) {
            for (Path jar : jars.toList()) {
                Files.copy(jar, plugin.resolve(jar.getFileName()));
            }
        }
        assertThat(plugin.toFile().list()).anyMatch(name -> name.startsWith("commons-csv-"));
        Path queues = dir.resolve("queues.csv");
        Files.writeString(queues, "queue,value\norders,120\nrefunds,4\n");
        Path config = dir.resolve("csv.yaml");
        Files.writeString(config, """
                metrics:
                  - {name: queue_depth, namespace: shop, type: demand-csv, parameters: {path: %s}}
                """.formatted(queues));
        Adapter adapter = TestAdapters.start(dir, config, Clock.systemUTC(), "--plugin-dir",
                dir.resolve("plugins").toString());
        try {
            HttpResponse<String> response = TestAdapters.get(TestAdapters.client(TestAdapters.certFile(dir)), adapter,
                    "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/queue_depth?labelSelector=queue%3Dorders");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(new JsonObject(response.body()).getJsonArray("items").getJsonObject(0).getString("value"))
                    .isEqualTo("120");
        } finally {
            adapter.stop();
        }
    }

    @Test
    void pinsLetOnlyTheReviewedJarsLoad() throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("pinned-plugins"));
        Path teamJar = Files.copy(teamScalerJar(), plugins.resolve("team-scaler.jar"));
        String digest = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(teamJar)));
        Path config = dir.resolve("team.yaml");
        Files.writeString(config, """
                metrics:
                  - {name: team_backlog, namespace: shop, type: demand-file, parameters: {path: /nonexistent.json}}
                """);
        Path otherPins = dir.resolve("other.sha256");
        Files.writeString(otherPins, "0".repeat(64) + "  team-scaler.jar\n");
        Result refused = runJar("--standalone", "--config", config.toString(), "--secure-port", "0",
                "--plugin-dir", plugins.toString(), "--plugin-pins", otherPins.toString());
        assertThat(refused.exitCode).isEqualTo(2);
        assertThat(refused.stdout + refused.stderr).contains("plugin jar " + teamJar + " refused: team-scaler.jar has SHA-256 "
                + digest + ", not the " + "0".repeat(64) + " --plugin-pins " + otherPins + " lists for it")
                .contains("unknown scaler type \"demand-file\"");

        Path pins = dir.resolve("plugins.sha256");
        Files.writeString(pins, digest + "  team-scaler.jar\n");
        Adapter adapter = TestAdapters.start(dir, config, Clock.systemUTC(), "--plugin-dir", plugins.toString(),
                "--plugin-pins", pins.toString());
        adapter.stop(); // started: the pinned jar's type was known to the config

        Result pinsWithoutPlugins = runJar("--standalone", "--config", config.toString(), "--plugin-pins", pins.toString());
        assertThat(pinsWithoutPlugins.exitCode).isEqualTo(2);
        assertThat(pinsWithoutPlugins.stderr).contains("--plugin-pins lists the jars of --plugin-dir, which is not given");
    }

    /**
     * The serving jar carries no charting library and the server loads no AWT or chart class,
     * even drawing the explain page's chart: the simulator is a tool in its own jar.
     */
    @Test
    void theServerCarriesAndLoadsNoChartingOrAwtClasses() throws Exception {
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(System.getProperty("adapter.jar"))) {
            assertThat(jar.stream().map(JarEntry::getName).filter(n -> n.startsWith("org/jfree/")
                    || n.startsWith("io/demandmetrics/simulator/"))).isEmpty();
        }
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Path config = Files.writeString(dir.resolve("config.yaml"), """
                metrics:
                  - {name: office, namespace: shop, type: cron, pollInterval: 1s,
                     parameters: {timezone: UTC, start: "0 8 * * *", end: "0 9 * * *", desiredReplicas: 2}}
                """);
        Path classes = dir.resolve("classes.log");
        Path log = dir.resolve("adapter.log");
        Process adapter = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + dir, "-Xlog:class+load=info:file=" + classes, "-jar",
                System.getProperty("adapter.jar"), "--standalone", "--config", config.toString(), "--cert-dir",
                dir.resolve("certs").toString(), "--secure-port", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        try {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                    .until(() -> Files.readString(log).contains("listening on https://"));
            HttpClient client = TestAdapters.client(dir.resolve("certs").resolve("apiserver.crt"));
            String base = "https://127.0.0.1:" + port;
            // Every kind of route; the explain page's chart, once drawn, is SVG text (ExplainIT draws one).
            for (String path : List.of("/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/office",
                    "/explain?metric=shop/office", "/explain.json", "/metrics", "/openapi/v2")) {
                HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(answer.statusCode()).as(path).isEqualTo(200);
            }
        } finally {
            adapter.destroy();
            adapter.waitFor(30, TimeUnit.SECONDS);
        }
        List<String> loaded = Files.readAllLines(classes).stream().filter(l -> l.contains("java.awt.")
                || l.contains("org.jfree.") || l.contains("javax.imageio.") || l.contains("io.demandmetrics.simulator."))
                .toList();
        assertThat(Files.readString(classes)).contains("io.demandmetrics.adapter.explain.ExplainPage");
        assertThat(loaded).as("AWT, chart or simulator classes the server loaded").isEmpty();
    }

    @Test
    void twoProvidersOfOneTypeStopStartupNamingBothJars() throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Files.copy(teamScalerJar(), plugins.resolve("team-a.jar"));
        Files.copy(teamScalerJar(), plugins.resolve("team-b.jar"));
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, "metrics: []\n");
        StartupException error = catchThrowableOfType(StartupException.class, () ->
                TestAdapters.start(dir, config, Clock.systemUTC(), "--plugin-dir", plugins.toString()));
        assertThat(error.exitCode()).isEqualTo(2);
        assertThat(error.getMessage()).isEqualTo("scaler type \"demand-file\" is provided by more than one jar: "
                + plugins.resolve("team-a.jar") + " and " + plugins.resolve("team-b.jar"));
    }

    @Test
    void withAClientCaEveryRequestNeedsACertificateFromIt() throws Exception {
        TestCertificates trusted = new TestCertificates("trusted-ca");
        TestCertificates other = new TestCertificates("other-ca");
        Path ca = dir.resolve("client-ca.crt");
        trusted.writeCa(ca);
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, "metrics: []\n");
        Adapter adapter = TestAdapters.start(dir, config, Clock.systemUTC(), "--client-ca-file", ca.toString(),
                "--bind-address", "0.0.0.0");
        try {
            String url = "https://127.0.0.1:" + adapter.port() + "/apis/external.metrics.k8s.io/v1beta1";
            assertThat(send(TestAdapters.client(TestAdapters.certFile(dir), trusted.client("hpa")), url).statusCode()).isEqualTo(200);
            assertThatThrownBy(() -> send(TestAdapters.client(TestAdapters.certFile(dir)), url)).isInstanceOf(java.io.IOException.class);
            assertThatThrownBy(() -> send(TestAdapters.client(TestAdapters.certFile(dir), other.client("intruder")), url))
                    .isInstanceOf(java.io.IOException.class);
        } finally {
            adapter.stop();
        }
    }

    /**
     * With a deadline: under TLS 1.3 the server refuses a missing or foreign certificate with an
     * alert after the client's side of the handshake, which the JDK client sometimes never reads
     * and then waits on forever. A timeout (an IOException) is a refusal too: an accepted
     * request is answered in milliseconds.
     */
    private static HttpResponse<String> send(HttpClient client, String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(java.time.Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static Path teamScalerJar() {
        String property = System.getProperty("team.scaler.jar");
        Path jar = property == null ? null : Path.of(property);
        assertThat(jar).as("the team plugin jar: build it with bin/test, or mvn -f examples/team-scaler/pom.xml"
                + " package, before the adapter's integration tests").isNotNull();
        assertThat(jar).exists();
        return jar;
    }

    private static void writeJar(Path file, String providerClass) throws Exception {
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(file))) {
            jar.putNextEntry(new JarEntry(io.demandmetrics.scaler.spi.SpiVersion.RESOURCE)); // as if built against the SPI
            jar.write(io.demandmetrics.scaler.spi.SpiVersion.CURRENT.getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
            jar.putNextEntry(new JarEntry("META-INF/services/io.demandmetrics.scaler.spi.ScalerProvider"));
            jar.write((providerClass + "\n").getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        }
    }

    private Result runJar(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Djava.io.tmpdir=" + dir, "-jar", System.getProperty("adapter.jar")));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(
                new java.io.File("/dev/null"))).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the adapter did not exit: " + String.join(" ", args));
        }
        return new Result(process.exitValue(),
                new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private record Result(int exitCode, String stdout, String stderr) {
    }
}
